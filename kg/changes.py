"""What a build changed since the previous published one: ``OUT/changes.json`` and a clause
of the summary line. What a daily-papers reader wants each morning: the new papers, the
new concepts, and the concepts whose number of papers grew most.

To compare without reading the previous build's RDF, every build leaves a small index in
its own folder, ``OUT/.builds/<id>/.index.json.gz`` (hidden, so it is not linked into
OUT, but it is replaced with the other outputs): the sorted paper keys and each concept's
number of papers. A build with no previous published build, or whose previous build has
no index (written by an older kg or by ``KnowledgeGraph.write``), reports everything as
new and says why (``baseline``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

CHANGES_NAME = "changes.json"
INDEX_NAME = ".index.json.gz"
INDEX_FORMAT = 1
TOP_GROWN = 20  # how many grown concepts changes.json lists
MAX_LISTED = 1000  # at most this many new papers and new concepts are listed (all are counted)


@dataclass(frozen=True)
class BuildIndex:
    """What the next build compares with: paper keys and each concept's number of papers."""

    papers: frozenset[str]
    concepts: dict[str, int]  # concept node id -> papers linking to it


@dataclass(frozen=True)
class Changes:
    """The comparison of a build with the previous one; `report` is changes.json's content."""

    baseline: str  # "previous build", "none" (first build) or "previous build without index"
    new_papers: int
    removed_papers: int
    new_concepts: int
    report: dict[str, Any] = field(default_factory=dict, compare=False)

    def clause(self) -> str:
        """The summary line's clause: "changes: 12 new papers, 30 new concepts"."""
        if self.baseline == "none":
            return "changes: first build, all new"
        if self.baseline != "previous build":
            return "changes: no index of the previous build, all new"
        removed = f", {self.removed_papers} removed papers" if self.removed_papers else ""
        return f"changes: {self.new_papers} new papers{removed}, {self.new_concepts} new concepts"


def index_of(graph: nx.DiGraph) -> BuildIndex:
    """A build's index, from its finished graph."""
    papers, concepts = [], {}
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] == "paper":
            papers.append(attrs["key"])
        elif attrs["kind"] == "concept":
            concepts[node] = graph.in_degree(node)
    return BuildIndex(frozenset(papers), concepts)


def write_index(index: BuildIndex, folder: Path) -> Path:
    """Write `index` into a build's folder (gzip without a timestamp: same index, same bytes)."""
    data = {"format": INDEX_FORMAT, "papers": sorted(index.papers),
            "concepts": [[node, n] for node, n in sorted(index.concepts.items())]}
    path = folder / INDEX_NAME
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    return path


def read_index(folder: Path) -> BuildIndex | None:
    """The index of the build in `folder`; None when it has none or it cannot be read."""
    try:
        with gzip.open(folder / INDEX_NAME, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8", "surrogatepass"))
        if data.get("format") != INDEX_FORMAT:
            return None
        return BuildIndex(frozenset(data["papers"]), {node: int(n) for node, n in data["concepts"]})
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return None


def compare(before: BuildIndex | None, graph: nx.DiGraph, index: BuildIndex, *, had_build: bool = True,
            top: int = TOP_GROWN, max_listed: int = MAX_LISTED) -> Changes:
    """The changes from `before` (None: no previous index; `had_build` says whether there
    was a previous build at all) to the build of `graph` (whose index is `index`). New
    papers and concepts are listed up to `max_listed` each (papers in input order, concepts
    by papers then label); the `top` concepts whose paper count grew most come with their
    counts before and after."""
    baseline = "previous build" if before is not None else ("previous build without index" if had_build else "none")
    old_papers = before.papers if before is not None else frozenset()
    old_concepts = before.concepts if before is not None else {}
    new_papers = [(n, a) for n, a in graph.nodes(data=True) if a["kind"] == "paper" and a["key"] not in old_papers]
    removed = len(old_papers - index.papers)
    new_concepts = sorted((node for node in index.concepts if node not in old_concepts),
                          key=lambda n: (-index.concepts[n], _label(graph, n), n))
    grown = sorted(((node, old_concepts[node], n) for node, n in index.concepts.items()
                    if node in old_concepts and n > old_concepts[node]),
                   key=lambda g: (-(g[2] - g[1]), -g[2], g[0]))[:top]
    report = {
        "baseline": baseline,
        "papers": {"before": len(old_papers), "after": len(index.papers), "new": len(new_papers), "removed": removed},
        "concepts": {"before": len(old_concepts), "after": len(index.concepts), "new": len(new_concepts)},
        "new_papers": [{"id": a["key"], "title": a["title"]} for _, a in new_papers[:max_listed]],
        "new_concepts": [_concept(graph, node, index.concepts[node]) for node in new_concepts[:max_listed]],
        "grown_concepts": [{**_concept(graph, node, after), "before": b, "after": after}
                           for node, b, after in grown],
    }
    for name in ("new_papers", "new_concepts"):
        if len(report[name]) < report["papers" if name == "new_papers" else "concepts"]["new"]:
            report[f"{name}_listed"] = max_listed  # the counts above are complete; the lists are cut
    for entry in report["grown_concepts"]:
        del entry["papers"]
    return Changes(baseline, len(new_papers), removed, len(new_concepts), report)


def _label(graph: nx.DiGraph, node: str) -> str:
    return str(graph.nodes[node].get("label") or graph.nodes[node].get("key") or node)


def _concept(graph: nx.DiGraph, node: str, papers: int) -> dict[str, Any]:
    attrs = graph.nodes[node]
    return {"type": attrs["ctype"], "label": _label(graph, node), "key": attrs["key"], "papers": papers}


def write_changes(changes: Changes, folder: Path) -> Path:
    """Write changes.json into `folder` (sorted lists, no timestamps: the same two builds
    give the same bytes)."""
    path = folder / CHANGES_NAME
    path.write_text(json.dumps(changes.report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8",
                    errors="surrogatepass")
    return path


__all__ = ["CHANGES_NAME", "INDEX_NAME", "BuildIndex", "Changes", "compare", "index_of", "read_index",
           "write_changes", "write_index"]
