"""The generated bench corpus (kg.benchcorpus): deterministic, a growing vocabulary, dated
and categorized records, some duplicates and bad records that a build reports."""

from __future__ import annotations

import json
import random

from kg import benchcorpus as bc
from kg.build import BuildOptions, build


def _distinct_names(n_papers: int) -> int:
    rng = random.Random(0)
    vocab = {t: bc.Vocabulary(t, bc._gazetteer_names(t, random.Random(k)), [], []) for k, t in enumerate(bc.TYPES)}
    for _ in range(n_papers):
        bc._abstract(rng, vocab)
    return sum(len(v.names) for v in vocab.values())


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    bc.write_corpus(a, 300, seed=1)
    bc.write_corpus(b, 300, seed=1)
    bc.write_corpus(c, 300, seed=2)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_vocabulary_grows_as_heaps_law_says():
    sizes = [(n, _distinct_names(n)) for n in (250, 1000, 4000)]
    assert sizes[0][1] < sizes[1][1] < sizes[2][1]  # new concepts keep coming ...
    _k, beta = bc.heaps_fit(sizes)
    assert 0.4 < beta < 0.9  # ... sublinearly, as in real corpora


def test_records_are_dated_categorized_and_some_are_bad(tmp_path):
    lines = list(bc.records(2000, seed=0))
    good, bad = [], 0
    for line in lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if isinstance(row, dict) and isinstance(row.get("abstract"), str) and isinstance(row.get("id"), str):
            good.append(row)
        else:
            bad += 1
    assert 0 < bad < 40
    ids = [r["id"] for r in good]
    assert 0 < len(ids) - len(set(ids)) < 40  # later versions of earlier papers
    years = {r["versions"][0]["created"].split()[3] for r in good}
    assert {"2018", "2025"} <= years
    assert all(r["categories"] for r in good)


def test_a_build_reads_it_and_reports_the_bad_records(tmp_path):
    corpus = tmp_path / "bench.jsonl"
    bc.write_corpus(corpus, 400, seed=3)
    graph, summary = build(BuildOptions(inputs=(corpus,), out_dir=tmp_path / "out", fast=True, html=False, store=False))
    assert summary.papers > 350 and summary.merged > 0 and summary.skipped + summary.warned > 0
    papers = [a for _, a in graph.nodes(data=True) if a["kind"] == "paper"]
    assert all(a["issued"] and a["categories"] for a in papers)
    assert sum(summary.concepts.values()) > 400  # hundreds of distinct concepts from 400 papers
