"""A deterministic layout of the concept map that keeps communities together.

Three steps, each seeded, so the same map gives the same coordinates:

1. **Inside each community** a force-directed layout (networkx's spring layout, weights
   the association strengths) of its most used members (at most :data:`FORCE_LIMIT`),
   scaled so the discs fit, then nudged apart until no two overlap (:func:`separate`).
2. **Communities** are discs placed by a spring layout of the community graph (edge
   weight: the summed strength between two communities), then packed: largest first,
   each at the free spot nearest its target (:func:`pack_discs`).
3. **Everything else** (kinds, concepts of one paper, members beyond the force limit)
   sits on a sunflower spiral around its strongest placed neighbour; concepts with no
   neighbour form a ring outside the map.

Node radii come from :func:`radius` (the page draws with the same numbers), so the
layout leaves room for what is drawn. Coordinates are in the page's pixels at zoom 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import networkx as nx
import numpy as np

FORCE_LIMIT = 400  # networkx's dense solver: O(n^2) memory per community
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
GAP = 6.0  # pixels between discs


def radius(papers: int) -> float:
    """A concept's drawn radius in pixels: area grows with its papers, capped.

    >>> radius(1), radius(100)
    (5.0, 32.0)
    """
    return round(min(40.0, 2.0 + 3.0 * math.sqrt(max(papers, 0))), 1)


def separate(xy: np.ndarray, radii: np.ndarray, iterations: int = 15, gap: float = GAP) -> np.ndarray:
    """Push overlapping discs apart (half the overlap each way per pass) until none
    overlap or `iterations` run out. Deterministic: coincident centres move along a
    fixed angle by index."""
    xy = xy.copy()
    n = len(xy)
    if n < 2:
        return xy
    for _ in range(iterations):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        need = radii[:, None] + radii[None, :] + gap
        np.fill_diagonal(need, 0.0)
        overlap = np.clip(need - dist, 0.0, None)
        if not overlap.any():
            break
        zero = dist < 1e-9
        if zero.any():
            idx = np.arange(n, dtype=float)
            angle = (idx[:, None] - idx[None, :]) * GOLDEN_ANGLE
            delta[..., 0] = np.where(zero, np.cos(angle), delta[..., 0])
            delta[..., 1] = np.where(zero, np.sin(angle), delta[..., 1])
            dist = np.where(zero, 1.0, dist)
        push = (overlap / dist / 2.0)[..., None] * delta
        xy += push.sum(axis=1)
    return xy


def _spring(n: int, edges: Sequence[tuple[int, int, float]], seed: int) -> np.ndarray:
    """Spring layout of nodes 0..n-1 in [-1, 1]^2, weights scaled to at most 1."""
    if n == 1:
        return np.zeros((1, 2))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    top = max((w for _, _, w in edges), default=1.0) or 1.0
    for i, j, w in edges:
        graph.add_edge(i, j, weight=0.1 + 0.9 * math.sqrt(w / top))
    raw = nx.spring_layout(graph, seed=seed, iterations=50, weight="weight", method="force")
    return np.array([raw[i] for i in range(n)], dtype=float)


def _community_layout(members: Sequence[int], edges: Sequence[tuple[int, int, float]], radii: np.ndarray,
                      seed: int) -> dict[int, tuple[float, float]]:
    """Positions around (0, 0) of a community's first `FORCE_LIMIT` members (most used first)."""
    placed = list(members[:FORCE_LIMIT])
    local = {node: k for k, node in enumerate(placed)}
    inner = [(local[i], local[j], w) for i, j, w in edges if i in local and j in local]
    unit = _spring(len(placed), inner, seed)
    r = radii[placed]
    scale = 1.15 * math.sqrt(float((r + GAP) @ (r + GAP)))  # a disc holding their area
    xy = separate(unit * scale, r)
    return {node: (float(x), float(y)) for node, (x, y) in zip(placed, xy)}


def pack_discs(targets: np.ndarray, radii: np.ndarray, gap: float = 3 * GAP) -> np.ndarray:
    """Centres for discs (given largest first) near their `targets`, none overlapping:
    each goes to the first free point of a spiral around its target."""
    centres = np.zeros_like(targets)
    for k in range(len(targets)):
        tx, ty = targets[k]
        step = max(4.0, radii[k] / 3.0)
        for t in range(200_000):
            rr = step * math.sqrt(t)
            x, y = tx + rr * math.cos(t * GOLDEN_ANGLE), ty + rr * math.sin(t * GOLDEN_ANGLE)
            if k == 0:
                break
            d = np.hypot(centres[:k, 0] - x, centres[:k, 1] - y)
            if (d >= radii[:k] + radii[k] + gap).all():
                break
        centres[k] = (x, y)
    return centres


def map_layout(
    n: int, edges: Sequence[tuple[int, int, float]], groups: Sequence[Sequence[int]], papers: Sequence[int],
    seed: int = 0,
) -> list[tuple[float, float]]:
    """Positions of nodes ``0 .. n-1`` (see the module docstring): `edges` are (i, j,
    strength), `groups` the communities (members most used first not required), `papers`
    each node's paper count."""
    radii = np.array([radius(p) for p in papers], dtype=float)
    order = lambda i: (-papers[i], i)  # noqa: E731
    groups = [sorted(g, key=order) for g in groups]
    by_group: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    between: dict[tuple[int, int], float] = defaultdict(float)
    for i, j, w in edges:
        gi, gj = group_of.get(i), group_of.get(j)
        if gi is None or gj is None:
            continue
        if gi == gj:
            by_group[gi].append((i, j, w))
        else:
            between[min(gi, gj), max(gi, gj)] += w
    local = [_community_layout(members, by_group[g], radii, seed) for g, members in enumerate(groups)]
    disc = np.array([max((math.hypot(x, y) + radii[i] for i, (x, y) in pos.items()), default=0.0)
                     for pos in local], dtype=float)
    connected = sorted({g for pair in between for g in pair} | {g for g, m in enumerate(groups) if len(m) > 1})
    pos: dict[int, tuple[float, float]] = {}
    if groups:
        cindex = {g: k for k, g in enumerate(connected[:FORCE_LIMIT])}
        targets = np.zeros((len(groups), 2))
        if cindex:
            unit = _spring(len(cindex), [(cindex[a], cindex[b], w) for (a, b), w in sorted(between.items())
                                         if a in cindex and b in cindex], seed)
            spread = 1.2 * math.sqrt(float((disc[list(cindex)] ** 2).sum()))
            for g, k in cindex.items():
                targets[g] = unit[k] * spread
        outer = max((math.hypot(*targets[g]) + disc[g] for g in cindex), default=0.0)
        for k, g in enumerate(g for g in range(len(groups)) if g not in cindex):  # lone concepts: a ring outside
            angle = k * GOLDEN_ANGLE
            reach = outer + 2 * GAP + 12.0 * math.sqrt(k + 1)
            targets[g] = (reach * math.cos(angle), reach * math.sin(angle))
        packing = sorted(range(len(groups)), key=lambda g: (-disc[g], g))
        centres = pack_discs(targets[packing], disc[packing])
        for k, g in enumerate(packing):
            cx, cy = centres[k]
            for i, (x, y) in local[g].items():
                pos[i] = (cx + x, cy + y)
    _place_rest(n, edges, pos, radii, order)
    return [(round(pos[i][0], 1), round(pos[i][1], 1)) for i in range(n)]


class _Discs:
    """Placed discs in two uniform grids (small discs in fine cells, the rest in coarse
    ones), so a free spot is found without scanning every disc."""

    SMALL = 10.0  # radius up to which a disc goes to the fine grid

    def __init__(self, largest: float, gap: float) -> None:
        self.gap = gap
        self.tiers = [(self.SMALL, 2.0 * self.SMALL + gap, defaultdict(list)),
                      (max(largest, self.SMALL), 2.0 * max(largest, self.SMALL) + gap, defaultdict(list))]

    def add(self, x: float, y: float, r: float) -> None:
        _top, cell, grid = self.tiers[0] if r <= self.SMALL else self.tiers[1]
        grid[math.floor(x / cell), math.floor(y / cell)].append((x, y, r))

    def free(self, x: float, y: float, r: float) -> bool:
        """No placed disc within `gap` of a disc of radius `r` at (x, y)."""
        for top, cell, grid in self.tiers:
            span = math.ceil((r + top + self.gap) / cell)
            cx, cy = math.floor(x / cell), math.floor(y / cell)
            for gx in range(cx - span, cx + span + 1):
                for gy in range(cy - span, cy + span + 1):
                    for ox, oy, orad in grid.get((gx, gy), ()):
                        if (x - ox) ** 2 + (y - oy) ** 2 < (r + orad + self.gap) ** 2:
                            return False
        return True


def _place_rest(n: int, edges: Sequence[tuple[int, int, float]], pos: dict, radii: np.ndarray, order,
                max_tries: int = 4000) -> None:
    """Every unplaced node on a spiral around its strongest placed neighbour, most used
    first; those with none on a ring outside. Each takes the first point of its spiral
    (or ring) where its disc overlaps no placed one (giving up after `max_tries` points),
    so a small concept is never drawn under a bigger one that a click would hit instead."""
    neighbours: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, w in edges:
        neighbours[i].append((-w, j))
        neighbours[j].append((-w, i))
    discs = _Discs(float(radii.max()) if n else 0.0, GAP)
    for i, (x, y) in pos.items():
        discs.add(x, y, radii[i])
    satellites: dict[int, int] = defaultdict(int)
    waiting = sorted((i for i in range(n) if i not in pos), key=order)
    for _ in range(3):  # a node whose neighbours are all unplaced waits for them
        later = []
        for i in waiting:
            anchor = next((j for _w, j in sorted(neighbours[i]) if j in pos), None)
            if anchor is None:
                later.append(i)
                continue
            ax, ay = pos[anchor]
            for _try in range(max_tries):
                k = satellites[anchor]
                satellites[anchor] += 1
                reach = radii[anchor] + radii[i] + GAP + 2.2 * (radii[i] + GAP) * math.sqrt(k)
                x, y = ax + reach * math.cos(k * GOLDEN_ANGLE + anchor), ay + reach * math.sin(k * GOLDEN_ANGLE + anchor)
                if discs.free(x, y, radii[i]):
                    break
            pos[i] = (x, y)
            discs.add(x, y, radii[i])
        waiting = later
    outer = max((math.hypot(x, y) + radii[i] for i, (x, y) in pos.items()), default=0.0) + 4 * GAP
    k = 0
    for i in waiting:
        for _try in range(max_tries):
            reach = outer + radii[i] + 10.0 * math.sqrt(k)
            x, y = reach * math.cos(k * GOLDEN_ANGLE), reach * math.sin(k * GOLDEN_ANGLE)
            k += 1
            if discs.free(x, y, radii[i]):
                break
        pos[i] = (x, y)
        discs.add(x, y, radii[i])


__all__ = ["FORCE_LIMIT", "map_layout", "pack_discs", "radius", "separate"]
