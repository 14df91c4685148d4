"""A pool of query workers (kg.rdf.workers) for `kg serve`: one query per worker at a time;
a query past its timeout costs only the worker running it, which is killed and replaced.

Worker processes are started by one long-lived "keeper" thread, never by request
threads: the kernel's parent-death signal fires when the *thread* that forked a child
exits, so a worker forked by a short-lived request thread would be killed with it.

A rebuild (`kg build` publishes a new store) is noticed before each request by the store
directory's identity (inode and mtime, through the OUT/store link): the pool then starts a
new generation of workers on the new store; busy old workers finish their query and are
retired.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.rdf.stores import StoreIdentity
from kg.rdf.workers import Worker, WorkerDied, WorkerTimedOut

RETRY = 2.0  # seconds between attempts to open a store that failed to open


def default_workers() -> int:
    """2 to 4, by CPUs: one runaway query still leaves a worker for everyone else."""
    return max(2, min(4, os.cpu_count() or 2))


@dataclass(frozen=True)
class Answer:
    """What the HTTP layer sends: a status, a content type and a complete body."""

    status: int
    content_type: str
    body: bytes
    store_built: str | None = None

    @classmethod
    def text(cls, status: int, message: str, store_built: str | None = None) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), store_built)


class Pool:
    """Workers over one store directory; `execute` runs one request with a timeout."""

    def __init__(self, store_dir: Path, size: int | None = None, timeout: float | None = 30.0,
                 max_result_bytes: int | None = 64 * 2**20):
        self.store_dir = Path(store_dir)
        self.size = size or default_workers()
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.cond = threading.Condition()
        self.idle: deque[Worker] = deque()
        self.current: set[Worker] = set()  # workers of this generation, idle or busy
        self.generation = 0
        self.spawning = False
        self.error: str | None = None  # why the store does not open, while it does not
        self.closed = False
        self.identity = StoreIdentity.of(self.store_dir)
        self.path = Path(os.path.realpath(self.store_dir))
        self.stopped_queries = 0
        self._keeper = threading.Thread(target=self._keep, name="kg-serve-keeper", daemon=True)

    # -- lifecycle -------------------------------------------------------------------

    def start(self, wait: float = 60.0) -> None:
        """Start the keeper; wait for the first worker, raising its error if the store
        cannot be opened (a damaged store stops `kg serve` with one line)."""
        self._keeper.start()
        deadline = time.monotonic() + wait
        with self.cond:
            while not self.idle and not self.error:
                if not self.cond.wait(max(0.0, deadline - time.monotonic())):
                    break
            error = self.error
        if error or not self.idle:
            self.close()
            from kg.rdf.stores import StoreError

            raise StoreError(error or f"no query worker started within {wait:g} s")

    def close(self) -> None:
        """Kill every worker (idle or busy) and stop the keeper."""
        with self.cond:
            self.closed = True
            workers = list(self.current) + list(self.idle)
            self.current.clear()
            self.idle.clear()
            self.cond.notify_all()
        for worker in workers:
            worker.kill()
        if self._keeper.is_alive():
            self._keeper.join(timeout=10)

    def pids(self) -> list[int]:
        with self.cond:
            return [w.pid for w in self.current]

    def _keep(self) -> None:
        """The keeper thread: keep `size` workers of the current generation alive."""
        while True:
            with self.cond:
                while not self.closed and len(self.current) >= self.size:
                    self.cond.wait()
                if self.closed:
                    return
                generation, path = self.generation, self.path
                self.spawning = True
            try:
                worker = Worker.spawn(path, generation=generation)
            except KgError as exc:
                with self.cond:
                    self.spawning = False
                    if generation != self.generation:
                        continue  # the store it tried was replaced meanwhile (and maybe removed): not an error
                    self.error = str(exc)
                    self.cond.notify_all()
                    self.cond.wait(RETRY)  # a rebuild or close wakes it earlier
                    self._check_rebuild()
                continue
            with self.cond:
                self.spawning = False
                if self.closed or generation != self.generation:
                    stale = worker
                else:
                    stale = None
                    self.error = None
                    self.current.add(worker)
                    self.idle.append(worker)
                    self.cond.notify_all()
            if stale is not None:
                stale.kill()

    # -- requests --------------------------------------------------------------------

    def _check_rebuild(self) -> None:
        """(Holding the lock.) Start a new generation when the store directory changed."""
        identity = StoreIdentity.of(self.store_dir)
        if identity is None or identity == self.identity:
            return
        self.identity = identity
        self.path = Path(os.path.realpath(self.store_dir))
        self.generation += 1
        self.error = None
        retired = list(self.idle)
        self.idle.clear()
        self.current.clear()  # busy old workers are killed when they come back
        self.cond.notify_all()
        for worker in retired:
            threading.Thread(target=worker.kill, daemon=True).start()

    def _acquire(self, deadline: float | None) -> Worker | Answer:
        with self.cond:
            self._check_rebuild()
            while True:
                if self.closed:
                    return Answer.text(503, "the server is stopping")
                if self.idle:
                    return self.idle.popleft()
                if self.error and not self.current:
                    return Answer.text(503, f"the store cannot be opened: {self.error}")
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    return Answer.text(503, "every query worker is busy; try again later")
                self.cond.wait(wait)

    def _release(self, worker: Worker, healthy: bool) -> None:
        with self.cond:
            keep = healthy and not self.closed and worker.generation == self.generation and worker in self.current
            if keep:
                self.idle.append(worker)
            else:
                self.current.discard(worker)
            self.cond.notify_all()
        if not keep:
            worker.kill()

    def execute(self, request: dict) -> Answer:
        """Run one protocol request on a free worker; never raises. A worker busy past the
        timeout is killed (only it) and the client gets 503 with a text body."""
        started = time.monotonic()
        wait_until = None if self.timeout is None else started + self.timeout
        got = self._acquire(wait_until)
        built = self.identity.built if self.identity else None
        if isinstance(got, Answer):
            return got
        worker = got
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        try:
            header, body = worker.request({**request, "op": "protocol", "max_bytes": self.max_result_bytes},
                                          deadline)
        except WorkerTimedOut:
            self._release(worker, healthy=False)
            with self.cond:
                self.stopped_queries += 1
            return Answer.text(503, f"the query ran longer than the {self.timeout:g} s timeout and was stopped", built)
        except WorkerDied:
            message = worker.describe_death()
            self._release(worker, healthy=False)
            return Answer.text(500, f"{message}; the query was not answered", built)
        except BaseException:
            self._release(worker, healthy=False)
            raise
        self._release(worker, healthy=True)
        status = int(header.get("status", 500))
        if status == 200:
            return Answer(200, header.get("type", "application/octet-stream"), body, built)
        return Answer.text(status, body.decode("utf-8", "replace"), built)


__all__ = ["Answer", "Pool", "default_workers"]
