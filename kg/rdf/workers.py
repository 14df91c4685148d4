"""Query worker processes: each opens the store read-only and runs one query at a time,
talking to its parent over stdin/stdout pipes.

Why processes: pyoxigraph evaluates a query in Rust and cannot be cancelled from Python,
so the only way to stop a runaway query (a cartesian COUNT runs for hours, ignoring
Ctrl-C) is to kill the process running it. Giving each query a process of its own means
a kill stops that query and nothing else: `kg serve` replaces just that worker, `kg query`
exits at once.

Why they die with their parent: a worker must never outlive `kg serve` or `kg query`, even
when the parent is SIGKILLed. Two independent mechanisms: the kernel's parent-death
signal (prctl PR_SET_PDEATHSIG, Linux), and a thread blocked on stdin that exits the
worker when the pipe closes (pyoxigraph releases the GIL while it evaluates, so that
thread runs even mid-query).

Wire format, both ways: one JSON line (a header, with "length"), then `length` body bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kg.errors import KgError, QueryError, UsageError
from kg.rdf.stores import QueryInterrupted, QueryTimeout, StoreError, is_store_failure, store_failure

READY_TIMEOUT = 60.0  # seconds a new worker may take to open its store
_ERRORS = {cls.__name__: cls for cls in (UsageError, QueryError, StoreError)}


# ---------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------


def encode(header: dict, body: bytes = b"") -> bytes:
    return json.dumps({**header, "length": len(body)}).encode("utf-8") + b"\n" + body


class WorkerDied(Exception):
    """The worker's pipe closed before a whole answer arrived."""


class WorkerTimedOut(Exception):
    """No whole answer before the deadline."""


class FrameReader:
    """Reads frames from a pipe's file descriptor with a deadline (select + os.read), so
    the waiting thread stays interruptible (Ctrl-C) and can give up in time."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()

    def _fill(self, deadline: float | None) -> None:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise WorkerTimedOut()
            # wake at least every half second: signal handlers run between waits
            ready, _, _ = select.select([self.fd], [], [], 0.5 if wait is None else min(wait, 0.5))
            if ready:
                break
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            raise WorkerDied()
        self.buffer += chunk

    def read(self, deadline: float | None) -> tuple[dict, bytes]:
        while b"\n" not in self.buffer:
            self._fill(deadline)
        line, _, rest = bytes(self.buffer).partition(b"\n")
        header = json.loads(line)
        self.buffer = bytearray(rest)
        while len(self.buffer) < header["length"]:
            self._fill(deadline)
        body = bytes(self.buffer[: header["length"]])
        del self.buffer[: header["length"]]
        return header, body


# ---------------------------------------------------------------------------
# Parent side
# ---------------------------------------------------------------------------


class Worker:
    """One worker process, seen from its parent."""

    def __init__(self, process: subprocess.Popen, generation: int = 0):
        self.process = process
        self.generation = generation
        self.reader = FrameReader(process.stdout.fileno())

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    def spawn(cls, store_dir: Path | None, graph_file: Path | None = None, generation: int = 0,
              ready_timeout: float | None = READY_TIMEOUT) -> Worker:
        """Start a worker and wait until its store is open; its open error is raised here
        (StoreError, UsageError, QueryError), as one line."""
        command = [sys.executable, "-m", "kg.rdf.workers", "--parent", str(os.getpid())]
        if store_dir is not None:
            command += ["--store", str(store_dir)]
        if graph_file is not None:
            command += ["--graph", str(graph_file)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, bufsize=0, close_fds=True,
                                       start_new_session=False)
        except OSError as exc:
            raise QueryError(f"cannot start a query worker: {exc.strerror or exc}") from None
        worker = cls(process, generation)
        try:
            header, body = worker.reader.read(None if ready_timeout is None else time.monotonic() + ready_timeout)
        except (WorkerDied, WorkerTimedOut, ValueError):
            worker.kill()
            raise QueryError(f"the query worker did not start (exit code {process.returncode})") from None
        except BaseException:
            worker.kill()
            raise
        if not header.get("ready"):
            worker.kill()
            raise _ERRORS.get(header.get("error"), QueryError)(body.decode("utf-8", "replace"))
        return worker

    def request(self, header: dict, deadline: float | None) -> tuple[dict, bytes]:
        """Send one request and wait for its answer (WorkerTimedOut / WorkerDied)."""
        try:
            self.process.stdin.write(encode(header))
        except (BrokenPipeError, OSError):
            raise WorkerDied() from None
        return self.reader.read(deadline)

    def kill(self) -> None:
        """Stop it now (SIGKILL: a query in Rust does not stop for anything milder) and reap it."""
        if self.process.poll() is None:
            try:
                self.process.kill()
            except OSError:
                pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process.wait()

    def describe_death(self) -> str:
        code = self.process.poll()
        if code is None:
            return "the query worker stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the query worker was killed by {name} (out of memory?)"
        return f"the query worker exited with code {code}"


def run_in_worker(text: str, params: dict[str, str] | None = None, *, output: str = "table",
                  store_dir: Path | None = None, graph_file: Path | None = None,
                  timeout: float | None = None, allow_service: bool = False) -> str:
    """`kg query`'s evaluation, in a child process: the formatted result, or a one-line
    error. On timeout or Ctrl-C the child is killed and QueryTimeout / QueryInterrupted is
    raised at once: the query never holds the command hostage."""
    started = time.monotonic()
    deadline = None if not timeout else started + timeout
    worker = None
    try:
        worker = Worker.spawn(store_dir, graph_file, ready_timeout=None)
        request = {"op": "cli", "query": text, "params": params or {}, "output": output,
                   "allow_service": allow_service}
        header, body = worker.request(request, deadline)
    except WorkerTimedOut:
        raise QueryTimeout(f"the query ran longer than the {timeout:g} s timeout (--timeout) and was stopped") from None
    except WorkerDied:
        raise QueryError(worker.describe_death() if worker else "the query worker died") from None
    except KeyboardInterrupt:
        raise QueryInterrupted(f"interrupted after {time.monotonic() - started:.1f} s; the query was stopped") from None
    finally:
        if worker is not None:
            worker.kill()
    if header.get("status") != 200:
        raise _ERRORS.get(header.get("error"), QueryError)(body.decode("utf-8", "replace"))
    return body.decode("utf-8")


# ---------------------------------------------------------------------------
# Child side
# ---------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; exit if it already has."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)


def _reader(stdin, requests: queue.Queue) -> None:
    """Feed requests to the main thread; exit the process when the parent's pipe closes."""
    while True:
        line = stdin.readline()
        if not line:
            os._exit(0)
        try:
            requests.put(json.loads(line))
        except ValueError:
            os._exit(2)


def _error(status: int, error: str, message: str) -> tuple[dict, bytes]:
    return {"status": status, "error": error}, " ".join(message.split()).encode("utf-8")


def handle(store, request: dict, store_label: str) -> tuple[dict, bytes]:
    """Run one request against the open store; never raises."""
    from kg.rdf.results import NotAcceptable, ResultTooLarge, serialize
    from kg.rdf.sparql_guard import check_no_outbound

    text = request.get("query", "")
    try:
        if request.get("op") == "cli":
            from kg.rdf.query import format_results, run_query

            results = run_query(store, text, request.get("params") or {},
                                allow_service=bool(request.get("allow_service")))
            return {"status": 200}, format_results(results, request.get("output", "table")).encode("utf-8")
        import pyoxigraph as ox

        check_no_outbound(text)
        options = {}
        if request.get("default_graph"):
            options["default_graph"] = [ox.NamedNode(iri) for iri in request["default_graph"]]
        if request.get("named_graphs"):
            options["named_graphs"] = [ox.NamedNode(iri) for iri in request["named_graphs"]]
        try:
            results = store.query(text, **options)
            if isinstance(results, bool):  # older pyoxigraph
                results = ox.QueryBoolean(results)  # pragma: no cover
            out = serialize(results, request.get("accept"), request.get("max_bytes"))
        except SyntaxError as exc:
            return _error(400, "QueryError", f"the query does not parse: {exc}")
        except ValueError as exc:
            return _error(400, "QueryError", f"bad request: {exc}")
        return {"status": 200, "type": out.content_type}, out.body
    except NotAcceptable as exc:
        return _error(406, "QueryError", str(exc))
    except ResultTooLarge:
        limit = request.get("max_bytes") or 0
        return _error(507, "QueryError", f"the result is larger than the server's {limit / 2**20:g} MiB limit; "
                      "add a LIMIT or narrow the query")
    except KgError as exc:
        return _error(400 if isinstance(exc, (QueryError, UsageError)) else 500, type(exc).__name__, str(exc))
    except (OSError, RuntimeError) as exc:
        if is_store_failure(exc):
            return _error(500, "StoreError", str(store_failure(store_label, exc)))
        return _error(400, "QueryError", f"query failed: {exc}")
    except MemoryError:
        return _error(507, "QueryError", "the query needs more memory than the worker has")
    except Exception as exc:  # a bug: the worker must still answer
        return _error(500, "QueryError", f"internal error: {type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.rdf.workers", description="a kg query worker (internal)")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--graph", type=Path)
    args = parser.parse_args(argv)
    _die_with_parent(args.parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; Ctrl-C reaches the whole group
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # nothing else may write into the protocol pipe
    stdin = sys.stdin.buffer

    from kg.rdf.stores import open_for_query, open_read_only

    try:
        store = open_read_only(args.store) if args.graph is None else open_for_query(args.graph, args.store)
    except KgError as exc:
        out.write(encode({"ready": False, "error": type(exc).__name__}, str(exc).encode("utf-8")))
        return 1
    out.write(encode({"ready": True}))
    requests: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(stdin, requests), daemon=True).start()
    label = str(args.store or args.graph)
    while True:
        request = requests.get()
        header, body = handle(store, request, label)
        out.write(encode(header, body))


if __name__ == "__main__":
    sys.exit(main())
