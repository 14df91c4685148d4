"""The HTML viewer: one self-contained, deterministic page to explore a kg graph.

>>> stats = write_html(graph, "outputs/graph.html", title="ML papers")  # doctest: +SKIP

The page inlines vis-network (as shipped by pyvis), draws a precomputed layout with
physics off, and embeds every node, so its search and filters can reveal what the
default view (the most connected concepts and their papers, at most `max_nodes` nodes)
leaves out. See :mod:`kg.viz.model` for the cap and :mod:`kg.viz.render` for the page.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import networkx as nx

from kg.viz.render import ViewerStats, render_page

__all__ = ["ViewerStats", "render_page", "write_html"]


def write_html(
    graph: nx.DiGraph, path: str | os.PathLike, *, title: str = "kg", max_nodes: int = 400, seed: int = 0
) -> ViewerStats:
    """Write the viewer for `graph` to `path` atomically; same graph, same bytes."""
    html, stats = render_page(graph, title=title, max_nodes=max_nodes, seed=seed)
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
