"""Extraction speed on the bundled corpus: rules only (`--fast`) and with the model.

    OPENBLAS_NUM_THREADS=1 taskset -c 0 python -m kg.eval.speed [--repeat 3]

Abstracts per second of :func:`kg.extract.extract_papers` (tokenizer included, pipeline
loading excluded), best of `--repeat` runs, next to a bare ``spacy.blank("en")``
tokenizer over the same texts, the floor any spaCy pipeline stands on. CPU time of this
process is reported too: on a busy machine it is the steadier number.
"""

from __future__ import annotations

import argparse
import sys
import time

import spacy

from kg.extract import create_pipeline, doc_text, extract_papers
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, read_papers


def measure(prepare, n: int, repeat: int) -> tuple[float, float]:
    """(best wall-clock, best CPU-time) items per second over `n` items of the run that
    `prepare()` sets up (untimed) and returns, set up afresh for each repeat."""
    wall, cpu = [], []
    for _ in range(repeat):
        run = prepare()
        w, c = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return n / min(wall), n / min(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    papers = list(Deduplicator().unique(read_papers(bundled_corpus(), IngestReport())))
    # warm up on abstracts that are not timed: the model caches its words' embeddings
    warm, papers = papers[:20], papers[20:]
    texts = [doc_text(p) for p in papers]

    def tokenizer():
        blank = spacy.blank("en")  # afresh, as the pipelines: no word seen in an earlier repeat
        list(blank.pipe([doc_text(p) for p in warm]))
        return lambda: list(blank.pipe(texts))

    def pipeline(fast: bool):
        nlp = create_pipeline(fast=fast)
        list(extract_papers(warm, nlp))  # lexemes, caches, first-touch memory
        return lambda: list(extract_papers(papers, nlp))

    rows = [("tokenizer", tokenizer),
            ("rules (--fast)", lambda: pipeline(True)), ("rules + model", lambda: pipeline(False))]
    print(f"{len(papers)} abstracts of the bundled corpus")
    for name, prepare in rows:
        wall, cpu = measure(prepare, len(papers), args.repeat)
        print(f"{name:16} {wall:8.0f} abstracts/s   ({cpu:.0f}/s of CPU time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
