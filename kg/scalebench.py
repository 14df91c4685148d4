"""`make bench`, the field-sized part: kg build on generated corpora of 10k, 100k and 300k
papers (kg.benchcorpus: a vocabulary growing by Heaps' law, dates, categories, repeated
papers and bad records), against a bare spaCy tokenizer pass over the same texts.

For each size: the build's wall time, papers/s and peak memory (the build process and its
largest extraction worker), and the ratio of the build to the tokenizer. Then, on the
100k corpus, adding 1,000 papers (the same OUT, so the extraction cache serves the rest);
on 10k papers (--compare), the same build through a local Dask cluster (kg build --scheduler) and
through local worker processes; and every named query's time on the largest store, best
of two, with parameters taken from the data (the top dataset, method, metric and a paper).

    python -m kg.scalebench [--sizes 10000,100000,300000] [--out outputs/bench] [--workers N]

Each build runs in a child process (its peak memory is its own) as `kg build` would, with
the model on, the viewer and the store written. Building 300k papers on two cores takes
hours: `--sizes` picks others.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kg.benchcorpus import records
from kg.build import Phases
from kg.errors import UsageError

EXTRA = 1_000  # papers added to the 100k build
DEFAULT_SIZES = (10_000, 100_000, 300_000)


def write_corpora(folder: Path, size: int, extra: int = 0) -> tuple[Path, Path | None]:
    """The corpus of `size` papers and, with `extra`, a file of `extra` more papers from
    the same stream (same vocabulary and dates, ids that do not collide)."""
    folder.mkdir(parents=True, exist_ok=True)
    base, more = folder / f"corpus-{size}.jsonl", folder / f"corpus-{size}-plus-{extra}.jsonl" if extra else None
    if base.exists() and (more is None or more.exists()):
        return base, more
    with base.open("w", encoding="utf-8") as out_base:
        out_more = more.open("w", encoding="utf-8") if more else None
        try:
            for i, line in enumerate(records(size + extra)):
                (out_base if i < size else out_more).write(line + "\n")
        finally:
            if out_more:
                out_more.close()
    return base, more


def run_child(code: str, env: dict | None = None, timeout: float | None = None) -> dict:
    """Run Python `code` (which prints one JSON object last) in a child, for at most
    `timeout` seconds (subprocess.TimeoutExpired); adds its wall time and peak RSS (MiB)
    of the child itself and of its largest own child (a worker)."""
    code += ("\nimport resource, json as _j\n"
             "print(_j.dumps({'self_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
             " 'children_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - started
    if done.returncode:
        raise UsageError(f"benchmark child failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    *_, result, usage = done.stdout.strip().splitlines()
    return {**json.loads(result), **json.loads(usage), "wall": wall}


def time_build(inputs: list[Path], out: Path, **options) -> dict:
    """One `kg build` of `inputs` into `out` in a child process."""
    code = (
        "import json\nfrom pathlib import Path\nfrom kg.build import BuildOptions, build\n"
        f"_, s = build(BuildOptions(inputs={[str(p) for p in inputs]!r}, out_dir=Path({str(out)!r}), **{options!r}))\n"
        "print(json.dumps({'papers': s.papers, 'seconds': s.seconds, 'triples': s.triples, 'cached': s.cached,"
        " 'extracted': s.extracted, 'concepts': sum(s.concepts.values()), 'phases': s.phases}))"
    )
    return run_child(code)


def time_tokenizer(inputs: list[Path]) -> float:
    """Seconds of a bare spaCy tokenizer over the texts kg extracts from (title + abstract)."""
    code = (
        "import json, time, spacy\nfrom pathlib import Path\n"
        "from kg.extract import doc_text\nfrom kg.ingest import IngestReport, read_papers\n"
        f"texts = [doc_text(p) for p in read_papers([Path(p) for p in {[str(p) for p in inputs]!r}], IngestReport())]\n"
        "nlp = spacy.blank('en')\nstarted = time.perf_counter()\n"
        "for _ in nlp.pipe(texts, batch_size=256): pass\n"
        "print(json.dumps({'seconds': time.perf_counter() - started, 'texts': len(texts)}))"
    )
    return run_child(code, env={**os.environ, "OMP_NUM_THREADS": "1"})["seconds"]


def time_dask(inputs: list[Path], out: Path, workers: int) -> dict | str:
    """The build through a local Dask cluster of `workers` processes (kg build --scheduler)."""
    try:
        from distributed import LocalCluster
    except ImportError:
        return "dask not installed (pip install 'kg[cluster]')"
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        return time_build(inputs, out, scheduler=cluster.scheduler_address, cache=False)


def time_queries(store: Path, timeout: float = 4800.0) -> list[tuple[str, float | str, int]]:
    """(query, best of two seconds, rows) for every named query on `store`; one row
    ("all", "timeout", 0) when all of them take longer than `timeout` seconds."""
    code = (
        "import json, time\nimport pyoxigraph as ox\nfrom kg.rdf.query import named_queries, run_named\n"
        f"store = ox.Store.read_only({str(store)!r})\n"
        "def top(name, column):\n"
        "    for row in run_named(store, name):\n"
        "        return row[column].value\n"
        "method = top('most-used-methods', 'method')\n"
        "params = {'dataset': top('most-used-datasets', 'dataset'), 'method': method,\n"
        "          'metric': top('most-reported-metrics', 'metric'), 'concept': method}\n"
        "params['paper'] = next(iter(store.query('SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t } LIMIT 1')))['t'].value[:30]\n"
        "rows = []\n"
        "for name, query in sorted(named_queries().items()):\n"
        "    given = {k: params[k] for k in query.parameters}\n"
        "    best, n = float('inf'), 0\n"
        "    for _ in range(2):\n"
        "        started = time.perf_counter()\n"
        "        n = sum(1 for _ in run_named(store, name, given))\n"
        "        best = min(best, time.perf_counter() - started)\n"
        "    rows.append((name, best, n))\n"
        "print(json.dumps({'rows': rows}))"
    )
    try:
        return [tuple(r) for r in run_child(code, timeout=timeout)["rows"]]
    except subprocess.TimeoutExpired:
        return [("all", "timeout", 0)]


def _row(name: str, b: dict, tokenizer: float | None = None) -> str:
    ratio = f"{b['seconds'] / tokenizer:8.1f}" if tokenizer else f"{'':8}"
    return (f"{name:22} {b['papers']:8d} {b['extracted']:9d} {b['seconds']:8.1f} {b['papers'] / b['seconds']:9.1f} "
            f"{b['self_mib']:9.0f} {b['children_mib']:10.0f} {ratio} {b['concepts']:9d} {b['triples']:10d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.scalebench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="corpus sizes, comma-separated")
    parser.add_argument("--out", type=Path, default=Path("outputs/bench"))
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    parser.add_argument("--compare", type=int, default=10_000,
                        help="papers of the Dask-against-local-processes builds (default 10000, at most the smallest size)")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes wants numbers, got {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes wants positive numbers")
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    print(f"{'build':22} {'papers':>8} {'extracted':>9} {'seconds':>8} {'papers/s':>9} {'peak MiB':>9} "
          f"{'worker MiB':>10} {'x tokens':>8} {'concepts':>9} {'triples':>10}", flush=True)
    store = None
    for size in sizes:
        extra = EXTRA if size == 100_000 or size == sizes[-1] and 100_000 not in sizes else 0
        base, more = write_corpora(args.out / "corpora", size, extra)
        out = args.out / f"build-{size}"
        shutil.rmtree(out, ignore_errors=True)
        log(f"building {size} papers into {out} ...")
        full = time_build([base], out, workers=args.workers)
        tokenizer = time_tokenizer([base])
        print(_row(f"{size}", full, tokenizer), flush=True)
        print(f"{'':22} took {Phases(full['phases']).line()}", flush=True)
        if more is not None:
            added = time_build([base, more], out, workers=args.workers)
            print(_row(f"{size} + {extra}", added) + f"   ({added['seconds'] / full['seconds']:.1%} of the full build)", flush=True)
            print(f"{'':22} took {Phases(added['phases']).line()}", flush=True)
        store = out / "store"
    compared = min(sizes[0], args.compare)
    corpus, _ = write_corpora(args.out / "corpora", compared)
    workers = args.workers or len(os.sched_getaffinity(0))
    local = time_build([corpus], args.out / "local", workers=workers, cache=False)
    print(_row(f"{compared} local {workers} proc", local), flush=True)
    dask = time_dask([corpus], args.out / "dask", workers)
    print(_row(f"{compared} dask {workers} proc", dask) if isinstance(dask, dict) else f"{compared} dask: {dask}", flush=True)
    print(f"\nnamed queries on the {sizes[-1]}-paper store ({store}):")
    for name, seconds, rows in time_queries(store):
        shown = f"{seconds:8.2f} s" if isinstance(seconds, float) else f"{seconds:>10}"
        print(f"  {name:36} {shown} {rows:8d} rows", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as exc:
        sys.exit(f"kg.scalebench: {exc}")
