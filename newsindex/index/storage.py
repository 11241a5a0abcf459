"""Where an index lives (a folder or memory) and the manifest that records its analysis."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import TOC, FileIndex, Index

from ..analysis import AnalysisConfig, AnalysisInfo, analysis_info, check_reproducible
from .errors import IndexExistsError, IndexFormatError, IndexLockedError, IndexNotFoundError
from .layout import FORMAT_VERSION, INDEX_NAME, LOCK_SUFFIX, MANIFEST
from .locking import IndexLock, describe_holders, lock_file, lock_holders
from .mapped import map_compound
from .schema import build_schema
from .signing import SignedIndex, Signer, load_key, write_atomically, write_signed_toc

__all__ = [
    "FORMAT_VERSION",
    "INDEX_NAME",
    "MANIFEST",
    "Manifest",
    "create_index",
    "folder_identity",
    "memory_index",
    "open_index",
    "read_manifest",
]


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


class LockedFileStorage(FileStorage):
    """Whoosh's folder storage, locking with :class:`IndexLock` (which readers cannot take).

    Its compound segment files are read in place from a memory map (see
    :mod:`newsindex.index.mapped`): Whoosh's own mapping (``supports_mmap``,
    off here) copies every sub-file a reader opens, so each searcher would hold
    a private copy of the whole index.
    """

    # The signed index opened over this storage (see open_index).
    signed_index: SignedIndex | None = None

    def __init__(self, path: str, readonly: bool = False) -> None:
        super().__init__(path, supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs: Any) -> Any:
        """The file ``name``; a compound segment file mapped, for its sub-files to be read in place."""
        if name.endswith(Segment.COMPOUND_EXT) and not kwargs:
            return map_compound(open(self._fpath(name), "rb"), name)
        return super().open_file(name, **kwargs)

    def lock(self, name: str) -> IndexLock:
        """The lock named ``name`` (Whoosh asks for ``paragraphs_WRITELOCK``)."""
        return IndexLock(self._fpath(name))

    def open_index(self, indexname: str = INDEX_NAME, schema: Any = None, indexclass: Any = None) -> Any:
        """The signed index over this storage, when one was opened.

        Whoosh's writer worker processes reopen the index from their forked copy
        of the storage: a plain ``FileIndex`` would unpickle the newest table of
        contents unchecked, so they get the parent's :class:`SignedIndex` instead.
        """
        signed = self.signed_index
        if signed is not None and indexname == signed.indexname:
            return signed
        return super().open_index(indexname, schema=schema, indexclass=indexclass)


def _serve(storage: LockedFileStorage, index: SignedIndex) -> SignedIndex:
    storage.signed_index = index
    return index


def folder_identity(path: Path) -> tuple[int, int] | None:
    """Which folder is at ``path`` now (device, inode): ``--overwrite`` puts a new one there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def create_index(
    path: Path, config: AnalysisConfig, *, overwrite: bool = False, lock_timeout: float = 10.0
) -> tuple[Index, Manifest]:
    """Create a new on-disk index at ``path``.

    The new index is built in a hidden sibling folder and renamed into place, so
    no one ever opens a half-made one. Replacing an index (``overwrite``) first
    takes its write lock (waiting up to ``lock_timeout`` seconds, then
    :class:`IndexLockedError`), then swaps the new folder in with one atomic
    rename (Linux): a crash at any moment leaves the old index or the new one.
    """
    if (path / MANIFEST).exists() or (path.is_dir() and _has_toc(path)):
        if not overwrite:
            raise IndexExistsError(f"an index already exists at {path} (pass overwrite=True to replace it)")
        return _replace(path, config, lock_timeout)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise IndexExistsError(f"{path} exists and is not an empty folder; refusing to write an index there")
    manifest = _new_manifest(config)
    try:
        fresh = _build_beside(path, manifest)
    except OSError:  # the parent folder is not writable: build in place (an empty folder, so no one uses it)
        path.mkdir(parents=True, exist_ok=True)
        _build(path, manifest)
    else:
        try:
            os.rename(fresh, path)  # atomic; fails when another process made an index there meanwhile
        except OSError as exc:
            shutil.rmtree(fresh, ignore_errors=True)
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise IndexExistsError(f"another process has just created an index at {path}") from None
            path.mkdir(parents=True, exist_ok=True)  # a mount point, another file system …
            _build(path, manifest)
    return _signed(path, manifest), manifest


def _build(folder: Path, manifest: Manifest) -> None:
    """Write an empty index (signed table of contents, manifest) into ``folder``."""
    schema = build_schema(manifest.analysis.config)
    signer = Signer(folder, INDEX_NAME, load_key())
    _write_manifest(folder, manifest)  # first: the signature covers it
    write_signed_toc(FileStorage(str(folder)), INDEX_NAME, TOC(schema, [], 0), signer)


def _build_beside(path: Path, manifest: Manifest) -> Path:
    """An empty index in a new hidden folder next to ``path`` (same file system, so it can be renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.newsindex-"))
    try:
        with contextlib.suppress(OSError):  # keep the folder's permissions (a shared group's bits)
            os.chmod(fresh, (path.stat().st_mode if path.is_dir() else 0o777 & ~_umask()) & 0o7777)
        _build(fresh, manifest)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return fresh


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _signed(path: Path, manifest: Manifest) -> SignedIndex:
    storage = LockedFileStorage(str(path))
    signer = Signer(path, INDEX_NAME, load_key())
    return _serve(storage, SignedIndex(storage, build_schema(manifest.analysis.config), INDEX_NAME, signer))


def _take_lock(path: Path, timeout: float, action: str = "replacing") -> IndexLock:
    """The write lock of the index at ``path``, waiting up to ``timeout`` seconds."""
    lock = IndexLock(lock_file(path))
    deadline = time.monotonic() + max(0.0, timeout)
    while not lock.acquire():
        if time.monotonic() >= deadline:
            holders = lock_holders(lock_file(path))
            raise IndexLockedError(
                f"the index at {path} is being written by {describe_holders(holders)}; not {action} it "
                f"(gave up after waiting {timeout:g} s for its write lock)",
                holders=tuple(h.pid for h in holders),
            )
        time.sleep(0.05)
    return lock


def _replace(given: Path, config: AnalysisConfig, lock_timeout: float) -> tuple[Index, Manifest]:
    """Replace the index at ``given`` by a new empty one, under its write lock."""
    path = given.resolve()  # through a symlink: replace the folder, not the link
    lock = _take_lock(path, lock_timeout)
    try:
        manifest = _new_manifest(config)
        try:
            fresh = _build_beside(path, manifest)
        except OSError:  # the parent folder is not writable: empty this one (still under the lock)
            _empty_in_place(path)
            _build(path, manifest)
        else:
            try:
                if not _exchange(fresh, path):
                    # No atomic exchange here: two renames, with a moment where nothing is at ``path``.
                    old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.newsindex-old-"))
                    os.rename(path, old / "index")
                    os.rename(fresh, path)
                    fresh = old
            finally:
                shutil.rmtree(fresh, ignore_errors=True)  # after the exchange: the old index
    finally:
        lock.release()
    return _signed(given, manifest), manifest


def _empty_in_place(path: Path) -> None:
    for entry in path.iterdir():
        if entry.name.endswith(LOCK_SUFFIX):
            continue  # we hold it
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``).

    ``False`` where that is not available (other systems, some file systems).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _has_toc(path: Path) -> bool:
    # Not whoosh.index.exists_in: it opens the index, unpickling its table of contents.
    return bool(TOC._latest_generation(FileStorage(str(path)), INDEX_NAME) >= 0)


def open_index(
    path: Path, *, allow_version_drift: bool = False, trust: bool = False, lock_timeout: float = 10.0
) -> tuple[Index, Manifest]:
    """Open the index at ``path``, checking its analysis can be reproduced here
    and that its commits are signed with this user's key (unless ``trust``, which
    signs the current commit instead, under the write lock: waiting up to
    ``lock_timeout`` seconds, then :class:`IndexLockedError`; see
    :mod:`newsindex.index.signing`)."""
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
    storage = LockedFileStorage(str(path))
    schema = build_schema(manifest.analysis.config)
    if trust:
        # Under the write lock: a writer committing meanwhile would otherwise have its
        # signature replaced by one for the commit before it, and nobody could open the index.
        try:
            lock = _take_lock(path, lock_timeout, "signing")
        except OSError:  # a read-only folder: trust it unsigned, for this process only
            return FileIndex(storage, schema=schema, indexname=INDEX_NAME), manifest
        try:
            adopt(storage, schema, signer)
        except OSError:
            return FileIndex(storage, schema=schema, indexname=INDEX_NAME), manifest
        finally:
            lock.release()
    return _serve(storage, SignedIndex(storage, schema, INDEX_NAME, signer)), manifest


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
