"""The vectorized co-occurrence path (kg.viz.cooccur) equals the plain-Python reference
functions of kg.viz.conceptmap on random corpora."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from kg.viz.conceptmap import cooccurrences, thin_edges
from kg.viz.cooccur import pair_counts, pair_years, thin_pairs


def _corpus(seed: int, n_papers: int = 300, n_concepts: int = 60):
    rng = random.Random(seed)
    papers = [tuple(sorted({int(n_concepts * rng.random() ** 2) for _ in range(rng.randint(0, 7))}))
              for _ in range(n_papers)]
    years = [rng.choice((None, 2019, 2020, 2021)) for _ in papers]
    return papers, years, n_concepts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_thinning_and_years_equal_the_reference(seed):
    papers, years, n = _corpus(seed)
    reference = cooccurrences(papers)
    i, j, c = pair_counts(papers, n)
    assert {(int(a), int(b)): int(k) for a, b, k in zip(i, j, c)} == dict(reference)
    sizes = [0] * n
    for concepts in papers:
        for x in concepts:
            sizes[x] += 1
    total = sum(1 for p in papers if p)
    for per_node, min_count in ((1, 1), (3, 1), (6, 2)):
        assert thin_pairs(i, j, c, sizes, total, per_node=per_node, min_count=min_count) == \
            thin_edges(reference, sizes, total, per_node=per_node, min_count=min_count)
    pairs = sorted(reference)[:25]
    expected = {pair: Counter() for pair in pairs}
    for concepts, year in zip(papers, years):
        for pair in pairs:
            if year is not None and pair[0] in concepts and pair[1] in concepts:
                expected[pair][year] += 1
    assert pair_years(papers, years, n, pairs) == expected


def test_empty_corpus():
    i, j, c = pair_counts([(), (3,)], 5)
    assert len(i) == len(j) == len(c) == 0
    assert thin_pairs(i, j, c, [0] * 5, 1) == []
    assert pair_years([(), (3,)], [2020, None], 5, []) == {}
