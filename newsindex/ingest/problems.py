"""Structured reports of what could not be read, for the CLI and for callers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..errors import IngestError

__all__ = ["IngestError", "Problem", "ProblemHandler", "Severity", "log_problem"]

Severity = Literal["error", "warning", "note"]
log = logging.getLogger("newsindex.ingest")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with an input file: where (path, 1-based line) and why."""

    path: str
    line: int | None
    reason: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, str | int | None]:
        """JSON-ready form (for ``--json`` output and logs)."""
        return {"path": self.path, "line": self.line, "reason": self.reason, "severity": self.severity}

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.reason}"


ProblemHandler = Callable[[Problem], None]


def log_problem(problem: Problem) -> None:
    """The default handler: problems go to the ``newsindex.ingest`` logger."""
    level = {"error": logging.ERROR, "warning": logging.WARNING, "note": logging.INFO}[problem.severity]
    log.log(level, "%s", problem)
