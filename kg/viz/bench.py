"""How fast the viewer opens: a synthetic graph in kg's schema, written and opened in Chromium.

    python -m kg.viz.bench [n_nodes] [out_dir]

prints a JSON dict: the time Python takes to write the page, its size, and, in headless
Chromium, the milliseconds from navigation start until the network's first drawing
(``window.kgViewer.ready``) and until a search-and-select round trip has completed. The
goal is ``interactive_ms`` under 3000 for 10k nodes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.graph import GraphBuilder
from kg.records import REPOSITORY, ExtractedPaper, Field, Mention, Paper, Repository
from kg.viz import write_html

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TYPES = ("Method", "Dataset", "Metric", "Task")
_SYLLABLES = ("ra", "to", "vex", "lin", "mor", "qua", "zen", "dri", "pho", "cal", "net", "sy", "gra", "bel")
_FILLER = ("we", "study", "a", "robust", "approach", "for", "scalable", "learning", "and", "show", "that",
           "it", "improves", "over", "strong", "baselines", "across", "settings", "with", "fewer", "parameters")


def _name(rng: random.Random, i: int, ctype: str) -> str:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{stem}{ctype[0]}{i}"


def synthetic_graph(n_nodes: int = 10_000, seed: int = 0) -> nx.DiGraph:
    """Exactly `n_nodes` nodes: ~70% papers, ~25% concepts (Zipf-popular), ~5% repositories."""
    rng = random.Random(seed)
    n_concepts = max(4, n_nodes * 25 // 100)
    n_repos = n_nodes * 5 // 100
    n_papers = n_nodes - n_concepts - n_repos
    if n_papers < 1:
        raise ValueError("n_nodes too small")
    concepts = [(TYPES[i % 4], _name(rng, i, TYPES[i % 4])) for i in range(n_concepts)]
    builder = GraphBuilder()
    for p in range(n_papers):
        picked = {p % n_concepts} if p < n_concepts else set()
        picked |= {int(n_concepts * rng.random() ** 3) for _ in range(rng.randint(2, 6))}
        if p < n_concepts and n_papers < n_concepts:  # more concepts than papers: share them out
            picked |= set(range(p, n_concepts, n_papers))
        parts: list[str] = []
        mentions: list[Mention] = []
        offset = 0
        for c in sorted(picked):
            ctype, surface = concepts[c]
            filler = " ".join(rng.choice(_FILLER) for _ in range(rng.randint(4, 12))) + " "
            parts.append(filler)
            offset += len(filler)
            mentions.append(Mention(Field.ABSTRACT, offset, offset + len(surface), surface, ctype,
                                    surface.lower(), 0.9, "synthetic"))
            parts.append(surface + ". ")
            offset += len(surface) + 2
        repos = []
        if p < n_repos:
            url = f"https://github.com/synthetic/repo-{p}"
            parts.append("Code: ")
            offset += 6
            mentions.append(Mention(Field.ABSTRACT, offset, offset + len(url), url, REPOSITORY, url, 1.0, "synthetic"))
            parts.append(url)
            repos.append(Repository(url=url, host="github.com", is_code_host=True))
        title = " ".join(rng.choice(_FILLER) for _ in range(rng.randint(4, 9))).capitalize() + f" ({p})"
        paper = Paper(key=f"s{p}", title=title, abstract="".join(parts), sources=("synthetic",),
                      url=f"https://arxiv.org/abs/{p}")
        builder.add(ExtractedPaper(paper=paper, mentions=tuple(mentions), repositories=tuple(repos)))
    return builder.build()


def open_in_chromium(path: Path, executable: str = CHROMIUM, timeout_ms: int = 60_000) -> dict:
    """Open the page; times in ms from navigation start (`performance.now()` in the page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            started = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="commit")
            page.wait_for_function("() => window.kgViewer && window.kgViewer.ready", timeout=timeout_ms)
            wall_ready = time.perf_counter() - started
            probe = page.evaluate(
                """() => {
                    const v = window.kgViewer;
                    v.setMode('papers');
                    const t0 = performance.now();
                    const hits = v.search('e');
                    const ok = hits.length > 0 && v.select(hits[hits.length - 1].key);
                    const t1 = performance.now();
                    v.setFilters({limit: v.totalNodeCount()});
                    const t2 = performance.now();
                    v.network.redraw();
                    const t3 = performance.now();
                    return {ready_ms: v.readyTime, parse_ms: v.timings.parsed, search_select_ms: t1 - t0,
                            interactive_ms: v.readyTime + (t1 - t0), selected: ok, drawn: v.drawnNodeCount(),
                            show_all_ms: (t2 - t1) + (t3 - t2), dom_content_loaded_ms:
                            performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd};
                }"""
            )
        finally:
            browser.close()
    probe["wall_ready_s"] = round(wall_ready, 3)
    probe["errors"] = errors
    return probe


def bench_viewer(n_nodes: int = 10_000, out_dir: str | Path | None = None, *, max_nodes: int = 400,
                 seed: int = 0, executable: str = CHROMIUM) -> dict:
    """Build, write and open a synthetic `n_nodes` graph; a dict of sizes and timings."""
    own_dir = out_dir is None
    directory = Path(tempfile.mkdtemp(prefix="kg-bench-")) if own_dir else Path(out_dir)
    try:
        t0 = time.perf_counter()
        graph = synthetic_graph(n_nodes, seed)
        t1 = time.perf_counter()
        path = directory / f"bench-{n_nodes}.html"
        stats = write_html(graph, path, title=f"kg bench ({n_nodes} nodes)", max_nodes=max_nodes, seed=seed)
        t2 = time.perf_counter()
        result = {
            "n_nodes": stats.nodes_total, "n_edges": graph.number_of_edges(), "nodes_drawn": stats.nodes_drawn,
            "edges_drawn": stats.edges_drawn, "bytes": stats.bytes, "graph_s": round(t1 - t0, 3),
            "write_s": round(t2 - t1, 3), "path": str(path),
        }
        result.update({k: round(v, 1) if isinstance(v, float) else v for k, v in open_in_chromium(path, executable).items()})
        result["goal_met"] = result["interactive_ms"] < 3000 and not result["errors"]
        return result
    finally:
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(json.dumps(bench_viewer(n, sys.argv[2] if len(sys.argv) > 2 else None), indent=2))
