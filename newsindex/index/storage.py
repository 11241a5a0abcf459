"""Where an index lives (a folder or memory) and the manifest that records its analysis."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC, FileIndex, Index

from ..analysis import AnalysisConfig, AnalysisInfo, analysis_info, check_reproducible
from .errors import IndexExistsError, IndexFormatError, IndexNotFoundError
from .schema import build_schema
from .signing import SignedIndex, Signer, load_key, write_atomically, write_signed_toc

__all__ = ["FORMAT_VERSION", "MANIFEST", "Manifest", "create_index", "memory_index", "open_index"]

MANIFEST = "newsindex.json"
FORMAT_VERSION = 4  # 2: a "day" field for date filters; 3: calendar "period" terms;
# 4: "stops" instead of "phrase", compound parts on their own position lane, doc_id stored only
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
    # Write-then-rename: a crash never leaves a half-written manifest (mode per umask).
    data = json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False).encode("utf-8")
    write_atomically(path, MANIFEST, data, ".manifest-")


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
    if (path / MANIFEST).exists() or (path.is_dir() and _has_toc(path)):
        if not overwrite:
            raise IndexExistsError(f"an index already exists at {path} (pass overwrite=True to replace it)")
        shutil.rmtree(path)
    elif path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise IndexExistsError(f"{path} exists and is not an empty folder; refusing to write an index there")
    path.mkdir(parents=True, exist_ok=True)
    manifest = _new_manifest(config)
    schema = build_schema(manifest.analysis.config)
    storage = FileStorage(str(path))
    signer = Signer(path, INDEX_NAME, load_key())
    _write_manifest(path, manifest)  # first: the signature covers it
    write_signed_toc(storage, INDEX_NAME, TOC(schema, [], 0), signer)
    return SignedIndex(storage, schema, INDEX_NAME, signer), manifest


def _has_toc(path: Path) -> bool:
    # Not whoosh.index.exists_in: it opens the index, unpickling its table of contents.
    return TOC._latest_generation(FileStorage(str(path)), INDEX_NAME) >= 0


def open_index(
    path: Path, *, allow_version_drift: bool = False, trust: bool = False
) -> tuple[Index, Manifest]:
    """Open the index at ``path``, checking its analysis can be reproduced here
    and that its commits are signed with this user's key (unless ``trust``, which
    signs the current commit instead; see :mod:`newsindex.index.signing`)."""
    if not path.is_dir():
        raise IndexNotFoundError(f"no index at {path} (no such folder)")
    manifest = read_manifest(path)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexFormatError(
            f"the index at {path} has format {manifest.format_version}, this newsindex reads format "
            f"{FORMAT_VERSION}: rebuild it (newsindex index … --overwrite)"
        )
    if not _has_toc(path):
        raise IndexNotFoundError(f"{path} has a manifest but no index files")
    signer = Signer(path, INDEX_NAME, load_key())
    if not trust:
        signer.verify_manifest()  # before its analysis settings are used
    check_reproducible(manifest.analysis, allow_version_drift=allow_version_drift)
    storage = FileStorage(str(path))
    schema = build_schema(manifest.analysis.config)
    if trust:
        try:
            adopt(storage, schema, signer)
        except OSError:  # a read-only folder: trust it unsigned, for this process only
            return FileIndex(storage, schema=schema, indexname=INDEX_NAME), manifest
    return SignedIndex(storage, schema, INDEX_NAME, signer), manifest


def adopt(storage: FileStorage, schema: Any, signer: Signer) -> None:
    """Sign the current commit of a trusted index with this user's key."""
    generation = TOC._latest_generation(storage, INDEX_NAME)
    toc = TOC.read(storage, INDEX_NAME, gen=generation, schema=schema)  # trusted: may unpickle
    data = (Path(storage.folder) / TOC._filename(INDEX_NAME, generation)).read_bytes()
    signer.sign(generation, data, [seg.segment_id() for seg in toc.segments])
    signer.record(generation)  # accepts this generation as the newest (rollback check)


def memory_index(config: AnalysisConfig) -> tuple[Index, Manifest]:
    """A new index held in memory (for tests and embedding)."""
    manifest = _new_manifest(config)
    return RamStorage().create_index(build_schema(manifest.analysis.config), indexname=INDEX_NAME), manifest
