"""Time the named queries on a large synthetic graph: Oxigraph on disk (the store kg builds,
opened read-only as `kg query` does), Oxigraph in memory, and a plain in-memory rdflib Graph.

    python -m kg.rdf.bench [--papers 100000] [--timeout 60] [--queries a,b] [--out DIR]

The graph is made by kg's own GraphBuilder and exporter from hand-made records (Zipf-
distributed methods, datasets, metrics and tasks, some acronyms, code links for a quarter
of the papers), so it has exactly the export's shape (~58 triples a paper). Each query runs
in a forked child process, so a query over its timeout can be stopped (reported as
"> 60 s") and the parent's in-memory graphs are shared copy-on-write, not copied.
Oxigraph: best of 3 runs; rdflib: one run. Parameterised queries get fixed values that
match the synthetic data. Timings on a shared machine are noisy: compare orders of magnitude.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.graph import GraphBuilder
from kg.normalize import concept_key
from kg.rdf.export import graph_triples
from kg.rdf.query import named_queries
from kg.records import REPOSITORY, ConceptType, ExtractedPaper, Field, Mention, Paper, Repository, Role

VOCABULARY = {ConceptType.METHOD: 3000, ConceptType.DATASET: 400, ConceptType.METRIC: 60, ConceptType.TASK: 500}
PARAMS = {
    "datasets-with-method": {"method": "SM1"},  # an acronym: matched through skos:altLabel
    "metrics-for-dataset": {"dataset": "synthetic dataset 0"},
    "similar-papers": {"paper": "Synthetic paper 000042:"},
    "evidence-for": {"concept": "Synthetic Metric 7"},
    "concepts-of-paper": {"paper": "Synthetic paper 000042:"},
}


def _label(ctype: ConceptType, i: int) -> str:
    return f"Synthetic {ctype.value} {i}"


def _acronym(ctype: ConceptType, i: int) -> str | None:
    return f"S{ctype.value[0]}{i}" if i % 3 == 1 else None  # SM1, SD4, ...


class _Zipf:
    def __init__(self, n: int, rng: random.Random, s: float = 1.1):
        self.population = range(n)
        self.cum = []
        total = 0.0
        for rank in range(n):
            total += 1 / (rank + 1) ** s
            self.cum.append(total)
        self.rng = rng

    def pick(self, k: int) -> list[int]:
        return sorted(set(self.rng.choices(self.population, cum_weights=self.cum, k=k)))


def synthetic_paper(i: int, rng: random.Random, zipf: dict[ConceptType, _Zipf]) -> ExtractedPaper:
    """One paper whose abstract mentions its concepts at the recorded offsets."""
    title = f"Synthetic paper {i:06d}: a study"
    text, mentions, repositories = "", [], []

    def say(before: str, ctype: ConceptType | None, index: int = 0, *, role: Role = Role.USES,
            surface: str | None = None, long_form: str | None = None, url: str | None = None) -> None:
        nonlocal text
        text += before
        if ctype is None and url is None:
            return
        form = url or surface or _label(ctype, index)
        start = len(text)
        text += form
        label = REPOSITORY if url else ctype.value
        key = url or concept_key(_label(ctype, index))
        mentions.append(Mention(Field.ABSTRACT, start, len(text), form, label, key, 0.8, "synthetic",
                                role=role, long_form=long_form))

    methods = zipf[ConceptType.METHOD].pick(rng.randint(1, 3))
    proposes = rng.random() < 0.3
    for n, m in enumerate(methods):
        role = Role.PROPOSES if proposes and n == 0 else Role.USES
        say("We propose " if role is Role.PROPOSES else "We build on ", ConceptType.METHOD, m, role=role)
        acronym = _acronym(ConceptType.METHOD, m)
        if acronym:
            say(" (", ConceptType.METHOD, m, role=role, surface=acronym, long_form=_label(ConceptType.METHOD, m))
            text += ")"
        text += ". "
    for kind, verb in ((ConceptType.TASK, "It addresses "), (ConceptType.DATASET, "Experiments on "),
                       (ConceptType.METRIC, "We report ")):
        count = {ConceptType.TASK: 1, ConceptType.DATASET: rng.randint(0, 2), ConceptType.METRIC: rng.randint(0, 1)}[kind]
        for c in zipf[kind].pick(count) if count else ():
            say(verb, kind, c)
            text += ". "
    roll = rng.random()
    if roll < 0.25:
        host = "github.com" if roll < 0.2 else "gitlab.com"
        url = f"https://{host}/user{i % 5000}/project-{i}"
        say("Code is available at ", None, url=url)
        repositories.append(Repository(url, host, True))
    elif roll < 0.3:
        text += "The source code will be made available."
    paper = Paper(key=f"synthetic:{i}", title=title, abstract=text.strip(),
                  sources=(f"synthetic/part-{i // 10000:02d}.jsonl",))
    return ExtractedPaper(paper, tuple(mentions), tuple(repositories))


def write_graph(path: Path, papers: int, seed: int = 0) -> int:
    """Write the synthetic graph of `papers` papers as N-Triples; returns the triple count."""
    rng = random.Random(seed)
    zipf = {ctype: _Zipf(n, rng) for ctype, n in VOCABULARY.items()}
    # a tenth of the concepts are kinds (kg:GenericConcept), so the rankings' filters are timed
    builder = GraphBuilder(is_generic=lambda key: key.endswith("5"))
    for i in range(papers):
        builder.add(synthetic_paper(i, rng, zipf))
    graph = builder.build()
    count = 0

    def counted():
        nonlocal count
        for triple in graph_triples(graph, created="2024-01-01"):
            count += 1
            yield triple

    ox.serialize(counted(), str(path), ox.RdfFormat.N_TRIPLES)
    return count


def _child(conn, fn) -> None:
    try:
        conn.send(fn())
    except BaseException as exc:  # report anything, the parent decides
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def in_child(fn, timeout: float):
    """Run `fn()` in a forked child; its result, or "timeout" after `timeout` seconds."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn), daemon=True)
    process.start()
    child.close()
    try:
        if parent.poll(timeout):
            return parent.recv()
        return "timeout"
    except EOFError:
        return ("error", f"child died with code {process.exitcode}")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        parent.close()


def _oxigraph_run(store: Path | ox.Store, text: str, params: dict[str, str], repeat: int = 3):
    def run():
        nonlocal store
        if isinstance(store, Path):
            store = ox.Store.read_only(str(store))
        substitutions = {ox.Variable(k): ox.Literal(v) for k, v in params.items()} or None
        best, rows = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            rows = sum(1 for _ in store.query(text, substitutions=substitutions))
            best = min(best, time.perf_counter() - started)
        return best, rows
    return run


def _rdflib_run(graph, text: str, params: dict[str, str]):
    def run():
        from rdflib import Literal

        started = time.perf_counter()
        rows = sum(1 for _ in graph.query(text, initBindings={k: Literal(v) for k, v in params.items()}))
        return time.perf_counter() - started, rows
    return run


def _cell(result, timeout: float) -> tuple[str, str]:
    if result == "timeout":
        return f"> {timeout:g} s", "-"
    if isinstance(result, tuple) and result and result[0] == "error":
        return "error", result[1][:40]
    seconds, rows = result
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s", str(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.rdf.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-query limit in seconds (default 60)")
    parser.add_argument("--queries", help="comma-separated query names (default: all named queries)")
    parser.add_argument("--out", type=Path, help="keep the graph and store here (default: a temporary folder)")
    parser.add_argument("--no-rdflib", action="store_true", help="time Oxigraph only")
    args = parser.parse_args(argv)

    queries = named_queries()
    names = args.queries.split(",") if args.queries else sorted(queries)
    folder = args.out or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(args, queries, names, folder)
    finally:
        if args.out is None:
            shutil.rmtree(folder, ignore_errors=True)


def _bench(args, queries, names, folder: Path) -> int:
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    nt = folder / "graph.nt"
    started = time.perf_counter()
    triples = write_graph(nt, args.papers)
    gc.collect()
    log(f"generated {args.papers} papers, {triples} triples in {time.perf_counter() - started:.1f} s ({nt})")

    store_dir = folder / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    started = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    del store
    log(f"oxigraph: loaded in {time.perf_counter() - started:.1f} s")
    results = {}
    for name in names:
        text, params = queries[name].text, PARAMS.get(name, {})
        results[name] = [in_child(_oxigraph_run(store_dir, text, params), args.timeout)]
        log(f"  oxigraph {name}: {_cell(results[name][0], args.timeout)[0]}")

    started = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    log(f"oxigraph in memory: loaded in {time.perf_counter() - started:.1f} s")
    for name in names:
        text, params = queries[name].text, PARAMS.get(name, {})
        results[name].append(in_child(_oxigraph_run(memory, text, params), args.timeout))
        log(f"  oxigraph (memory) {name}: {_cell(results[name][1], args.timeout)[0]}")
    del memory
    gc.collect()

    if not args.no_rdflib:
        from rdflib import Graph

        started = time.perf_counter()
        graph = Graph()
        graph.parse(nt, format="nt")
        log(f"rdflib: loaded in {time.perf_counter() - started:.1f} s, "
            f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GB")
        gc.freeze()  # keep the collector from touching (and copying) the graph in the children
        for name in names:
            text, params = queries[name].text, PARAMS.get(name, {})
            results[name].append(in_child(_rdflib_run(graph, text, params), args.timeout))
            log(f"  rdflib {name}: {_cell(results[name][-1], args.timeout)[0]}")

    print(f"\n{args.papers} papers, {triples} triples\n")
    header = ["query", "oxigraph", "rows", "in memory", "rows"] + ([] if args.no_rdflib else ["rdflib", "rows"])
    table = [header]
    for name in names:
        row = [name]
        for result in results[name]:
            row += list(_cell(result, args.timeout))
        table.append(row)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
