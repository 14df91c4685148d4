"""Node positions in pixels, computed once in Python so the page opens with physics off.

Only the first nodes of the drawing order (at most :data:`FORCE_LIMIT`) get a
force-directed layout (networkx's spring layout, seeded). Every other node is placed next
to its best-ranked already placed neighbour, on a sunflower spiral around it, in
breadth-first order; nodes with no path to a placed node start their own spiral outside
the drawing. That costs O(nodes + edges), so a 10k-node graph is laid out in well under
a second, and a revealed node appears beside the concepts it belongs to.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import chain
from collections.abc import Sequence

import networkx as nx

FORCE_LIMIT = 499  # networkx switches to a scipy-only solver at 500 nodes
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
SATELLITE_SPACING = 14.0  # pixels; the k-th satellite sits at SPACING * sqrt(k + OFFSET)
SATELLITE_OFFSET = 25


def _spiral(k: int, spacing: float, offset: int = 0) -> tuple[float, float]:
    radius = spacing * math.sqrt(k + offset)
    angle = k * GOLDEN_ANGLE
    return radius * math.cos(angle), radius * math.sin(angle)


def force_layout(graph: nx.Graph, nodes: Sequence, seed: int) -> dict:
    """Spring layout of the subgraph on `nodes`, scaled to pixels."""
    sub = nx.Graph()
    sub.add_nodes_from(sorted(nodes, key=str))
    chosen = set(nodes)
    sub.add_edges_from(
        sorted(((u, v) for u, v in graph.edges(chosen) if u in chosen and v in chosen), key=lambda e: (str(e[0]), str(e[1])))
    )
    if len(sub) == 0:
        return {}
    scale = 70.0 * math.sqrt(len(sub)) + 80.0
    raw = nx.spring_layout(sub, seed=seed, iterations=60, method="force")
    return {n: (float(x) * scale, float(y) * scale) for n, (x, y) in raw.items()}


def layout(graph: nx.DiGraph, order: Sequence, n_force: int, seed: int = 0) -> dict:
    """Positions {node: (x, y)} for every node of `order`, the drawing order of the nodes
    the page embeds (see model); links to nodes outside it are ignored."""
    undirected = graph.to_undirected(as_view=True)
    n_force = max(0, min(n_force, FORCE_LIMIT, len(order)))
    pos = force_layout(undirected, order[:n_force], seed)
    rank = {n: i for i, n in enumerate(order)}
    nearby: dict = {}

    def around(node) -> list:
        """`node`'s neighbours in `order` (links either way), best-ranked first; made once."""
        found = nearby.get(node)
        if found is None:
            linked = {nb for nb in chain(graph.succ[node], graph.pred[node]) if nb in rank}
            found = nearby[node] = sorted(linked, key=rank.__getitem__)
        return found

    satellites: dict = {}
    radius = max((math.hypot(x, y) for x, y in pos.values()), default=0.0)
    outer = [0]

    def place_near(node) -> None:
        anchor = next((nb for nb in around(node) if nb in pos), None)
        if anchor is None:  # a new spiral outside everything drawn so far
            dx, dy = _spiral(outer[0], 90.0)
            outer[0] += 1
            angle = math.atan2(dy, dx) if (dx or dy) else 0.0
            reach = radius + 200.0 + math.hypot(dx, dy)
            pos[node] = (reach * math.cos(angle), reach * math.sin(angle))
            return
        k = satellites.get(anchor, 0)
        satellites[anchor] = k + 1
        dx, dy = _spiral(k, SATELLITE_SPACING, SATELLITE_OFFSET)
        ax, ay = pos[anchor]
        pos[node] = (ax + dx, ay + dy)

    def spread(queue: deque) -> None:  # breadth first, best-ranked neighbours first
        while queue:
            current = queue.popleft()
            for nb in [nb for nb in around(current) if nb not in pos]:
                place_near(nb)
                queue.append(nb)

    spread(deque(n for n in order[:n_force]))
    for start in order[n_force:]:  # what the drawn part does not reach
        if start not in pos:
            place_near(start)
            spread(deque([start]))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}
