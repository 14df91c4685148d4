"""The HTML viewer: one self-contained, deterministic page to explore a kg graph.

>>> stats = write_html(graph, "outputs/graph.html", title="ML papers")  # doctest: +SKIP

The page opens on a concept map (:mod:`kg.viz.conceptmap`: concepts linked by
co-occurrence, in communities, drawn on a canvas by ``conceptmap.js``) and has a second
view of papers and their concepts: vis-network (as shipped by pyvis) with a precomputed
layout and physics off, embedding every node up to `max_papers` papers so its search and
filters can reveal what that view's default (the most connected concepts and their papers,
at most `max_nodes` nodes) leaves out. The concept map counts every paper of the corpus
whatever the cap. See :mod:`kg.viz.model` for the caps, :mod:`kg.viz.mapdata` for the
map's counts and :mod:`kg.viz.render` for the page.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import networkx as nx

from kg.viz.render import MAX_PAPERS, ViewerStats, render_page

__all__ = ["MAX_PAPERS", "ViewerStats", "render_page", "write_html"]


def write_html(
    graph: nx.DiGraph, path: str | os.PathLike, *, title: str = "kg", max_nodes: int = 400, seed: int = 0,
    max_papers: int = MAX_PAPERS,
) -> ViewerStats:
    """Write the viewer for `graph` to `path` atomically; same graph, same bytes.
    `max_nodes`: nodes the paper view draws at first; `max_papers`: papers the page embeds
    (the first in drawing order, with their abstracts; the concept map's counts and filters
    still cover every paper, and a concept's panel says how many it does not list)."""
    html, stats = render_page(graph, title=title, max_nodes=max_nodes, seed=seed, max_papers=max_papers)
    data = html.encode("utf-8", "backslashreplace")  # lone surrogates become JSON-style escapes
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return ViewerStats(stats.nodes_total, stats.nodes_drawn, stats.edges_drawn, len(data))
