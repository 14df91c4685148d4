"""The concept map as the page's data: compact columns the browser reads without copying.

Concepts and papers point into the page's node list (the papers' concepts come from the
page's edges, kg.viz.render.build_edges) (drawing ranks, :mod:`kg.viz.model`)
for their names, aliases, links and abstracts, so nothing is embedded twice. Offsets in
evidence sentences are UTF-16 code units, as JavaScript strings count them. Every string
is untrusted text and reaches the page only through ``textContent``.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from kg.viz.conceptmap import ConceptMap, evidence
from kg.viz.maplayout import radius
from kg.viz.model import _utf16_index


def _flat(pairs) -> list[int]:
    return [value for pair in pairs for value in pair]


def map_payload(graph: nx.DiGraph, cmap: ConceptMap, rank: Mapping, *, evidence_per_concept: int = 2) -> dict:
    """The ``map`` part of the page's data. `rank` maps a graph node to its index in the
    page's node list."""
    concept_index = {c.node: i for i, c in enumerate(cmap.concepts)}
    categories = sorted({str(c) for p in cmap.papers for c in graph.nodes[p].get("categories") or ()})
    category_index = {c: i for i, c in enumerate(categories)}
    years = sorted({y for y in cmap.paper_years if y is not None})
    sentences = evidence(graph, cmap, evidence_per_concept)
    paper_rank = [rank[p] for p in cmap.papers]

    def broader(node: str) -> int:
        for target in graph.nodes[node].get("broader") or ():
            if target in concept_index:
                return concept_index[target]
        return -1

    def evidence_rows(rows) -> list[list]:
        out = []
        for p, sentence, start, end in rows:
            to16 = _utf16_index(sentence)
            out.append([paper_rank[p], sentence, to16(start), to16(end)])
        return out

    concepts = cmap.concepts
    return {
        "concepts": {
            "node": [rank[c.node] for c in concepts],
            "x": [c.x for c in concepts],
            "y": [c.y for c in concepts],
            "r": [radius(c.papers) for c in concepts],
            "papers": [c.papers for c in concepts],
            "kind": [int(c.kind) for c in concepts],
            "core": [int(c.core) for c in concepts],
            "group": [c.community for c in concepts],
            "years": [_flat(c.years) for c in concepts],
            "broader": [broader(c.node) for c in concepts],
            "evidence": [evidence_rows(rows) for rows in sentences],
        },
        "edges": {
            "s": [e.source for e in cmap.edges],
            "t": [e.target for e in cmap.edges],
            "c": [e.count for e in cmap.edges],
            "a": [e.strength for e in cmap.edges],
            "years": [_flat(e.years) for e in cmap.edges],
        },
        "communities": [{"color": c.color, "top": list(c.top), "size": c.size} for c in cmap.communities],
        "papers": {
            "node": paper_rank,
            "year": list(cmap.paper_years),
            "cats": [sorted({category_index[str(c)] for c in graph.nodes[p].get("categories") or ()})
                     for p in cmap.papers],
        },
        "categories": categories,
        "years": [years[0], years[-1]] if years else None,
        "total": sum(1 for cs in cmap.paper_concepts if cs),
        "defaults": {"minPapers": min((c.papers for c in concepts if c.core), default=1)},
    }


__all__ = ["map_payload"]
