"""The concept map as the page's data: compact columns the browser reads without copying.

Concepts and papers point into the page's node list (drawing ranks, :mod:`kg.viz.model`)
for their names, aliases, links and abstracts, so nothing is embedded twice; an embedded
paper's concepts come from the page's edges (kg.viz.render.build_edges). Only the papers
the page embeds (see :func:`kg.viz.model.page_order`) have a row here: the counts behind
the filters come from the *cells* of :mod:`kg.viz.conceptmap` (papers per concept, per edge
and in all, for each year and set of categories), which cover every paper of the corpus.
:func:`recount` is what the page's ``conceptmap.js`` computes from them. Offsets in
evidence sentences are UTF-16 code units, as JavaScript strings count them. Every string
is untrusted text and reaches the page only through ``textContent``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import networkx as nx

from kg.viz.conceptmap import ConceptMap, evidence
from kg.viz.maplayout import radius
from kg.viz.model import _utf16_index


def map_payload(graph: nx.DiGraph, cmap: ConceptMap, rank: Mapping, *, evidence_per_concept: int = 2) -> dict:
    """The ``map`` part of the page's data. `rank` maps a graph node the page embeds to
    its index in the page's node list: every map concept must be there; papers that are
    not have no row, no evidence sentence, and count only through the cells."""
    concept_index = {c.node: i for i, c in enumerate(cmap.concepts)}
    embedded = [p for p, paper in enumerate(cmap.papers) if paper in rank]
    category_index = {c: i for i, c in enumerate(cmap.categories)}
    years = sorted({y for y, _cats in cmap.cells if y is not None})
    sentences = evidence(graph, cmap, evidence_per_concept, papers=embedded)

    def broader(node: str) -> int:
        for target in graph.nodes[node].get("broader") or ():
            if target in concept_index:
                return concept_index[target]
        return -1

    def evidence_rows(rows) -> list[list]:
        out = []
        for p, sentence, start, end in rows:
            to16 = _utf16_index(sentence)
            out.append([rank[cmap.papers[p]], sentence, to16(start), to16(end)])
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
            "cells": [list(c.cells) for c in concepts],
            "broader": [broader(c.node) for c in concepts],
            "evidence": [evidence_rows(rows) for rows in sentences],
        },
        "edges": {
            "s": [e.source for e in cmap.edges],
            "t": [e.target for e in cmap.edges],
            "c": [e.count for e in cmap.edges],
            "a": [e.strength for e in cmap.edges],
            "cells": [list(e.cells) for e in cmap.edges],
        },
        "cells": {
            "year": [year for year, _cats in cmap.cells],
            "cats": [list(cats) for _year, cats in cmap.cells],
            "papers": list(cmap.cell_papers),
        },
        "communities": [{"color": c.color, "top": list(c.top), "size": c.size} for c in cmap.communities],
        "papers": {  # the embedded ones only
            "node": [rank[cmap.papers[p]] for p in embedded],
            "year": [cmap.paper_years[p] for p in embedded],
            "cats": [sorted({category_index[str(c)] for c in graph.nodes[cmap.papers[p]].get("categories") or ()
                             if str(c) in category_index}) for p in embedded],
        },
        "categories": list(cmap.categories),
        "years": [years[0], years[-1]] if years else None,
        "total": sum(cmap.cell_papers),
        "defaults": {"minPapers": min((c.papers for c in concepts if c.core), default=1)},
    }


def recount(map_data: Mapping, years: tuple[int, int] | None = None,
            categories: Collection[int] | None = None) -> tuple[list[int], list[int], int]:
    """(papers per concept, papers per edge, papers with a map concept) among the papers
    that pass the filters, from the cells of a :func:`map_payload`: what the page's
    ``conceptmap.js`` computes when a year range (inclusive; undated papers fail it) or
    categories (category indices; a paper passes with any one of them) are chosen (the
    page sets no year range while its range spans every year, so undated papers count).
    Exact over the whole corpus, whichever papers the page embeds.

    >>> data = {"cells": {"year": [None, 2023, 2024], "cats": [[0], [0, 1], [1]], "papers": [1, 2, 3]},
    ...         "concepts": {"cells": [[0, 1, 1, 2], [2, 3]]}, "edges": {"cells": [[1, 1]]}}
    >>> recount(data), recount(data, years=(2024, 2024)), recount(data, categories={0})
    (([3, 3], [1], 6), ([0, 3], [0], 3), ([3, 0], [1], 3))
    """
    cells = map_data["cells"]
    wanted = set(categories) if categories is not None else None
    on = [(years is None or (year is not None and years[0] <= year <= years[1]))
          and (wanted is None or bool(wanted.intersection(cats)))
          for year, cats in zip(cells["year"], cells["cats"])]

    def total(flat: Sequence[int]) -> int:
        return sum(flat[k + 1] for k in range(0, len(flat), 2) if on[flat[k]])

    return ([total(flat) for flat in map_data["concepts"]["cells"]], [total(flat) for flat in map_data["edges"]["cells"]],
            sum(papers for papers, passes in zip(cells["papers"], on) if passes))


__all__ = ["map_payload", "recount"]
