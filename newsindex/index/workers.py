"""The index's worker processes: how they start, fail, stop, and meet Ctrl-C.

Large batches are analysed and written by Whoosh's multi-process writer, each
worker writing its own segment. Whoosh's defaults are not enough here:

* Workers fork from the writer and inherit the descriptor holding the write lock
  (an ``flock``, released only when *every* copy closes): they close their copy
  and (Linux) die with their parent (:func:`_in_new_worker`), so a killed
  ``newsindex index`` never leaves a worker holding the index locked.
* A worker that dies is skipped by Whoosh's commit, silently losing its share of
  the batch: :class:`Worker` reports why it failed, and
  :func:`check_workers_before_toc` makes the commit fail instead.
* Whoosh's ``cancel`` only flags workers, which go on waiting: :func:`stop_workers`.
* A terminal's Ctrl-C goes to the whole process group: workers ignore it (the
  parent cancels them), and :func:`ctrl_c_in_main_process_only` makes any other
  forked child leave quietly.
* Whoosh pickles each document of a job on its own: a job goes out as one
  pickle (:data:`JOB_OF_DOCUMENTS`), read back by :meth:`Worker._process_file`.
* Whoosh's workers take jobs from one queue, whichever is free first, and the
  commit lists their segments in the order they finished: which paragraphs got
  which document numbers, and so the order of equal scores, varied from build to
  build. Here job ``k`` goes to worker ``k mod n`` and the commit lists the
  workers' segments in worker order (:class:`_JobsInTurn`): the same articles, batch
  size and worker count give the same document numbers.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.multiproc import SubWriterTask
from whoosh.writing import IndexWriter

from .segment_writer import TermPool
from .segment_writer import install as install_fast_postings

__all__ = [
    "JOB_OF_DOCUMENTS",
    "WORKER_GC_THRESHOLD",
    "Worker",
    "check_workers_before_toc",
    "ctrl_c_in_main_process_only",
    "forking_child",
    "prepare_workers",
    "quiet_collector",
    "stop_workers",
]

# The command code of a job-file item holding a list of documents' fields (Whoosh's
# code 0 is one document's fields).
JOB_OF_DOCUMENTS = 1

# Set (per thread) while this process forks an index worker; see _in_new_worker.
_forking = threading.local()


@functools.cache
def _prctl() -> Any:
    """Linux's ``prctl`` (to make workers die with their parent), else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return None


def _in_new_worker() -> None:
    """Runs in every forked child; acts only in an index worker just forked by this thread.

    Whoosh's workers fork from the writer and so inherit the descriptor that holds
    the write lock (an ``flock``, released only when *every* copy is closed): were
    the parent killed, a worker waiting for jobs would keep the index locked for
    ever. The worker closes its copy (it never needs the lock; closing a copy does
    not release the parent's lock), and on Linux asks for SIGKILL when its parent
    dies, so it does not linger either.
    """
    state = getattr(_forking, "state", None)
    if state is None:
        return
    _forking.state = None
    lock = state["lock"]
    fd = getattr(lock, "fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        lock.fd = None  # never flock(LOCK_UN) through it: that would unlock the parent
    prctl = state["prctl"]
    if prctl is not None:
        prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != state["parent"]:  # the parent died before prctl took effect
        os._exit(1)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_new_worker)


class Worker(SubWriterTask):
    """Whoosh's index worker process, telling the parent why it failed.

    Whoosh's multi-process commit skips a worker that died without a result and
    commits the rest: a worker hitting a full disk (or killed by the OOM killer)
    silently lost its share of the batch. The parent checks every worker's exit
    code before it writes the table of contents, and reads the reason from here.
    """

    def __init__(self, *args: Any, report: Any) -> None:
        super().__init__(*args)
        self.report = report  # the sending end of a one-way pipe to the parent

    def run(self) -> None:
        """Whoosh's worker loop; a failure is sent to the parent, which raises it."""
        quiet_collector()
        if self.multisegment and getattr(self, "fast_postings", False):
            # Switch the writer Whoosh's loop creates to the faster postings path before
            # the loop asks for its first job: a worker that gets none (the other took
            # them all) still writes its segment, and that segment's sidecar, our way.
            self.jobqueue = _FastPathOnFirstJob(self, self.__dict__["jobqueue"])
        try:
            super().run()
        except BaseException as exc:
            try:
                self.report.send((getattr(exc, "errno", None), f"{type(exc).__name__}: {exc}"))
            except Exception:
                raise exc from None
            raise SystemExit(1) from None  # the parent reports it; no second traceback on stderr

    def _process_file(self, filename: str, doc_count: int) -> None:
        """Whoosh's ``SubWriterTask._process_file``, also for a job written as one pickle
        (see :func:`_one_pickle_per_job`): the same documents, in the same order."""
        writer = self.writer
        tempstorage = writer.temp_storage()
        add_document = writer.add_document
        with tempstorage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                code, args = pickle.load(f)
                if code == JOB_OF_DOCUMENTS:
                    for fields in args:
                        add_document(**fields)
                else:
                    assert code == 0
                    add_document(**args)
        tempstorage.delete_file(filename)


# The cyclic collector's thresholds in a worker (Python's default: 700, 10, 10).
WORKER_GC_THRESHOLD = (20_000, 20, 100)


def quiet_collector() -> None:
    """Make the cyclic garbage collector cheap in a worker process (called first thing).

    A worker allocates millions of small containers that live until its segment is
    written (postings lists, the analysis caches' tuples), and almost none of them
    is garbage: with Python's thresholds the collector ran ~550 times per worker
    and 10k paragraphs and took 7 % of the worker's CPU, mostly walking live
    objects again. Here what the worker inherited from the parent (spaCy, the
    words learnt for it) is frozen out of every collection, and young objects
    are collected after 20,000 allocations instead of 700: what garbage there is
    (few cycles) waits a little longer, the memory it holds meanwhile is small.
    The index bytes do not depend on it.
    """
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)


class _FastPathOnFirstJob:
    """A worker's job queue that installs the fast postings path (:mod:`.segment_writer`)
    on the worker's writer when the worker first asks for a job (Whoosh's loop creates
    the writer just before)."""

    def __init__(self, task: Worker, queue: Any) -> None:
        self._task = task
        self._queue = queue
        self._installed = False

    def get(self, *args: Any, **kwargs: Any) -> Any:
        if not self._installed:
            self._installed = True
            install_fast_postings(self._task.writer)
        return self._queue.get(*args, **kwargs)


@contextlib.contextmanager
def forking_child(lock: Any = None) -> Iterator[None]:
    """Around starting a child process by fork: the child ignores Ctrl-C (this process
    stops it), dies with this process (Linux), and closes its copy of ``lock``'s
    descriptor (see :func:`_in_new_worker`)."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    _forking.state = {"lock": lock, "prctl": _prctl(), "parent": os.getpid()}
    try:
        yield
    finally:
        _forking.state = None
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def prepare_workers(writer: IndexWriter) -> None:
    """Start Whoosh's worker processes our way (replaces ``MpWriter._new_task``).

    * They ignore Ctrl-C: a terminal's Ctrl-C goes to the whole process group,
      and each worker would die with its own traceback; the parent cancels them.
    * They drop their inherited copy of the write lock and die with the parent
      (see :func:`_in_new_worker`).
    * They report why they failed (:class:`Worker`).
    """
    if not hasattr(writer, "_new_task") or getattr(writer, "start_method", None) is not None:
        return
    lock = getattr(writer.writelock, "inner", writer.writelock)  # the descriptor workers must drop
    jobs = writer.jobqueue = _JobsInTurn(writer._mpctx, writer.procs)

    def start_worker() -> Any:
        import multiprocessing

        place = len(writer.tasks)
        receive, send = multiprocessing.Pipe(duplex=False)
        task = Worker(
            writer.storage,
            writer.indexname,
            jobs.queue_of(place),
            _PlacedResults(writer.resultqueue, place),
            writer.subargs,
            writer.multisegment,
            report=send,
        )
        task.place = place
        task.report_from = receive
        task.fast_postings = isinstance(writer.pool, TermPool)  # as the parent writer (see ArticleWriter)
        writer.tasks.append(task)
        with forking_child(lock):
            task.start()
        send.close()  # the worker has its copy; EOF when it exits
        return task

    writer._new_task = start_worker
    _whole_articles_per_job(writer)
    _one_pickle_per_job(writer)


def _whole_articles_per_job(writer: IndexWriter) -> None:
    """End a worker's job between two articles, never inside one (replaces ``MpWriter.add_document``).

    Whoosh's multi-process writer sends a job every ``batchsize`` (100) documents, so an
    article straddling that point had paragraphs in both workers' segments. An article is
    read from one segment (article evidence, browsing its lead, grouping by article):
    its score then depended on how the build was batched. Here a full job waits for the
    article's last paragraph. (Whoosh's ``start_group`` would hold back every job of a
    writer whose documents all belong to groups until the commit: one worker for all.)
    """

    def add_document(**fields: Any) -> None:
        buffer = writer.docbuffer
        if len(buffer) >= writer.batchsize and not writer._grouping:
            article = fields.get("article_id")
            if article is None or buffer[-1][1].get("article_id") != article:
                writer._enqueue()
        writer.docbuffer.append((0, fields))
        writer._added_sub = True

    writer.add_document = add_document


def _one_pickle_per_job(writer: IndexWriter) -> None:
    """Send each job's documents to the workers as one pickle, not one per document.

    Whoosh's ``_enqueue`` pickles every ``(0, fields)`` item of its buffer on its own
    (and a worker unpickles each): here the buffer becomes one item, the list of the
    documents' fields, before Whoosh's ``_enqueue`` (looked up on the class at each
    call) writes it. One pickler call per job instead of one per document, and a
    value repeated in a job (an article's title, id and source on each of its
    paragraphs) is written once and read back as one object. The documents, their
    order and so the index bytes are the same (:meth:`Worker._process_file`).
    """

    def enqueue() -> None:
        buffer = writer.docbuffer
        if len(buffer) > 1 and all(code == 0 for code, _ in buffer):
            writer.docbuffer = [(JOB_OF_DOCUMENTS, [fields for _, fields in buffer])]
        type(writer)._enqueue(writer)

    writer._enqueue = enqueue


class _JobsInTurn:
    """The multi-process writer's job queue: job ``k`` goes to the queue of worker ``k mod n``
    (Whoosh starts worker ``k`` just before it sends job ``k``, for ``k < n``), and the
    commit's end marker (one ``None`` per started worker) to each worker's in turn.

    The queues are unbounded (Whoosh's one queue held ``4 n`` jobs): a worker that dies
    leaves its jobs queued, and the commit then fails the batch (:func:`check_workers_before_toc`),
    where a bounded queue would keep this process waiting for ever to hand it the next. A
    queued job is a file name; the job files, in the writer's temporary folder, go with it.
    """

    def __init__(self, context: Any, workers: int) -> None:
        self._queues = [context.Queue() for _ in range(max(1, workers))]
        self._jobs = 0
        self._ends = 0

    def queue_of(self, place: int) -> Any:
        """Worker ``place``'s own queue."""
        return self._queues[place]

    def put(self, job: Any, *args: Any, **kwargs: Any) -> None:
        """Send ``job`` (or an end marker) to the worker whose turn it is."""
        if job is None:
            queue = self._queues[self._ends % len(self._queues)]
            self._ends += 1
        else:
            queue = self._queues[self._jobs % len(self._queues)]
            self._jobs += 1
        queue.put(job, *args, **kwargs)


# The attribute a worker's segment carries to the commit: the worker's place.
_PLACE = "_newsindex_worker"


class _PlacedResults:
    """A worker's end of Whoosh's result queue: marks the segment it sends with the
    worker's place (see :func:`_in_worker_order`)."""

    def __init__(self, queue: Any, place: int) -> None:
        self._queue = queue
        self._place = place

    def put(self, result: Any, *args: Any, **kwargs: Any) -> None:
        """Whoosh's ``(run name, field names, segment)``, the segment marked."""
        setattr(result[2], _PLACE, self._place)
        self._queue.put(result, *args, **kwargs)


def _in_worker_order(segments: list[Any]) -> list[Any]:
    """``segments`` with the workers' (which came in the order they finished) in worker
    order, in the places they held; the marks are removed (the TOC keeps no trace)."""
    marked = [s for s in segments if hasattr(s, _PLACE)]
    ordered = iter(sorted(marked, key=lambda s: getattr(s, _PLACE)))
    out = [next(ordered) if hasattr(s, _PLACE) else s for s in segments]
    for segment in marked:
        delattr(segment, _PLACE)
    return out


def check_workers_before_toc(writer: IndexWriter, error: Callable[[OSError | None, str], Exception]) -> None:
    """Make a multi-process commit fail, instead of losing documents, when a worker failed.

    ``error(os_error, detail)`` makes the exception raised: the worker's OS error
    when it sent one, else ``None`` and what is known (its exit code or signal).
    """
    commit_toc = getattr(writer, "_commit_toc", None)
    if not hasattr(writer, "tasks") or commit_toc is None:
        return

    def checked_commit_toc(segments: Any) -> None:
        for task in writer.tasks:
            if task.exitcode == 0:
                continue
            report = getattr(task, "report_from", None)
            errno_code, text = None, ""
            with contextlib.suppress(Exception):
                if report is not None and report.poll():
                    errno_code, text = report.recv()
            if errno_code is not None:
                raise error(OSError(errno_code, os.strerror(errno_code)), text)
            if (task.exitcode or 0) < 0:
                text = f"killed by signal {-(task.exitcode or 0)}"
            raise error(None, f"index worker {task.pid}: {text or 'failed'}")
        commit_toc(_in_worker_order(segments))

    writer._commit_toc = checked_commit_toc


def stop_workers(writer: IndexWriter) -> None:
    """Terminate ``writer``'s worker processes and wait for them (briefly). Never raises."""
    for task in getattr(writer, "tasks", ()):
        with contextlib.suppress(Exception):
            if task.is_alive():
                task.terminate()
            task.join(timeout=5)


@contextlib.contextmanager
def ctrl_c_in_main_process_only(exit_code: int) -> Iterator[None]:
    """Ctrl-C raises ``KeyboardInterrupt`` here only; forked children exit quietly with ``exit_code``.

    A terminal sends SIGINT to the whole process group, so each forked process
    would print a traceback. Children inherit this handler at fork time and leave
    without a word; the main process cancels the batch. (Index workers ignore
    SIGINT altogether: see :func:`prepare_workers`.) Does nothing off the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    main_pid = os.getpid()

    def on_sigint(signum: int, frame: Any) -> None:
        if os.getpid() != main_pid:
            os._exit(exit_code)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
