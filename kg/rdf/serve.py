"""`kg serve`: the built store over the SPARQL 1.1 Protocol, read-only, on 127.0.0.1.

    GET  /query?query=...                     POST /query (form: query=..., or application/sparql-query)
    default-graph-uri / named-graph-uri       graphs of the store (never fetched)
    Accept: JSON, XML, CSV, TSV (SELECT/ASK); N-Triples, Turtle, RDF/XML (CONSTRUCT/DESCRIBE)
    /update, /store                           403: the endpoint is read-only

How one bad request cannot hurt the others:

* Each query runs in a worker process of a pool (kg.rdf.pool, kg.rdf.workers) that has the
  store open read-only. A query past `timeout` is answered 503 and its worker alone is
  killed and replaced; other queries keep their workers.
* A result is complete before a byte is sent: serialized in the worker up to a cap (507
  beyond it), so a failing or stopped query is an error status, never a truncated 200,
  and a client that reads slowly holds a thread, never a worker.
* Each connection has its own thread, a socket timeout, and a deadline for sending its
  request (slowloris); connections beyond a cap get 503 at once.
* SERVICE clauses, which would make the server fetch from other hosts, are refused (400);
  the Host header must name the loopback address when the server is bound to it (a web
  page cannot reach the endpoint through DNS rebinding); bad or oversized bodies get
  400/411/413.
* There is no backend port: workers talk over pipes and die with the server, even when
  it is SIGKILLed.
"""

from __future__ import annotations

import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import QueryError, ServeError, UsageError
from kg.rdf.pool import Answer, Pool
from kg.rdf.sparql_guard import check_no_outbound

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20  # bytes of a POSTed query
MAX_RESULT = 64 << 20  # bytes of a serialized result
MAX_CONNECTIONS = 64
SOCKET_TIMEOUT = 10.0  # seconds a connection may stall on one read or write
REQUEST_DEADLINE = 20.0  # seconds to send the whole request (line, headers and body)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::([0-9]{1,5}))?$")


def host_allowed(value: str | None, bound_to_loopback: bool) -> bool:
    """Whether a Host header may reach this server (defence against DNS rebinding: a page of
    evil.example whose name resolves to 127.0.0.1 still sends `Host: evil.example`).

    >>> host_allowed("localhost:7878", True), host_allowed("[::1]", True), host_allowed("evil.example:7878", True)
    (True, True, False)
    >>> host_allowed(None, True), host_allowed("anything", False)
    (True, True)
    """
    if not bound_to_loopback or value is None:
        return True  # HTTP/1.0 clients may send none; a browser always does
    match = _HOST.match(value.strip())
    return bool(match) and match.group(1).lower() in _LOOPBACK_NAMES


def content_length(values: list[str]) -> int | None:
    """The request body's length from its Content-Length headers; ValueError when malformed.

    >>> content_length([]), content_length(["12"]), content_length(["12", "12"])
    (None, 12, 12)
    >>> content_length(["-1"])
    Traceback (most recent call last):
    ValueError: malformed Content-Length: '-1'
    """
    distinct = {v.strip() for v in values}
    if not distinct:
        return None
    if len(distinct) > 1:
        raise ValueError("conflicting Content-Length headers")
    value = distinct.pop()
    if not value.isdigit() or len(value) > 18:
        raise ValueError(f"malformed Content-Length: {value!r}")
    return int(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, pool: Pool, loopback: bool, log=None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.pool, self.loopback = pool, loopback
        self.log = log  # a text stream for one access line per request (`kg serve --verbose`), or None
        self.log_lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Connection: close\r\n\r\ntoo many connections; try again\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing to hold open
    timeout = SOCKET_TIMEOUT
    server_version = "kg-sparql"

    def setup(self) -> None:
        super().setup()
        self._started = time.monotonic()
        self._received = False
        self._timer = threading.Timer(REQUEST_DEADLINE, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def finish(self) -> None:
        self._timer.cancel()
        try:
            super().finish()
        except OSError:
            pass

    def _expire(self) -> None:
        """A client still sending its request after the deadline is cut off (slowloris)."""
        if not self._received:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # quiet: the endpoint is for local use

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _refuse(self) -> None:
        self._received = True
        self._send(Answer.text(405, f"{self.command} is not supported: use GET or POST /query"), {"Allow": "GET, POST"})

    do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _handle(self) -> None:
        try:
            answer = self._answer()
        except (TimeoutError, ConnectionError, OSError):
            return  # the client stalled or left
        self._send(answer)

    def _answer(self) -> Answer:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or not host_allowed(hosts[0] if hosts else None, self.server.loopback):
            self._received = True
            return Answer.text(403, "this endpoint answers only requests addressed to 127.0.0.1, localhost or [::1]")
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        try:
            body = self._body()
        except ValueError as exc:
            return Answer.text(400, str(exc))
        except _Status as exc:
            return exc.answer
        self._received = True
        if url.path in ("/update", "/store") or url.path.startswith("/store/"):
            return Answer.text(403, "the endpoint is read-only: no updates, no graph store writes")
        if url.path == "/":
            return Answer.text(200, "kg SPARQL endpoint (read-only): GET or POST /query with query=...")
        if url.path != "/query":
            return Answer.text(404, f"no such resource {url.path}; the SPARQL endpoint is /query")
        if self.command == "POST":
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind == "application/x-www-form-urlencoded":
                try:
                    form = body.decode("utf-8")
                except UnicodeDecodeError:
                    return Answer.text(400, "the form body is not UTF-8")
                for key, values in urllib.parse.parse_qs(form, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif kind == "application/sparql-query":
                try:
                    params.setdefault("query", []).append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    return Answer.text(400, "the query is not UTF-8")
            elif kind == "application/sparql-update":
                return Answer.text(400, "/query takes no update (and the endpoint is read-only)")
            else:
                return Answer.text(415, "POST /query takes application/x-www-form-urlencoded or application/sparql-query")
        if "update" in params:
            return Answer.text(400, "/query takes no update (and the endpoint is read-only)")
        queries = params.get("query", [])
        if len(queries) != 1:
            return Answer.text(400, "give exactly one query parameter (query=...)")
        try:
            check_no_outbound(queries[0], hint="; this server never runs them")
        except QueryError as exc:
            return Answer.text(400, str(exc))
        return self.server.pool.execute({
            "query": queries[0], "accept": self.headers.get("Accept"),
            "default_graph": params.get("default-graph-uri", []), "named_graphs": params.get("named-graph-uri", []),
        })

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _Status(Answer.text(411, "chunked request bodies are not accepted: send a Content-Length"))
        length = content_length(self.headers.get_all("Content-Length") or [])
        if not length:
            return b""
        if length > MAX_BODY:
            raise _Status(Answer.text(413, f"the request body is larger than {MAX_BODY // 1024} KiB"))
        body = self.rfile.read(length)
        if len(body) < length:
            raise ValueError("the request body is shorter than its Content-Length")
        return body

    def _send(self, answer: Answer, extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            if answer.store_built:
                self.send_header("X-KG-Store-Built", answer.store_built)
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
        except OSError:
            pass  # the client left or stopped reading: its thread ends, nobody else waits
        self._log(answer)

    def _log(self, answer: Answer) -> None:
        """One access line (client, request, status, size, time); the request line is the
        client's text, so it is escaped and cut: it cannot forge log lines."""
        log = self.server.log
        if log is None:
            return
        from kg.errors import printable

        request = printable(getattr(self, "requestline", "") or "-")
        if len(request) > 200:
            request = request[:200] + "…"
        line = (f"{self.client_address[0]} \"{request}\" {answer.status} {len(answer.body)} "
                f"{(time.monotonic() - self._started) * 1000:.0f} ms")
        with self.server.log_lock:
            print(line, file=log, flush=True)


class _Status(Exception):
    def __init__(self, answer: Answer):
        super().__init__(answer.status)
        self.answer = answer


@dataclass
class Endpoint:
    """A running read-only SPARQL endpoint; `url` is the query URL."""

    pool: Pool
    server: _Server
    host: str
    port: int
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/query"

    def stop(self) -> None:
        """Stop accepting, then kill every worker."""
        self.server.shutdown()
        self.server.server_close()
        self.pool.close()


def start(store_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float | None = DEFAULT_TIMEOUT, workers: int | None = None,
          max_result_bytes: int | None = MAX_RESULT, log=None) -> Endpoint:
    """Start serving `store_dir`; port 0 picks a free port. Stop it with `Endpoint.stop()`.
    With `log` (a text stream), each request is logged there in one line."""
    store_dir = Path(store_dir)
    if not (store_dir / "CURRENT").exists():
        raise UsageError(f"no Oxigraph store at {store_dir} (run `kg build` first)")
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be 0 to 65535, not {port}")
    if timeout is not None and not timeout > 0:  # NaN too
        raise UsageError("--timeout must be positive")
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    pool = Pool(store_dir, size=workers, timeout=timeout, max_result_bytes=max_result_bytes)
    pool.start()
    try:
        server = _Server((host, port), pool, loopback=host in LOOPBACK, log=log)
    except OSError as exc:
        pool.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    thread = threading.Thread(target=server.serve_forever, name="kg-serve", daemon=True)
    thread.start()
    return Endpoint(pool, server, host, server.server_address[1], thread)


@contextmanager
def running(store_dir: Path, **options):
    """`with running(store) as endpoint:` ... the endpoint is stopped on the way out, always."""
    endpoint = start(store_dir, **options)
    try:
        yield endpoint
    finally:
        endpoint.stop()


def serve(store_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          timeout: float | None = DEFAULT_TIMEOUT, workers: int | None = None, out=sys.stderr,
          quiet: bool = False, log_requests: bool = False) -> int:
    """Serve in the foreground until interrupted (Ctrl-C or SIGTERM). `quiet` leaves out the
    start and stop lines (warnings stay); `log_requests` writes an access line per request."""
    if host not in LOOPBACK:
        print(f"warning: serving on {host}: the endpoint is reachable from other machines", file=out)

    def stop(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)  # `kill PID` stops the server as cleanly as Ctrl-C
    with running(store_dir, host=host, port=port, timeout=timeout, workers=workers,
                 log=out if log_requests else None) as endpoint:
        limit = f"timeout {timeout:g} s" if timeout else "no timeout"
        if not quiet:
            print(f"SPARQL endpoint {endpoint.url} (read-only, {limit}, {endpoint.pool.size} workers); Ctrl-C to stop",
                  file=out, flush=True)
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            if not quiet:
                print("stopped", file=out)
    return 0


__all__ = ["Endpoint", "ServeError", "content_length", "host_allowed", "running", "serve", "start"]
