"""`kg serve`: the built store over the SPARQL 1.1 Protocol, read-only, on 127.0.0.1.

The server is Oxigraph's own (`oxigraph serve-read-only`, from the `oxigraph` package on
PyPI, `pip install 'kg[serve]'`), run as a subprocess: endpoints /query (GET or POST,
results as JSON, XML, CSV or TSV by Accept header), /update and /store refuse writes.

Its `--timeout-s` is cooperative: it cancels a query that streams results, but not one
stuck in a blocking operator (ORDER BY or GROUP BY over a huge join), and once streaming
has begun a cancelled answer is a truncated 200. So by default a small guard sits in front
of it: a Python proxy that forwards each request and, when no response arrives within the
timeout (plus a grace period), answers 503 and restarts the Oxigraph process, which is
the only way to stop the runaway query (in-flight requests fail with 502). `guard=False`
exposes Oxigraph directly.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import ServeError, UsageError

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
GRACE = 2.0  # seconds the guard waits beyond the Oxigraph timeout
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
               "trailers", "transfer-encoding", "upgrade", "content-length"}


def oxigraph_binary() -> Path:
    """The `oxigraph` executable: beside this Python's executable, else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = beside if beside.is_file() else (shutil.which("oxigraph") and Path(shutil.which("oxigraph")))
    if not found:
        raise UsageError("kg serve needs the Oxigraph server: pip install 'kg[serve]' (the `oxigraph` package)")
    return Path(found)


def version_warning(binary: Path) -> str | None:
    """A warning when the server's version differs (major.minor) from pyoxigraph's, which
    wrote the store: their on-disk formats may not match."""
    import pyoxigraph

    try:
        output = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    server = output.split()[-1] if output.split() else "?"
    if server.split(".")[:2] != pyoxigraph.__version__.split(".")[:2]:
        return f"oxigraph server {server} differs from pyoxigraph {pyoxigraph.__version__}, which wrote the store"
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _check_store(store_dir: Path) -> None:
    if not (Path(store_dir) / "CURRENT").exists():
        raise UsageError(f"no Oxigraph store at {store_dir} (run `kg build` first)")


class Backend:
    """One `oxigraph serve-read-only` process on 127.0.0.1, restartable."""

    def __init__(self, store_dir: Path, host: str, port: int, timeout: float | None):
        self.store_dir, self.host, self.port, self.timeout = Path(store_dir), host, port, timeout
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, wait: float = 30.0) -> None:
        command = [str(oxigraph_binary()), "serve-read-only", "--location", str(self.store_dir),
                   "--bind", f"{self.host}:{self.port}"]
        if self.timeout:
            command += ["--timeout-s", str(max(1, round(self.timeout)))]
        log = tempfile.TemporaryFile()  # not a pipe: nobody drains it while serving
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + wait
        probe = f"{self.url}/query?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log.seek(0)
                message = log.read()[-2000:].decode("utf-8", "replace").strip()
                log.close()
                raise ServeError(f"oxigraph exited with code {self.process.returncode}: {message}")
            try:
                with urllib.request.urlopen(probe, timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ServeError(f"oxigraph did not answer on {self.url} within {wait:.0f} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


class _Guard(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, backend: Backend, deadline: float):
        super().__init__(address, _Forward)
        self.backend, self.deadline = backend, deadline
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.ready.set()
        self.generation = 0

    def overrun(self, generation: int) -> None:
        """Restart the backend (once per overrun, whichever request notices first)."""
        with self.lock:
            if generation != self.generation:
                return
            self.ready.clear()
            try:
                self.backend.restart()
            finally:
                self.generation += 1
                self.ready.set()


class _Forward(BaseHTTPRequestHandler):
    server: _Guard
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._forward()

    def do_POST(self) -> None:  # noqa: N802
        self._forward()

    def do_HEAD(self) -> None:  # noqa: N802
        self._forward()

    def do_PUT(self) -> None:  # noqa: N802
        self._forward()

    def do_DELETE(self) -> None:  # noqa: N802
        self._forward()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # quiet: the endpoint is for local use

    def _forward(self) -> None:
        guard = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP and k.lower() != "host"}
        guard.ready.wait()
        generation = guard.generation
        backend = guard.backend
        conn = http.client.HTTPConnection(backend.host, backend.port, timeout=guard.deadline)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.end_headers()
            while chunk := response.read1(65536):
                self.wfile.write(chunk)
        except TimeoutError:
            guard.overrun(generation)
            self._fail(503, f"the query ran longer than the {guard.deadline - GRACE:g} s timeout and was stopped")
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            self._fail(502, f"the SPARQL server is not available ({exc}); try again")
        finally:
            conn.close()

    def _fail(self, status: int, message: str) -> None:
        try:
            data = (message + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the response had begun or the client left: just close


@dataclass
class Endpoint:
    """A running read-only SPARQL endpoint; `url` is the query URL."""

    backend: Backend
    host: str
    port: int
    guard: _Guard | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/query"

    def stop(self) -> None:
        if self.guard is not None:
            self.guard.shutdown()
            self.guard.server_close()
        self.backend.stop()


def start(store_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float | None = DEFAULT_TIMEOUT, guard: bool = True) -> Endpoint:
    """Start serving `store_dir`; port 0 picks a free port. Stop it with `Endpoint.stop()`."""
    _check_store(store_dir)
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be positive")
    if not guard or not timeout:
        backend = Backend(store_dir, host, port or free_port(host), timeout)
        backend.start()
        return Endpoint(backend, host, backend.port)
    backend = Backend(store_dir, "127.0.0.1", free_port(), timeout)
    backend.start()
    try:
        server = _Guard((host, port), backend, deadline=timeout + GRACE)
    except OSError as exc:
        backend.stop()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    thread = threading.Thread(target=server.serve_forever, name="kg-serve-guard", daemon=True)
    thread.start()
    return Endpoint(backend, host, server.server_address[1], server, thread)


@contextmanager
def running(store_dir: Path, **options):
    """`with running(store) as endpoint:` ... the endpoint is stopped on the way out, always."""
    endpoint = start(store_dir, **options)
    try:
        yield endpoint
    finally:
        endpoint.stop()


def serve(store_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float | None = DEFAULT_TIMEOUT, guard: bool = True, out=sys.stderr) -> int:
    """Serve in the foreground until interrupted (Ctrl-C)."""
    warning = version_warning(oxigraph_binary())
    if warning:
        print(f"warning: {warning}", file=out)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: the endpoint is reachable from other machines", file=out)
    def stop(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)  # `kill PID` stops the server as cleanly as Ctrl-C
    with running(store_dir, host=host, port=port, timeout=timeout, guard=guard) as endpoint:
        limit = f"timeout {timeout:g} s" if timeout else "no timeout"
        print(f"SPARQL endpoint {endpoint.url} (read-only, {limit}); Ctrl-C to stop", file=out, flush=True)
        try:
            while True:
                time.sleep(0.5)
                process = endpoint.backend.process
                if process is None or process.poll() is None:
                    continue
                if endpoint.guard is None:
                    raise ServeError(f"oxigraph stopped with code {process.returncode}")
                if endpoint.guard.ready.is_set():  # it died by itself: bring it back
                    endpoint.guard.overrun(endpoint.guard.generation)
        except KeyboardInterrupt:
            print("stopped", file=out)
    return 0


__all__ = ["Endpoint", "ServeError", "oxigraph_binary", "running", "serve", "start"]
