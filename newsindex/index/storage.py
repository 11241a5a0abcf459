"""Where an index lives (a folder or memory) and the manifest that records its analysis."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import Index

from ..analysis import AnalysisConfig, AnalysisInfo, analysis_info, check_reproducible
from .errors import IndexExistsError, IndexNotFoundError
from .schema import build_schema

__all__ = ["FORMAT_VERSION", "MANIFEST", "Manifest", "create_index", "memory_index", "open_index"]

MANIFEST = "newsindex.json"
FORMAT_VERSION = 2  # 2: date filters use the "day" field
INDEX_NAME = "paragraphs"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What newsindex records beside the Whoosh files."""

    format_version: int
    analysis: AnalysisInfo
    created: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "format": "newsindex",
            "format_version": self.format_version,
            "created": self.created,
            "analysis": self.analysis.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        """Inverse of :meth:`to_dict`."""
        return cls(
            format_version=int(d["format_version"]),
            analysis=AnalysisInfo.from_dict(d["analysis"]),
            created=d.get("created", ""),
        )


def _write_manifest(path: Path, manifest: Manifest) -> None:
    # Write-then-rename: a crash never leaves a half-written manifest.
    fd, tmp = tempfile.mkstemp(dir=path, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest.to_dict(), fh, indent=2, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path / MANIFEST)


def read_manifest(path: Path) -> Manifest:
    """The manifest of the index at ``path`` (raises :class:`IndexNotFoundError`)."""
    file = path / MANIFEST
    if not file.is_file():
        raise IndexNotFoundError(f"no newsindex index at {path} (missing {MANIFEST})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("format") != "newsindex":
            raise ValueError("not a newsindex manifest")
        return Manifest.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexNotFoundError(f"{file} is not a valid newsindex manifest: {exc}") from None


def _new_manifest(config: AnalysisConfig) -> Manifest:
    return Manifest(
        format_version=FORMAT_VERSION,
        analysis=analysis_info(config),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def create_index(path: Path, config: AnalysisConfig, *, overwrite: bool = False) -> tuple[Index, Manifest]:
    """Create a new on-disk index at ``path``."""
    if (path / MANIFEST).exists() or (path.is_dir() and whoosh_index.exists_in(str(path), INDEX_NAME)):
        if not overwrite:
            raise IndexExistsError(f"an index already exists at {path} (pass overwrite=True to replace it)")
        shutil.rmtree(path)
    elif path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise IndexExistsError(f"{path} exists and is not an empty folder; refusing to write an index there")
    path.mkdir(parents=True, exist_ok=True)
    manifest = _new_manifest(config)
    ix = FileStorage(str(path)).create_index(build_schema(manifest.analysis.config), indexname=INDEX_NAME)
    _write_manifest(path, manifest)
    return ix, manifest


def open_index(path: Path, *, allow_version_drift: bool = False) -> tuple[Index, Manifest]:
    """Open the index at ``path``, checking its analysis can be reproduced here."""
    if not path.is_dir():
        raise IndexNotFoundError(f"no index at {path} (no such folder)")
    manifest = read_manifest(path)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexNotFoundError(
            f"the index at {path} has format {manifest.format_version}, this newsindex reads format "
            f"{FORMAT_VERSION}: rebuild it (newsindex index … --overwrite)"
        )
    check_reproducible(manifest.analysis, allow_version_drift=allow_version_drift)
    if not whoosh_index.exists_in(str(path), INDEX_NAME):
        raise IndexNotFoundError(f"{path} has a manifest but no index files")
    return FileStorage(str(path)).open_index(INDEX_NAME), manifest


def memory_index(config: AnalysisConfig) -> tuple[Index, Manifest]:
    """A new index held in memory (for tests and embedding)."""
    manifest = _new_manifest(config)
    return RamStorage().create_index(build_schema(manifest.analysis.config), indexname=INDEX_NAME), manifest
