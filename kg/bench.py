"""`make bench`: how fast kg builds, against the floor of a bare spaCy tokenizer.

Times `kg build` on the bundled corpus and on a generated corpus of 10,000 abstracts made
of real sentences of the bundled abstracts, recombined (seeded, so every run measures the
same text). Each build runs in a child process so its peak memory is its own.

    python -m kg.bench [--papers 10000] [--out outputs/bench]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from kg.errors import UsageError
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, read_papers

WARM_UP = 64  # abstracts each pipeline runs untimed before extraction is timed
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def generate_corpus(path: Path, n_papers: int, seed: int = 0) -> int:
    """Write `n_papers` JSONL records whose abstracts recombine real bundled sentences."""
    papers = list(Deduplicator().unique(read_papers(bundled_corpus(), IngestReport())))
    sentences = [s for p in papers for s in _SENTENCE.split(p.abstract) if len(s) > 30]
    titles = [p.title for p in papers]
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n_papers):
            abstract = " ".join(rng.sample(sentences, rng.randint(6, 10)))
            record = {"id": f"2501.{i:05d}", "title": f"{rng.choice(titles)} ({i})", "abstract": abstract}
            handle.write(json.dumps(record) + "\n")
    return n_papers


def _run_child(code: str, one_core: bool = False) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB, stdout) of a Python child process running `code`; with
    `one_core`, its BLAS runs one thread (the extraction speed goals are per core)."""
    code += "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"} if one_core else None
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    seconds = time.perf_counter() - started
    *lines, peak_kib = done.stdout.strip().splitlines()
    return seconds, int(peak_kib) / 1024, "\n".join(lines)


def time_build(inputs: list[Path], out: Path, html: bool) -> dict:
    code = (
        "from kg.build import BuildOptions, build\n"
        f"_, s = build(BuildOptions(inputs={[str(p) for p in inputs]!r}, out_dir=__import__('pathlib').Path({str(out)!r}), html={html!r}, cache=False))\n"
        "print(s.papers, s.seconds, s.triples)"
    )
    seconds, peak, out_line = _run_child(code)
    papers, build_seconds, triples = out_line.split()
    return {"papers": int(papers), "seconds": float(build_seconds), "wall": seconds, "peak_mib": peak, "triples": int(triples)}


def time_extraction(inputs: list[Path]) -> dict:
    """Extraction alone and a bare tokenizer over the same texts, in one child, on one
    core. Each pipeline first runs over `WARM_UP` abstracts untimed, which are then left out:
    throughput is the steady state, without the one-time cost (about 0.7 s) of lazy
    loading and first-touch memory, and without the timed abstracts' words already in the
    model's embedding cache."""
    code = (
        "import time, spacy\n"
        "from kg.extract import create_pipeline, extract_papers, doc_text\n"
        "from kg.ingest import IngestReport, read_papers\n"
        f"papers = list(read_papers([__import__('pathlib').Path(p) for p in {[str(p) for p in inputs]!r}], IngestReport()))\n"
        f"warm, papers = papers[:{WARM_UP}], papers[{WARM_UP}:]\n"
        "texts = [doc_text(p) for p in papers]\n"
        "nlp = spacy.blank('en')\n"
        "for _ in nlp.pipe([doc_text(p) for p in warm], batch_size=64): pass\n"
        "t = time.perf_counter()\n"
        "for _ in nlp.pipe(texts, batch_size=64): pass\n"
        "tok = time.perf_counter() - t\n"
        "times = []\n"
        "for fast in (False, True):\n"
        "    nlp = create_pipeline(fast=fast)\n"
        "    for _ in extract_papers(warm, nlp): pass\n"
        "    t = time.perf_counter()\n"
        "    for _ in extract_papers(papers, nlp): pass\n"
        "    times.append(time.perf_counter() - t)\n"
        "print(len(texts), tok, *times)"
    )
    _, _, line = _run_child(code, one_core=True)
    n, tok, ext, fast = line.split()
    n, tok, ext, fast = int(n), float(tok), float(ext), float(fast)
    if not n:  # the child read the papers once: no second pass here to count them
        raise UsageError(f"timing extraction needs more than {WARM_UP} papers (the warm-up is not timed)")
    return {"abstracts": n, "tokenizer_per_s": n / tok, "extract_per_s": n / ext, "fast_per_s": n / fast,
            "ratio_to_tokenizer": ext / tok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000, help="size of the generated corpus")
    parser.add_argument("--out", type=Path, default=Path("outputs/bench"))
    args = parser.parse_args(argv)
    if args.papers <= WARM_UP:
        parser.error(f"--papers must be more than {WARM_UP}: extraction is timed after that many abstracts")
    generated = args.out / f"generated-{args.papers}.jsonl"
    generate_corpus(generated, args.papers)
    rows = []
    for name, inputs, html in (("bundled", bundled_corpus(), True), (f"generated {args.papers}", [generated], False)):
        b = time_build(inputs, args.out / name.split()[0], html)
        e = time_extraction(inputs)
        rows.append((name, b, e))
    print(f"{'corpus':16} {'papers':>7} {'build s':>8} {'papers/s':>9} {'peak MiB':>9} "
          f"{'extract/s':>10} {'--fast/s':>9} {'tokenizer/s':>12} {'x floor':>8} {'triples':>9}")
    for name, b, e in rows:
        print(f"{name:16} {b['papers']:7d} {b['seconds']:8.1f} {b['papers'] / b['seconds']:9.0f} {b['peak_mib']:9.0f} "
              f"{e['extract_per_s']:10.0f} {e['fast_per_s']:9.0f} {e['tokenizer_per_s']:12.0f} {e['ratio_to_tokenizer']:8.2f} {b['triples']:9d}")
    try:
        from kg.viz.bench import bench_viewer  # the viewer's own benchmark, when present
    except ImportError:
        return 0
    print("viewer:", bench_viewer(out_dir=args.out / "viewer"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as exc:
        sys.exit(f"kg.bench: {exc}")
