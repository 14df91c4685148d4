"""Graph -> one self-contained HTML page: pyvis makes the vis-network data, Jinja the page.

pyvis's own templates load Bootstrap and vis-network from CDNs and put node data into
JavaScript source unescaped, so kg uses pyvis only to generate the node, edge and option
objects, and renders them with its own template: the vis-network JS and CSS that pyvis
ships are inlined, and the data travels as escaped JSON in a
``<script type="application/json">`` block. A Content-Security-Policy allows only the
page's own inline scripts (by hash), so markup smuggled into the data could not run even
if it ever reached the DOM.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
import networkx as nx
from pyvis.network import Network

from kg.types import TYPE_NAMES
from kg.viz import layout as layout_mod
from kg.viz.conceptmap import concept_map
from kg.viz.mapdata import map_payload
from kg.viz.model import (
    NODE_TYPES,
    PAPER,
    TYPE_BY_NAME,
    dataset_results,
    node_payload,
    node_type,
    page_order,
    rank_nodes,
    script_json,
    type_counts,
)

HERE = Path(__file__).resolve().parent
VIS_VERSION = "9.1.2"
MAX_PAPERS = 10_000  # papers the page embeds, with their abstracts (kg.viz.model.page_order)
MAP_SCRIPTS = ("conceptmap.js", "mapview.js")  # the concept map's drawing, then its controls and panel
MAP_TYPES = TYPE_NAMES  # kg.types
RELATIONS = ("proposesMethod", "usesMethod", "usesDataset", "reportsMetric", "addressesTask", "hasCode")


@dataclass(frozen=True)
class ViewerStats:
    nodes_total: int
    nodes_drawn: int
    edges_drawn: int
    bytes: int


def _darker(color: str, factor: float = 0.7) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def vis_options(net: Network, seed: int, large: bool) -> dict:
    """pyvis's options with physics off, straight edges, and one vis group per node type."""
    net.toggle_physics(False)
    net.options.edges.smooth.enabled = False
    net.options.edges.inherit_colors(False)
    net.toggle_hide_edges_on_drag(large)
    options = json.loads(net.options.to_json())
    options["physics"] = {"enabled": False}
    options["layout"] = {"improvedLayout": False, "randomSeed": seed}
    options["edges"]["color"] = {"color": "#a8b3bf", "highlight": "#1f2933", "hover": "#52606d", "opacity": 0.7}
    options["edges"]["width"] = 1
    options["edges"]["selectionWidth"] = 2
    options["interaction"].update(
        {"hover": True, "tooltipDelay": 150, "keyboard": False, "navigationButtons": False, "hideEdgesOnZoom": large}
    )
    options["nodes"] = {
        "borderWidth": 1,
        "font": {"size": 14, "face": "system-ui, sans-serif", "color": "#1f2933", "strokeWidth": 3, "strokeColor": "#ffffff"},
        "scaling": {"label": {"drawThreshold": 8, "maxVisible": 40}},
    }
    options["groups"] = {
        t.name: {
            "shape": t.shape,
            "color": {
                "background": t.color,
                "border": _darker(t.color),
                "highlight": {"background": t.color, "border": "#111111"},
                "hover": {"background": t.color, "border": "#111111"},
            },
            **({"font": {"size": 10}} if t.name == PAPER else {}),
        }
        for t in NODE_TYPES
    }
    return options


def _compact(details: dict) -> dict:
    """Details without empty values: the page treats a missing key as empty."""
    return {k: v for k, v in details.items() if v not in (None, [], "", False)}


def build_nodes(graph: nx.DiGraph, order: list, index: dict, positions: dict) -> list[dict]:
    """The page data of every node it embeds, in drawing order (a node's id is its index):
    its key, name, type (``group``), degree (in the whole graph), position and details.
    Drawn labels, tooltips, sizes and shapes are derived in the page (viewer.js), so they
    are not stored once per node. `index` maps a node to its id."""
    results_on = dataset_results(graph, index)
    nodes = []
    for node in order:
        attrs = graph.nodes[node]
        ntype = node_type(attrs)
        degree = graph.degree(node)
        _label, _tooltip, details = node_payload(node, attrs, ntype, degree, index)
        if node in results_on:
            details["results"] = results_on[node]
        x, y = positions[node]
        nodes.append({"group": ntype, "deg": degree, "x": round(x), "y": round(y), **_compact(details)})
    _point_at_paper_results(nodes, results_on.values())
    return nodes


def _point_at_paper_results(nodes: list[dict], dataset_rows) -> None:
    """Replace each row of a dataset's results (`dataset_rows`, in `nodes`) that repeats its
    paper's own result row by ``[paper id, k]``, k the row's index in the paper's
    ``results`` (viewer.js ``hubResult`` reads it back): results are embedded once. In place."""
    found: dict[int, dict[tuple, int]] = {}
    for rows in dataset_rows:
        for n, row in enumerate(rows):
            paper = row[0]
            if paper not in found:
                found[paper] = {}
                for k, own in enumerate(nodes[paper].get("results") or ()):
                    found[paper].setdefault(tuple(own[1:]), k)
            k = found[paper].get(tuple(row[1:]))
            if k is not None:
                rows[n] = [paper, k]


def build_edges(graph: nx.DiGraph, index: dict) -> dict[str, list[int]]:
    """Every edge between embedded nodes (`index`) as columns ``from``, ``to`` (node ids)
    and ``rel`` (an index into RELATIONS, -1 for another relation), sorted by (from, to)."""
    relation_index = {r: i for i, r in enumerate(RELATIONS)}
    rows = sorted((index[u], index[v], relation_index.get(data.get("relation"), -1))
                  for u, v, data in graph.out_edges(index, data=True) if v in index)
    return {"from": [r[0] for r in rows], "to": [r[1] for r in rows], "rel": [r[2] for r in rows]}


def _vis_asset(name: str) -> str:
    lib = importlib.resources.files("pyvis") / "templates" / "lib" / f"vis-{VIS_VERSION}"
    return (lib / name).read_text(encoding="utf-8")


def _inline_safe(code: str, tag: str) -> str:
    """Code that cannot close its own <script>/<style> element early."""
    return code.replace(f"</{tag}", f"<\\/{tag}") if tag == "script" else code.replace(f"</{tag}", f"\\3c /{tag}")


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(graph: nx.DiGraph, *, title: str = "kg", max_nodes: int = 400, seed: int = 0,
                max_papers: int = MAX_PAPERS) -> tuple[str, ViewerStats]:
    """The page's HTML and its stats (`bytes` is 0: the caller knows the encoded size;
    `nodes_total` counts the nodes the page embeds). `max_nodes`: the paper view's cap;
    `max_papers`: the papers the page embeds, with their abstracts, the first in drawing
    order (:func:`kg.viz.model.page_order`); the concept map's counts and filters cover
    every paper all the same (:mod:`kg.viz.mapdata`)."""
    if max_nodes < 0:
        raise ValueError("max_nodes must be >= 0")
    cmap = concept_map(graph, seed=seed)
    order = page_order(graph, rank_nodes(graph, max_nodes), max_papers, keep=[c.node for c in cmap.concepts])
    total = len(order)
    drawn = min(max_nodes, total)
    positions = layout_mod.layout(graph, order, drawn, seed)
    index = {node: i for i, node in enumerate(order)}  # a node's id in the page
    nodes = build_nodes(graph, order, index, positions)
    edges = build_edges(graph, index)
    map_data = map_payload(graph, cmap, index)
    options = vis_options(Network(directed=False, cdn_resources="in_line"), seed, large=drawn > 1500)
    edges_drawn = sum(1 for u, v in zip(edges["from"], edges["to"]) if u < drawn and v < drawn)
    meta = {
        "title": title,
        "total": total,
        "cap": drawn,
        "maxNodes": max_nodes,
        "maxPapers": max_papers,
        "papers": len(cmap.papers),  # in the corpus
        "embedded": len(map_data["papers"]["node"]),  # in the page
        "relations": list(RELATIONS),
        "types": type_counts([n["group"] for n in nodes]),
    }
    data = script_json({"meta": meta, "options": options, "nodes": nodes, "edges": edges, "map": map_data})
    map_types = [{**t, "count": sum(1 for c in cmap.concepts if c.ctype == t["name"] and not c.kind)}
                 for t in meta["types"] if t["name"] in MAP_TYPES]
    vis_js = _inline_safe(_vis_asset("vis-network.min.js"), "script")
    viewer_js = _inline_safe((HERE / "viewer.js").read_text(encoding="utf-8"), "script")
    map_js = _inline_safe("\n".join((HERE / name).read_text(encoding="utf-8") for name in MAP_SCRIPTS), "script")
    css = _inline_safe(_vis_asset("vis-network.css") + "\n" + (HERE / "viewer.css").read_text(encoding="utf-8"), "style")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE)), autoescape=True, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    html = env.get_template("template.html").render(
        title=title,
        meta=meta,
        data=data,
        vis_js=vis_js,
        viewer_js=viewer_js,
        map_js=map_js,
        node_types=NODE_TYPES,
        css=css,
        script_hashes=" ".join((_csp_hash(vis_js), _csp_hash(map_js), _csp_hash(viewer_js))),
        has_map=bool(cmap.concepts),
        map_types=map_types,
        map_kinds=sum(1 for c in cmap.concepts if c.kind),
        map_min=map_data["defaults"]["minPapers"],
        map_years=map_data["years"],
        map_categories=map_data["categories"],
        hidden=total - drawn,
        vis_version=VIS_VERSION,
    )
    return html, ViewerStats(nodes_total=total, nodes_drawn=drawn, edges_drawn=edges_drawn, bytes=0)
