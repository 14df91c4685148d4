"""Extraction on all cores: papers go to worker processes in chunks, and their extractions
come back in input order, so the graph builder sees exactly the sequence one process would
give it and the outputs are byte-identical to ``--workers 1``.

How it works
------------
* Each worker is a fresh Python process (``python -c``, started like multiprocessing's
  ``spawn``: no fork of a process that may run threads) talking to the parent over a
  socket pair with multiprocessing's Connection. Unlike ``spawn`` it never re-runs the
  caller's ``__main__`` script, so kg.api users need no ``if __name__ == "__main__"`` guard,
  and no resource-tracker process is left behind. It creates its spaCy pipeline once
  (:class:`ExtractionTask`) and then extracts the chunks it is sent, one at a time.
* The parent reads the inputs, sends a chunk to a worker only when that worker is idle
  (so a send never waits on a busy worker, and neither side can block the other), keeps
  at most `in_flight` chunks between reading and the graph builder, and yields results in
  order. Only titles and abstracts travel one way and mentions, repositories and results
  the other: the paper records stay in the parent.
* Extraction of one paper does not depend on the other papers of its batch nor on the
  ones before it (checked: the bundled corpus gives equal records with any batch size and
  order, model on or off), which is what makes both parallel and cached extraction equal.
* Starting workers costs about as much as loading one pipeline, so a build that has few
  papers to extract (fewer than `min_parallel`, e.g. a small file or a warm cache) does
  them in this process.
* Workers die with the parent: they ignore SIGINT (the parent, which gets it too, stops
  them), start with SIGINT and SIGTERM held back until their handlers are set, get
  SIGTERM when the parent dies (Linux ``PR_SET_PDEATHSIG``), and exit when their pipe
  closes. A worker's exception or death becomes one :class:`WorkerError` line.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, UsageError, printable
from kg.outdir import signals_held
from kg.records import ExtractedPaper, Paper

if TYPE_CHECKING:
    from kg.cache import ExtractionCache

STOP_TIMEOUT = 5.0  # seconds a worker gets to exit after SIGTERM before SIGKILL
# A worker's first lines: the parent's import path, then worker_main on the inherited socket.
_BOOT = ("import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
         "from kg.parallel import worker_main; worker_main(int(sys.argv[2]), int(sys.argv[3]))")


class WorkerError(KgError):
    """An extraction worker failed (an exception in it, or the process died). A kg error in
    a worker (a missing model) keeps its exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else os.cpu_count()."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def resolve_workers(workers: int | None) -> int:
    """The number of extraction processes: `workers`, or one per usable core when None."""
    if workers is None:
        return usable_cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UsageError(f"workers must be a whole number of at least 1, not {printable(repr(workers))}")
    return workers


@dataclass(frozen=True)
class ExtractionTask:
    """What every extraction process does: `setup` once (the pipeline), then `run` per chunk.
    Picklable, so it is what a worker is started with."""

    fast: bool = False
    min_confidence: float = 0.0
    batch_size: int = 64

    def setup(self) -> Any:
        """The pipeline (kg.extract.create_pipeline), created once per process."""
        from kg.extract import create_pipeline

        return create_pipeline(self.fast)

    def run(self, state: Any, papers: Sequence[Paper]) -> list[tuple]:
        """(mentions, repositories, results) of each paper, in order."""
        from kg.extract import extract_papers

        return [(e.mentions, e.repositories, e.results)
                for e in extract_papers(papers, state, batch_size=self.batch_size, min_confidence=self.min_confidence)]


# --- the worker process -------------------------------------------------------------------


def worker_main(fd: int, parent: int) -> None:
    """A worker's life: receive its task, set up, say ready, then extract each chunk it
    receives until told to stop (None) or its socket closes. Errors go back as one
    message, then it exits. It starts with SIGINT and SIGTERM blocked (inherited)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent(parent)
    conn = Connection(fd)
    try:
        task = conn.recv()
        state = task.setup()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        _send_error(conn, None, exc, ())
        return
    _send(conn, ("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ticket, papers = message
        try:
            payload = task.run(state, papers)
        except BaseException as exc:  # noqa: BLE001
            _send_error(conn, ticket, exc, papers)
            return
        if not _send(conn, ("done", ticket, payload)):
            return


def _die_with_parent(parent: int) -> None:
    """Ask Linux for SIGTERM when the parent dies (best effort elsewhere); exit now if it
    already has."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)


def _send(conn: Connection, message: tuple) -> bool:
    try:
        conn.send(message)
        return True
    except OSError:  # the parent is gone
        return False


def _send_error(conn: Connection, ticket: int | None, exc: BaseException, papers: Sequence[Paper]) -> None:
    if isinstance(exc, KgError):
        _send(conn, ("error", ticket, str(exc), exc.exit_code))
        return
    where = ""
    if papers:
        last = f" .. {papers[-1].key}" if len(papers) > 1 else ""
        where = f" on one of {len(papers)} papers ({papers[0].key}{last})"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    _send(conn, ("error", ticket, f"extraction failed in worker process {os.getpid()}{where}: "
                                  f"{type(exc).__name__}{': ' + detail if detail else ''}", 1))


# --- the parent's side --------------------------------------------------------------------


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Connection
    state: str = "starting"  # starting, idle, busy


# Each worker is one process on one core: a BLAS library that also starts a thread per
# core (OpenBLAS does) makes the workers fight over the cores, and the model's matrix
# products cost a third more CPU time than on one thread. Set only where the user has not.
ONE_THREAD_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def worker_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a worker process starts with: `environ` (the current one by
    default) with one BLAS/OpenMP thread unless it says otherwise.

    >>> worker_environment({"OMP_NUM_THREADS": "4", "HOME": "/h"})["OMP_NUM_THREADS"], worker_environment({})["OPENBLAS_NUM_THREADS"]
    ('4', '1')
    """
    return {**ONE_THREAD_ENVIRONMENT, **(os.environ if environ is None else environ)}


class WorkerPool:
    """`workers` extraction processes running `task`; a context manager. `submit` chunks in
    order, `next_result` returns the oldest chunk's extractions. On any error or interrupt
    the workers are stopped (SIGTERM, then SIGKILL) before the exception goes on."""

    def __init__(self, task: ExtractionTask, workers: int):
        self.task = task
        self.size = workers
        self._workers: list[_Worker] = []
        self._queue: deque[int] = deque()  # tickets not yet sent
        self._papers: dict[int, Sequence[Paper]] = {}
        self._done: dict[int, list[tuple]] = {}
        self._submitted = 0
        self._returned = 0

    def __enter__(self) -> WorkerPool:
        try:
            self.start()
        except BaseException:
            self.terminate()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()

    def start(self) -> None:
        """Start the processes, with SIGINT and SIGTERM held back meanwhile: no worker can
        be left unrecorded, and each starts with them blocked until its handlers are set."""
        path = json.dumps(sys.path)
        with signals_held():
            for _ in range(self.size):
                mine, theirs = socket.socketpair()
                try:
                    process = subprocess.Popen(
                        [sys.executable, "-c", _BOOT, path, str(theirs.fileno()), str(os.getpid())],
                        pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=worker_environment())
                finally:
                    theirs.close()
                worker = _Worker(process, Connection(mine.detach()))
                self._workers.append(worker)
                worker.conn.send(self.task)

    def submit(self, papers: Sequence[Paper]) -> None:
        """Queue one chunk; it goes to the first idle worker."""
        ticket = self._submitted
        self._submitted += 1
        self._papers[ticket] = papers
        self._queue.append(ticket)
        self._poll(0)
        self._dispatch()

    def next_result(self) -> list[ExtractedPaper]:
        """The extractions of the oldest chunk not yet returned (waits for them)."""
        ticket = self._returned
        if ticket >= self._submitted:
            raise RuntimeError("next_result without a chunk submitted")
        while ticket not in self._done:
            self._poll(None)
            self._dispatch()
        self._returned += 1
        papers = self._papers.pop(ticket)
        return [ExtractedPaper(paper, *parts) for paper, parts in zip(papers, self._done.pop(ticket))]

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._queue:
                return
            if worker.state == "idle":
                ticket = self._queue.popleft()
                try:
                    worker.conn.send((ticket, self._papers[ticket]))
                except OSError:
                    self._queue.appendleft(ticket)
                    self._died(worker)
                worker.state = "busy"

    def _poll(self, timeout: float | None) -> None:
        """Take in what workers have sent (waiting up to `timeout`; None: until something
        happens); raises WorkerError for an error message or a dead worker."""
        waiting = [w for w in self._workers if w.state in ("starting", "busy")]
        if not waiting:
            return
        ready = set(wait([w.conn for w in waiting], timeout))  # a dead worker's socket reads EOF
        for worker in waiting:
            if worker.conn in ready:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    self._died(worker)
                    return
                self._take(worker, message)

    def _take(self, worker: _Worker, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            worker.state = "idle"
        elif kind == "done":
            self._done[message[1]] = message[2]
            worker.state = "idle"
        else:  # ("error", ticket, text, exit code)
            raise WorkerError(printable(message[2]), message[3])

    def _died(self, worker: _Worker) -> None:
        try:
            code = worker.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        raise WorkerError(f"extraction worker process {worker.process.pid} stopped ({how})"
                          + ("; out of memory?" if code == -signal.SIGKILL else ""))

    def close(self) -> None:
        """Tell idle workers to stop and wait for them; stop any other."""
        for worker in self._workers:
            if worker.state == "idle":
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in self._workers:
            if worker.state == "idle":
                try:
                    worker.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    pass
        self.terminate()

    def terminate(self) -> None:
        """Stop every worker now: SIGTERM, SIGKILL after STOP_TIMEOUT; close the pipes."""
        with signals_held():
            alive = [w for w in self._workers if w.process.poll() is None]
            for worker in alive:
                try:
                    worker.process.terminate()
                except OSError:
                    pass
            for worker in alive:
                try:
                    worker.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
                    worker.process.wait()
            for worker in self._workers:
                worker.conn.close()
            self._workers = []


class _Extractor:
    """Chunks to extract, in order: in this process until `min_parallel` papers are waiting
    for extraction at once, then (with more than one worker) in a WorkerPool."""

    def __init__(self, task: ExtractionTask, workers: int, min_parallel: int):
        self.task = task
        self.workers = workers
        self.min_parallel = min_parallel
        self.pool: WorkerPool | None = None
        self.held: deque[Sequence[Paper] | None] = deque()  # None: a chunk sent to the pool
        self._held_papers = 0
        self._state: Any = None

    def submit(self, papers: Sequence[Paper]) -> None:
        if self.pool is not None:
            self.pool.submit(papers)
            self.held.append(None)
            return
        self.held.append(papers)
        self._held_papers += len(papers)
        if self.workers > 1 and self._held_papers >= self.min_parallel:
            self.pool = WorkerPool(self.task, self.workers).__enter__()
            for i, chunk in enumerate(self.held):
                if chunk is not None:
                    self.pool.submit(chunk)
                    self.held[i] = None
            self._held_papers = 0

    def next_result(self) -> list[ExtractedPaper]:
        chunk = self.held.popleft()
        if chunk is None:
            return self.pool.next_result()
        self._held_papers -= len(chunk)
        if self._state is None:
            self._state = self.task.setup()
        return [ExtractedPaper(p, *parts) for p, parts in zip(chunk, self.task.run(self._state, chunk))]

    def close(self, failed: bool) -> None:
        if self.pool is not None:
            self.pool.__exit__(RuntimeError if failed else None, None, None)
            self.pool = None


def chunked(items: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    chunk: list[Paper] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_in_order(
    papers: Iterable[Paper], task: ExtractionTask, *, workers: int = 1, cache: ExtractionCache | None = None,
    chunk_size: int = 64, in_flight: int | None = None, min_parallel: int = 128,
) -> Iterator[ExtractedPaper]:
    """One ExtractedPaper per paper, in input order, extracted by `workers` processes.

    `chunk_size` papers are read at a time (looked up in `cache` first: only misses are
    extracted, and their extractions are stored); at most `in_flight` chunks (default
    2 x workers) are between reading and the caller, so memory does not grow with the
    corpus. With `workers` > 1, the worker processes start once `min_parallel` papers wait
    for extraction; until then (and for fewer papers in all) extraction runs here.
    Close the iterator (contextlib.closing) to stop the workers early."""
    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, not {chunk_size}")
    yield from ordered_extractions(papers, _Extractor(task, workers, max(1, min_parallel)), cache=cache,
                                   chunk_size=chunk_size, in_flight=max(1, in_flight or 2 * workers))


def ordered_extractions(
    papers: Iterable[Paper], extractor: Any, *, cache: ExtractionCache | None, chunk_size: int, in_flight: int,
) -> Iterator[ExtractedPaper]:
    """extract_in_order's loop for any `extractor` (an object with ``submit(papers)``,
    ``next_result() -> list[ExtractedPaper]`` of the oldest chunk, ``close(failed)``; e.g.
    kg.cluster's): chunks looked up in `cache`, misses submitted, at most `in_flight` chunks
    held, results in input order. The extractor is closed at the end, on error or on close."""
    limit = max(1, in_flight)
    windows: deque[tuple[list[Paper], list, list[bytes | None]]] = deque()
    failed = True
    try:
        for chunk in chunked(papers, chunk_size):
            found = cache.lookup(chunk) if cache is not None else [(None, None)] * len(chunk)
            misses = [p for p, (_, hit) in zip(chunk, found) if hit is None]
            if misses:
                extractor.submit(misses)
            windows.append((chunk, found, misses))
            while windows and (len(windows) > limit or not windows[0][2]):
                yield from _finish(windows.popleft(), extractor, cache)
        while windows:
            yield from _finish(windows.popleft(), extractor, cache)
        failed = False
    finally:
        extractor.close(failed)


def _finish(window: tuple[list[Paper], list, list[Paper]], extractor: Any,
            cache: ExtractionCache | None) -> list[ExtractedPaper]:
    """A window's papers in order: cached ones as found, the others as extracted (and stored)."""
    chunk, found, misses = window
    fresh = iter(extractor.next_result() if misses else ())
    out, new = [], []
    for (key, hit) in found:
        if hit is None:
            hit = next(fresh)
            new.append((key, hit))
        out.append(hit)
    if cache is not None and new:
        cache.store(new)
    return out


__all__ = ["ExtractionTask", "WorkerError", "WorkerPool", "chunked", "extract_in_order",
           "ordered_extractions", "resolve_workers", "usable_cores"]
