"""Build a sharded index on Dask: one task per shard, each a complete newsindex index.

Every task reads the sources itself (the client sends paths, never article text)
and keeps the articles whose id hashes to its shard (:func:`.layout.shard_of`).
It builds the shard in a temporary folder beside the final one and renames it
into place only when it is complete, so a shard is never half-written: when Dask
retries a task whose worker died, the retry starts from scratch, and a re-run
gives the same shards. ``shards.json`` is written last, once every shard is in place.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..engine import NewsIndex
from ..errors import IndexExistsError
from ..reading import PathsArg, as_paths, read_paths
from .layout import SHARDS_FILE, ShardError, ShardLayout, shard_name, shard_of

__all__ = ["ShardBuilt", "build", "build_shard"]

ShardBuilt = dict[str, Any]


def build_shard(
    sources: Sequence[str],
    out_dir: str,
    shard: int,
    shards: int,
    analysis: Any = None,
    format: str | None = None,  # noqa: A002 - the user-facing name
    batch_size: int | None = None,
    before: Callable[[int], None] | None = None,
) -> ShardBuilt:
    """Build shard ``shard`` of ``shards`` from ``sources`` into ``out_dir`` (runs on a worker).

    Returns the shard's figures (articles, paragraphs, analysis fingerprint).
    ``before(shard)`` runs first on the worker (tests use it to kill the worker).
    """
    if before is not None:
        before(shard)
    root = Path(out_dir)
    final = root / shard_name(shard)
    for stale in root.glob(f".{shard_name(shard)}.tmp-*"):  # an earlier, killed attempt's
        shutil.rmtree(stale, ignore_errors=True)
    tmp = root / f".{shard_name(shard)}.tmp-{uuid.uuid4().hex}"
    options: dict[str, Any] = {"analysis": analysis, "workers": 1}
    if batch_size:
        options["batch_size"] = batch_size
    problems: list[str] = []
    try:
        with NewsIndex.create(tmp, **options) as ix:
            articles = (
                a
                for a in read_paths(
                    as_paths(list(sources)), format=format, on_problem=lambda p: problems.append(str(p))
                )
                if shard_of(a.id, shards) == shard
            )
            summary = ix.add(articles)
            fingerprint = ix.analysis.fingerprint
        if final.exists():  # a re-run, or a retry after this task had finished: replace whole
            old = root / f".{shard_name(shard)}.old-{uuid.uuid4().hex}"
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {
        "shard": shard,
        "articles": summary.added + summary.updated,
        "paragraphs": summary.paragraphs,
        "fingerprint": fingerprint,
        "problems": problems,
    }


def build(
    sources: PathsArg,
    out_dir: str | os.PathLike[str],
    shards: int,
    client: Any = None,
    *,
    analysis: Any = None,
    format: str | None = None,  # noqa: A002 - the user-facing name
    overwrite: bool = False,
    batch_size: int | None = None,
    retries: int = 2,
    before: Callable[[int], None] | None = None,
) -> list[ShardBuilt]:
    """Build a sharded index of ``sources`` (files or folders) in ``out_dir`` with ``shards`` shards.

    Each shard is one Dask task on ``client`` (a ``distributed.Client``; ``None``
    starts a local cluster with one single-threaded worker process per core and
    closes it afterwards). The workers must see ``sources`` and ``out_dir`` at the
    same paths (a shared disk). A task whose worker dies is retried up to
    ``retries`` times and rebuilds its shard from scratch; a task that fails raises
    its error here. Returns each shard's figures. Raises :class:`IndexExistsError`
    if ``out_dir`` holds an index, unless ``overwrite``; :class:`ShardError` if the
    shards came out with different analyses (workers with different models).
    """
    if shards < 1:
        raise ValueError("shards must be at least 1")
    final = root = Path(out_dir).resolve()
    unsharded = (root / "newsindex.json").exists()
    if (root / SHARDS_FILE).exists() or unsharded:
        if not overwrite:
            raise IndexExistsError(f"there is an index at {root} already (use overwrite)")
        (root / SHARDS_FILE).unlink(missing_ok=True)  # incomplete until the new one is written
    if unsharded:  # built beside it, then swapped in: the old index stays usable until then
        root = root.parent / f".{root.name}.sharding-{uuid.uuid4().hex}"
    root.mkdir(parents=True, exist_ok=True)
    paths = [str(p.resolve()) for p in as_paths(sources)]
    own_client = client is None
    if own_client:
        from distributed import Client, LocalCluster

        workers = min(shards, os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
        client = Client(cluster)
    try:
        futures = [
            client.submit(
                build_shard,
                paths,
                str(root),
                i,
                shards,
                analysis,
                format,
                batch_size,
                before,
                key=f"newsindex-shard-{i}-{uuid.uuid4().hex}",
                retries=retries,
                pure=False,
            )
            for i in range(shards)
        ]
        built: list[ShardBuilt] = client.gather(futures)
    finally:
        if own_client:
            client.close()
            cluster.close()
    fingerprints = {b["fingerprint"] for b in built}
    if len(fingerprints) != 1:
        raise ShardError(
            "the shards were built with different analyses (workers with different lemmatizers?): "
            + ", ".join(f"{shard_name(b['shard'])}={b['fingerprint']}" for b in built)
        )
    for extra in sorted(root.glob("shard-*")):  # shards of an earlier build with more shards
        if extra.name not in {shard_name(i) for i in range(shards)}:
            shutil.rmtree(extra, ignore_errors=True)
    ShardLayout(shards=shards, analysis_fingerprint=fingerprints.pop()).write(root)
    if root != final:
        old = final.parent / f".{final.name}.replaced-{uuid.uuid4().hex}"
        os.rename(final, old)
        os.rename(root, final)
        shutil.rmtree(old, ignore_errors=True)
    return built
