"""The vectorized co-occurrence path (kg.viz.cooccur, behind kg.viz.conceptmap's
cooccurrences and thin_edges) equals a plain-Python reference on random corpora."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from kg.viz.conceptmap import association_strength, cooccurrences, thin_edges
from kg.viz.cooccur import pair_cells, pair_counts, thin_pairs


def reference_cooccurrences(paper_concepts) -> Counter:
    """Every pair i < j of each paper's distinct concepts, counted one by one."""
    counts: Counter = Counter()
    for concepts in paper_concepts:
        ordered = sorted(set(concepts))
        for a, i in enumerate(ordered):
            for j in ordered[a + 1:]:
                counts[i, j] += 1
    return counts


def reference_thin(pairs, papers, total, *, per_node, min_count):
    """Each node's `per_node` strongest pairs (strength, then count, then the other end),
    kept when either end keeps them, by sorting each node's candidates."""
    best = defaultdict(list)
    for (i, j), count in pairs.items():
        if count >= min_count:
            strength = association_strength(count, papers[i], papers[j], total)
            best[i].append((-strength, -count, j))
            best[j].append((-strength, -count, i))
    kept = {(min(node, other), max(node, other)) for node, candidates in best.items()
            for _s, _c, other in sorted(candidates)[:per_node]}
    return [(i, j, pairs[i, j], round(association_strength(pairs[i, j], papers[i], papers[j], total), 4))
            for i, j in sorted(kept)]


def _corpus(seed: int, n_papers: int = 300, n_concepts: int = 60):
    rng = random.Random(seed)
    papers = [tuple(sorted({int(n_concepts * rng.random() ** 2) for _ in range(rng.randint(0, 7))}))
              for _ in range(n_papers)]
    years = [rng.choice((None, 2019, 2020, 2021)) for _ in papers]
    return papers, years, n_concepts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_thinning_and_years_equal_the_reference(seed):
    papers, years, n = _corpus(seed)
    reference = reference_cooccurrences(papers)
    assert cooccurrences(papers) == reference
    i, j, c = pair_counts(papers, n)
    assert {(int(a), int(b)): int(k) for a, b, k in zip(i, j, c)} == dict(reference)
    sizes = [0] * n
    for concepts in papers:
        for x in concepts:
            sizes[x] += 1
    total = sum(1 for p in papers if p)
    for per_node, min_count in ((1, 1), (3, 1), (6, 2)):
        expected = reference_thin(reference, sizes, total, per_node=per_node, min_count=min_count)
        assert thin_pairs(i, j, c, sizes, total, per_node=per_node, min_count=min_count) == expected
        assert thin_edges(reference, sizes, total, per_node=per_node, min_count=min_count) == expected
    pairs = sorted(reference)[:25]
    expected = {pair: Counter() for pair in pairs}
    for concepts, year in zip(papers, years):
        for pair in pairs:
            if year is not None and pair[0] in concepts and pair[1] in concepts:
                expected[pair][year] += 1
    assert cells_by_year(papers, years, n, pairs) == expected


def cells_by_year(papers, years, n, pairs) -> dict:
    """pair_cells with one cell per year (the undated papers in a cell of their own, left
    out), as {(i, j): Counter(year -> papers using both)}."""
    dated = sorted({y for y in years if y is not None})
    cell = {y: k for k, y in enumerate(dated)}
    flat = pair_cells(papers, [cell.get(y, len(dated)) for y in years], n, len(dated) + 1, pairs)
    return {pair: Counter({dated[c]: k for c, k in zip(row[::2], row[1::2]) if c < len(dated)})
            for pair, row in zip(pairs, flat)}


def test_empty_corpus():
    i, j, c = pair_counts([(), (3,)], 5)
    assert len(i) == len(j) == len(c) == 0
    assert thin_pairs(i, j, c, [0] * 5, 1) == []
    assert pair_cells([(), (3,)], [0, 1], 5, 2, []) == []
