"""The on-disk layout of a sharded index: ``shards.json`` and one newsindex index per shard.

::

    out_dir/
      shards.json        format version, shard count, hash rule, analysis fingerprint
      shard-000/         a complete newsindex index (its own manifest, signature, lock)
      shard-001/
      …

An article lives in shard ``shard_of(article_id, n)``: the first 8 bytes of the
BLAKE2b digest of its id (UTF-8) as a big-endian number, modulo ``n``. The rule is
stable across processes and machines (Python's ``hash()`` is salted per process),
so an update or a delete reaches the one shard that holds the article.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..article import clean_field
from ..errors import ShardError

__all__ = [
    "FORMAT_VERSION",
    "HASH_RULE",
    "SHARDS_FILE",
    "ShardError",
    "ShardLayout",
    "is_sharded",
    "shard_name",
    "shard_of",
]

SHARDS_FILE = "shards.json"
FORMAT_VERSION = 1
HASH_RULE = "blake2b-8-be(article_id utf-8) mod shards"


def shard_name(i: int) -> str:
    """The folder of shard ``i``."""
    return f"shard-{i:03d}"


def shard_of(article_id: str, shards: int) -> int:
    """The shard that holds ``article_id`` (see the module docstring for the rule)."""
    key = clean_field(article_id) if isinstance(article_id, str) else str(article_id)
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def is_sharded(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a sharded index."""
    return (Path(path) / SHARDS_FILE).is_file()


@dataclass(frozen=True, slots=True)
class ShardLayout:
    """What ``shards.json`` records."""

    shards: int
    analysis_fingerprint: str
    hash_rule: str = HASH_RULE
    format_version: int = FORMAT_VERSION

    @property
    def names(self) -> list[str]:
        """The shard folders in order."""
        return [shard_name(i) for i in range(self.shards)]

    def write(self, path: Path) -> None:
        """Write ``shards.json`` atomically (a reader never sees half of it)."""
        tmp = path / f".{SHARDS_FILE}.tmp"
        tmp.write_text(json.dumps({**asdict(self), "names": self.names}, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path / SHARDS_FILE)

    @classmethod
    def read(cls, path: Path) -> ShardLayout:
        """Read and validate ``shards.json`` (:class:`ShardError` when it is not usable)."""
        file = path / SHARDS_FILE
        try:
            data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
            layout = cls(
                shards=int(data["shards"]),
                analysis_fingerprint=str(data["analysis_fingerprint"]),
                hash_rule=str(data["hash_rule"]),
                format_version=int(data["format_version"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ShardError(f"{file} is not a readable shard list: {exc}") from exc
        if layout.format_version != FORMAT_VERSION:
            raise ShardError(
                f"{file} has sharded format {layout.format_version}; this newsindex reads {FORMAT_VERSION}"
            )
        if layout.hash_rule != HASH_RULE:
            raise ShardError(
                f"{file} assigns articles by {layout.hash_rule!r}; this newsindex uses {HASH_RULE!r}"
            )
        if layout.shards < 1:
            raise ShardError(f"{file} lists no shards")
        return layout
