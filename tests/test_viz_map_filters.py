"""The concept map view in headless Chromium (issue 13, points 4, 5 and 7): filters that
recount, exports of what is shown, hostile text, clicks that hit what they point at.

Expected numbers come from the fixture graph (see test_viz_map.py and
tests/fixtures/viz/map_fixture.py). Skipped without a browser, failed under CI.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import struct
from pathlib import Path

import networkx as nx
import pytest

_spec = importlib.util.spec_from_file_location("kg_viz_map_page", Path(__file__).parent / "fixtures" / "viz" / "map_page.py")
map_page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(map_page)
fixture = map_page.fixture
browser_or_problem, map_or_problem, need = map_page.browser_or_problem, map_page.map_or_problem, map_page.need

pytestmark = pytest.mark.browser


# ---- 4. filters that redraw --------------------------------------------------------------------


def test_type_filter_recounts_and_keeps_positions(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    before = viewer.positions()
    page.uncheck("#map-types input[value=Metric]")
    want = viewer.expected(types=("Method", "Dataset", "Task"))
    viewer.assert_shows(want)
    assert not any(viewer.graph.nodes[n]["ctype"] == "Metric" for n in viewer.visible())
    assert "types: Method, Dataset, Task" in page.inner_text("#status")
    assert viewer.positions() == before
    page.uncheck("#map-types input[value=Task]")
    viewer.assert_shows(viewer.expected(types=("Method", "Dataset")))
    page.check("#map-types input[value=Metric]")
    page.check("#map-types input[value=Task]")
    viewer.assert_shows(viewer.expected())
    assert "types:" not in page.inner_text("#status")


def test_community_filter_hides_a_topic(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    before = viewer.positions()
    vision = viewer.cmap.concepts[viewer.concept(fixture.TOPICS["vision"][0])].community
    page.uncheck(f"#community-list input[value='{vision}']")
    others = {g for g in range(len(viewer.cmap.communities)) if g != vision}
    want = viewer.expected(groups=others)
    viewer.assert_shows(want)
    assert not set(fixture.TOPICS["vision"]) & viewer.visible()
    assert set(fixture.TOPICS["language"]) <= viewer.visible()
    assert f"; 2 of {len(viewer.cmap.communities)} communities" in page.inner_text("#status")
    assert viewer.positions() == before
    for g in others:
        page.uncheck(f"#community-list input[value='{g}']")
    viewer.assert_shows(viewer.expected(groups=set()))
    assert viewer.js("() => kgViewer.map.visibleCount()") == 0
    page.click("#map-reset")
    viewer.assert_shows(viewer.expected())


def test_category_filter_recounts_from_the_papers(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    options = page.eval_on_selector_all("#map-categories option", "os => os.map(o => o.textContent)")
    assert options == sorted({c for p in viewer.cmap.papers for c in viewer.graph.nodes[p]["categories"]})
    before = viewer.positions()
    page.select_option("#map-categories", label="cs.CL")
    want = viewer.expected(cats={"cs.CL"})
    viewer.assert_shows(want)
    assert set(want.visible) <= set(fixture.TOPICS["language"])
    assert "in cs.CL;" in page.inner_text("#status")
    page.select_option("#map-categories", label=["cs.LG", "stat.ML"])
    want = viewer.expected(cats={"cs.LG", "stat.ML"})
    viewer.assert_shows(want)
    assert want.count["concept:Method:transformer"] == 1  # only l3 and l7 are cs.LG, l7 has no Transformer
    assert viewer.positions() == before
    page.fill("#year-from", "2024")  # categories and years together
    page.dispatch_event("#year-from", "change")
    viewer.assert_shows(viewer.expected(cats={"cs.LG", "stat.ML"}, years=(2024, 2024)))


def test_min_papers_filter(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    before = viewer.positions()
    page.fill("#map-min", "4")
    page.dispatch_event("#map-min", "change")
    want = viewer.expected(min_papers=4)
    viewer.assert_shows(want)
    assert 0 < len(want.visible) < len(viewer.expected().visible)
    assert "at least 4 papers each" in page.inner_text("#status")
    assert viewer.positions() == before
    page.check("#map-kinds")
    viewer.assert_shows(viewer.expected(min_papers=4, kinds=True))


# ---- 5. exports of what is shown ----------------------------------------------------------------


def test_exports_hold_exactly_what_is_shown(map_or_problem, tmp_path):
    viewer = need(map_or_problem)
    page, graph = viewer.page, viewer.graph
    page.check("#map-kinds")
    page.fill("#year-from", "2022")
    page.dispatch_event("#year-from", "change")
    page.uncheck("#map-types input[value=Metric]")
    want = viewer.expected(kinds=True, years=(2022, 2024), types=("Method", "Dataset", "Task"))
    viewer.assert_shows(want)
    assert fixture.HOSTILE in want.visible and fixture.KIND in want.visible
    ids = {f"c{viewer.concept(n)}": n for n in want.visible}

    graphml = map_page.download(page, "#export-graphml")
    (tmp_path / "map.graphml").write_bytes(graphml)
    g = nx.read_graphml(tmp_path / "map.graphml")
    assert set(g.nodes) == set(ids)
    assert {frozenset((ids[a], ids[b])) for a, b in g.edges} == {frozenset(pair) for pair in want.edges}
    for node_id, node in ids.items():
        attrs = g.nodes[node_id]
        assert attrs["label"] == graph.nodes[node]["label"]
        assert attrs["papers"] == want.count[node]
        assert attrs["type"] == graph.nodes[node]["ctype"] and attrs["kind"] == bool(graph.nodes[node]["generic"])
        assert attrs["key"] == node
    assert g.nodes[f"c{viewer.concept(fixture.HOSTILE)}"]["label"] == fixture.HOSTILE_CONCEPT  # text, intact
    for (a, b), together in want.edges.items():
        data = g.edges[f"c{viewer.concept(a)}", f"c{viewer.concept(b)}"]
        assert data["weight"] == together
        assert data["association_strength"] == pytest.approx(want.strength(a, b), abs=1e-4)

    nodes = list(csv.DictReader(io.StringIO(map_page.download(page, "#export-nodes").decode("utf-8"))))
    assert {r["id"] for r in nodes} == set(ids)
    for r in nodes:
        node = ids[r["id"]]
        assert r["label"].removeprefix("'") == graph.nodes[node]["label"] and int(r["papers"]) == want.count[node]
        assert r["key"] == node
        assert float(r["mean_year"]) == pytest.approx(g.nodes[r["id"]]["mean_year"])
        c = viewer.cmap.concepts[viewer.concept(node)]  # numbers stay numbers (negative ones too)
        assert (float(r["x"]), float(r["y"]), int(r["community"])) == (c.x, c.y, c.community)
    edges = list(csv.DictReader(io.StringIO(map_page.download(page, "#export-edges").decode("utf-8"))))
    assert {(ids[r["source"]], ids[r["target"]]): int(r["papers"]) for r in edges} == want.edges
    for r in edges:
        assert (r["source_label"].removeprefix("'"), r["target_label"].removeprefix("'")) == \
            (viewer.label(ids[r["source"]]), viewer.label(ids[r["target"]]))
        assert float(r["association_strength"]) == pytest.approx(want.strength(ids[r["source"]], ids[r["target"]]), abs=1e-4)

    png = map_page.download(page, "#export-png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    size = list(struct.unpack(">II", png[16:24]))
    assert size == viewer.js("() => { const c = document.querySelector('#map canvas'); return [c.width, c.height]; }")
    assert len(png) > 5_000
    assert not viewer.errors(), viewer.errors()
    assert viewer.js("() => typeof window.__xss") == "undefined"


def test_csv_cells_that_look_like_formulas_are_defused(map_or_problem):
    viewer = need(map_or_problem)
    text = viewer.js("() => kgViewer.map.nodesCsv()")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert fixture.HOSTILE_CONCEPT.startswith("=")
    (hostile,) = [r for r in rows if r["key"] == fixture.HOSTILE]
    assert hostile["label"] == "'" + fixture.HOSTILE_CONCEPT  # text, not a formula, in a spreadsheet
    assert not [r for r in rows if r["label"][:1] in "=+-@"]
    assert any(r["x"].startswith("-") for r in rows) and any(r["y"].startswith("-") for r in rows)  # numbers untouched
    edges = list(csv.DictReader(io.StringIO(viewer.js("() => kgViewer.map.edgesCsv()"))))
    assert any(r["source_label"] == "'" + fixture.HOSTILE_CONCEPT or r["target_label"] == "'" + fixture.HOSTILE_CONCEPT
               for r in edges)


# ---- hostile text ------------------------------------------------------------------------------


def test_hostile_names_stay_text_on_the_map(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    viewer.click_concept(fixture.HOSTILE)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-heading") == fixture.HOSTILE_CONCEPT
    assert fixture.HOSTILE_TITLE in page.eval_on_selector_all("#panel .paper-item button", "bs => bs.map(b => b.textContent)")
    page.locator("#panel .paper-item button", has_text="Graph <script>").click()
    assert page.inner_text("#panel-heading") == fixture.HOSTILE_TITLE
    assert page.evaluate("() => document.querySelectorAll('#panel img, #panel script, #panel b').length") == 0
    pos = viewer.position(fixture.HOSTILE)
    viewer.js("() => kgViewer.closePanel()")
    page.mouse.move(pos["x"] - 2, pos["y"] - 2)
    page.mouse.move(pos["x"], pos["y"])
    tip = page.eval_on_selector("#map .map-tip", "t => [t.hidden, t.textContent, t.children.length]")
    assert tip[0] is False and tip[1].startswith(fixture.HOSTILE_CONCEPT) and tip[2] == 0
    assert page.evaluate("() => typeof window.__xss") == "undefined"


# ---- 7. clicks hit what they point at -------------------------------------------------------------


def test_clicks_open_the_node_under_the_pointer(map_or_problem):
    viewer = need(map_or_problem)
    by_papers = sorted(viewer.visible(), key=lambda n: (len(fixture.papers_of(viewer.graph, n)), n))
    near = map_page.closest_pair(viewer)
    map_page.check_clicks(viewer, [by_papers[-1], by_papers[0], by_papers[len(by_papers) // 2], *near])
    # a click just inside a node's rim still hits it, just outside does not open another
    small = by_papers[0]
    pos = viewer.position(small)
    viewer.js("() => kgViewer.closePanel()")
    for dx, dy in ((1, 0), (0, 1), (-1, 0), (0, -1)):
        inside = (pos["x"] + dx * (pos["r"] - 2), pos["y"] + dy * (pos["r"] - 2))
        assert viewer.js("([x, y]) => kgViewer.map.hit(x - document.querySelector('#map canvas').getBoundingClientRect().left,"
                         " y - document.querySelector('#map canvas').getBoundingClientRect().top)", list(inside)) == viewer.concept(small)


def test_clicks_hit_after_zooming_and_panning(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    box = page.locator("#map canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.45)
    page.mouse.wheel(0, -400)  # zoom in around the pointer
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 380, box["y"] + 340, steps=5)  # and drag the map
    page.mouse.up()
    assert viewer.js("() => kgViewer.map.view().k") > 1.2
    width, height = box["width"], box["height"]
    on_screen = [n for n in sorted(viewer.visible())
                 if 30 < viewer.position(n)["x"] - box["x"] < width - 450 and 30 < viewer.position(n)["y"] - box["y"] < height - 30]
    assert len(on_screen) >= 3
    map_page.check_clicks(viewer, on_screen[:4])


def test_click_on_empty_space_changes_nothing(map_or_problem):
    viewer = need(map_or_problem)
    page = viewer.page
    viewer.click_concept("concept:Dataset:cora")
    page.wait_for_selector("#panel:not([hidden])")
    before = (page.get_attribute("#panel", "data-node"), page.inner_text("#panel-heading"))
    box = page.locator("#map canvas").bounding_box()
    shown = [viewer.position(n) for n in viewer.visible()]
    empty = None
    for y in range(40, int(box["height"]) - 40, 20):  # a point well away from every node, left of the panel
        for x in range(40, int(box["width"]) - 460, 20):
            px, py = box["x"] + x, box["y"] + y
            if all(((px - p["x"]) ** 2 + (py - p["y"]) ** 2) ** 0.5 > p["r"] + 25 for p in shown):
                empty = (px, py)
                break
        if empty:
            break
    assert empty is not None
    assert viewer.js("([x, y]) => kgViewer.map.hit(x - document.querySelector('#map canvas').getBoundingClientRect().left,"
                     " y - document.querySelector('#map canvas').getBoundingClientRect().top)", list(empty)) == -1
    page.mouse.click(*empty)
    assert page.is_visible("#panel")
    assert (page.get_attribute("#panel", "data-node"), page.inner_text("#panel-heading")) == before
