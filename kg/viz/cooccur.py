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

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def _pair_codes(paper_concepts: Sequence[Sequence[int]], n: int, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of every pair of each paper's (sorted, distinct) concepts among the papers
    `rows`, with the paper each code comes from; papers are grouped by their number of
    concepts so each group is one array operation (the codes come out grouped, not in
    paper order)."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for p in rows:
        if len(paper_concepts[p]) > 1:
            by_length[len(paper_concepts[p])].append(p)
    codes, owners = [], []
    for length, members in sorted(by_length.items()):
        matrix = np.array([paper_concepts[p] for p in members], dtype=np.int64)
        upper_i, upper_j = np.triu_indices(length, 1)
        codes.append((matrix[:, upper_i] * n + matrix[:, upper_j]).ravel())
        owners.append(np.repeat(np.array(members, dtype=np.int64), len(upper_i)))
    if not codes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(codes), np.concatenate(owners)


def _accumulate(total: tuple[np.ndarray, np.ndarray] | None, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct codes, occurrences) of `codes` added to `total` (the same, so far)."""
    found, times = np.unique(codes, return_counts=True)
    if total is None:
        return found, times.astype(np.int64)
    merged, where = np.unique(np.concatenate((total[0], found)), return_inverse=True)
    counts = np.zeros(len(merged), dtype=np.int64)
    np.add.at(counts, where, np.concatenate((total[1], times)))
    return merged, counts


def _rows(codes: np.ndarray, counts: np.ndarray, n_cells: int, n_rows: int) -> list[tuple[int, ...]]:
    """Per row (``code // n_cells``) its flat (cell, count, cell, count, ...), cells ascending."""
    rows = codes // n_cells
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    flat = np.column_stack((codes % n_cells, counts)).ravel().tolist()
    return [tuple(flat[2 * bounds[r]:2 * bounds[r + 1]]) for r in range(n_rows)]


def concept_cells(paper_concepts: Sequence[Sequence[int]], paper_cells: Sequence[int], n: int, n_cells: int, *,
                  chunk: int = 50_000) -> list[tuple[int, ...]]:
    """Per concept ``0 .. n-1`` its papers in each cell, flat: (cell, papers, cell,
    papers, ...) ascending by cell; each paper's concepts counted in its cell
    (kg.viz.conceptmap: a cell is a year and a set of categories). Papers are read `chunk`
    at a time, so the working memory is bounded by the chunk and the number of distinct
    (concept, cell) pairs, not by the corpus.

    >>> concept_cells([(0, 1), (1,), (1,)], [0, 0, 1], 3, 2)
    [(0, 1), (0, 2, 1, 1), ()]
    """
    total = None
    for begin in range(0, len(paper_concepts), chunk):
        rows = range(begin, min(begin + chunk, len(paper_concepts)))
        lengths = [len(paper_concepts[p]) for p in rows]
        if not sum(lengths):
            continue
        concepts = np.fromiter((c for p in rows for c in paper_concepts[p]), dtype=np.int64, count=sum(lengths))
        cells = np.repeat(np.fromiter((paper_cells[p] for p in rows), dtype=np.int64, count=len(lengths)), lengths)
        total = _accumulate(total, concepts * n_cells + cells)
    if total is None:
        return [() for _ in range(n)]
    return _rows(*total, n_cells, n)


def pair_cells(paper_concepts: Sequence[Sequence[int]], paper_cells: Sequence[int], n: int, n_cells: int,
               pairs: Sequence[tuple[int, int]], *, chunk: int = 20_000) -> list[tuple[int, ...]]:
    """Per pair of `pairs` (sorted (i, j), i < j) its papers using both in each cell, flat
    as in :func:`concept_cells`; `n` bounds the concept indices. Papers are read `chunk`
    at a time.

    >>> pair_cells([(0, 1, 2), (0, 1), (1, 2)], [0, 1, 1], 3, 2, [(0, 1), (1, 2)])
    [(0, 1, 1, 1), (0, 1, 1, 1)]
    """
    if not pairs:
        return []
    wanted = np.array([i * n + j for i, j in pairs], dtype=np.int64)
    if np.any(wanted[1:] <= wanted[:-1]):
        raise ValueError("pairs must be sorted and distinct")
    cell_of = np.asarray(paper_cells, dtype=np.int64)
    total = None
    for begin in range(0, len(paper_concepts), chunk):
        codes, owners = _pair_codes(paper_concepts, n, range(begin, min(begin + chunk, len(paper_concepts))))
        keep = np.isin(codes, wanted)
        if keep.any():
            total = _accumulate(total, np.searchsorted(wanted, codes[keep]) * n_cells + cell_of[owners[keep]])
    if total is None:
        return [() for _ in pairs]
    return _rows(*total, n_cells, len(pairs))


def pair_counts(paper_concepts: Sequence[Sequence[int]], n: int, *, chunk: int = 20_000) -> tuple[
        np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, count) arrays of every pair used together, sorted by (i, j); `n` bounds the
    concept indices. Each paper's concepts must be sorted and distinct. Papers are read
    `chunk` at a time (the memory: a chunk's pairs and the distinct pairs so far)."""
    total = None
    for begin in range(0, len(paper_concepts), chunk):  # bounded memory: a chunk's pairs at a time
        codes, _owners = _pair_codes(paper_concepts, n, range(begin, min(begin + chunk, len(paper_concepts))))
        total = _accumulate(total, codes)
    codes, counts = total if total is not None else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
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


__all__ = ["concept_cells", "pair_cells", "pair_counts", "thin_pairs"]
