"""Signing an index so that opening it never unpickles foreign data.

Whoosh stores the table of contents (schema, segment list) and the postings and
stored fields inside segments with ``pickle``: reading an index someone else
crafted can run their code. newsindex therefore signs every commit it makes:
``newsindex.sig`` holds an HMAC-SHA256, under a key private to the user, of the
table of contents and of every file of every segment it lists. Before Whoosh
reads a table of contents, :class:`SignedIndex` checks its signature and the
signatures of the segment files (each file's content once per process), and
refuses with :class:`UntrustedIndexError` otherwise. ``trust=True`` on opening
skips the check for an index you know, and signs it with your key.

A commit is signed *before* its table of contents is put in place (see
:func:`write_signed_toc`), and the signature keeps the previous commit's entry
too, so a reader never meets an unsigned commit and a writer killed at any
moment leaves an index that opens.

The key is 32 random bytes in ``signing.key`` in the user's config folder
(``platformdirs``), or in the file ``$NEWSINDEX_KEY_FILE`` names: share that file
between the accounts that should open each other's indexes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC, FileIndex

from .errors import NewsIndexError

__all__ = [
    "SIGNATURE",
    "SignedIndex",
    "Signer",
    "UntrustedIndexError",
    "key_path",
    "load_key",
    "write_signed_toc",
]

SIGNATURE = "newsindex.sig"
KEY_ENV = "NEWSINDEX_KEY_FILE"
# A reader retries this long when a commit deletes the table of contents it was
# about to read (it then reads the new one).
RETRY_S = 5.0


class UntrustedIndexError(NewsIndexError):
    """The index was not signed with this user's key (or changed since): opening
    it could run code stored in it. Open it with ``trust=True`` if you trust it."""


def key_path() -> Path:
    """Where the signing key lives (``$NEWSINDEX_KEY_FILE`` or the user config folder)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_config_path("newsindex") / "signing.key"


def load_key(create: bool = True) -> bytes:
    """The user's signing key, made (32 random bytes, mode 0600) if missing and ``create``."""
    path = key_path()
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        if not create:
            raise
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile
            return load_key(create=False)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))
            fh.flush()
            os.fsync(fh.fileno())
        key = path.read_bytes()
    if len(key) < 16:
        raise NewsIndexError(
            f"the signing key {path} is too short ({len(key)} bytes); delete it to make a new one"
        )
    return key


def _file_digest(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").digest()


class Signer:
    """Signs and verifies the commits of the index in ``folder`` with ``key``."""

    def __init__(self, folder: str | os.PathLike[str], indexname: str, key: bytes) -> None:
        self.folder = Path(folder)
        self.indexname = indexname
        self._key = key
        self._key_id = hashlib.sha256(b"newsindex key id\0" + key).hexdigest()[:16]
        self._verified: dict[tuple[str, int, int, int], str] = {}  # file stat -> its checked HMAC
        self._lock = threading.Lock()

    def _mac(self, label: str, digest: bytes) -> str:
        return hmac.new(self._key, label.encode() + b"\0" + digest, hashlib.sha256).hexdigest()

    def _latest_generation(self) -> int:
        from whoosh.filedb.filestore import FileStorage

        return int(TOC._latest_generation(FileStorage(str(self.folder)), self.indexname))

    def _toc_name(self, generation: int) -> str:
        return f"_{self.indexname}_{generation}.toc"

    def _read_signature(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder / SIGNATURE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # -- writing -------------------------------------------------------------------
    def sign(self, generation: int, toc_bytes: bytes, segment_ids: Iterable[str]) -> None:
        """Sign table of contents ``generation`` (its content) and the files of its segments,
        keeping the newest earlier commit's entry (still current until this one is in place)."""
        old = self._read_signature() or {}
        mine = old.get("key") == self._key_id  # a colleague's entries are not reused (adopting)
        previous = old.get("files", {}) if mine else {}
        segment_ids = list(segment_ids)
        prefixes = tuple(f"{sid}." for sid in segment_ids)
        names = sorted(n for n in os.listdir(self.folder) if prefixes and n.startswith(prefixes))
        files: dict[str, dict[str, Any]] = {}
        for name in names:
            st = (self.folder / name).stat()
            entry = previous.get(name)
            stamp = (st.st_size, st.st_mtime_ns)
            if isinstance(entry, dict) and (entry.get("size"), entry.get("mtime_ns")) == stamp:
                files[name] = entry  # segments never change once written: keep its signature
                continue
            mac = self._mac(name, _file_digest(self.folder / name))
            files[name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "hmac": mac}
        toc_mac = self._mac(self._toc_name(generation), toc_bytes)
        toc_entry = {"hmac": toc_mac, "segments": sorted(segment_ids)}
        tocs: dict[str, Any] = {str(generation): toc_entry}
        old_tocs = old.get("tocs", {}) if mine and isinstance(old.get("tocs"), dict) else {}
        earlier = [int(g) for g in old_tocs if str(g).isdigit() and int(g) < generation]
        if earlier:  # the commit still in place until this one replaces it
            g = max(earlier)
            tocs[str(g)] = old_tocs[str(g)]
            for name, entry in previous.items():
                if name not in files and (self.folder / name).exists():
                    files[name] = entry
        signature = {"version": 2, "key": self._key_id, "tocs": tocs, "files": files}
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".sig-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(signature, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / SIGNATURE)

    # -- checking ------------------------------------------------------------------
    def verify(self, generation: int) -> None:
        """Raise :class:`UntrustedIndexError` unless ``generation`` is signed with our key."""
        where = f"the index at {self.folder}"
        advice = "open it with trust=True (newsindex … --trust) only if you trust where it came from"
        signature = self._read_signature()
        if signature is None:
            raise UntrustedIndexError(f"{where} has no valid newsindex signature ({SIGNATURE}); {advice}")
        tocs = signature.get("tocs")
        entry = tocs.get(str(generation)) if isinstance(tocs, dict) else None
        if not isinstance(entry, dict):
            raise UntrustedIndexError(f"{where}: its newest commit ({generation}) is not signed; {advice}")
        used = tuple(f"{sid}." for sid in entry.get("segments", ()))
        toc = self._toc_name(generation)
        toc_mac = self._mac(toc, (self.folder / toc).read_bytes())
        if not hmac.compare_digest(toc_mac, str(entry.get("hmac", ""))):
            raise UntrustedIndexError(
                f"{where}: its table of contents was not signed with your key ({key_path()}); {advice}"
            )
        files = signature.get("files")
        if not isinstance(files, dict):
            raise UntrustedIndexError(f"{where}: {SIGNATURE} is damaged; {advice}")
        for name, entry in files.items():
            if not isinstance(entry, dict) or "/" in name or name.startswith("."):
                raise UntrustedIndexError(f"{where}: {SIGNATURE} is damaged; {advice}")
            path = self.folder / name
            try:
                st = path.stat()
            except FileNotFoundError:
                if used and name.startswith(used):
                    if self._latest_generation() != generation:
                        raise  # a commit merged it away meanwhile: the caller checks the new one
                    raise UntrustedIndexError(f"{where}: {name} is missing; {advice}") from None
                continue  # a segment of the earlier commit, merged away since
            stamp = (name, st.st_size, st.st_mtime_ns, st.st_ino)
            with self._lock:
                known = self._verified.get(stamp)
            expected = str(entry.get("hmac", ""))
            if known is not None and hmac.compare_digest(known, expected):
                continue
            mac = self._mac(name, _file_digest(path))
            if not hmac.compare_digest(mac, expected):
                raise UntrustedIndexError(f"{where}: {name} changed since newsindex signed it; {advice}")
            with self._lock:
                self._verified[stamp] = mac


class SignedIndex(FileIndex):
    """A Whoosh ``FileIndex`` that checks a commit's signature before reading it.

    It also reads the schema from newsindex's manifest rather than from the
    table of contents (``schema=`` is given), so no schema is ever unpickled.
    """

    def __init__(self, storage: Any, schema: Any, indexname: str, signer: Signer) -> None:
        # Not FileIndex.__init__: it reads the newest table of contents unchecked.
        self.storage = storage
        self._schema = schema
        self.indexname = indexname
        self.signer = signer
        self._read_toc()

    def _read_toc(self) -> TOC:
        deadline = time.monotonic() + RETRY_S
        while True:
            generation = TOC._latest_generation(self.storage, self.indexname)
            try:
                self.signer.verify(generation)
                # This generation, not "the latest": a commit may have landed since.
                return TOC.read(self.storage, self.indexname, gen=generation, schema=self._schema)
            except FileNotFoundError:
                # A commit replaced this generation while we checked it: check the new one.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.005)


def write_signed_toc(storage: Any, indexname: str, toc: TOC, signer: Signer | None) -> None:
    """Put a table of contents in place, signed first (when ``signer``).

    Whoosh's ``TOC.write`` renders into a temporary file and renames it; here it
    renders into memory, the bytes are signed, and only then do they go in place
    under the same temporary-then-rename scheme.
    """
    name = TOC._filename(indexname, toc.generation)
    scratch = RamStorage()
    toc.write(scratch, indexname)
    data = bytes(scratch.files[name])
    if signer is not None:
        signer.sign(toc.generation, data, [seg.segment_id() for seg in toc.segments])
    tmp = f"{name}.{time.time()}"
    with storage.create_file(tmp) as fh:
        fh.write(data)
    storage.rename_file(tmp, name, safe=True)
