"""kg serve: the store over the SPARQL protocol, read-only, on 127.0.0.1, with a timeout."""

from __future__ import annotations

import csv
import io
import time
import urllib.error

import pytest

from kg.build import BuildOptions, build
from kg.errors import UsageError
from kg.rdf.serve import running

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import CSV, JSON, POST, SPARQLWrapper as Client  # noqa: E402
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed  # noqa: E402

RETROMAE = "https://github.com/staoxiao/RetroMAE"
PREFIXES = "PREFIX kg: <https://w3id.org/kg-papers/ontology#>\nPREFIX schema: <https://schema.org/>\n"
CODE_QUERY = PREFIXES + "SELECT ?url WHERE { ?r a kg:Repository ; schema:codeRepository ?url } ORDER BY ?url"
# A blocking query (a count over a cross product, constant memory): Oxigraph's own timeout does not stop it.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c . ?x ?y ?z }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    build(BuildOptions(out_dir=out, html=False, created="2024-01-01"))
    return out / "store"


@pytest.fixture(scope="module")
def endpoint(store):
    with running(store, host="127.0.0.1", port=0, timeout=2) as endpoint:
        pids = endpoint.pool.pids()
        yield endpoint
    assert pids and not endpoint.pool.pids()  # every worker stopped on the way out


def client(url: str, query: str, fmt: str) -> Client:
    sparql = Client(url)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def test_bound_to_loopback(endpoint):
    assert endpoint.url.startswith("http://127.0.0.1:")
    assert endpoint.server.server_address[0] == "127.0.0.1"


def test_json_results(endpoint):
    result = client(endpoint.url, CODE_QUERY, JSON).query().convert()
    assert result["head"]["vars"] == ["url"]
    urls = [b["url"]["value"] for b in result["results"]["bindings"]]
    assert RETROMAE in urls and all(b["url"]["type"] == "uri" for b in result["results"]["bindings"])


def test_csv_results(endpoint):
    body = client(endpoint.url, CODE_QUERY, CSV).query().convert().decode("utf-8")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == ["url"] and [RETROMAE] in table[1:]


def update(url: str) -> None:
    sparql = Client(url)
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }")
    sparql.query()


def test_update_is_refused(endpoint):
    with pytest.raises(urllib.error.HTTPError) as error:
        update(endpoint.base + "/update")
    assert error.value.code == 403  # "The server is read-only"
    with pytest.raises(QueryBadFormed):  # 400: /query takes no update
        update(endpoint.url)
    count = client(endpoint.url, "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/a> ?p ?o }", JSON)
    assert count.query().convert()["results"]["bindings"][0]["n"]["value"] == "0"


def test_runaway_query_is_stopped_and_the_endpoint_recovers(endpoint):
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as error:
        client(endpoint.url, RUNAWAY, JSON).query()
    assert error.value.code == 503
    assert time.monotonic() - started < 15
    result = client(endpoint.url, CODE_QUERY, JSON).query().convert()  # restarted, answering again
    assert result["results"]["bindings"]


def test_missing_store(tmp_path):
    with pytest.raises(UsageError, match="kg build"):
        with running(tmp_path, port=0):
            pass


def test_verbose_logs_one_escaped_line_per_request(store):
    import io
    import urllib.error
    import urllib.request

    log = io.StringIO()
    with running(store, host="127.0.0.1", port=0, timeout=5, workers=1, log=log) as endpoint:
        with urllib.request.urlopen(endpoint.url + "?query=ASK%7B%7D", timeout=30) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError):  # a request line cannot forge a log line
            urllib.request.urlopen(endpoint.base + "/nothing%0Aforged", timeout=30)
    lines = log.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("127.0.0.1 \"GET /query?query=ASK%7B%7D HTTP/1.1\" 200 ")
    assert lines[0].endswith(" ms") and " 404 " in lines[1]
