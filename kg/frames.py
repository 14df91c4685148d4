"""Tables of a KnowledgeGraph: pandas DataFrames for notebooks, flat rows for CSV/Parquet,
and a networkx copy with scalar attributes only (GraphML and GEXF refuse tuples, records
and None).

The rows are plain dicts built here once; DataFrames are made from them, so pandas is only
imported when a DataFrame is asked for (it is an optional extra: `kg[pandas]`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kg.errors import UsageError

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from kg.api import KnowledgeGraph

LIST_SEPARATOR = "; "  # how lists are joined in flat (GraphML, GEXF, CSV) attributes

# XML 1.0 cannot hold these characters at all, not even escaped: GraphML and GEXF writers
# would produce files no reader opens.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise UsageError("DataFrames need pandas: pip install 'kg[pandas]'") from None
    return pd


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return _pandas().DataFrame(rows, columns=columns)


PAPER_COLUMNS = ["node", "iri", "key", "title", "abstract", "arxiv_id", "identifier", "issued", "authors", "url",
                 "categories", "sources", "mentions", "results"]
CONCEPT_COLUMNS = ["node", "iri", "type", "key", "label", "alt_labels", "generic", "lower_is_better", "broader",
                   "papers"]
REPOSITORY_COLUMNS = ["node", "iri", "url", "host", "is_code_host", "label", "papers"]
MENTION_COLUMNS = ["paper", "field", "start", "end", "text", "type", "target", "key", "confidence", "component",
                   "role", "long_form"]
EDGE_COLUMNS = ["source", "target", "relation", "count", "confidence", "target_type", "target_label"]


def paper_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    for node, a in _nodes(kg, "paper"):
        yield {"node": node, "iri": kg.iri(node), "key": a["key"], "title": a["title"], "abstract": a["abstract"],
               "arxiv_id": a.get("arxiv_id"), "identifier": a.get("identifier"), "issued": a.get("issued"),
               "authors": list(a.get("authors") or ()), "url": a.get("url"),
               "categories": list(a.get("categories") or ()), "sources": list(a.get("sources") or ()),
               "mentions": len(a.get("mentions", ())), "results": len(a.get("results", ()))}


def concept_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    for node, a in _nodes(kg, "concept"):
        yield {"node": node, "iri": kg.iri(node), "type": a["ctype"], "key": a["key"], "label": a.get("label", a["key"]),
               "alt_labels": list(a.get("alt_labels", ())), "generic": bool(a.get("generic")),
               "lower_is_better": a.get("lower_is_better"), "broader": list(a.get("broader", ())),
               "papers": kg.graph.in_degree(node)}


def repository_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    for node, a in _nodes(kg, "repository"):
        yield {"node": node, "iri": kg.iri(node), "url": a["url"], "host": a["host"],
               "is_code_host": bool(a["is_code_host"]), "label": a["label"], "papers": kg.graph.in_degree(node)}


def mention_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    from kg.graph import concept_node, repository_node
    from kg.records import REPOSITORY

    for node, a in _nodes(kg, "paper"):
        for m in a.get("mentions", ()):
            target = repository_node(m.key) if m.label == REPOSITORY else concept_node(m.label, m.key)
            yield {"paper": node, "field": m.field.value, "start": m.start, "end": m.end, "text": m.text,
                   "type": m.label, "target": target, "key": m.key, "confidence": m.confidence,
                   "component": m.component, "role": m.role.value, "long_form": m.long_form}


def edge_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    g = kg.graph
    for source, target, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        t = g.nodes[target]
        yield {"source": source, "target": target, "relation": d["relation"], "count": d["count"],
               "confidence": d["confidence"], "target_type": t.get("ctype", t["kind"]), "target_label": t.get("label")}


def papers_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    return _frame(list(paper_rows(kg)), PAPER_COLUMNS)


def concepts_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    return _frame(list(concept_rows(kg)), CONCEPT_COLUMNS)


def repositories_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    return _frame(list(repository_rows(kg)), REPOSITORY_COLUMNS)


def mentions_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    return _frame(list(mention_rows(kg)), MENTION_COLUMNS)


def edges_frame(kg: KnowledgeGraph) -> pd.DataFrame:
    return _frame(list(edge_rows(kg)), EDGE_COLUMNS)


def _nodes(kg: KnowledgeGraph, kind: str) -> Iterator[tuple[str, dict]]:
    for node in sorted(kg.graph.nodes):
        attrs = kg.graph.nodes[node]
        if attrs["kind"] == kind:
            yield node, attrs


def flat_value(value: Any) -> Any:
    """A value as a flat attribute: lists and tuples joined, text made XML-safe, None kept
    (callers drop it). Numbers and booleans stay what they are.

    >>> flat_value(("a", "b")), flat_value("x\\x00y"), flat_value(3)
    ('a; b', 'xy', 3)
    """
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(flat_value(v)) for v in value)
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


# Per kind, the attributes a flat node has (one type per attribute across all nodes, which
# GraphML needs: a key has one declared type).
_FLAT_NODE_ROWS = {"paper": paper_rows, "concept": concept_rows, "repository": repository_rows}


def flat_node_rows(kg: KnowledgeGraph) -> Iterator[dict[str, Any]]:
    """Every node as one flat row: id, kind, label, then its kind's columns (lists joined,
    missing values left out). Used by networkx(), CSV and Parquet."""
    for kind, rows in _FLAT_NODE_ROWS.items():
        for row in rows(kg):
            node = row.pop("node")
            flat = {"id": node, "kind": kind, "label": row.get("label") or row.get("title") or node}
            if kind == "concept":
                flat["type"] = row.pop("type")
            for key, value in row.items():
                if value is not None and key not in flat:
                    flat[key] = flat_value(value)
            yield flat


def flat_graph(kg: KnowledgeGraph) -> nx.DiGraph:
    """A copy of the graph with scalar attributes only (see flat_node_rows; edges keep
    relation, count and confidence)."""
    import networkx as nx

    flat = nx.DiGraph()
    for row in flat_node_rows(kg):
        node = row.pop("id")
        flat.add_node(node, **row)
    for row in edge_rows(kg):
        flat.add_edge(row["source"], row["target"], relation=row["relation"], count=int(row["count"]),
                      confidence=float(row["confidence"]))
    return flat


__all__ = ["concepts_frame", "edges_frame", "flat_graph", "flat_node_rows", "mentions_frame", "papers_frame",
           "repositories_frame"]
