"""Signing an index so that opening it never unpickles foreign data.

Whoosh stores the table of contents (schema, segment list) and the postings and
stored fields inside segments with ``pickle``: reading an index someone else
crafted can run their code. newsindex therefore signs every commit it makes:
``newsindex.sig`` holds HMAC-SHA256s, under a key private to the user, of the
table of contents, of every file of every segment it lists and of the manifest
(``newsindex.json``), and one of the whole signature (file list, sizes, tables
of contents). Before Whoosh reads a table of contents, :class:`SignedIndex`
checks it and that *exactly* the files named after its segments are listed and
unchanged (each file's content once per process); anything else, an older
(version 2) signature too, is refused with :class:`UntrustedIndexError`.
``trust=True`` on opening skips the check for an index you know, and signs it.

Signatures cannot tell an older signed state from the current one, so each
commit also records its generation beside the key (:meth:`Signer.record`), and
:func:`audit` (``newsindex check``) reports an index put back to an older state.

A commit is signed *before* its table of contents is put in place (see
:func:`write_signed_toc`), and the signature keeps the previous commit's entry
too, so a reader never meets an unsigned commit and a writer killed at any
moment leaves an index that opens.

The key is 32 random bytes in ``signing.key`` in the user's config folder
(``platformdirs``), or in the file ``$NEWSINDEX_KEY_FILE`` names: share that file
between the accounts that should open each other's indexes. The key may be
readable and writable by its group (that is how it is shared), never by every
account (:class:`InsecureKeyError`). Files are created with mode 0666 less the
umask, like Whoosh's own, so a group-readable umask (0027, 0007) shares them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC, FileIndex

from ..errors import InsecureKeyError, UntrustedIndexError
from .errors import NewsIndexError
from .layout import MANIFEST as MANIFEST_NAME

__all__ = [
    "SIGNATURE",
    "Finding",
    "InsecureKeyError",
    "SignedIndex",
    "Signer",
    "UntrustedIndexError",
    "audit",
    "key_path",
    "load_key",
    "write_atomically",
    "write_signed_toc",
]

SIGNATURE = "newsindex.sig"
KEY_ENV = "NEWSINDEX_KEY_FILE"
# A reader retries this long when a commit deletes the table of contents it was
# about to read (it then reads the new one).
RETRY_S = 5.0
VERSION = 3  # 3: the whole signature is authenticated, with the manifest and file sizes
ADVICE = "open it with trust=True (newsindex … --trust) only if you trust where it came from"


def key_path() -> Path:
    """Where the signing key lives (``$NEWSINDEX_KEY_FILE`` or the user config folder)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_config_path("newsindex") / "signing.key"


def write_atomically(folder: Path, name: str, data: bytes, prefix: str, *, sync: bool = True) -> None:
    """Put ``data`` in ``folder/name`` through a temporary file and a rename.

    The file gets mode 0666 less the umask, as Whoosh's own files do (``mkstemp``'s
    0600 would lock the group of a shared index out of ``newsindex.json`` and
    ``newsindex.sig``). Temporary names start with ``prefix`` (debris patterns).
    """
    tmp = folder / f"{prefix}{secrets.token_hex(8)}"  # 64 random bits: O_EXCL never meets one
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _check_key_mode(path: Path, st: os.stat_result) -> None:
    # Group access is how a key is shared between accounts (README); access for
    # every account would let anyone sign an index you then open, and a folder
    # everyone may write (without the sticky bit) lets anyone swap the key.
    if st.st_mode & 0o007:
        raise InsecureKeyError(
            f"the signing key {path} can be used by every account (mode {stat.S_IMODE(st.st_mode):04o}): "
            f"anyone could sign an index you then open; restrict it: chmod o-rwx {path}"
        )
    folder = path.parent.stat()
    if folder.st_mode & stat.S_IWOTH and not folder.st_mode & stat.S_ISVTX:
        raise InsecureKeyError(
            f"the folder {path.parent} of the signing key is writable by every account: anyone could "
            f"replace the key; restrict it: chmod o-w {path.parent}"
        )


def load_key(create: bool = True) -> bytes:
    """The user's signing key, made (32 random bytes, mode 0600) if missing and ``create``.

    Raises :class:`InsecureKeyError` for a key file other accounts than its owner and
    group may read or write, or in a folder every account may write.
    """
    path = key_path()
    try:
        with open(path, "rb") as fh:
            _check_key_mode(path, os.fstat(fh.fileno()))
            key = fh.read()
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
        return load_key(create=False)
    if len(key) < 16:
        raise NewsIndexError(
            f"the signing key {path} is too short ({len(key)} bytes); delete it to make a new one"
        )
    return key


def _file_digest(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").digest()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _well_formed(data: dict[str, Any]) -> bool:
    tocs, files = data.get("tocs"), data.get("files")
    if not isinstance(tocs, dict) or not isinstance(files, dict) or not isinstance(data.get("index"), str):
        return False
    for entry in tocs.values():
        segments = entry.get("segments") if isinstance(entry, dict) else None
        if not isinstance(segments, list) or not all(isinstance(s, str) and s for s in segments):
            return False
    return all(
        isinstance(entry, dict) and "/" not in name and not name.startswith(".")
        for name, entry in files.items()
    )


class Signer:
    """Signs and verifies the commits of the index in ``folder`` with ``key``."""

    def __init__(self, folder: str | os.PathLike[str], indexname: str, key: bytes) -> None:
        self.folder = Path(folder)
        self.indexname = indexname
        self._key = key
        self._key_id = hashlib.sha256(b"newsindex key id\0" + key).hexdigest()[:16]
        self._verified: dict[tuple[str, int, int, int, int], str] = {}  # file stat -> its checked HMAC
        self._lock = threading.Lock()
        self._index_id: str | None = None

    def _mac(self, label: str, digest: bytes) -> str:
        return hmac.new(self._key, label.encode() + b"\0" + digest, hashlib.sha256).hexdigest()

    def _latest_generation(self) -> int:
        from whoosh.filedb.filestore import FileStorage

        return int(TOC._latest_generation(FileStorage(str(self.folder)), self.indexname))

    def _toc_name(self, generation: int) -> str:
        return f"_{self.indexname}_{generation}.toc"

    def read_signature(self) -> tuple[dict[str, Any] | None, str]:
        """The signature if it is whole, of this version and authenticated with our key;
        else ``None`` and why not (a phrase following "the index at …")."""
        try:
            data = json.loads((self.folder / SIGNATURE).read_bytes())
        except FileNotFoundError:
            return None, f"has no valid newsindex signature ({SIGNATURE})"
        except OSError as exc:
            return None, f"has a signature ({SIGNATURE}) that cannot be read ({exc.strerror})"
        except ValueError:
            return None, f"has a damaged signature ({SIGNATURE})"
        if not isinstance(data, dict):
            return None, f"has a damaged signature ({SIGNATURE})"
        if data.get("version") != VERSION:
            return None, f"was signed by another newsindex version (signature version {data.get('version')})"
        if data.get("key") != self._key_id:
            return None, f"was not signed with your key ({key_path()})"
        body = {k: v for k, v in data.items() if k != "mac"}
        if not hmac.compare_digest(str(data.get("mac", "")), self._mac(SIGNATURE, _canonical(body))):
            return None, f"has a signature ({SIGNATURE}) that was changed after newsindex wrote it"
        if not _well_formed(data):
            return None, f"has a damaged signature ({SIGNATURE})"
        return data, ""

    # -- writing -------------------------------------------------------------------
    def sign(self, generation: int, toc_bytes: bytes, segment_ids: Iterable[str]) -> None:
        """Sign table of contents ``generation`` (its content), the files of its segments
        and the manifest, keeping the newest earlier commit's entry (still current until
        this one is in place); the whole signature is authenticated."""
        old = self.read_signature()[0] or {}  # a colleague's or altered entries are not reused
        previous = old.get("files", {})
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
        toc_entry = {"hmac": toc_mac, "size": len(toc_bytes), "segments": sorted(segment_ids)}
        tocs: dict[str, Any] = {str(generation): toc_entry}
        old_tocs = old.get("tocs", {})
        earlier = [int(g) for g in old_tocs if str(g).isdigit() and int(g) < generation]
        if earlier:  # the commit still in place until this one replaces it
            g = max(earlier)
            tocs[str(g)] = old_tocs[str(g)]
            for name, entry in previous.items():
                if name not in files and (self.folder / name).exists():
                    files[name] = entry
        body: dict[str, Any] = {
            "version": VERSION,
            "key": self._key_id,
            # Names this index (a copy keeps it) for the generation record (rollback).
            "index": old.get("index") or secrets.token_hex(8),
            "tocs": tocs,
            "files": files,
        }
        manifest = self.folder / MANIFEST_NAME
        if manifest.exists():
            data = manifest.read_bytes()
            body["manifest"] = {"size": len(data), "hmac": self._mac(MANIFEST_NAME, data)}
        body["mac"] = self._mac(SIGNATURE, _canonical(body))
        write_atomically(self.folder, SIGNATURE, json.dumps(body, indent=1).encode("utf-8"), ".sig-")
        self._index_id = body["index"]

    # -- rollback ------------------------------------------------------------------
    def _record_file(self, index_id: str) -> Path:
        key = key_path()
        where = f"{index_id}\0{os.path.realpath(self.folder)}".encode()
        return key.with_name(f"{key.name}.generations") / hashlib.sha256(where).hexdigest()[:32]

    def record(self, generation: int) -> None:
        """Remember, beside the key, that this index reached ``generation`` (best effort:
        a read-only key folder records nothing). :func:`audit` compares."""
        index_id = self._index_id or (self.read_signature()[0] or {}).get("index")
        if not index_id:
            return
        body = {"index": index_id, "folder": os.path.realpath(self.folder), "generation": generation}
        body["mac"] = self._mac("generation record", _canonical(body))
        target = self._record_file(index_id)
        with contextlib.suppress(OSError):
            target.parent.mkdir(mode=0o770, exist_ok=True)
            write_atomically(target.parent, target.name, _canonical(body), ".gen-", sync=False)

    def recorded_generation(self) -> int | None:
        """The newest generation :meth:`record` noted for this index, if any."""
        signature = self.read_signature()[0]
        if signature is None:
            return None
        try:
            data = json.loads(self._record_file(signature["index"]).read_bytes())
            body = {k: v for k, v in data.items() if k != "mac"}
            mac = self._mac("generation record", _canonical(body))
            if hmac.compare_digest(str(data.get("mac", "")), mac):
                return int(body["generation"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
        return None

    # -- checking ------------------------------------------------------------------
    def verify_manifest(self) -> None:
        """Raise :class:`UntrustedIndexError` unless ``newsindex.json`` is signed with our key."""
        signature, why = self.read_signature()
        if signature is None:
            raise UntrustedIndexError(f"the index at {self.folder} {why}; {ADVICE}")
        entry = signature.get("manifest")
        data = (self.folder / MANIFEST_NAME).read_bytes()
        if not isinstance(entry, dict) or not hmac.compare_digest(
            self._mac(MANIFEST_NAME, data), str(entry.get("hmac", ""))
        ):
            raise UntrustedIndexError(
                f"the index at {self.folder}: {MANIFEST_NAME} changed since newsindex signed it; {ADVICE}"
            )

    def verify(self, generation: int) -> bytes:
        """Raise :class:`UntrustedIndexError` unless ``generation`` is signed with our key:
        its table of contents and exactly the files of its segments, no more, no fewer.
        Returns the table of contents' bytes as checked (read those, not the file again).

        Raises ``FileNotFoundError`` when a commit replaced ``generation`` meanwhile
        (the caller checks the new one).
        """
        where = f"the index at {self.folder}"
        signature, why = self.read_signature()
        if signature is None:
            raise UntrustedIndexError(f"{where} {why}; {ADVICE}")
        entry = signature["tocs"].get(str(generation))
        if not isinstance(entry, dict):
            raise UntrustedIndexError(f"{where}: its newest commit ({generation}) is not signed; {ADVICE}")
        toc = self._toc_name(generation)
        data = (self.folder / toc).read_bytes()
        if not hmac.compare_digest(self._mac(toc, data), str(entry.get("hmac", ""))):
            raise UntrustedIndexError(
                f"{where}: its table of contents was not signed with your key ({key_path()}); {ADVICE}"
            )
        used = tuple(f"{sid}." for sid in entry["segments"])
        files = signature["files"]
        listed = sorted(n for n in files if used and n.startswith(used))
        # Whoosh opens any file named after a segment it reads: each must be signed.
        present = os.listdir(self.folder) if used else []
        unlisted = sorted(n for n in present if n.startswith(used) and n not in files)
        if unlisted:
            if self._latest_generation() != generation:
                raise FileNotFoundError(toc)  # a commit replaced it meanwhile
            raise UntrustedIndexError(f"{where}: {unlisted[0]} is not in its signature; {ADVICE}")
        for name in listed:
            path = self.folder / name
            try:
                st = path.stat()
            except FileNotFoundError:
                if self._latest_generation() != generation:
                    raise  # a commit merged it away meanwhile: the caller checks the new one
                raise UntrustedIndexError(f"{where}: {name} is missing; {ADVICE}") from None
            expected = str(files[name].get("hmac", ""))
            if st.st_size != files[name].get("size"):
                raise UntrustedIndexError(f"{where}: {name} changed since newsindex signed it; {ADVICE}")
            # ctime too: a rewrite in place can restore size and mtime, not ctime.
            stamp = (name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            with self._lock:
                known = self._verified.get(stamp)
            if known is not None and hmac.compare_digest(known, expected):
                continue
            mac = self._mac(name, _file_digest(path))
            if not hmac.compare_digest(mac, expected):
                raise UntrustedIndexError(f"{where}: {name} changed since newsindex signed it; {ADVICE}")
            with self._lock:
                self._verified[stamp] = mac
        return data


@dataclass(frozen=True, slots=True)
class Finding:
    """Something :func:`audit` found: ``kind`` ``permissions`` or ``rollback``."""

    kind: str
    message: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None


def audit(folder: str | os.PathLike[str], indexname: str) -> list[Finding]:
    """What signatures alone cannot show about the index in ``folder``: files or the
    folder writable by every account, and a rollback (the index is at an older
    generation than the newest this key's user committed there, e.g. an older signed
    copy put back)."""
    folder = Path(folder)
    found: list[Finding] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        entries = []  # unreadable: opening it reports that
    for path in [folder, *entries]:
        with contextlib.suppress(OSError):
            mode = path.lstat().st_mode
            if mode & stat.S_IWOTH and not stat.S_ISLNK(mode):
                what = "the index folder" if path == folder else path.name
                found.append(
                    Finding(
                        "permissions",
                        f"{what} is writable by every account (mode {stat.S_IMODE(mode):04o}): anyone can "
                        f"delete it, add to it or put an older copy back; chmod o-w {path}",
                        file=None if path == folder else path.name,
                    )
                )
    try:
        signer = Signer(folder, indexname, load_key(create=False))
    except (OSError, NewsIndexError):
        return found  # no usable key: the failure to open says why
    recorded = signer.recorded_generation()  # first: a commit landing meanwhile only raises the latest
    latest = signer._latest_generation()
    if recorded is not None and recorded > latest:
        found.append(
            Finding(
                "rollback",
                f"the index is at commit {latest}, but you committed {recorded} here: an older copy was put "
                "back (a restored backup, or someone replaced it); its searches miss what came later. "
                "`newsindex check --trust` or the next write accepts it",
            )
        )
    return found


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
                data = self.signer.verify(generation)
                # The bytes checked, not the file again (it could be swapped in between);
                # this generation, not "the latest": a commit may have landed since.
                checked = RamStorage()
                with checked.create_file(TOC._filename(self.indexname, generation)) as fh:
                    fh.write(data)
                return TOC.read(checked, self.indexname, gen=generation, schema=self._schema)
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
    if signer is not None:
        signer.record(toc.generation)
