"""Formats other tools open: GraphML and GEXF (Gephi, Cytoscape), CSV and Parquet node and
edge tables (pandas, DuckDB), and compacted JSON-LD with an @context.

Every exporter takes a KnowledgeGraph (kg.api), so a notebook's graph and a built output
folder (read back by kg.export.load) export the same way. Each looks up by name in
EXPORTERS and writes atomically: a failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import OutputError, UsageError

if TYPE_CHECKING:
    from kg.api import KnowledgeGraph

NODE_FILE, EDGE_FILE = "nodes", "edges"


@dataclass(frozen=True)
class Exporter:
    name: str
    write: Callable[[KnowledgeGraph, Path], list[Path]]
    default_name: str  # under OUT/export/: a file, or a folder for the table formats
    is_folder: bool = False


def write_graphml(kg: KnowledgeGraph, path: Path) -> list[Path]:
    import networkx as nx

    from kg.atomic import atomic_path

    with atomic_path(path) as temp:
        nx.write_graphml(kg.networkx(), str(temp), infer_numeric_types=True)
    return [path]


def write_gexf(kg: KnowledgeGraph, path: Path) -> list[Path]:
    import networkx as nx

    from kg.atomic import atomic_path

    with atomic_path(path) as temp:
        nx.write_gexf(kg.networkx(), str(temp))
    return [path]


def _tables(kg: KnowledgeGraph) -> tuple[list[dict], list[dict]]:
    """Flat node rows (columns: the union over kinds, in first-seen order) and edge rows."""
    from kg.frames import edge_rows, flat_node_rows

    return list(flat_node_rows(kg)), [
        {"source": r["source"], "target": r["target"], "relation": r["relation"], "count": r["count"],
         "confidence": r["confidence"]} for r in edge_rows(kg)]


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def write_csv(kg: KnowledgeGraph, folder: Path) -> list[Path]:
    """folder/nodes.csv (id, kind, label, type, then every attribute; empty when a node has
    none) and folder/edges.csv (source, target, relation, count, confidence)."""
    from kg.atomic import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in zip((NODE_FILE, EDGE_FILE), _tables(kg)):
        target = folder / f"{name}.csv"
        with atomic_path(target) as temp, open(temp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=_columns(rows) or ["id"])
            writer.writeheader()
            writer.writerows(rows)
        written.append(target)
    return written


def write_parquet(kg: KnowledgeGraph, folder: Path) -> list[Path]:
    """folder/nodes.parquet and folder/edges.parquet, the CSV's columns with their types
    (needs pyarrow: `pip install 'kg[parquet]'`)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet export needs pyarrow: pip install 'kg[parquet]'") from None
    from kg.atomic import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in zip((NODE_FILE, EDGE_FILE), _tables(kg)):
        columns = _columns(rows) or ["id"]
        table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
        target = folder / f"{name}.parquet"
        with atomic_path(target) as temp:
            pq.write_table(table, str(temp))
        written.append(target)
    return written


def jsonld_context() -> dict[str, str]:
    """The @context of the JSON-LD export: kg's prefixes (kg.rdf.namespace.PREFIXES)."""
    from kg.rdf.namespace import PREFIXES

    return dict(PREFIXES)


def write_jsonld(kg: KnowledgeGraph, path: Path) -> list[Path]:
    """Compacted JSON-LD: rdflib's serializer with the kg prefixes as @context, so keys read
    `dcterms:title` and `kg:usesMethod` instead of full IRIs. From a loaded folder it is
    made from the folder's own RDF, so nothing the graph reader does not rebuild is lost."""
    import rdflib

    from kg.atomic import atomic_path

    graph = rdflib.Graph()
    if kg.rdf_file is not None:
        graph.parse(str(kg.rdf_file), format="nt" if kg.rdf_file.suffix == ".nt" else "turtle")
    else:
        import pyoxigraph as ox

        from kg.api import _created
        from kg.rdf.export import graph_triples

        data = ox.serialize(graph_triples(kg.graph, kg.base, created=_created(kg.files)), format=ox.RdfFormat.N_TRIPLES)
        graph.parse(data=data.decode("utf-8"), format="nt")
    with atomic_path(path) as temp:
        graph.serialize(str(temp), format="json-ld", context=jsonld_context(), auto_compact=True)
    return [path]


EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    Exporter("graphml", write_graphml, "graph.graphml"),
    Exporter("gexf", write_gexf, "graph.gexf"),
    Exporter("csv", write_csv, "csv", is_folder=True),
    Exporter("parquet", write_parquet, "parquet", is_folder=True),
    Exporter("jsonld", write_jsonld, "graph.jsonld"),
)}


def export(kg: KnowledgeGraph, format: str, target: Path) -> list[Path]:
    """Write `kg` in `format` to `target` (a file; a folder for csv and parquet). Returns
    the files written. Raises UsageError (unknown format, pyarrow missing), OutputError."""
    try:
        exporter = EXPORTERS[format.lower()]
    except KeyError:
        raise UsageError(f"unknown export format {format!r}; known: {', '.join(EXPORTERS)}") from None
    target = Path(target)
    if exporter.is_folder and target.exists() and not target.is_dir():
        raise OutputError(f"{target} is a file; {exporter.name} export writes a folder (nodes and edges)")
    if not exporter.is_folder and target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name for the {exporter.name} export")
    try:
        if not exporter.is_folder:
            target.parent.mkdir(parents=True, exist_ok=True)
        return exporter.write(kg, target)
    except OSError as exc:
        raise OutputError(f"cannot write the {exporter.name} export ({exc.filename or target}): "
                          f"{exc.strerror or exc}") from None


__all__ = ["EXPORTERS", "export", "jsonld_context"]
