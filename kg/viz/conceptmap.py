"""The concept map: named concepts linked by how often papers use them together.

A science map in the manner of VOSviewer (van Eck & Waltman 2010, "Software survey:
VOSviewer, a computer program for bibliometric mapping", Scientometrics 84(2)):

1. **Nodes** are concepts (methods, datasets, metrics, tasks), weighted by the number of
   papers that use them; kinds ("optimizer", "image dataset") are kept but flagged, so
   the page shows them only on request (:mod:`kg.kinds`).
2. **Edges** are co-occurrences in papers, normalized by *association strength*
   (van Eck & Waltman 2009, "How to normalize cooccurrence data? An analysis of some
   well-known similarity measures", JASIST 60(8)): ``a_ij = m c_ij / (n_i n_j)`` with
   ``c_ij`` the papers using both, ``n_i`` the papers using ``i`` and ``m`` the papers
   in the map. It is the ratio of observed to expected co-occurrence, so a big hub is
   not everyone's strongest neighbour. Edges are thinned to each node's strongest
   (:func:`thin_edges`).
3. **Communities** of the *core* (concepts with at least `core_min_papers` papers) by
   Louvain modularity (Blondel et al. 2008) as networkx implements it, seeded;
   each labelled by its most used concepts.
4. **Layout** (:mod:`kg.viz.maplayout`): communities kept together, deterministic.
5. **Time and categories**: papers fall into *cells*, one per (year, set of arXiv
   categories) that occurs; per concept its papers in each cell, per edge its
   co-occurrences in each cell, and per cell its papers with a map concept. A year range
   and a choice of categories select whole cells, so the page recounts every concept and
   edge over all the corpus's papers, exactly, without a row per paper (its size stops
   growing with the corpus once the cells fill). Per year counts are these summed.

>>> import networkx as nx
>>> g = nx.DiGraph()
>>> for p, concepts in {"p1": ["a", "b"], "p2": ["a", "b"], "p3": ["a", "c"]}.items():
...     g.add_node(p, kind="paper", title=p, issued="2024-01-01")
...     for c in concepts:
...         g.add_node(c, kind="concept", ctype="Method", key=c, label=c.upper())
...         g.add_edge(p, c, relation="usesMethod")
>>> m = concept_map(g, core_min_papers=1)
>>> [(m.concepts[i].label, m.concepts[i].papers) for i in range(3)]
[('A', 3), ('B', 2), ('C', 1)]
>>> [(m.concepts[e.source].label, m.concepts[e.target].label, e.count, e.strength) for e in m.edges]
[('A', 'B', 2, 1.0), ('A', 'C', 1, 1.0)]
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from kg.viz.cooccur import concept_cells, pair_cells, pair_counts, thin_pairs
from kg.viz.maplayout import map_layout

PALETTE = (  # Tableau 20 without its greys: one colour per community, in order of size
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
    "#9c755f", "#a0cbe8", "#ffbe7d", "#8cd17d", "#86bcb6", "#f1ce63", "#d4a6c8", "#fabfd2",
    "#d37295", "#b6992d", "#499894",
)
OTHER_COLOR = "#b5b5b5"
_YEAR = re.compile(r"^(\d{4})")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


@dataclass(frozen=True)
class MapConcept:
    node: str  # the graph's node id
    label: str
    ctype: str
    papers: int
    kind: bool  # a kind of thing (kg.kinds), shown only on request
    core: bool  # in the communities and the force layout
    community: int  # index into ConceptMap.communities, -1 when none
    years: tuple[tuple[int, int], ...]  # (year, papers) ascending
    x: float
    y: float
    cells: tuple[int, ...] = ()  # flat (cell, papers, cell, papers, ...) ascending: see ConceptMap.cells


@dataclass(frozen=True)
class MapEdge:
    source: int  # concept indices, source < target
    target: int
    count: int  # papers using both
    strength: float  # association strength, m c / (n_i n_j), rounded
    years: tuple[tuple[int, int], ...]  # (year, papers using both)
    cells: tuple[int, ...] = ()  # flat (cell, papers using both, ...) ascending


@dataclass(frozen=True)
class Community:
    color: str
    top: tuple[int, ...]  # its most used concepts (indices), the legend's label
    size: int  # concepts in it


@dataclass(frozen=True)
class ConceptMap:
    concepts: tuple[MapConcept, ...]  # most used first
    edges: tuple[MapEdge, ...]  # sorted by (source, target)
    communities: tuple[Community, ...]  # largest first
    papers: tuple[str, ...]  # paper node ids in the map, sorted
    paper_concepts: tuple[tuple[int, ...], ...]  # per paper, its concept indices
    paper_years: tuple[int | None, ...]
    categories: tuple[str, ...] = ()  # every paper category, sorted
    cells: tuple[tuple[int | None, tuple[int, ...]], ...] = ()  # (year or None, category indices), sorted
    cell_papers: tuple[int, ...] = ()  # per cell, its papers that use a map concept


def paper_year(attrs: Mapping) -> int | None:
    """The year of a paper's ``issued`` date ("2024-05-01", "2024"), else None.

    >>> paper_year({"issued": "2023-11-30"}), paper_year({"issued": "n.d."}), paper_year({})
    (2023, None, None)
    """
    match = _YEAR.match(str(attrs.get("issued") or ""))
    return int(match.group(1)) if match else None


def association_strength(count: int, papers_i: int, papers_j: int, total: int) -> float:
    """Observed over expected co-occurrence: ``total * count / (papers_i * papers_j)``.

    1.0 means the two are used together as often as chance predicts.

    >>> association_strength(10, 20, 50, 1000)
    10.0
    """
    return total * count / (papers_i * papers_j)


def cooccurrences(paper_concepts: Sequence[Sequence[int]]) -> Counter:
    """{(i, j): papers using both} over every pair i < j of each paper's concepts (in any
    order, repeats ignored); :func:`kg.viz.cooccur.pair_counts` with pairs as keys.

    >>> sorted(cooccurrences([[0, 1, 2], [1, 2]]).items())
    [((0, 1), 1), ((0, 2), 1), ((1, 2), 2)]
    """
    distinct = [tuple(sorted(set(concepts))) for concepts in paper_concepts]
    n = 1 + max((c for concepts in distinct for c in concepts), default=0)
    first, second, together = pair_counts(distinct, n)
    return Counter({(int(i), int(j)): int(k) for i, j, k in zip(first, second, together)})


def thin_edges(
    pairs: Mapping[tuple[int, int], int], papers: Sequence[int], total: int, *,
    per_node: int = 6, min_count: int = 1,
) -> list[tuple[int, int, int, float]]:
    """The edges worth drawing: each node's `per_node` strongest (by association strength,
    then count, then index) among pairs used together in at least `min_count` papers; an
    edge stays when either end keeps it. Returns (i, j, count, strength) sorted by (i, j).
    :func:`kg.viz.cooccur.thin_pairs` on a mapping of pairs.

    >>> thin_edges({(0, 1): 5, (0, 2): 1, (1, 2): 1}, [10, 5, 1], 20, per_node=1)
    [(0, 1, 5, 2.0), (1, 2, 1, 4.0)]
    """
    keys = sorted(pairs)
    first = np.array([i for i, _ in keys], dtype=np.int64)
    second = np.array([j for _, j in keys], dtype=np.int64)
    together = np.array([pairs[k] for k in keys], dtype=np.int64)
    return thin_pairs(first, second, together, papers, total, per_node=per_node, min_count=min_count)


def communities(
    n_nodes: int, edges: Sequence[tuple[int, int, float]], *, resolution: float = 1.0, seed: int = 0,
) -> list[list[int]]:
    """Louvain communities (networkx) of nodes ``0 .. n_nodes-1`` over weighted edges;
    largest first, ties by smallest member; isolated nodes are their own community.

    >>> communities(4, [(0, 1, 1.0), (2, 3, 1.0)])
    [[0, 1], [2, 3]]
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    graph.add_weighted_edges_from(edges)
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def _yearly(counter: Counter) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(counter.items()))


def paper_cells(years: Sequence[int | None], categories: Sequence[Sequence[str]], max_categories: int = 40) -> tuple[
        tuple[str, ...], tuple[tuple[int | None, tuple[int, ...]], ...], list[int]]:
    """(the categories sorted, the cells sorted, each paper's cell): a cell is a year (or
    None) and a set of categories (as indices) that some paper has. Only the
    `max_categories` categories with the most papers (ties by name) are kept, the ones the
    page's filter offers: a filter on those is still exact, and rare categories cannot
    multiply the cells.

    >>> paper_cells([2024, 2023, 2024], [["cs.LG"], ["cs.CV", "cs.LG"], ["cs.LG"]])
    (('cs.CV', 'cs.LG'), ((2023, (0, 1)), (2024, (1,))), [1, 0, 1])
    >>> paper_cells([2024, 2023, 2024], [["cs.LG"], ["cs.CV", "cs.LG"], ["cs.LG"]], max_categories=1)[:2]
    (('cs.LG',), ((2023, (0,)), (2024, (0,))))
    """
    used = Counter(str(c) for cats in categories for c in set(cats))
    names = tuple(sorted(sorted(used, key=lambda c: (-used[c], c))[:max(0, max_categories)]))
    index = {c: i for i, c in enumerate(names)}
    keys = [(y, tuple(sorted({index[str(c)] for c in cats if str(c) in index}))) for y, cats in zip(years, categories)]
    cells = tuple(sorted(set(keys), key=lambda k: (k[0] is not None, k[0] or 0, k[1])))
    cell_index = {k: i for i, k in enumerate(cells)}
    return names, cells, [cell_index[k] for k in keys]


def _per_year(cells: Sequence[int], cell_years: Sequence[int | None]) -> tuple[tuple[int, int], ...]:
    """(year, papers) ascending from flat (cell, papers, ...): the undated cells left out."""
    counter: Counter = Counter()
    for k in range(0, len(cells), 2):
        if cell_years[cells[k]] is not None:
            counter[cell_years[cells[k]]] += cells[k + 1]
    return _yearly(counter)


def map_concepts_of(graph: nx.DiGraph, max_concepts: int) -> list[str]:
    """The concept nodes of the map: every concept some paper uses, most used first
    (ties by label, then node id), at most `max_concepts`."""
    kinds = {n: a.get("kind") for n, a in graph.nodes(data=True)}  # each read once
    papers = {n for n, k in kinds.items() if k == "paper"}
    used = [(n, len(papers.intersection(graph.predecessors(n)))) for n, k in kinds.items() if k == "concept"]
    used = [(n, k) for n, k in used if k > 0]
    used.sort(key=lambda nk: (-nk[1], str(graph.nodes[nk[0]].get("label", "")).casefold(), str(nk[0])))
    return [n for n, _ in used[:max_concepts]]


def concept_map(
    graph: nx.DiGraph, *, max_concepts: int = 10_000, core_min_papers: int = 2, per_node: int = 6,
    min_count: int = 1, resolution: float = 1.0, seed: int = 0, max_categories: int = 40,
) -> ConceptMap:
    """The concept map of a kg graph (see the module docstring).

    `max_concepts`: the most used concepts kept; `core_min_papers`: the papers a named
    concept needs to join the communities and the force layout (lowered to 1 when fewer
    than 30 concepts reach it); `per_node`: the strongest edges kept per concept;
    `min_count`: the papers an edge needs; `resolution`: Louvain's (higher, more and
    smaller communities); `seed`: Louvain's and the layout's; `max_categories`: the
    categories the page can filter on, the most used (:func:`paper_cells`). Deterministic.
    """
    nodes = map_concepts_of(graph, max_concepts)
    index = {n: i for i, n in enumerate(nodes)}
    papers = sorted((p for p, a in graph.nodes(data=True) if a.get("kind") == "paper"), key=str)
    paper_concepts = [tuple(sorted({index[c] for c in graph.successors(p) if c in index})) for p in papers]
    years = [paper_year(graph.nodes[p]) for p in papers]
    categories, cells, cell_of = paper_cells(years, [graph.nodes[p].get("categories") or () for p in papers],
                                             max_categories)
    cell_years = [year for year, _cats in cells]
    cell_papers = [0] * len(cells)
    for concepts, cell in zip(paper_concepts, cell_of):
        if concepts:
            cell_papers[cell] += 1
    by_cell = concept_cells(paper_concepts, cell_of, len(nodes), max(len(cells), 1))
    counts = [sum(flat[1::2]) for flat in by_cell]
    kind = [bool(graph.nodes[n].get("generic")) for n in nodes]
    threshold = core_min_papers
    if sum(1 for i in range(len(nodes)) if not kind[i] and counts[i] >= threshold) < 30:
        threshold = 1
    core = [not kind[i] and counts[i] >= threshold for i in range(len(nodes))]
    total = sum(1 for cs in paper_concepts if cs) or 1
    # Edges are thinned in three layers, so rare concepts (whose association strengths are
    # the highest) never crowd out the core's own links, nor kinds a named concept's.
    n = len(nodes)
    first, second, together = pair_counts(paper_concepts, max(n, 1))
    kind_of, core_of = np.array(kind, dtype=bool), np.array(core, dtype=bool)
    with_kind = kind_of[first] | kind_of[second]
    named = ~with_kind
    in_core = named & core_of[first] & core_of[second]

    def thin(mask, per: int) -> list[tuple[int, int, int, float]]:
        return thin_pairs(first[mask], second[mask], together[mask], counts, total, per_node=per, min_count=min_count)

    clustering = thin(in_core, 2 * per_node)
    layers = (thin(in_core, per_node), thin(named, per_node), thin(with_kind, max(2, per_node // 2)))
    thinned = sorted({edge for layer in layers for edge in layer})
    edge_cells = pair_cells(paper_concepts, cell_of, max(n, 1), max(len(cells), 1), [(i, j) for i, j, _, _ in thinned])

    core_ids = [i for i in range(len(nodes)) if core[i]]
    local = {i: k for k, i in enumerate(core_ids)}
    core_edges = [(local[i], local[j], s) for i, j, _, s in clustering]
    groups = [[core_ids[k] for k in group] for group in communities(len(core_ids), core_edges,
                                                                   resolution=resolution, seed=seed)]
    community_of = [-1] * len(nodes)
    for g, members in enumerate(groups):
        for i in members:
            community_of[i] = g
    join_communities(community_of, thinned, order=sorted(range(len(nodes)), key=lambda i: (-counts[i], i)))
    weighted = [(i, j, s) for i, j, _, s in thinned]
    positions = map_layout(len(nodes), weighted, groups, counts, seed=seed)

    palette = [PALETTE[g] if g < len(PALETTE) and len(members) > 1 else OTHER_COLOR
               for g, members in enumerate(groups)]
    labels = [str(graph.nodes[n].get("label") or graph.nodes[n].get("key") or n) for n in nodes]
    concepts = tuple(
        MapConcept(node=str(n), label=labels[i], ctype=str(graph.nodes[n].get("ctype")), papers=counts[i],
                   kind=kind[i], core=core[i], community=community_of[i],
                   years=_per_year(by_cell[i], cell_years), x=positions[i][0], y=positions[i][1], cells=by_cell[i])
        for i, n in enumerate(nodes)
    )
    edges = tuple(MapEdge(i, j, c, s, _per_year(flat, cell_years), flat) for (i, j, c, s), flat in zip(thinned, edge_cells))
    legend = tuple(
        Community(color=palette[g], top=tuple(sorted(members, key=lambda i: (-counts[i], i))[:3]), size=len(members))
        for g, members in enumerate(groups)
    )
    return ConceptMap(concepts, edges, legend, tuple(str(p) for p in papers), tuple(paper_concepts), tuple(years),
                      categories, cells, tuple(cell_papers))


def join_communities(community_of: list[int], edges: Sequence[tuple[int, int, int, float]],
                     order: Sequence[int], rounds: int = 3) -> None:
    """Give each concept outside the core (``community_of[i] == -1``) the community of its
    strongest neighbour that has one, in `order`, for up to `rounds` passes (a neighbour
    may get its own in an earlier pass). In place; the rest stay -1.

    >>> groups = [0, -1, -1, 1]
    >>> join_communities(groups, [(0, 1, 1, 2.0), (1, 3, 1, 5.0), (1, 2, 1, 1.0)], order=[1, 2])
    >>> groups
    [0, 1, 1, 1]
    """
    neighbours: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, _count, strength in edges:
        neighbours[i].append((-strength, j))
        neighbours[j].append((-strength, i))
    for _ in range(rounds):
        changed = False
        for i in order:
            if community_of[i] >= 0:
                continue
            best = next((community_of[j] for _s, j in sorted(neighbours[i]) if community_of[j] >= 0), -1)
            if best >= 0:
                community_of[i] = best
                changed = True
        if not changed:
            break


def sentence_around(text: str, start: int, end: int, limit: int = 320) -> tuple[str, int, int]:
    """The sentence of `text` holding ``text[start:end]``, at most `limit` characters
    (cut around the span, marked with "…"), and the span's offsets in it.

    >>> sentence_around("We train it. ResNet-50 wins on ImageNet. Done.", 13, 22)
    ('ResNet-50 wins on ImageNet.', 0, 9)
    """
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            break
        begin = match.end()
    stop = len(text)
    following = _SENTENCE_END.search(text, end)
    if following:
        stop = following.start()
    prefix = ""
    suffix = ""
    if stop - begin > limit:
        half = max(0, (limit - (end - start)) // 2)
        new_begin = max(begin, start - half)
        new_stop = min(stop, max(end, new_begin + limit))
        prefix = "\u2026" if new_begin > begin else ""
        suffix = "\u2026" if new_stop < stop else ""
        begin, stop = new_begin, new_stop
    sentence = prefix + text[begin:stop] + suffix
    return sentence, start - begin + len(prefix), end - begin + len(prefix)


def evidence(graph: nx.DiGraph, cmap: ConceptMap, per_concept: int = 2,
             papers: Sequence[int] | None = None) -> list[list[tuple[int, str, int, int]]]:
    """Per map concept, up to `per_concept` sentences that mention it, from different
    papers (the most confident mention first, then the earlier paper): (paper index in
    ``cmap.papers``, sentence, start, end) with code-point offsets into the sentence.
    `papers`: the indices of the papers to read (ascending; the page's embedded papers),
    default all."""
    from kg.graph import concept_node

    index = {c.node: i for i, c in enumerate(cmap.concepts)}
    found: list[list[tuple[float, int, str, int, int]]] = [[] for _ in cmap.concepts]
    for p in range(len(cmap.papers)) if papers is None else papers:
        attrs = graph.nodes[cmap.papers[p]]
        texts: dict[str, str] = {}  # the paper's fields, each read once (they may be on disk: kg.spill)
        best: dict[int, tuple[float, object]] = {}
        for m in attrs.get("mentions") or ():
            target = index.get(concept_node(m.label, m.key)) if m.label != "Repository" else None
            if target is None or len(found[target]) >= per_concept * 4:
                continue
            if target not in best or m.confidence > best[target][0]:
                best[target] = (m.confidence, m)
        for target, (confidence, m) in best.items():
            field = getattr(m.field, "value", m.field)
            text = texts.get(field)
            if text is None:
                text = texts[field] = attrs.get(field) or ""
            if not (0 <= m.start < m.end <= len(text)):
                continue
            sentence, s, e = sentence_around(text, m.start, m.end)
            found[target].append((-confidence, p, sentence, s, e))
    return [[(p, sentence, s, e) for _c, p, sentence, s, e in sorted(rows)[:per_concept]] for rows in found]


__all__ = ["Community", "ConceptMap", "MapConcept", "MapEdge", "association_strength", "communities",
           "concept_map", "cooccurrences", "evidence", "join_communities", "paper_cells", "paper_year",
           "sentence_around", "thin_edges"]
