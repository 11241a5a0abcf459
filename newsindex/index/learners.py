"""Learning a batch's new words in several processes at once, before its workers start.

An index worker assembles a paragraph's analysis from the chunk cache it inherited
(see ``analysis.chunks``) and works out itself only the chunks that cache lacks.
From the second batch on, this process has learnt them while the previous batch
was indexed (:class:`~.prefetch.Primer`). The first batch of a run has no batch
before it: on all of adl, its two workers each learnt the 100,000-odd new chunks
of their half, 46,000 of them in both, and both forgot them when they exited, so
this process learnt 85,000 of them again for later batches.

:func:`learn_in_parallel` splits the batch's unknown chunks between as many
processes as the batch has workers. Each is forked from this process, works out
its share, and sends it back as one pickle; this process keeps them all, and the
batch's workers, forked next, find every chunk known. Learning is exact and
changes no index byte: a learner that fails leaves its chunks to the workers, as
before.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterable
from typing import Any

from ..analysis.chain import AnalysisChain
from .workers import forking_child, quiet_collector

__all__ = ["MIN_CHUNKS", "learn_in_parallel"]

#: Fewer unknown chunks than this are left to the workers: forking the learners and
#: handing back their work costs more than the workers learning some twice.
MIN_CHUNKS = 2_000


def learn_in_parallel(chain: AnalysisChain, texts: Iterable[str], processes: int) -> int:
    """Learn the chunks of ``texts`` that ``chain`` lacks in ``processes`` forked processes
    and keep them here; returns how many chunks were learnt.

    Does nothing (returns 0) for fewer than :data:`MIN_CHUNKS` unknown chunks, fewer than
    two processes, a chain that does not learn chunks (a trained pipeline), or where this
    system cannot fork.
    """
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    todo = chain.unknown_chunks(texts)
    if len(todo) < MIN_CHUNKS:
        return 0
    context = multiprocessing.get_context("fork")
    started: list[tuple[Any, Any]] = []
    try:
        for share in (todo[i::processes] for i in range(processes)):
            receive, send = context.Pipe(duplex=False)
            learner = context.Process(
                target=_learn, args=(chain, share, send), name="newsindex-learner", daemon=True
            )
            with forking_child():
                learner.start()
            send.close()  # the learner has its copy: EOF here if it dies
            started.append((learner, receive))
        learnt = 0
        for _, receive in started:
            try:
                lesson = pickle.loads(receive.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                continue  # that learner failed: the workers learn its chunks themselves
            learnt += chain.adopt(lesson)
        return learnt
    finally:
        for learner, receive in started:
            receive.close()
            if learner.is_alive():
                learner.terminate()  # only when this process gave up early (Ctrl-C)
            learner.join()


def _learn(chain: AnalysisChain, chunks: list[str], send: Any) -> None:
    """A learner process: work out ``chunks`` and send them back as one pickle."""
    quiet_collector()  # as in an index worker: the inherited caches are not garbage
    try:
        send.send_bytes(pickle.dumps(chain.work_out(chunks), protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        send.close()
