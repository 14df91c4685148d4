"""Co-occurrence counting and thinning for the concept map, vectorized with numpy.

The one implementation behind :func:`kg.viz.conceptmap.cooccurrences` and
:func:`~kg.viz.conceptmap.thin_edges` (which take and give mappings), fast at field scale:
100,000 papers of eight concepts make 2.8 million pairs, which these count and thin in
about a second (tests/test_cooccur.py checks them against a plain-Python reference). A pair (i, j), i < j, travels as one integer code
``i * n + j``.

>>> import numpy as np
>>> i, j, c = pair_counts([(0, 1, 2), (1, 2)], 3)
>>> [(int(a), int(b), int(k)) for a, b, k in zip(i, j, c)]
[(0, 1, 1), (0, 2, 1), (1, 2, 2)]
>>> thin_pairs(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([5, 1, 1]), [10, 5, 1], 20, per_node=1)
[(0, 1, 5, 2.0), (1, 2, 1, 4.0)]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np


def _pair_codes(paper_concepts: Sequence[Sequence[int]], n: int, rows: Sequence[int] | None = None) -> np.ndarray:
    """Codes of every pair of each paper's (sorted, distinct) concepts, papers grouped by
    their number of concepts so each group is one array operation. With `rows`, only those
    papers; the codes come out grouped, not in paper order."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for p in range(len(paper_concepts)) if rows is None else rows:
        if len(paper_concepts[p]) > 1:
            by_length[len(paper_concepts[p])].append(p)
    parts = []
    for length, members in sorted(by_length.items()):
        matrix = np.array([paper_concepts[p] for p in members], dtype=np.int64)
        upper_i, upper_j = np.triu_indices(length, 1)
        parts.append((matrix[:, upper_i] * n + matrix[:, upper_j]).ravel())
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def pair_counts(paper_concepts: Sequence[Sequence[int]], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, count) arrays of every pair used together, sorted by (i, j); `n` bounds the
    concept indices. Each paper's concepts must be sorted and distinct."""
    codes, counts = np.unique(_pair_codes(paper_concepts, n), return_counts=True)
    return codes // n, codes % n, counts


def thin_pairs(
    i: np.ndarray, j: np.ndarray, count: np.ndarray, papers: Sequence[int], total: int, *,
    per_node: int = 6, min_count: int = 1,
) -> list[tuple[int, int, int, float]]:
    """:func:`kg.viz.conceptmap.thin_edges` on arrays: each node's `per_node` strongest
    pairs by association strength (then count, then the other end), kept when either end
    keeps them; (i, j, count, strength rounded to 4 places) sorted by (i, j)."""
    keep = count >= min_count
    i, j, count = i[keep], j[keep], count[keep]
    if not len(i):
        return []
    sizes = np.asarray(papers, dtype=np.float64)
    strength = total * count.astype(np.float64) / (sizes[i] * sizes[j])
    node = np.concatenate((i, j))
    other = np.concatenate((j, i))
    edge = np.concatenate((np.arange(len(i)), np.arange(len(i))))
    order = np.lexsort((other, -np.concatenate((count, count)), -np.concatenate((strength, strength)), node))
    ranked = node[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    rank = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    kept = np.unique(edge[order][rank < per_node])
    return [(int(i[k]), int(j[k]), int(count[k]), round(float(strength[k]), 4)) for k in kept]


def pair_years(paper_concepts: Sequence[Sequence[int]], years: Sequence[int | None], n: int,
               pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], Counter]:
    """{(i, j): Counter(year -> papers using both)} for the given `pairs`, over dated papers."""
    out: dict[tuple[int, int], Counter] = {pair: Counter() for pair in pairs}
    if not pairs:
        return out
    wanted = np.array(sorted(i * n + j for i, j in pairs), dtype=np.int64)
    for year in sorted({y for y in years if y is not None}):
        rows = [p for p, y in enumerate(years) if y == year]
        codes = _pair_codes(paper_concepts, n, rows)
        codes = codes[np.isin(codes, wanted)]
        for code, times in zip(*np.unique(codes, return_counts=True)):
            out[int(code) // n, int(code) % n][year] = int(times)
    return out


__all__ = ["pair_counts", "pair_years", "thin_pairs"]
