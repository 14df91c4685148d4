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
    rank_nodes,
    script_json,
    type_counts,
)

HERE = Path(__file__).resolve().parent
VIS_VERSION = "9.1.2"
MAX_ABSTRACTS = 10_000  # papers whose abstracts the page embeds (build_nodes)
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


def build_nodes(graph: nx.DiGraph, order: list, index: dict, positions: dict, max_abstracts: int) -> list[dict]:
    """Every node's page data, in drawing order (a node's id is its index): its key, name,
    type (``group``), degree, position and details. Drawn labels, tooltips, sizes and
    shapes are derived in the page (viewer.js), so they are not stored once per node.
    Papers past the first `max_abstracts` (in drawing order) keep their title, links and
    concepts but not their abstract, highlights and results (``trimmed``), which keeps a
    field-sized page small enough to open quickly. `index` maps a node to its id."""
    degree = dict(graph.degree())
    results_on = dataset_results(graph, index)
    nodes = []
    papers = 0
    for i, node in enumerate(order):
        attrs = graph.nodes[node]
        ntype = node_type(attrs)
        if ntype == PAPER:
            papers += 1
            if papers > max_abstracts:
                attrs = {k: attrs[k] for k in attrs if k not in ("abstract", "mentions", "results")}  # unread: on disk
        _label, _tooltip, details = node_payload(node, attrs, ntype, degree[node], index)
        if node in results_on:
            details["results"] = results_on[node]
        x, y = positions[node]
        entry = {"group": ntype, "deg": degree[node], "x": round(x), "y": round(y), **_compact(details)}
        if ntype == PAPER and papers > max_abstracts:
            entry["trimmed"] = 1
        nodes.append(entry)
    return nodes


def build_edges(graph: nx.DiGraph, index: dict) -> dict[str, list[int]]:
    """Every edge as columns ``from``, ``to`` (node ids) and ``rel`` (an index into
    RELATIONS, -1 for another relation), sorted by (from, to)."""
    relation_index = {r: i for i, r in enumerate(RELATIONS)}
    rows = sorted((index[u], index[v], relation_index.get(data.get("relation"), -1)) for u, v, data in graph.edges(data=True))
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
                max_abstracts: int = MAX_ABSTRACTS) -> tuple[str, ViewerStats]:
    """The page's HTML and its stats (`bytes` is 0: the caller knows the encoded size).
    `max_nodes`: the paper view's cap; `max_abstracts`: papers whose abstracts are
    embedded (see :func:`build_nodes`)."""
    if max_nodes < 0:
        raise ValueError("max_nodes must be >= 0")
    order = rank_nodes(graph, max_nodes)
    total = len(order)
    drawn = min(max_nodes, total)
    positions = layout_mod.layout(graph, order, drawn, seed)
    index = {node: i for i, node in enumerate(order)}  # a node's id in the page
    nodes = build_nodes(graph, order, index, positions, max_abstracts)
    edges = build_edges(graph, index)
    cmap = concept_map(graph, seed=seed)
    map_data = map_payload(graph, cmap, index)
    options = vis_options(Network(directed=False, cdn_resources="in_line"), seed, large=drawn > 1500)
    edges_drawn = sum(1 for u, v in zip(edges["from"], edges["to"]) if u < drawn and v < drawn)
    meta = {
        "title": title,
        "total": total,
        "cap": drawn,
        "maxNodes": max_nodes,
        "maxAbstracts": max_abstracts,
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
