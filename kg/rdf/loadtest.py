"""Load-test `kg serve` on loopback: N concurrent clients for a bounded time, without and
then with one concurrent runaway (cartesian) query.

    python -m kg.rdf.loadtest [--papers 2000] [--clients 20] [--seconds 5] [--timeout 2] [--workers N]

The store is generated like kg.rdf.bench's (kg's own exporter over synthetic records), so
its size is set by --papers. Each phase reports throughput, p50/p99 latency and error
counts of the innocent requests; the second phase also reports what the heavy query got.
What should hold, and makes the exit code 1 when it does not: innocent requests have no
errors in either phase, and the heavy query gets the timeout status (503), never a 200
or a dropped connection.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

PREFIXES = ("PREFIX kg: <https://w3id.org/kg-papers/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX schema: <https://schema.org/>\n")
INNOCENT = [
    PREFIXES + 'SELECT ?p WHERE { ?p dcterms:title "Synthetic paper 000042: a study" }',
    PREFIXES + "SELECT ?m ?label WHERE { ?m a kg:Method ; skos:prefLabel ?label } LIMIT 20",
    PREFIXES + "ASK { ?r a kg:Repository }",
    PREFIXES + 'SELECT ?p ?t WHERE { ?p kg:usesDataset ?d . ?d skos:prefLabel "Synthetic Dataset 3" . '
               "?p dcterms:title ?t } LIMIT 10",
]
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int | str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values).

    >>> percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 99)
    (2, 4)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def fetch(port: int, query: str, timeout: float) -> tuple[int | str, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        status: int | str = response.status
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
    finally:
        conn.close()
    return status, time.perf_counter() - started


def phase(port: int, clients: int, seconds: float, heavy: bool, client_timeout: float) -> tuple[Tally, Tally, float]:
    innocent, runaway = Tally(), Tally()
    end = time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < end:
            status, took = fetch(port, INNOCENT[i % len(INNOCENT)], client_timeout)
            innocent.add(took, status)
            i += 1

    def heavy_client() -> None:
        while time.monotonic() < end:
            status, took = fetch(port, HEAVY, client_timeout)
            runaway.add(took, status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    if heavy:
        threads.insert(0, threading.Thread(target=heavy_client))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return innocent, runaway, time.monotonic() - started


def make_store(folder: Path, papers: int) -> int:
    from kg.rdf.bench import write_graph

    nt = folder / "graph.nt"
    triples = write_graph(nt, papers)
    store = ox.Store(str(folder / "store"))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store
    return triples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.rdf.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=2000, help="size of the generated store (default 2000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent innocent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase (default 5)")
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's query timeout (default 2)")
    parser.add_argument("--workers", type=int, help="query workers (default: kg serve's)")
    parser.add_argument("--out", type=Path, help="keep the store here (default: a temporary folder)")
    args = parser.parse_args(argv)
    from kg.rdf.serve import running

    folder = args.out or Path(tempfile.mkdtemp(prefix="kg-loadtest-"))
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "store", ignore_errors=True)
    try:
        started = time.perf_counter()
        triples = make_store(folder, args.papers)
        print(f"store: {args.papers} papers, {triples} triples ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        client_timeout = args.timeout * 3 + 10
        ok = True
        with running(folder / "store", port=0, timeout=args.timeout, workers=args.workers) as endpoint:
            print(f"endpoint {endpoint.url}: {endpoint.pool.size} workers, timeout {args.timeout:g} s, "
                  f"{args.clients} clients, {args.seconds:g} s a phase\n")
            print(f"{'phase':28} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  heavy query")
            for heavy in (False, True):
                innocent, runaway, took = phase(endpoint.port, args.clients, args.seconds, heavy, client_timeout)
                label = "with one cartesian query" if heavy else "innocent only"
                heavy_text = ", ".join(f"{n}× {s}" for s, n in sorted(runaway.statuses.items(), key=str)) if heavy else "-"
                print(f"{label:28} {len(innocent.latencies):>8} {len(innocent.latencies) / took:>7.0f} "
                      f"{percentile(innocent.latencies, 50) * 1000:>7.1f} {percentile(innocent.latencies, 99) * 1000:>7.1f} "
                      f"{innocent.errors:>6}  {heavy_text}")
                if innocent.errors:
                    print(f"  innocent errors: {dict(innocent.statuses)}")
                    ok = False
                if heavy and (not runaway.statuses or set(runaway.statuses) != {503}):
                    print(f"  the heavy query should get 503 every time, got {dict(runaway.statuses)}")
                    ok = False
            print(f"\nqueries stopped at the timeout: {endpoint.pool.stopped_queries}")
        print("ok: innocent requests had no errors; the heavy query got 503" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if args.out is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
