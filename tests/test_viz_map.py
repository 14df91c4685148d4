"""The concept map view in headless Chromium (issue 13, points 1-3): the default view, details
on demand, time; and the bundled corpus's map (writes outputs/viewer-map-bundled.png).

Every expected number is computed from the fixture graph (tests/fixtures/viz/map_fixture.py:
a dated corpus of three topics with arXiv categories, a kind, an alias, a broader concept, a
concept new in the last year and hostile text), not copied from the page. Filters, exports
and clicks are in test_viz_map_filters.py. Skipped when no browser is available, except
under CI (the CI variable is set), where a missing browser is a failure.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kg.viz.conceptmap import concept_map

_spec = importlib.util.spec_from_file_location("kg_viz_map_page", Path(__file__).parent / "fixtures" / "viz" / "map_page.py")
map_page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(map_page)
fixture = map_page.fixture
browser_or_problem, map_or_problem, need = map_page.browser_or_problem, map_page.map_or_problem, map_page.need

pytestmark = pytest.mark.browser

OUTPUTS = Path(__file__).resolve().parents[1] / "outputs"


def test_page_and_python_agree_on_the_concepts(map_or_problem):
    viewer = need(map_or_problem)
    keys = viewer.js("n => Array.from({length: n}, (_, c) => kgViewer.map.key(c))", len(viewer.cmap.concepts))
    assert keys == [c.node for c in viewer.cmap.concepts]  # the same indices on both sides
    assert viewer.js("k => kgViewer.map.conceptIndex(k)", fixture.NEW) == viewer.concept(fixture.NEW)


# ---- 1. the concept map is the default view ----------------------------------------------------


def test_opens_on_the_map_without_errors_or_network(map_or_problem):
    viewer = need(map_or_problem)
    assert viewer.js("() => kgViewer.mode()") == "map"
    assert viewer.page.is_visible("#map canvas") and viewer.page.is_hidden("#network")
    assert viewer.page.is_visible("#map-controls")
    assert viewer.page.get_attribute("#tab-map", "aria-selected") == "true"
    assert not viewer.errors(), viewer.errors()
    assert all(url.startswith(("file:", "data:", "about:", "blob:")) for url in viewer.requests), viewer.requests
    assert len(viewer.requests) == 1  # the page itself, nothing else
    want = viewer.expected()
    viewer.assert_shows(want)
    assert viewer.js("() => kgViewer.map.state().minPapers") == 2  # the smallest core concept's papers
    assert viewer.page.inner_text("#status").endswith("; at least 2 papers each; kinds hidden.")


def test_named_concepts_only_until_kinds_are_asked_for(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    assert fixture.KIND not in viewer.visible()
    assert all(not viewer.graph.nodes[n]["generic"] for n in viewer.visible())
    assert viewer.js("c => kgViewer.map.count(c)", viewer.concept(fixture.KIND)) == len(fixture.papers_of(viewer.graph, fixture.KIND))
    page.check("#map-kinds")
    want = viewer.expected(kinds=True)
    assert fixture.KIND in want.visible
    viewer.assert_shows(want)
    assert page.inner_text("#status").endswith("kinds shown.")
    assert any(fixture.KIND in pair for pair in want.edges)  # a kind brings its links along
    page.uncheck("#map-kinds")
    viewer.assert_shows(viewer.expected())


def test_node_sizes_grow_with_papers(map_or_problem):
    viewer = need(map_or_problem)
    papers = {c.node: len(fixture.papers_of(viewer.graph, c.node)) for c in viewer.cmap.concepts}
    assert len({papers[n] for n in viewer.visible()}) >= 3
    map_page.assert_sizes_follow(viewer, papers)


def test_community_legend_lists_the_topics_by_their_top_concepts(map_or_problem):
    viewer = need(map_or_problem)
    graph = viewer.graph
    legend = viewer.page.eval_on_selector_all(
        "#community-list li", "ls => ls.map(l => [l.querySelector('input').value, l.querySelector('.community-name').textContent,"
        " l.querySelector('.count').textContent])")
    assert len(legend) == len(fixture.TOPICS) == len(viewer.cmap.communities)
    by_group = {int(g): (name, int(size)) for g, name, size in legend}
    for topic, members in fixture.TOPICS.items():
        groups = {viewer.cmap.concepts[viewer.concept(n)].community for n in members}
        assert len(groups) == 1, (topic, groups)  # one topic, one community
        (group,) = groups
        top = sorted(members, key=lambda n: (-len(fixture.papers_of(graph, n)), graph.nodes[n]["label"].casefold()))[:3]
        assert by_group[group] == (", ".join(graph.nodes[n]["label"] for n in top), len(members)), topic
    colours = viewer.page.eval_on_selector_all("#community-list .community-swatch", "ss => ss.map(s => s.style.background)")
    assert len(set(colours)) == len(colours)


def test_labels_of_the_biggest_nodes_are_drawn_without_overlap(map_or_problem):
    viewer = need(map_or_problem)
    labels = viewer.js("() => kgViewer.map.labels()")
    labelled = {viewer.cmap.concepts[entry["id"]].node for entry in labels}
    assert labelled <= viewer.visible()
    papers = {n: len(fixture.papers_of(viewer.graph, n)) for n in viewer.visible()}
    biggest = {n for n in papers if papers[n] >= 5}  # the two biggest sizes
    assert len(biggest) >= 3 and biggest <= labelled, biggest - labelled
    assert len(labelled) >= len(papers) // 2
    boxes = [entry["box"] for entry in labels]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            x0, y0, x1, y1 = boxes[a]
            u0, v0, u1, v1 = boxes[b]
            assert not (x0 < u1 and x1 > u0 and y0 < v1 and y1 > v0), (labels[a], labels[b])
    width, height = viewer.js("() => { const c = document.querySelector('#map canvas'); return [c.clientWidth, c.clientHeight]; }")
    for x0, y0, x1, y1 in boxes:  # on the canvas, readable at the opening zoom
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    assert all(entry["size"] >= 11 for entry in labels)
    # the labels are drawn as text of the canvas: the pixels under a label's middle are not all white
    canvas_box = viewer.js("() => { const b = document.querySelector('#map canvas').getBoundingClientRect(); return [b.left, b.top]; }")
    for entry in labels[:3]:
        x0, y0, x1, y1 = entry["box"]
        row = [viewer.pixel(canvas_box[0] + x, canvas_box[1] + (y0 + y1) / 2) for x in range(int(x0) + 2, int(x1) - 2, 2)]
        assert any(sum(p) < 300 for p in row), entry  # dark text somewhere along the label


# ---- 2. details on demand ----------------------------------------------------------------------


def test_click_a_concept_lists_papers_neighbours_and_evidence(map_or_problem):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    node = "concept:Method:transformer"
    viewer.click_concept(node)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-heading") == "Transformer"
    assert page.get_attribute("#panel", "data-node") == str(viewer.rank[node])
    assert page.get_attribute("#panel", "data-type") == "Method"
    papers = page.eval_on_selector_all("#panel .paper-item button", "bs => bs.map(b => b.textContent)")
    assert sorted(papers) == sorted(graph.nodes[p]["title"] for p in fixture.papers_of(graph, node))
    years = page.eval_on_selector_all("#panel .paper-item .hint", "hs => hs.map(h => Number(h.textContent))")
    assert years == sorted(years, reverse=True)  # the newest first
    links = page.eval_on_selector_all("#panel .paper-item a.external", "as => as.map(a => [a.href, a.rel])")
    assert sorted(href for href, _ in links) == sorted(graph.nodes[p]["url"] for p in fixture.papers_of(graph, node))
    # strongest neighbours: the concept's map edges, strongest first
    want = viewer.expected()
    mine = sorted(((b if a == node else a), want.strength(a, b), want.edges[a, b]) for a, b in want.edges if node in (a, b))
    mine.sort(key=lambda t: (-t[1], -t[2]))
    shown = page.eval_on_selector_all("#panel .neighbour button", "bs => bs.map(b => b.textContent)")
    assert shown == [viewer.label(other) for other, _, _ in mine][:15]
    assert shown[0] == viewer.label(mine[0][0])
    hints = page.eval_on_selector_all("#panel .neighbour .hint", "hs => hs.map(h => h.textContent)")
    assert hints[0].strip() == f"{mine[0][2]} paper{'s' if mine[0][2] != 1 else ''} together, strength {round(mine[0][1], 1):g}"
    # evidence: sentences of its papers, the concept marked
    evidence = page.eval_on_selector_all(
        "#panel .evidence", "es => es.map(e => [e.querySelector('q').textContent, e.querySelector('mark').textContent,"
        " e.querySelector('mark').className, e.querySelector('.result-paper button').textContent])")
    assert 1 <= len(evidence) <= 2
    titles = {graph.nodes[p]["title"]: p for p in fixture.papers_of(graph, node)}
    for sentence, mark, css, title in evidence:
        assert mark == "Transformer" and css == "m m-Method"
        assert title in titles and sentence in graph.nodes[titles[title]]["abstract"]
    assert len({title for *_, title in evidence}) == len(evidence)  # from different papers


def test_concept_panel_shows_aliases_broader_and_first_year(map_or_problem):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    viewer.click_concept(fixture.ALIASED)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-heading") == "Graph Convolutional Network"
    assert page.eval_on_selector_all("#panel ul.labels li", "ls => ls.map(l => l.textContent)") == list(graph.nodes[fixture.ALIASED]["alt_labels"])
    assert "GCN" in graph.nodes[fixture.ALIASED]["alt_labels"]
    marks = page.eval_on_selector_all("#panel .evidence mark", "ms => ms.map(m => m.textContent)")
    assert marks and set(marks) <= {"GCN", "Graph Convolutional Network"}
    viewer.click_concept(fixture.NARROWER)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-heading") == viewer.label(fixture.NARROWER)
    assert graph.nodes[fixture.NARROWER]["broader"] == (fixture.BROADER,)
    assert page.inner_text("#panel .broader button") == viewer.label(fixture.BROADER)
    page.click("#panel .broader button")  # the broader concept's own panel
    assert page.inner_text("#panel-heading") == viewer.label(fixture.BROADER)
    assert page.locator("#panel .broader").count() == 0


def test_click_a_paper_in_the_panel_opens_its_abstract_and_concepts(map_or_problem):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    viewer.click_concept(fixture.NEW)
    page.wait_for_selector("#panel:not([hidden])")
    paper = "paper:l6"
    title = graph.nodes[paper]["title"]
    page.locator("#panel .paper-item button", has_text=title).click()
    assert page.inner_text("#panel-heading") == title
    assert page.get_attribute("#panel", "data-type") == "paper"
    marks = page.eval_on_selector_all("#panel .abstract mark", "ms => ms.map(m => [m.className, m.textContent])")
    abstract = graph.nodes[paper]["abstract"]
    want = [["m m-" + m.label, abstract[m.start:m.end]] for m in graph.nodes[paper]["mentions"] if m.field.value == "abstract"]
    assert marks == want and ["m m-Method", "Mamba"] in marks
    concepts = page.eval_on_selector_all("#panel .node-list button", "bs => bs.map(b => b.textContent)")
    assert sorted(concepts) == sorted(graph.nodes[c]["label"] for c in graph.successors(paper))
    page.locator("#panel .node-list button", has_text="Transformer").click()  # and back to a concept
    assert page.inner_text("#panel-heading") == "Transformer"
    assert viewer.js("() => kgViewer.mode()") == "map"


def test_the_papers_tab_switches_to_the_paper_graph_and_back(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    page.click("#tab-papers")
    assert viewer.js("() => kgViewer.mode()") == "papers"
    assert page.is_visible("#network") and page.is_hidden("#map") and page.is_hidden("#map-controls")
    assert page.get_attribute("#tab-papers", "aria-selected") == "true"
    assert page.inner_text("#status").startswith(f"Showing {viewer.graph.number_of_nodes()} of {viewer.graph.number_of_nodes()} nodes")
    assert viewer.js("() => kgViewer.drawnNodeCount()") == viewer.graph.number_of_nodes()
    page.click("#tab-map")
    assert viewer.js("() => kgViewer.mode()") == "map"
    assert page.is_visible("#map canvas") and page.is_hidden("#network")
    viewer.assert_shows(viewer.expected())
    assert not viewer.errors(), viewer.errors()


# ---- 3. time ---------------------------------------------------------------------------------


def test_mean_year_overlay(map_or_problem):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    radio = "input[name=map-color][value=year]"
    assert page.is_enabled(radio)
    for c in viewer.cmap.concepts:
        years = [fixture.paper_year(graph, p) for p in fixture.papers_of(graph, c.node)]
        assert viewer.js("c => kgViewer.map.meanYear(c)", viewer.concept(c.node)) == pytest.approx(sum(years) / len(years))
    mean = {c.node: sum(fixture.paper_year(graph, p) for p in fixture.papers_of(graph, c.node)) / c.papers
            for c in viewer.cmap.concepts}
    first, last = 2021, 2024
    early = sorted(n for n in viewer.visible() if mean[n] == first)[0]  # CIFAR-10: used in 2021 only
    late = sorted(n for n in viewer.visible() if mean[n] == last)[0]
    community_colour = {n: viewer.pixel(viewer.position(n)["x"], viewer.position(n)["y"]) for n in (early, late)}
    page.check(radio)
    assert viewer.js("() => kgViewer.map.state().color") == "year"
    # viridis at both ends of the years, drawn with alpha .92 on white
    for node, rgb in ((early, (68, 1, 84)), (late, (253, 231, 37))):
        pos = viewer.position(node)
        got = viewer.pixel(pos["x"], pos["y"])
        assert got != community_colour[node]
        assert got == pytest.approx([0.92 * v + 0.08 * 255 for v in rgb], abs=3), (node, got)
    middle = sorted(n for n in viewer.visible() if first < mean[n] < last)[0]
    pos = viewer.position(middle)
    assert viewer.pixel(pos["x"], pos["y"]) not in (viewer.pixel(viewer.position(early)["x"], viewer.position(early)["y"]),
                                                    viewer.pixel(viewer.position(late)["x"], viewer.position(late)["y"]))


def test_year_range_recounts_concepts_and_edges(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    before = viewer.positions()
    before_r = viewer.position("concept:Method:transformer")["r"]
    page.fill("#year-from", "2023")
    page.dispatch_event("#year-from", "change")
    want = viewer.expected(years=(2023, 2024))
    viewer.assert_shows(want)
    assert want.count != viewer.expected().count and len(want.edges) < len(viewer.expected().edges)
    assert "in 2023\u20132024" in page.inner_text("#status")
    map_page.assert_sizes_follow(viewer, want.count)  # sizes follow the papers in the range
    assert viewer.position("concept:Method:transformer")["r"] < before_r
    page.fill("#year-to", "2023")
    page.dispatch_event("#year-to", "change")
    viewer.assert_shows(viewer.expected(years=(2023, 2023)))
    assert "in 2023;" in page.inner_text("#status")
    assert viewer.positions() == before  # the layout stays put
    page.fill("#year-from", "2021")
    page.dispatch_event("#year-from", "change")
    page.fill("#year-to", "2022")
    page.dispatch_event("#year-to", "change")
    want = viewer.expected(years=(2021, 2022))
    viewer.assert_shows(want)
    assert fixture.NEW not in want.visible and fixture.NEW not in viewer.visible()
    # the mean year follows the range
    node = "concept:Method:transformer"
    years = [y for y in (fixture.paper_year(viewer.graph, p) for p in fixture.papers_of(viewer.graph, node)) if y <= 2022]
    assert viewer.js("c => kgViewer.map.meanYear(c)", viewer.concept(node)) == pytest.approx(sum(years) / len(years))


def test_panel_has_papers_per_year_and_first_year(map_or_problem):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    for node in (fixture.NEW, "concept:Method:transformer", "concept:Dataset:cifar-10"):
        viewer.click_concept(node)
        page.wait_for_selector("#panel:not([hidden])")
        assert page.inner_text("#panel-heading") == viewer.label(node)
        per_year = {}
        for p in fixture.papers_of(graph, node):
            per_year[fixture.paper_year(graph, p)] = per_year.get(fixture.paper_year(graph, p), 0) + 1
        bars = page.eval_on_selector_all("#panel svg.year-chart rect", "rs => rs.map(r => [r.querySelector('title').textContent,"
                                         " Number(r.getAttribute('height')), r.getAttribute('class')])")
        assert [b[0] for b in bars] == [f"{y}: {per_year.get(y, 0)} paper{'' if per_year.get(y, 0) == 1 else 's'}"
                                        for y in range(2021, 2025)]
        heights = [b[1] for b in bars]
        for a, ya in zip(heights, range(2021, 2025)):  # taller bars for more papers, none for none
            for b, yb in zip(heights, range(2021, 2025)):
                if per_year.get(ya, 0) > per_year.get(yb, 0):
                    assert a > b
        assert all(h == 0 for h, y in zip(heights, range(2021, 2025)) if not per_year.get(y))
        assert f"first seen {min(per_year)}" in page.inner_text("#panel .facts")
    viewer.click_concept(fixture.NEW)
    page.wait_for_selector("#panel:not([hidden])")
    assert "first seen 2024" in page.inner_text("#panel .facts")
    # a narrowed range greys the bars outside it and says how many papers are shown
    page.fill("#map-min", "1")
    page.dispatch_event("#map-min", "change")
    page.fill("#year-from", "2024")
    page.dispatch_event("#year-from", "change")
    viewer.click_concept("concept:Method:transformer")
    page.wait_for_selector("#panel:not([hidden])")
    classes = page.eval_on_selector_all("#panel svg.year-chart rect", "rs => rs.map(r => r.getAttribute('class'))")
    assert classes == ["bar out", "bar out", "bar out", "bar"]
    assert "1 paper shown of 6" in page.inner_text("#panel .facts")
    papers = page.eval_on_selector_all("#panel .paper-item button", "bs => bs.map(b => b.textContent)")
    assert papers == [graph.nodes["paper:l6"]["title"]]


# ---- the bundled corpus ---------------------------------------------------------------------------


def test_bundled_corpus_opens_on_its_map(browser_or_problem, tmp_path):
    if isinstance(browser_or_problem, str):
        map_page.skip_or_fail(browser_or_problem)
    from kg.build import BuildOptions, collect_graph
    from kg.ingest import IngestReport

    graph, _ = collect_graph(BuildOptions(), IngestReport())
    page, messages, requests = map_page.open_page(browser_or_problem, graph, tmp_path / "graph.html")
    try:
        assert page.evaluate("() => kgViewer.mode()") == "map"
        cmap = concept_map(graph)
        text = page.inner_text("#status")
        match = map_page.STATUS.match(text)
        assert match, text
        shown, total = (int(match.group(k).replace(",", "")) for k in (1, 2))
        assert total == len(cmap.concepts) and 0 < shown <= total
        assert page.evaluate("() => kgViewer.map.visibleCount()") == shown
        assert page.locator("#community-list li").count() >= 2
        assert len(page.evaluate("() => kgViewer.map.labels()")) >= 10
        assert not [m for m in messages if m[0] in ("error", "pageerror")]
        assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
        OUTPUTS.mkdir(exist_ok=True)
        out = OUTPUTS / "viewer-map-bundled.png"
        page.screenshot(path=str(out))
        assert out.stat().st_size > 20_000
    finally:
        page.close()
