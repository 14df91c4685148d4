"""The viewer of the bundled corpus in headless Chromium, as a user first meets it.

Writes outputs/viewer-bundled.png. Skipped without a browser, failed under CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.build import BuildOptions, collect_graph
from kg.ingest import IngestReport
from kg.viz import write_html

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUTS = Path(__file__).resolve().parents[1] / "outputs"
LAPP = "LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs from Scratch"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not Path(CHROMIUM).is_file():
        if os.environ.get("CI"):
            pytest.fail(f"no browser (playwright and {CHROMIUM} needed); CI is set, so this must run")
        pytest.skip("no headless Chromium here")
    graph, _ = collect_graph(BuildOptions(), IngestReport())
    path = tmp_path_factory.mktemp("bundled-viewer") / "graph.html"
    stats = write_html(graph, path)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("() => window.kgViewer && window.kgViewer.ready", timeout=20_000)
        yield page, graph, stats, errors
        browser.close()


def test_bundled_viewer_opens_capped_without_errors(page):
    page, graph, stats, errors = page
    assert not errors
    assert page.evaluate("() => kgViewer.mode()") == "map"  # the concept map first
    assert page.inner_text("#status").startswith("Concept map: ")
    page.evaluate("() => kgViewer.setMode('papers')")
    assert page.evaluate("() => kgViewer.totalNodeCount()") == graph.number_of_nodes()
    assert stats.nodes_drawn == 400 < graph.number_of_nodes()
    assert page.evaluate("() => kgViewer.drawnNodeCount()") == stats.nodes_drawn
    assert f"Showing 400 of {graph.number_of_nodes()} nodes" in page.inner_text("#status")
    page.evaluate("() => kgViewer.setMode('map')")
    assert page.inner_text("#status").startswith("Concept map: ")


def test_search_finds_a_known_paper_and_its_panel_highlights_mentions(page):
    page, graph, _, errors = page
    page.fill("#search", "Layer Adaptive Progressive")
    results = page.locator("#results button")
    assert any(LAPP in t for t in results.all_inner_texts())
    results.filter(has_text=LAPP).first.click()
    assert page.inner_text("#panel-heading") == LAPP
    marks = page.eval_on_selector_all("#panel mark", "ms => ms.map(m => [m.className, m.textContent])")
    assert ["m m-Method", "Layer Adaptive Progressive Pruning (LAPP)"] in marks
    assert ["m m-Dataset", "CIFAR-10"] in marks
    OUTPUTS.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUTS / "viewer-bundled.png"))
    assert (OUTPUTS / "viewer-bundled.png").stat().st_size > 20_000
    assert not errors
