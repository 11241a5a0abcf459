"""Which analysis is in use, and the record an index keeps of the one that built it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..errors import AnalysisMismatchError
from .config import BUILTIN, AnalysisConfig
from .lemmatizers import AnalysisUnavailableError, backend_identity
from .overrides import OverridesError, overrides_digest

__all__ = ["AnalysisInfo", "AnalysisMismatchError", "analysis_info", "check_reproducible"]


@dataclass(frozen=True, slots=True)
class AnalysisInfo:
    """The identity of an analysis: enough to tell whether two indexes analyse alike."""

    config: AnalysisConfig
    lemmatizer: str
    lemmatizer_version: str
    spacy_version: str
    rules_version: str
    overrides_sha256: str = ""

    @property
    def fingerprint(self) -> str:
        """A short hash of everything that changes which terms a text produces."""
        payload = json.dumps(self._identity(), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def uses_trained_pipeline(self) -> bool:
        """True when lemmas come from a trained spaCy pipeline rather than the built-in."""
        return self.lemmatizer != BUILTIN

    def _identity(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "lemmatizer_version": self.lemmatizer_version,
            "spacy_version": self.spacy_version,
            "rules_version": self.rules_version,
            "overrides_sha256": self.overrides_sha256,
        }

    def describe(self) -> str:
        """One line for people: what lemmatizes and with which options."""
        kind = "trained spaCy pipeline" if self.uses_trained_pipeline else "built-in simplemma lemmatizer"
        off = [k for k in ("lemmatize", "fold", "decompound", "stopwords") if not getattr(self.config, k)]
        extra = f", disabled: {', '.join(off)}" if off else ""
        if self.config.stems:
            extra += ", with Snowball stems"
        if self.config.overrides:
            extra += f", overrides {self.config.overrides} ({self.overrides_sha256[:12]})"
        return f"{kind} ({self.lemmatizer_version}; spaCy {self.spacy_version}{extra})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in an index."""
        return {**self._identity(), "lemmatizer": self.lemmatizer, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnalysisInfo:
        """Inverse of :meth:`to_dict`."""
        return cls(
            config=AnalysisConfig.from_dict(d["config"]),
            lemmatizer=d["lemmatizer"],
            lemmatizer_version=d["lemmatizer_version"],
            spacy_version=d["spacy_version"],
            rules_version=d["rules_version"],
            overrides_sha256=d.get("overrides_sha256", ""),
        )


def analysis_info(config: AnalysisConfig | None = None) -> AnalysisInfo:
    """The analysis ``config`` means on this machine (default: ``"auto"``), without loading spaCy."""
    resolved = (config or AnalysisConfig()).resolved()
    ident = backend_identity(resolved.lemmatizer)
    return AnalysisInfo(
        config=resolved,
        lemmatizer=ident["lemmatizer"],
        lemmatizer_version=ident["lemmatizer_version"],
        spacy_version=ident["spacy_version"],
        rules_version=ident["rules_version"],
        overrides_sha256=overrides_digest(resolved.overrides),
    )


def check_reproducible(recorded: AnalysisInfo, *, allow_version_drift: bool = False) -> AnalysisInfo:
    """Raise unless this machine can analyse exactly as ``recorded`` did.

    A missing trained pipeline raises :class:`AnalysisUnavailableError`; other
    versions of the lemmatizer, spaCy or newsindex's rules raise
    :class:`AnalysisMismatchError` (pass ``allow_version_drift=True`` to accept
    them; lemmas may then differ between old and new text until you rebuild).
    Another content of the override file is always a mismatch, and a missing
    override file makes the analysis unavailable.
    """
    try:
        here = analysis_info(recorded.config)
    except (AnalysisUnavailableError, OverridesError) as exc:
        raise AnalysisUnavailableError(
            f"this index was built with {recorded.describe()}, which is not available here: {exc}"
        ) from None
    if here.overrides_sha256 != recorded.overrides_sha256:
        # Not a version drift: the user's own analysis rules changed.
        raise AnalysisMismatchError(
            f"this index was built with another content of the override file {recorded.config.overrides!r} "
            f"(index {recorded.overrides_sha256[:12] or 'none'}, "
            f"here {here.overrides_sha256[:12] or 'none'}). "
            "Rebuild the index, or restore the file it was built with."
        )
    if here.fingerprint != recorded.fingerprint and not allow_version_drift:
        diffs = [
            f"{name}: index {a!r}, here {b!r}"
            for name, a, b in (
                ("lemmatizer", recorded.lemmatizer_version, here.lemmatizer_version),
                ("spaCy", recorded.spacy_version, here.spacy_version),
                ("newsindex rules", recorded.rules_version, here.rules_version),
            )
            if a != b
        ]
        raise AnalysisMismatchError(
            "this index was built with a different analysis ("
            + "; ".join(diffs)
            + "). Rebuild the index, or open it with allow_version_drift=True."
        )
    return here
