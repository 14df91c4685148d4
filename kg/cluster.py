"""Extraction on a Dask distributed cluster: ``kg build --scheduler ADDRESS``.

What travels
------------
The machine that runs ``kg build`` reads and deduplicates the inputs, looks every chunk of
papers up in the extraction cache (kg.cache) exactly as a local build does, and sends only
the chunks' uncached :class:`~kg.records.Paper` records to the cluster as tasks of
:func:`extract_chunk`. Each task sends back the papers' mentions, repositories and results
(not the papers), which are stored in the cache and given to the graph builder in input
order: the graph, RDF, store and viewer (the reduce step) are made on the calling machine,
and the outputs are byte-identical to a local ``--workers 1`` build.

Workers need only kg (``pip install 'kg[cluster]'``), no shared file system: each worker
process creates its spaCy pipeline once per thread and keeps it (:func:`_pipeline`). Every
result carries the worker's extraction version (kg.cache.extraction_version); a worker
whose kg, model or rules differ from the caller's is an error, so a mixed cluster can
neither change the outputs nor fill the cache with another version's extractions.

At most ``2 x`` the cluster's worker threads chunks are in flight (held on the cluster or
waiting for the graph builder), so memory stays bounded on both sides. An unreachable
scheduler, a scheduler without workers, a failing task or a lost worker is one
:class:`ClusterError` line; Ctrl-C cancels the tasks and closes the client.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, UsageError, printable
from kg.records import ExtractedPaper, Paper

if TYPE_CHECKING:
    from kg.cache import ExtractionCache
    from kg.parallel import ExtractionTask

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up
WORKER_TIMEOUT = 60.0  # seconds to wait for the scheduler's first worker
CLOSE_TIMEOUT = 5.0  # seconds the client gets to close after an interrupt or an error
_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "ucx://", "inproc://")


class ClusterError(KgError):
    """The Dask cluster could not be used: the scheduler cannot be reached or has no
    worker, a task failed, a worker was lost or runs another kg. Exit code 1 (as a local
    worker's failure), or a worker-side kg error's own."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class ChunkResult:
    """What one extract_chunk task sends back: per paper (mentions, repositories, results)
    in order, the worker's extraction version (hex) and address, or an error line."""

    extractions: tuple[tuple, ...]
    version: str
    worker: str
    error: str | None = None
    exit_code: int = 1


# --- the worker's side --------------------------------------------------------------------

_local = threading.local()


def _pipeline(fast: bool) -> Any:
    """The spaCy pipeline of this worker thread (created once per thread and `fast`: a
    pipeline is not shared between threads)."""
    pipelines = _local.__dict__.setdefault("pipelines", {})
    if fast not in pipelines:
        from kg.extract import create_pipeline

        pipelines[fast] = create_pipeline(fast)
    return pipelines[fast]


@functools.cache
def _version(fast: bool, min_confidence: float) -> str:
    """This process's extraction version (kg.cache), computed once."""
    from kg.cache import extraction_version

    return extraction_version(fast, min_confidence).hex()


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # called outside a Dask worker (tests, a local run)
        return "this process"


def extract_chunk(papers: Sequence[Paper], fast: bool, min_confidence: float, batch_size: int) -> ChunkResult:
    """The cluster task: extract `papers` with this worker's pipeline. Never raises for an
    extraction error: it comes back as ChunkResult.error, one line naming the chunk."""
    worker = _worker_address()
    try:
        from kg.extract import extract_papers

        version = _version(bool(fast), float(min_confidence))
        done = extract_papers(papers, _pipeline(bool(fast)), batch_size=batch_size, min_confidence=min_confidence)
        return ChunkResult(tuple((e.mentions, e.repositories, e.results) for e in done), version, worker)
    except Exception as exc:  # noqa: BLE001 - reported to the caller as one line
        code = exc.exit_code if isinstance(exc, KgError) else 1
        return ChunkResult((), "", worker, f"{type(exc).__name__}: {_first_line(exc)}", code)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return printable(text.splitlines()[0]) if text else "(no message)"


# --- the caller's side --------------------------------------------------------------------


def check_scheduler(scheduler: str | None, workers: int | None) -> None:
    """Checks that need no connection: the address's form, dask.distributed installed, and
    no --workers N > 1 beside it (the cluster's workers do the extraction). Raises UsageError."""
    if scheduler is None:
        return
    if not isinstance(scheduler, str) or not scheduler.strip() or any(c.isspace() for c in scheduler):
        raise UsageError(f"bad --scheduler {printable(repr(scheduler))}: give an address like tcp://HOST:8786")
    if "://" in scheduler and not scheduler.startswith(_SCHEMES):
        raise UsageError(f"bad --scheduler {printable(repr(scheduler))}: not a Dask address "
                         f"({', '.join(s[:-3] for s in _SCHEMES)}; e.g. tcp://HOST:8786)")
    if workers not in (None, 1):
        raise UsageError(f"--scheduler and --workers {printable(repr(workers))} exclude each other: "
                         "the cluster's workers extract")
    if importlib.util.find_spec("distributed") is None:
        raise UsageError("--scheduler needs Dask distributed: pip install 'kg[cluster]'")


def connect(address: str, connect_timeout: float = CONNECT_TIMEOUT, worker_timeout: float = WORKER_TIMEOUT) -> Any:
    """A distributed.Client on `address` with at least one worker; raises ClusterError
    (one line) when the scheduler cannot be reached in `connect_timeout` seconds or has no
    worker after `worker_timeout`."""
    import logging

    from distributed import Client

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # its connection retries are logged with tracebacks
    try:
        try:
            client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {printable(address)}: "
                               f"{type(exc).__name__}: {_first_line(exc)}") from None
    finally:
        quiet.setLevel(level)
    try:
        client.wait_for_workers(1, timeout=worker_timeout)
    except (OSError, TimeoutError) as exc:
        close(client, ())
        raise ClusterError(f"the Dask scheduler at {printable(address)} has no worker "
                           f"(waited {worker_timeout:g} s): {_first_line(exc)}") from None
    except BaseException:
        close(client, ())
        raise
    return client


def worker_threads(client: Any) -> int:
    """The cluster's worker threads in all (at least 1)."""
    return max(1, sum(int(n) for n in client.nthreads().values()))


QUIET_LOGGERS = ("distributed", "tornado", "asyncio")  # Dask's client and its event loop


def close(client: Any, futures: Iterable[Any], failed: bool = False) -> None:
    """Cancel `futures` and close `client`, ignoring a cluster already gone (and quieting
    distributed's logged tracebacks about the cancelled tasks meanwhile). After a failure
    or an interrupt the client's loggers stay quiet: its event loop thread may still log
    the cancellation after close() returns, and the build has already said what happened."""
    import logging

    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        try:
            pending = list(futures)
            if pending:
                client.cancel(pending, force=True)
        except Exception:  # noqa: BLE001 - the scheduler may be gone: nothing to cancel
            pass
        try:
            client.close(timeout=CLOSE_TIMEOUT)
        except Exception:  # noqa: BLE001
            pass
    finally:
        if not failed:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def _chunk_name(papers: Sequence[Paper]) -> str:
    last = f" .. {papers[-1].key}" if len(papers) > 1 else ""
    return f"{len(papers)} papers ({printable(papers[0].key)}{printable(last)})"


class ClusterExtractor:
    """kg.parallel.ordered_extractions' extractor on a Dask client: `submit` sends a chunk
    as a task, `next_result` waits for the oldest one; `close` cancels what is left and
    closes the client."""

    def __init__(self, client: Any, task: ExtractionTask, version: str):
        self.client = client
        self.task = task
        self.version = version
        self._pending: deque[tuple[Any, Sequence[Paper]]] = deque()
        self._prefix = f"kg-extract-{uuid.uuid4().hex}"
        self._count = 0

    def submit(self, papers: Sequence[Paper]) -> None:
        future = self.client.submit(extract_chunk, list(papers), self.task.fast, self.task.min_confidence,
                                    self.task.batch_size, key=f"{self._prefix}-{self._count}", pure=False, retries=0)
        self._count += 1
        self._pending.append((future, papers))

    def next_result(self) -> list[ExtractedPaper]:
        future, papers = self._pending.popleft()
        try:
            result: ChunkResult = future.result()
        except (KeyboardInterrupt, SystemExit):
            self._pending.appendleft((future, papers))  # cancelled by close
            raise
        except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost scheduler: one line
            raise ClusterError(f"extraction of {_chunk_name(papers)} failed on the cluster: "
                               f"{type(exc).__name__}: {_first_line(exc)}") from None
        finally:
            future.release()
        if result.error is not None:
            raise ClusterError(f"extraction failed on Dask worker {printable(result.worker)} on one of "
                               f"{_chunk_name(papers)}: {result.error}", result.exit_code)
        if result.version != self.version:
            raise ClusterError(f"Dask worker {printable(result.worker)} extracts with another kg (extraction version "
                               f"{result.version[:12]}, here {self.version[:12]}): install the same kg, model "
                               "and spaCy on every worker")
        if len(result.extractions) != len(papers):
            raise ClusterError(f"Dask worker {printable(result.worker)} returned {len(result.extractions)} "
                               f"extractions for {_chunk_name(papers)}")
        return [ExtractedPaper(paper, *parts) for paper, parts in zip(papers, result.extractions)]

    def close(self, failed: bool) -> None:
        close(self.client, (future for future, _ in self._pending), failed)
        self._pending.clear()


def extract_on_cluster(
    papers: Iterable[Paper], task: ExtractionTask, scheduler: str, *, cache: ExtractionCache | None = None,
    chunk_size: int = 64, in_flight: int | None = None, connect_timeout: float = CONNECT_TIMEOUT,
    worker_timeout: float = WORKER_TIMEOUT,
) -> Iterator[ExtractedPaper]:
    """One ExtractedPaper per paper, in input order, the uncached ones extracted on the Dask
    cluster whose scheduler is at `scheduler`: chunks of `chunk_size` papers, at most
    `in_flight` (default 2 x the cluster's worker threads) between reading and the caller.
    Connects on the first item; close the iterator to cancel the tasks early."""
    from kg.cache import extraction_version
    from kg.parallel import ordered_extractions

    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, not {chunk_size}")
    version = cache.version.hex() if cache is not None else extraction_version(task.fast, task.min_confidence).hex()
    client = connect(scheduler, connect_timeout, worker_timeout)
    try:
        limit = in_flight or 2 * worker_threads(client)
    except BaseException:
        close(client, ())
        raise
    yield from ordered_extractions(papers, ClusterExtractor(client, task, version), cache=cache,
                                   chunk_size=chunk_size, in_flight=limit)


__all__ = ["ChunkResult", "ClusterError", "ClusterExtractor", "check_scheduler", "connect", "extract_chunk",
           "extract_on_cluster", "worker_threads"]
