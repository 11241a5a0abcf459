"""Sharded indexes built and searched on Dask (the optional extra ``newsindex[dask]``).

- :func:`build` builds one complete newsindex shard per Dask task, articles
  assigned by a stable hash of their id (:func:`shard_of`).
- ``NewsIndex.open(folder)`` on a sharded folder returns a :class:`ShardedIndex`
  with the same API and the same results as one index over the same articles:
  every shard scores with global statistics (:mod:`.statistics`).
- :meth:`ShardedIndex.serve` puts one shard searcher on each Dask worker
  (shards on other machines); by default the shards are read in this process.

See the README section "Beyond one machine (Dask)".
"""

from __future__ import annotations

try:
    import dask  # noqa: F401
    import distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a venv without the extra
    raise ImportError(
        "newsindex.distributed needs Dask: pip install newsindex[dask]  (or: pip install 'dask[distributed]')"
    ) from exc

from .build import build, build_shard
from .layout import HASH_RULE, SHARDS_FILE, ShardError, ShardLayout, is_sharded, shard_of
from .sharded import ShardedIndex, open_sharded

__all__ = [
    "HASH_RULE",
    "SHARDS_FILE",
    "ShardError",
    "ShardLayout",
    "ShardedIndex",
    "build",
    "build_shard",
    "is_sharded",
    "open_sharded",
    "shard_of",
]
