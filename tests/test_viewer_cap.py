"""The viewer of a corpus larger than the page's paper cap (issue 14): the page embeds at
most `max_papers` papers, yet the concept map's filters recount over every paper, exactly
(from counts per year and set of categories, kg.viz.mapdata), and the page stops growing
with the number of papers. The browser test is skipped without Chromium, failed under CI.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.viz import write_html
from kg.viz.conceptmap import concept_map, paper_year
from kg.viz.mapbench import field_graph
from kg.viz.mapdata import recount
from kg.viz.model import page_order, rank_nodes
from kg.viz.render import render_page

# the viewer's browser fixtures (one Chromium per module, skip-or-fail, open a written page)
_spec = importlib.util.spec_from_file_location("kg_viz_map_page", Path(__file__).parent / "fixtures" / "viz" / "map_page.py")
map_page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(map_page)
browser_or_problem = map_page.browser_or_problem

CAP = 60  # papers the test pages embed


def corpus(n_papers: int, n_concepts: int = 40, categories: int = 8) -> nx.DiGraph:
    """A generated field (kg.viz.mapbench) with some undated papers and some without
    categories, so the filters meet both; its papers' categories taken among the first
    `categories` (fewer: fewer cells, kg.viz.conceptmap)."""
    graph = field_graph(n_papers, n_concepts, topics=4, per_paper=5)
    names = sorted({c for _, a in graph.nodes(data=True) for c in a.get("categories") or ()})
    fold = {c: names[i % categories] for i, c in enumerate(names)}
    for i, node in enumerate(sorted(n for n, a in graph.nodes(data=True) if a["kind"] == "paper")):
        attrs = graph.nodes[node]
        attrs["categories"] = tuple(sorted({fold[c] for c in attrs["categories"]}))
        if i % 17 == 3:
            attrs["issued"] = None
        if i % 23 == 5:
            attrs["categories"] = ()
    return graph


def data_of(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    return json.loads(block)


def brute_force(graph: nx.DiGraph, cmap, years=None, cats=None) -> tuple[list[int], list[int], int]:
    """(papers per map concept, per map edge, with a map concept) that pass the filters,
    counted paper by paper over the whole graph."""
    def passes(paper: str) -> bool:
        attrs = graph.nodes[paper]
        year = paper_year(attrs)
        if years and not (year is not None and years[0] <= year <= years[1]):
            return False
        return not cats or bool(set(cats) & set(attrs.get("categories") or ()))

    shown = {p for p, a in graph.nodes(data=True) if a["kind"] == "paper" and passes(p)}
    users = {c.node: {p for p in graph.predecessors(c.node) if p in shown} for c in cmap.concepts}
    in_map = set(users)
    counts = [len(users[c.node]) for c in cmap.concepts]
    edges = [len(users[cmap.concepts[e.source].node] & users[cmap.concepts[e.target].node]) for e in cmap.edges]
    papers = sum(1 for p in shown if any(c in in_map for c in graph.successors(p)))
    return counts, edges, papers


FILTERS = [
    {},
    {"years": (2020, 2022)},
    {"years": (2025, 2025)},
    {"cats": ("cs.CL",)},
    {"cats": ("cs.LG", "stat.ML")},
    {"years": (2019, 2021), "cats": ("cs.CV", "eess.AS")},
    {"years": (2018, 2025), "cats": ("cs.IR",)},  # the whole range: only undated papers drop out
]


@pytest.fixture(scope="module")
def capped():
    graph = corpus(900)
    html, stats = render_page(graph, title="capped", max_papers=CAP)
    return graph, concept_map(graph), data_of(html), stats


def test_page_embeds_at_most_the_cap(capped):
    graph, cmap, data, stats = capped
    papers = [n for n in data["nodes"] if n["group"] == "paper"]
    assert len(papers) == CAP == data["meta"]["embedded"] == len(data["map"]["papers"]["node"])
    assert data["meta"]["papers"] == 900 and data["meta"]["maxPapers"] == CAP
    order = page_order(graph, rank_nodes(graph, 400), CAP, keep=[c.node for c in cmap.concepts])
    assert [n["key"] for n in data["nodes"]] == [str(n) for n in order]  # ids are ranks among what is embedded
    first = [n for n in rank_nodes(graph, 400) if graph.nodes[n]["kind"] == "paper"][:CAP]
    assert [n["key"] for n in papers] == first  # the first papers in drawing order, as before
    assert all(n.get("abstract") for n in papers)  # each with its abstract
    assert stats.nodes_total == len(data["nodes"])
    index = {n["key"]: i for i, n in enumerate(data["nodes"])}
    for f, t in zip(data["edges"]["from"], data["edges"]["to"]):  # edges only between embedded nodes
        assert graph.has_edge(data["nodes"][f]["key"], data["nodes"][t]["key"])
    assert len(data["edges"]["from"]) == sum(1 for u, v in graph.edges if u in index and v in index)
    evidence_papers = {row[0] for rows in data["map"]["concepts"]["evidence"] for row in rows}
    assert evidence_papers <= {index[p] for p in first}  # evidence from embedded papers only


def test_capped_page_is_byte_identical(capped):
    graph = capped[0]
    shuffled = nx.DiGraph()  # the same graph, inserted in another order
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(graph.edges(data=True))))
    pages = [render_page(g, title="capped", max_papers=CAP)[0] for g in (graph, shuffled)]
    assert pages[0] == pages[1]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_aggregates_equal_counting_every_paper(capped, filters):
    graph, cmap, data, _stats = capped
    categories = data["map"]["categories"]
    cats = {categories.index(c) for c in filters["cats"]} if "cats" in filters else None
    got = recount(data["map"], years=filters.get("years"), categories=cats)
    want = brute_force(graph, cmap, filters.get("years"), filters.get("cats"))
    assert got == want
    assert sum(want[0]) > 0 or filters.get("years") == (2025, 2025)
    if not filters:  # unfiltered: the map's own totals
        assert got[0] == data["map"]["concepts"]["papers"] and got[1] == data["map"]["edges"]["c"]
        assert got[2] == data["map"]["total"]


def test_filters_select_papers_beyond_the_cap(capped):
    graph, cmap, data, _stats = capped
    counts, _edges, papers = brute_force(graph, cmap, (2020, 2022), ("cs.CL",))
    embedded = sum(1 for n in data["nodes"] if n["group"] == "paper")
    assert papers > embedded  # the counts cannot have come from the embedded papers


def _data_bytes(n_papers: int, max_papers: int) -> int:
    html, _ = render_page(corpus(n_papers, n_concepts=24, categories=3), title="size", max_papers=max_papers)
    (block,) = re.findall(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    return len(block.encode("utf-8"))


def test_page_stops_growing_with_the_papers():
    """The same concepts, twice the papers, both past the cap: the page's data grows by
    less than 12%. Once every (concept or link, cell) pair occurs, only the counts' digits
    grow (logarithmically); without the cap the page nearly doubles."""
    small, large = _data_bytes(4_000, CAP), _data_bytes(8_000, CAP)
    assert large < 1.12 * small, (small, large)
    uncapped_small, uncapped_large = _data_bytes(4_000, 10**9), _data_bytes(8_000, 10**9)
    assert uncapped_large > 1.6 * uncapped_small  # what the cap prevents (the test can fail)


# ---- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_capped_page_filters_exactly_and_lists_what_it_embeds(browser_or_problem, tmp_path):
    if isinstance(browser_or_problem, str):
        map_page.skip_or_fail(browser_or_problem)
    graph = corpus(400)
    cmap = concept_map(graph)
    path = tmp_path / "capped.html"
    page, messages, _ = map_page.open_page(browser_or_problem, graph, path, title="capped", max_papers=CAP)
    data = data_of(path.read_text(encoding="utf-8"))
    embedded = {n["key"] for n in data["nodes"] if n["group"] == "paper"}
    categories = data["map"]["categories"]
    try:
        n, m = len(cmap.concepts), len(cmap.edges)
        for filters in FILTERS:
            cats = [categories.index(c) for c in filters.get("cats", ())] or None
            years = filters.get("years") or data["map"]["years"]
            page.evaluate("o => kgViewer.map.update(o)", {"y0": years[0], "y1": years[1], "cats": cats})
            got = page.evaluate("([n, m]) => [Array.from({length: n}, (_, c) => kgViewer.map.count(c)),"
                                " Array.from({length: m}, (_, k) => kgViewer.map.edgeCount(k)), kgViewer.map.shownPapers()]",
                                [n, m])
            full = filters.get("years") == tuple(data["map"]["years"])  # the page's whole span: no year filter
            want = brute_force(graph, cmap, None if full else filters.get("years"), filters.get("cats"))
            assert tuple(got) == want, filters
        # a concept's panel: its embedded papers for the filters, and how many more the corpus has
        page.evaluate("o => kgViewer.map.update(o)", {"y0": 2019, "y1": 2023, "cats": None, "minPapers": 1})
        counts, _edges, _papers = brute_force(graph, cmap, (2019, 2023))
        c = 0  # the most used concept
        page.evaluate("k => kgViewer.select(k)", cmap.concepts[c].node)
        page.wait_for_selector("#panel:not([hidden])")
        listed = page.eval_on_selector_all("#panel .paper-item button", "bs => bs.map(b => b.textContent)")
        mine = [p for p in graph.predecessors(cmap.concepts[c].node) if p in embedded
                and 2019 <= (paper_year(graph.nodes[p]) or 0) <= 2023]
        assert sorted(listed) == sorted(graph.nodes[p]["title"] for p in mine) and listed
        more = page.inner_text("#panel .more-papers")
        assert more.startswith(f"and {counts[c] - len(mine):,} more papers in the corpus")
        assert f"embeds {CAP} of its 400 papers" in more
        assert counts[c] - len(mine) > 0
        # search finds embedded papers by title, not the others
        inside = next(iter(sorted(embedded)))
        outside = sorted(p for p, a in graph.nodes(data=True) if a["kind"] == "paper" and p not in embedded)[0]
        assert [h["key"] for h in page.evaluate("q => kgViewer.search(q, 50)", graph.nodes[inside]["title"])][:1] == [inside]
        assert outside not in [h["key"] for h in page.evaluate("q => kgViewer.search(q, 50)", graph.nodes[outside]["title"])]
        assert "embeds 60 of the corpus" in page.inner_text("#embedded-note")
        errors = [msg for msg in messages if msg[0] in ("error", "pageerror")]
        assert not errors, errors
    finally:
        page.close()
