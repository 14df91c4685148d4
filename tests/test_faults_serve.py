"""Issue 12, "nothing lost, nothing crashes": the fault catalogue of `kg serve` and `kg query`.

Each case names the fault and the expected answer (status and message, or exit code and
one-line error):

 8  SERVICE (and codepoint-escaped, glued forms)  kg query exit 4 "refused: ... SERVICE", no request leaves;
                                                  --allow-service lets it through; server 400, no request
    FROM <http://...>                             runs, nothing fetched
 9  a query past --timeout                        503 text body, only its worker replaced; 20 concurrent
                                                  innocent requests all 200
    a result past the cap                         507 text body, never a truncated 200
    Host: evil.example (DNS rebinding)            403;  Host localhost/127.0.0.1/[::1] → 200
    Content-Length malformed / conflicting / huge 400 / 400 / 413;  chunked body → 411
    slowloris (idle or byte-by-byte client)       others answered at once; the slow one cut at the deadline
    a client that never reads its answer          others answered; no worker held
    SIGTERM / SIGKILL of kg serve                 no worker process left
    a rebuild replacing OUT/store                 the next request sees the new store (X-KG-Store-Built)
    workers                                       no socket of any kind: no backend port
10  kg query --timeout 1 on a cartesian COUNT     exit 124 "ran longer than the 1 s timeout", promptly
    Ctrl-C (SIGINT) / SIGTERM on kg query         exit 130 "interrupted", promptly, no worker left
 7  .rq not UTF-8 / binary / missing / a folder   exit 3 file:line / exit 3 / exit 2 / exit 2
    a damaged store (truncated SSTs)              exit 4 "cannot be read ...; rebuild it with `kg build`"
                                                  (kg query and kg serve), no traceback
    no store and no graph                         exit 2 "run `kg build` first"
    a bad .rq among the named queries             --list skips it with a warning
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.rdf import serve as serve_module
from kg.rdf.serve import running
from kg.rdf.sparql_guard import outbound_operations

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 1000³ rows: minutes
LIGHT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
KG = [sys.executable, "-m", "kg.cli"]


def make_store(path: Path, triples: int = 1000, tag: str = "a") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(path))
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/{tag}/{i}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(f"value {i}")) for i in range(triples))
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    make_store(folder / "store")
    return folder


@pytest.fixture(scope="module")
def endpoint(out):
    with running(out / "store", port=0, timeout=1.5, workers=3) as endpoint:
        yield endpoint


class Recorder:
    """A loopback HTTP server that records every request: what SERVICE would reach."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    r = Recorder()
    yield r
    r.close()


def kg(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def request(endpoint, query: str | None = None, *, method: str = "GET", headers: dict | None = None,
            body: bytes | None = None, path: str = "/query", timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=timeout)
    if query is not None and method == "GET":
        path += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw(endpoint, data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def wait_gone(pids, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def worker_pids(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"kg.rdf.workers" in cmd and str(parent).encode() in cmd:
                found.append(int(entry))
    return found


# ---------------------------------------------------------------------------
# 8: SERVICE and other outbound fetches
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("query,refused", [
    ("SELECT * { SERVICE <http://h/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://h/> { ?s ?p ?o } }", True),
    ("SELECT * { SERVICESILENT<http://h/>{ ?s ?p ?o } }", True),  # Oxigraph needs no space
    ("PREFIX ex: <http://h/> SELECT * { SERVICEex:x { ?s ?p ?o } }", True),
    ("SELECT * { \\u0053ERVICE <http://h/> { ?s ?p ?o } }", True),  # SPARQL codepoint escape
    ('SELECT * { ?s ?p "\\u0022" SERVICE <http://h/> {} "}', True),  # hidden by a view of the escapes
    ("LOAD <http://h/data.ttl>", True),
    ('SELECT ?service { ?service <http://h/SERVICE> "SERVICE" } # SERVICE <http://h/>', False),
    ("SELECT * FROM <http://h/g> { ?s ?p ?o }", False),
])
def test_outbound_operations(query, refused):
    assert bool(outbound_operations(query)) is refused


def test_kg_query_refuses_service_and_sends_nothing(out, tmp_path, recorder):
    rq = tmp_path / "service.rq"
    rq.write_text(f"SELECT * {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}\n")
    result = kg("query", str(rq), "--out", str(out))
    assert result.returncode == 4
    assert one_line_error(result).startswith("kg: error: refused: the query uses SERVICE")
    assert "--allow-service" in result.stderr
    assert recorder.hits == []
    allowed = kg("query", str(rq), "--out", str(out), "--allow-service")
    assert allowed.returncode == 0, allowed.stderr
    assert recorder.hits  # the refusal, not chance, is what kept the request in


def test_from_is_not_fetched(out, tmp_path, recorder):
    rq = tmp_path / "from.rq"
    rq.write_text(f"SELECT (COUNT(*) AS ?n) FROM <{recorder.url}> FROM NAMED <{recorder.url}/2> {{ ?s ?p ?o }}\n")
    result = kg("query", str(rq), "--out", str(out), "--format", "csv")
    assert result.returncode == 0 and result.stdout.splitlines() == ["n", "0"]
    assert recorder.hits == []


def test_server_refuses_service(endpoint, recorder):
    query = f"SELECT * {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    for method in ("GET", "POST"):
        status, headers, body = request(endpoint, query, method=method)
        assert status == 400 and headers["Content-Type"].startswith("text/plain")
        assert b"refused: the query uses SERVICE" in body
    status, _, _ = request(endpoint, method="POST", body=query.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 400
    assert recorder.hits == []


# ---------------------------------------------------------------------------
# 9: isolation, timeouts, complete answers, HTTP hygiene, processes, rebuilds
# ---------------------------------------------------------------------------


def test_protocol_basics(endpoint):
    status, headers, body = request(endpoint, LIGHT)
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "1000"
    assert int(headers["Content-Length"]) == len(body) and headers["X-KG-Store-Built"]
    status, headers, body = request(endpoint, LIGHT, headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert body.decode().splitlines() == ["?n", "1000"]
    status, headers, _ = request(endpoint, LIGHT, method="POST", headers={"Accept": "application/sparql-results+xml"})
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    status, headers, body = request(endpoint, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
                                    headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.decode().strip().splitlines()) == 3
    assert request(endpoint, LIGHT, headers={"Accept": "image/png"})[0] == 406
    assert request(endpoint, "SELEC nothing")[0] == 400
    assert request(endpoint, LIGHT, method="PUT")[0] == 405
    assert request(endpoint, LIGHT, path="/sparql")[0] == 404
    assert request(endpoint, method="POST", path="/update", body=b"update=CLEAR+ALL",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 403


def test_timeout_stops_only_its_query(endpoint):
    before = set(endpoint.pool.pids())
    with ThreadPoolExecutor(max_workers=21) as pool:
        heavy = pool.submit(request, endpoint, CARTESIAN)
        time.sleep(0.2)
        innocents = [pool.submit(request, endpoint, LIGHT) for _ in range(20)]
        statuses = [f.result()[0] for f in innocents]
        status, headers, body = heavy.result()
    assert statuses == [200] * 20
    assert status == 503 and headers["Content-Type"].startswith("text/plain")
    assert b"longer than the 1.5 s timeout" in body
    deadline = time.monotonic() + 10
    while len(endpoint.pool.pids()) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = set(endpoint.pool.pids())
    assert len(before - after) == 1 and len(after) == 3  # one worker replaced, the others untouched
    assert request(endpoint, LIGHT)[0] == 200


def test_too_large_result_is_an_error_not_a_truncated_200(out):
    with running(out / "store", port=0, timeout=5, workers=1, max_result_bytes=2000) as endpoint:
        status, headers, body = request(endpoint, "SELECT * { ?s ?p ?o }")
        assert status == 507 and b"LIMIT" in body and headers["Content-Type"].startswith("text/plain")
        assert request(endpoint, "SELECT * { ?s ?p ?o } LIMIT 2")[0] == 200


@pytest.mark.parametrize("host,status", [("evil.example", 403), ("evil.example:7878", 403), ("127.0.0.1.nip.io", 403),
                                         ("localhost", 200), ("127.0.0.1:7878", 200), ("[::1]:7878", 200)])
def test_host_header(endpoint, host, status):
    assert request(endpoint, LIGHT, headers={"Host": host})[0] == status


@pytest.mark.parametrize("headers,status", [
    (b"Content-Length: abc\r\n", 400),
    (b"Content-Length: -5\r\n", 400),
    (b"Content-Length: 5\r\nContent-Length: 6\r\n", 400),
    (b"Content-Length: 99999999999\r\n", 413),
    (b"Transfer-Encoding: chunked\r\n", 411),
])
def test_bad_request_bodies(endpoint, headers, status):
    answer = raw(endpoint, b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                 + headers + b"\r\n")
    assert answer.startswith(f"HTTP/1.0 {status} ".encode()), answer[:80]


def test_slow_clients_do_not_hurt_others(endpoint, monkeypatch):
    monkeypatch.setattr(serve_module, "REQUEST_DEADLINE", 1.5)
    idle = [socket.create_connection(("127.0.0.1", endpoint.port)) for _ in range(5)]
    trickle = socket.create_connection(("127.0.0.1", endpoint.port))
    trickle.sendall(b"GET /query?query=ASK")  # ... and never the rest
    # a client that asks for a large answer and never reads it
    greedy = socket.create_connection(("127.0.0.1", endpoint.port))
    greedy.sendall(b"GET /query?" + urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o }"}).encode()
                   + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")
    try:
        started = time.monotonic()
        assert [request(endpoint, LIGHT, timeout=5)[0] for _ in range(5)] == [200] * 5
        assert time.monotonic() - started < 3
        trickle.settimeout(5)
        assert trickle.recv(100) == b""  # cut off at the deadline
    finally:
        for sock in [*idle, trickle, greedy]:
            sock.close()


def test_workers_have_no_sockets(endpoint):
    for pid in endpoint.pool.pids():
        targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        assert not [t for t in targets if t.startswith("socket:")], targets


def start_server(out: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([*KG, "serve", "--out", str(out), "--port", "0", "--timeout", "30", *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    assert "SPARQL endpoint" in line, line
    deadline = time.monotonic() + 10
    while len(worker_pids(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return process, int(line.split("127.0.0.1:")[1].split("/")[0])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killing_the_server_leaves_no_worker(out, sig):
    process, port = start_server(out, "--workers", "2")
    try:
        workers = worker_pids(process.pid)
        assert len(workers) == 2
        busy = threading.Thread(target=lambda: _swallow(lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                                                        .request("GET", "/query?" + urllib.parse.urlencode({"query": CARTESIAN}))),
                                daemon=True)
        busy.start()
        time.sleep(0.5)  # one worker is now deep in the cartesian query
        process.send_signal(sig)
        process.wait(timeout=15)
        assert wait_gone(workers) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _swallow(fn):
    try:
        fn()
    except OSError:
        pass


def test_rebuild_is_picked_up(tmp_path):
    out = tmp_path / "out"
    builds = tmp_path / "builds"
    make_store(builds / "one", triples=10, tag="one")
    out.mkdir()
    (out / "store").symlink_to(builds / "one")  # as kg build publishes: OUT/store is a link
    with running(out / "store", port=0, timeout=5, workers=2) as endpoint:
        _, headers, body = request(endpoint, LIGHT)
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "10"
        time.sleep(0.02)
        make_store(builds / "two", triples=20, tag="two")
        link = out / "store.new"
        link.symlink_to(builds / "two")
        os.replace(link, out / "store")
        shutil.rmtree(builds / "one")  # the old build is removed, as kg build does
        status, headers2, body = request(endpoint, LIGHT)
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "20"
        assert all(request(endpoint, LIGHT)[0] == 200 for _ in range(4))


# ---------------------------------------------------------------------------
# 10: kg query stops on --timeout and Ctrl-C
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cartesian(tmp_path_factory) -> Path:
    rq = tmp_path_factory.mktemp("rq") / "cartesian.rq"
    rq.write_text(CARTESIAN + "\n")
    return rq


def test_kg_query_timeout(out, cartesian):
    started = time.monotonic()
    result = kg("query", str(cartesian), "--out", str(out), "--timeout", "1")
    assert result.returncode == 124
    assert one_line_error(result) == "kg: error: the query ran longer than the 1 s timeout (--timeout) and was stopped"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_kg_query_stops_on_a_signal(out, cartesian, sig):
    process = subprocess.Popen([*KG, "query", str(cartesian), "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not worker_pids(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = worker_pids(process.pid)
    assert workers
    time.sleep(0.5)  # the worker is in the query
    started = time.monotonic()
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=10)
    assert time.monotonic() - started < 3
    assert process.returncode == 130
    assert stderr.strip().startswith("kg: interrupted after") and len(stderr.strip().splitlines()) == 1
    assert wait_gone(workers) == []


# ---------------------------------------------------------------------------
# 7: environment errors are one line and an exit code
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("content,code,message", [
    (b"SELECT * { ?s ?p \"caf\xe9\" }\n", 3, ":1: not UTF-8 text (byte 21: 0xe9)"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", 3, ": binary file, not a SPARQL query"),
])
def test_bad_query_files(out, tmp_path, content, code, message):
    rq = tmp_path / "bad.rq"
    rq.write_bytes(content)
    result = kg("query", str(rq), "--out", str(out))
    assert result.returncode == code and one_line_error(result).endswith(message)


def test_missing_query_file_and_folder(out, tmp_path):
    result = kg("query", str(tmp_path / "missing.rq"), "--out", str(out))
    assert result.returncode == 2 and one_line_error(result).startswith("kg: error: no such query file")
    (tmp_path / "folder.rq").mkdir()
    result = kg("query", str(tmp_path / "folder.rq"), "--out", str(out))
    assert result.returncode == 2 and "is a folder" in one_line_error(result)


def test_damaged_store(tmp_path, cartesian):
    out = tmp_path / "out"
    make_store(out / "store")
    for sst in (out / "store").glob("*.sst"):
        with open(sst, "r+b") as f:
            f.truncate(100)
    result = kg("query", str(cartesian), "--out", str(out))
    assert result.returncode == 4
    line = one_line_error(result)
    assert "cannot be read (Corruption" in line and line.endswith("rebuild it with `kg build`")
    result = kg("serve", "--out", str(out), "--port", "0")
    assert result.returncode == 4 and one_line_error(result).endswith("rebuild it with `kg build`")


def test_store_without_current_file(tmp_path, cartesian):
    out = tmp_path / "out"
    make_store(out / "store")
    (out / "store" / "CURRENT").unlink()
    result = kg("query", str(cartesian), "--out", str(out))
    assert result.returncode == 4 and "not a complete Oxigraph store" in one_line_error(result)


def test_no_store_no_graph(tmp_path, cartesian):
    result = kg("query", str(cartesian), "--out", str(tmp_path / "none"))
    assert result.returncode == 2 and one_line_error(result).endswith("(run `kg build` first)")
    result = kg("serve", "--out", str(tmp_path / "none"), "--port", "0")
    assert result.returncode == 2 and one_line_error(result).endswith("(run `kg build` first)")


def test_list_skips_a_bad_named_query(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "broken.rq").write_bytes(b"# caf\xe9\nSELECT * {}\n")
    result = kg("query", "--list", cwd=tmp_path)
    assert result.returncode == 0 and "most-used-datasets" in result.stdout and "broken" not in result.stdout
    assert "warning: skipped" in result.stderr and "broken.rq:1: not UTF-8" in result.stderr
