"""How fast the concept map opens for a field-sized corpus, in headless Chromium.

    python -m kg.viz.mapbench [n_papers] [n_concepts] [out_dir]

builds a synthetic graph in kg's node scheme (no extraction: concepts are assigned
directly) with topical structure, dates over eight years and arXiv-style categories,
writes the viewer and opens it; prints a JSON dict with the time to write the page, its
size, and the milliseconds until the map's first drawing and until a click on a concept
has opened its panel. The goal (issue 13): a map of 10,000 concepts from 100,000 papers
interactive in under 3000 ms.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.graph import concept_node, paper_node
from kg.records import Field, Mention
from kg.types import TYPE_NAMES, relations
from kg.viz.bench import CHROMIUM, CHROMIUM_ARGS

TYPES = TYPE_NAMES
RELATION = relations()
CATEGORIES = ("cs.LG", "cs.CV", "cs.CL", "stat.ML", "cs.AI", "cs.RO", "cs.IR", "eess.AS")
YEARS = range(2018, 2026)


def field_graph(n_papers: int = 100_000, n_concepts: int = 10_000, *, topics: int = 40, per_paper: int = 8,
                seed: int = 0) -> nx.DiGraph:
    """A corpus whose papers each belong to a topic and mostly use that topic's concepts
    (Zipf-popular within it), plus a few popular cross-topic ones; each paper has a date
    (a topic rises over the years) and one or two categories, and a short abstract in
    which its concepts are mentioned (so evidence sentences exist)."""
    rng = random.Random(seed)
    graph = nx.DiGraph()
    concept_ids = []
    for c in range(n_concepts):
        ctype = TYPES[c % 4]
        label = f"{''.join(rng.choice('bcdfghklmnprstvz') + rng.choice('aeiou') for _ in range(3)).capitalize()}-{c}"
        node = concept_node(ctype, label.lower())
        graph.add_node(node, kind="concept", ctype=ctype, key=label.lower(), label=label, alt_labels=(),
                       generic=c % 97 == 5)
        concept_ids.append(node)
    members = [[c for c in range(n_concepts) if (c // len(TYPES)) % topics == t] for t in range(topics)]
    shared = list(range(0, min(n_concepts, 60)))
    for p in range(n_papers):
        topic = p % topics
        pool = members[topic]
        picked = {pool[int(len(pool) * rng.random() ** 2.5)] for _ in range(per_paper - 1)}
        if rng.random() < 0.5:
            picked.add(shared[int(len(shared) * rng.random() ** 2)])
        year = YEARS[min(len(YEARS) - 1, int(len(YEARS) * rng.random() ** (0.5 + topic / topics)))]
        cats = tuple(sorted({CATEGORIES[topic % len(CATEGORIES)], rng.choice(CATEGORIES)}))
        parts, mentions, offset = [], [], 0
        for c in sorted(picked):
            attrs = graph.nodes[concept_ids[c]]
            lead = f"We study {attrs['label']}"
            mentions.append(Mention(Field.ABSTRACT, offset + 9, offset + len(lead), attrs["label"], attrs["ctype"],
                                    attrs["key"], 0.9, "synthetic"))
            parts.append(lead + ". ")
            offset += len(lead) + 2
        node = paper_node(f"bench:{p}")
        graph.add_node(node, kind="paper", label=f"Paper {p}", title=f"Paper {p} on topic {topic}",
                       abstract="".join(parts).strip(), key=f"bench:{p}", arxiv_id=None, identifier=None,
                       issued=f"{year}-0{1 + p % 9}-1{p % 10}", authors=(), url=f"https://arxiv.org/abs/{p}",
                       categories=cats, sources=("synthetic",), mentions=tuple(mentions))
        for c in sorted(picked):
            graph.add_edge(node, concept_ids[c], relation=RELATION[graph.nodes[concept_ids[c]]["ctype"]])
    return graph


def open_map(path: Path, executable: str = CHROMIUM, timeout_ms: int = 120_000) -> dict:
    """Open the page; ms from navigation start until the map is drawn and until a click on
    the biggest concept has opened its panel."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.resolve().as_uri(), wait_until="commit")
            page.wait_for_function("() => window.kgViewer && window.kgViewer.ready", timeout=timeout_ms)
            ready = page.evaluate("() => ({ready_ms: kgViewer.readyTime, parse_ms: kgViewer.timings.parsed,"
                                  " mode: kgViewer.mode(), shown: kgViewer.map.visibleCount(),"
                                  " timings: kgViewer.timings, links: kgViewer.map.visibleEdgeCount(), status: document.getElementById('status').textContent})")
            pos = page.evaluate("() => kgViewer.map.screenPosition(0)")
            started = page.evaluate("() => performance.now()")
            page.mouse.click(pos["x"], pos["y"])
            page.wait_for_selector("#panel:not([hidden])", timeout=timeout_ms)
            opened = page.evaluate("() => performance.now()")
            t0 = page.evaluate("() => performance.now()")
            page.evaluate("() => kgViewer.map.update({y0: 2022, y1: 2023})")
            filtered = page.evaluate("() => performance.now()") - t0
        finally:
            browser.close()
    ready["click_panel_ms"] = round(opened - started, 1)
    ready["year_filter_ms"] = round(filtered, 1)
    ready["interactive_ms"] = round(ready["ready_ms"] + ready["click_panel_ms"], 1)
    ready["errors"] = errors
    return ready


def bench_map(n_papers: int = 100_000, n_concepts: int = 10_000, out_dir: str | Path | None = None,
              *, executable: str = CHROMIUM) -> dict:
    own = out_dir is None
    directory = Path(tempfile.mkdtemp(prefix="kg-mapbench-")) if own else Path(out_dir)
    try:
        from kg.viz import write_html

        t0 = time.perf_counter()
        graph = field_graph(n_papers, n_concepts)
        t1 = time.perf_counter()
        path = directory / f"map-{n_papers}.html"
        stats = write_html(graph, path, title=f"kg map bench ({n_papers} papers)")
        t2 = time.perf_counter()
        result = {"papers": n_papers, "concepts": n_concepts, "graph_s": round(t1 - t0, 2),
                  "write_s": round(t2 - t1, 2), "bytes": stats.bytes, "path": str(path)}
        result.update(open_map(path, executable))
        result["goal_met"] = result["interactive_ms"] < 3000 and not result["errors"]
        return result
    finally:
        if own:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(bench_map(int(args[0]) if args else 100_000, int(args[1]) if len(args) > 1 else 10_000,
                               args[2] if len(args) > 2 else None), indent=2))
