"""The HTML viewer in headless Chromium: it opens cleanly, caps, searches, explains, and stays inert.

Skipped when no browser is available, except under CI (the CI variable is set), where a
missing browser is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.viz import write_html
from kg.viz.bench import CHROMIUM, CHROMIUM_ARGS  # the viewer bench's browser and flags
from kg.viz.model import node_type, rank_nodes

pytestmark = pytest.mark.browser

CAP = 40
FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "graph_fixture.py"
_spec = importlib.util.spec_from_file_location("kg_viz_graph_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture)


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM}"
    return None


class Viewer:
    def __init__(self, page, stats, graph, path, messages, requests):
        self.page, self.stats, self.graph, self.path = page, stats, graph, path
        self.messages, self.requests = messages, requests

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def reset(self) -> None:
        """The paper view (these tests are about it; the concept map has tests_viz_map.py), reset."""
        self.js("() => { kgViewer.closePanel(); kgViewer.setMode('papers'); document.getElementById('reset').click(); }")
        self.page.fill("#search", "")


@pytest.fixture(scope="module")
def browser_or_problem():
    """One Chromium for the module (playwright's sync API allows one session at a time)."""
    problem = _browser_problem()
    if problem:
        yield problem
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_viewer(browser, graph, path, **options) -> Viewer:
    stats = write_html(graph, path, **options)
    messages, requests = [], []
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kgViewer && window.kgViewer.ready", timeout=15_000)
    return Viewer(page, stats, graph, path, messages, requests)


@pytest.fixture(scope="module")
def viewer_or_problem(browser_or_problem, tmp_path_factory):
    if isinstance(browser_or_problem, str):
        yield browser_or_problem
        return
    path = tmp_path_factory.mktemp("viz-browser") / "graph.html"
    viewer = _open_viewer(browser_or_problem, fixture.fixture_graph(), path, title="kg browser test", max_nodes=CAP)
    yield viewer
    viewer.page.close()


def need(viewer_or_problem) -> Viewer:
    """The open viewer, reset; or a skip (a failure when CI is set: not in a fixture, so FAILED)."""
    if isinstance(viewer_or_problem, str):
        if os.environ.get("CI"):
            pytest.fail(f"{viewer_or_problem}; CI is set, so the browser tests must run")
        pytest.skip(viewer_or_problem)
    viewer_or_problem.reset()
    return viewer_or_problem


def test_opens_without_errors_or_network(viewer_or_problem):
    viewer = need(viewer_or_problem)
    assert viewer.js("() => window.kgViewer.ready") is True
    errors = [m for m in viewer.messages if m[0] in ("error", "pageerror")]
    assert not errors, errors
    assert all(url.startswith(("file:", "data:", "about:")) for url in viewer.requests), viewer.requests


def test_drawn_nodes_follow_the_cap(viewer_or_problem):
    viewer = need(viewer_or_problem)
    total = viewer.graph.number_of_nodes()
    assert viewer.stats.nodes_drawn == CAP < total
    assert viewer.js("() => kgViewer.drawnNodeCount()") == viewer.stats.nodes_drawn
    assert viewer.js("() => kgViewer.drawnEdgeCount()") == viewer.stats.edges_drawn
    assert viewer.js("() => kgViewer.totalNodeCount()") == total
    assert f"Showing {CAP} of {total} nodes" in viewer.page.inner_text("#status")
    drawn = rank_nodes(viewer.graph, CAP)[:CAP]
    assert all(viewer.js("k => kgViewer.isDrawn(k)", str(n)) for n in drawn)


def test_keyboard_search_opens_paper_panel_with_marks(viewer_or_problem):
    viewer = need(viewer_or_problem)
    page = viewer.page
    page.reload()  # a fresh page: focus starts at the top of the document
    page.wait_for_function("() => window.kgViewer && window.kgViewer.ready", timeout=15_000)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    focused = []
    for _ in range(3):  # the two view tabs, then the search
        page.keyboard.press("Tab")
        focused.append(page.evaluate("() => document.activeElement.id"))
    assert focused == ["tab-map", "tab-papers", "search"]
    assert page.evaluate("() => kgViewer.mode()") == "map"  # the concept map opens first
    page.keyboard.type("attention is all")
    first = page.locator("#results button").first
    assert "Attention Is All You Need" in first.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.classList.contains('result')")
    page.keyboard.press("Enter")
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "panel-heading"
    assert panel.get_attribute("aria-labelledby") == "panel-heading"
    assert page.inner_text("#panel-heading") == "Attention Is All You Need"
    marks = page.eval_on_selector_all("#panel .abstract mark", "ms => ms.map(m => [m.className, m.textContent])")
    assert ["m m-Method", "Transformer"] in marks
    assert ["m m-Task", "machine translation"] in marks
    assert ["m m-Metric", "BLEU"] in marks
    links = page.eval_on_selector_all("#panel a.external", "as => as.map(a => [a.href, a.rel, a.target])")
    assert ["https://github.com/tensorflow/tensor2tensor", "noopener noreferrer", "_blank"] in links
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('result')")  # focus goes back


def test_title_mentions_and_acronyms(viewer_or_problem):
    viewer = need(viewer_or_problem)
    hits = viewer.js("() => kgViewer.search('Bidirectional Encoder Representations')")
    assert hits[0]["key"] == "concept:Method:bert"  # found by its alt label
    assert viewer.js("() => kgViewer.search('vit')")[0]["key"] == "concept:Method:vision-transformer"
    assert viewer.js("() => kgViewer.select('paper:bert')")
    marks = viewer.page.eval_on_selector_all("#panel-heading mark", "ms => ms.map(m => [m.dataset.type, m.textContent])")
    assert ["Method", "BERT"] in marks
    astral = viewer.js("() => { kgViewer.select('paper:study-03'); return [...document.querySelectorAll('#panel .abstract mark')].map(m => m.textContent); }")
    assert "ResNet" in astral  # offsets survive a character outside the BMP


def test_click_on_canvas_opens_concept_panel(viewer_or_problem):
    viewer = need(viewer_or_problem)
    page = viewer.page
    key = "concept:Method:transformer"
    page.evaluate("k => { const v = kgViewer; v.network.focus(v.search('Transformer')[0].id, {scale: 1.6}); }", key)
    page.wait_for_timeout(100)
    pos = page.evaluate("k => kgViewer.nodePosition(k)", key)
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-heading") == "Transformer"
    papers = page.eval_on_selector_all("#panel .node-list button", "bs => bs.map(b => b.textContent)")
    assert "Attention Is All You Need" in papers
    page.locator("#panel .node-list button", has_text="Attention Is All You Need").click()
    assert page.inner_text("#panel-heading") == "Attention Is All You Need"


def test_search_and_filters_reveal_hidden_nodes(viewer_or_problem):
    viewer = need(viewer_or_problem)
    page = viewer.page
    hidden = rank_nodes(viewer.graph, CAP)[-1]
    title = viewer.graph.nodes[hidden].get("title") or viewer.graph.nodes[hidden]["label"]
    assert not viewer.js("k => kgViewer.isDrawn(k)", hidden)
    page.fill("#search", title)
    assert "not drawn yet" in page.locator("#results button").first.inner_text()
    page.press("#search", "Enter")
    assert viewer.js("k => kgViewer.isDrawn(k)", hidden)
    assert viewer.js("() => kgViewer.drawnNodeCount()") > CAP
    page.click("#reset")
    assert viewer.js("() => kgViewer.drawnNodeCount()") == CAP

    order = rank_nodes(viewer.graph, CAP)
    types = [node_type(viewer.graph.nodes[n]) for n in order]
    page.uncheck("#types input[value=paper]")
    assert viewer.js("() => kgViewer.drawnNodeCount()") == min(CAP, sum(t != "paper" for t in types))
    page.check("#types input[value=paper]")
    page.fill("#min-degree", "3")
    page.dispatch_event("#min-degree", "change")
    degree = dict(viewer.graph.degree())
    assert viewer.js("() => kgViewer.drawnNodeCount()") == min(CAP, sum(degree[n] >= 3 for n in order))
    page.click("#show-all")
    assert viewer.js("() => kgViewer.drawnNodeCount()") == sum(degree[n] >= 3 for n in order)
    assert "hidden" in page.inner_text("#status")


def test_hostile_paper_stays_text(viewer_or_problem):
    viewer = need(viewer_or_problem)
    page = viewer.page
    hits = viewer.js("() => kgViewer.search('__xss=1</script> transformer')")
    assert hits and hits[0]["key"] == "paper:xss"
    page.fill("#search", "<script>window")
    assert fixture.XSS_TITLE in page.inner_text("#results")
    assert viewer.js("() => kgViewer.select('paper:xss')")
    assert page.inner_text("#panel-heading") == fixture.XSS_TITLE
    assert "<img src=x onerror=" in page.inner_text("#panel .abstract")
    assert page.evaluate("() => document.querySelectorAll('#panel img, #panel script, #results img').length") == 0
    assert page.evaluate("() => document.querySelectorAll('script').length") == 4
    assert page.eval_on_selector_all("#panel a", "as => as.map(a => a.href)") == ["https://arxiv.org/abs/xss"]
    viewer.js("() => kgViewer.closePanel()")
    viewer.js("() => kgViewer.network.focus(kgViewer.search('__xss=1</script> transformer')[0].id, {scale: 2})")
    pos = viewer.js("() => kgViewer.nodePosition('paper:xss')")
    page.mouse.move(pos["x"] - 3, pos["y"] - 3)
    page.mouse.move(pos["x"], pos["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")
    tooltip = page.eval_on_selector("div.vis-tooltip", "t => [t.innerText, [...t.children].map(c => c.tagName)]")
    assert tooltip[0].startswith(fixture.XSS_TITLE) and set(tooltip[1]) <= {"BR"}  # plain text
    assert page.evaluate("() => typeof window.__xss") == "undefined"


def test_screenshot(viewer_or_problem, tmp_path):
    viewer = need(viewer_or_problem)
    viewer.js("() => kgViewer.select('paper:attention')")
    out = Path(os.environ.get("KG_SCREENSHOT_DIR", tmp_path)) / "viewer.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    viewer.page.screenshot(path=str(out))
    assert out.stat().st_size > 20_000
    assert viewer.js("() => typeof window.__xss") == "undefined"
    assert not [m for m in viewer.messages if m[0] in ("error", "pageerror")]


@pytest.mark.slow
def test_bench_opens_a_synthetic_graph_quickly(viewer_or_problem, tmp_path):
    need(viewer_or_problem)
    # a subprocess: Playwright's sync API cannot nest inside this module's open session
    done = subprocess.run([sys.executable, "-m", "kg.viz.bench", "3000", str(tmp_path)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "KG_CHROMIUM": CHROMIUM})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["n_nodes"] == 3_000 and result["nodes_drawn"] == 400 and result["selected"]
    assert not result["errors"], result["errors"]
    assert result["goal_met"], result  # interactive in under 3 s


_rspec = importlib.util.spec_from_file_location("kg_viz_results_fixture_b", FIXTURE.with_name("results_fixture.py"))
results_fixture = importlib.util.module_from_spec(_rspec)
_rspec.loader.exec_module(results_fixture)


@pytest.fixture(scope="module")
def results_viewer_or_problem(browser_or_problem, tmp_path_factory):
    """The viewer of a small graph whose papers state results (see results_fixture)."""
    if isinstance(browser_or_problem, str):
        yield browser_or_problem
        return
    path = tmp_path_factory.mktemp("viz-results") / "graph.html"
    viewer = _open_viewer(browser_or_problem, results_fixture.results_graph(), path, title="kg results test")
    yield viewer
    viewer.page.close()


def _result_items(page) -> list[str]:
    return page.eval_on_selector_all("#panel .result-item", "xs => xs.map(x => x.innerText.replace(/\\s+/g, ' ').trim())")


def test_paper_panel_lists_and_highlights_results(results_viewer_or_problem):
    viewer = need(results_viewer_or_problem)
    page = viewer.page
    assert viewer.js("() => kgViewer.select('paper:res-a')")
    marks = page.eval_on_selector_all("#panel .abstract mark.m-result", "ms => ms.map(m => [m.textContent, m.title])")
    assert [m[0] for m in marks] == ["91.1%", "2%"]
    assert marks[0][1] == "Result (score): 91.1 % · accuracy · on ImageNet · by ResNet"
    assert "Result" in page.inner_text("#panel .mark-key")  # the key explains the yellow marks
    background = page.eval_on_selector("#panel .abstract mark.m-result", "m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgb(238, 238, 238)", "rgba(0, 0, 0, 0)")  # styled, not the fallback grey
    assert _result_items(page) == ["91.1% accuracy on ImageNet by ResNet (score)",
                                   "2% accuracy on ImageNet by ResNet (improvement)"]
    page.locator("#panel .result-item button", has_text="ImageNet").first.click()
    assert page.inner_text("#panel-heading") == "ImageNet"
    errors = [m for m in viewer.messages if m[0] in ("error", "pageerror")]
    assert not errors, errors


def test_dataset_panel_lists_results_best_first(results_viewer_or_problem):
    viewer = need(results_viewer_or_problem)
    page = viewer.page
    assert viewer.js("() => kgViewer.select('concept:Dataset:imagenet')")
    items = _result_items(page)
    assert [i.split(" ")[0] for i in items] == ["92.5%", "91.1%", "2%", "2.9", "3.2"]  # FID: lower is better
    assert items[0] == "92.5% accuracy by Transformer (score) Transformers for Images"  # no "on ImageNet" here
    page.locator("#panel .result-paper button", has_text="Residual Nets Revisited").first.click()
    assert page.inner_text("#panel-heading") == "Residual Nets Revisited"


def test_hostile_names_in_results_stay_text(results_viewer_or_problem):
    viewer = need(results_viewer_or_problem)
    page = viewer.page
    assert viewer.js("() => kgViewer.select('paper:res-x')")
    assert _result_items(page) == [f"77.7% accuracy on {results_fixture.HOSTILE_DATASET} by ResNet (score)"]
    title = page.eval_on_selector("#panel .abstract mark.m-result", "m => m.title")
    assert results_fixture.HOSTILE_DATASET in title
    assert page.evaluate("() => document.querySelectorAll('#panel img, #panel script').length") == 0
    viewer.js("() => kgViewer.select('concept:Dataset:hostile')")
    assert page.inner_text("#panel-heading") == results_fixture.HOSTILE_DATASET
    assert page.evaluate("() => document.querySelectorAll('#panel img').length") == 0
    assert page.evaluate("() => typeof window.__xss") == "undefined"


def test_kinds_say_so_in_search_and_panel(results_viewer_or_problem):
    viewer = need(results_viewer_or_problem)
    page = viewer.page
    page.fill("#search", "image dataset")
    first = page.locator("#results button").first
    assert "image dataset" in first.inner_text() and "(kind)" in first.inner_text()
    first.click()
    assert page.inner_text("#panel .facts").startswith("Dataset (kind)")
    assert "not a named dataset" in page.inner_text("#panel .kind-note")
    viewer.js("() => kgViewer.select('concept:Dataset:imagenet')")
    assert page.locator("#panel .kind-note").count() == 0
