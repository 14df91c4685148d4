"""The Python API: papers from files or Python records -> an in-memory knowledge graph.

A notebook builds a graph in three lines and writes nothing unless asked::

    import kg
    g = kg.build_graph(df)          # a DataFrame with title and abstract columns
    g.concepts().head()             # pandas DataFrames of papers, concepts, mentions, edges

This is the pipeline of `kg build` (kg.build.graph_of_papers: the same readers, cleaning,
deduplication, extraction and corpus-level decisions), without the output folder. Records
given in Python go through the JSON Lines reader's record policy
(kg.ingest.jsonl.paper_from_record), so a DataFrame row and a JSONL line of the same paper
give the same Paper. A bad record is skipped with a Python warning naming its row and is
kept in `KnowledgeGraph.warnings`; `strict=True` raises InputError instead.

Nothing heavy is imported with `kg`: spaCy, pandas and the RDF writers load inside the
functions that need them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from kg.errors import InputError, NoPapers, OutputError, UsageError

if TYPE_CHECKING:  # for type checkers only: importing them here would slow `import kg`
    import networkx as nx
    import pandas as pd

    from kg.ingest import IngestReport
    from kg.records import Paper

PathLike = Union[str, "os.PathLike[str]"]
Records = Union["pd.DataFrame", Iterable[Mapping[str, Any]]]

RECORDS_SOURCE = "<records>"  # how records given in Python are named in warnings and dcterms:source
DATAFRAME_SOURCE = "<dataframe>"


class KgWarning(UserWarning):
    """A bad input record that was skipped or repaired (the API's form of the CLI's warnings)."""


# --- reading ---------------------------------------------------------------------------


def paper_records(data: Records, source: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number from 1, plain dict) for each record of a DataFrame or an iterable of
    mappings. Column names are lower-cased and stripped as the CSV reader does; missing
    values (None, NaN, pandas NA) are dropped so a record reads as if the field were absent;
    numpy scalars, arrays and timestamps become plain Python values.

    >>> list(paper_records([{"Title": "T", "abstract": "A", "date": float("nan")}]))
    [(1, {'title': 'T', 'abstract': 'A'})]
    """
    rows: Iterable[Any]
    if _is_dataframe(data):
        rows = data.to_dict(orient="records")  # type: ignore[union-attr]
    else:
        rows = data
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            yield number, {"__not_a_record__": type(row).__name__}
            continue
        record = {}
        for key, value in row.items():
            value = _plain(value)
            if value is not None and isinstance(key, str):
                record[key.strip().lower()] = value
        yield number, record


def _is_dataframe(data: object) -> bool:
    return type(data).__name__ == "DataFrame" and hasattr(data, "to_dict")


def _plain(value: Any) -> Any:
    """A record value as the JSON reader would see it, None for a missing one."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (dt.date, dt.datetime)) or hasattr(value, "isoformat"):  # pandas Timestamp
        try:
            return value.isoformat()[:10] if not _is_missing(value) else None
        except (TypeError, ValueError):
            return None
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _plain(value.tolist())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return [v for v in items if v is not None]
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if _is_missing(value):
        return None
    return value


def _is_missing(value: Any) -> bool:
    """pandas NA/NaT without importing pandas."""
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return type(value).__name__ in ("NAType", "NaTType")


def read_records(data: Records, report: IngestReport, source: str | None = None) -> Iterator[Paper]:
    """Papers from Python records, each through the JSON Lines reader's record policy:
    `title` and `abstract` required; `id`/`arxiv_id`, `date`, `authors` (a list, or one
    string split on ";" or ","), `categories` (a list or a space-separated string), `url`
    and `doi` kept. A bad record is reported to `report` by its row (raises when strict)."""
    from kg.ingest.jsonl import paper_from_record

    source = source or (DATAFRAME_SOURCE if _is_dataframe(data) else RECORDS_SOURCE)
    path = Path(source)
    report.files += 1
    for number, record in paper_records(data, source):
        report.records += 1
        if "__not_a_record__" in record:
            report.skip(InputError(source, f"record is {record['__not_a_record__']}, not a mapping", number,
                                   kind="record is not a mapping"))
            continue
        authors = record.get("authors")
        if isinstance(authors, str) and ";" in authors:
            record["authors"] = authors.split(";")
        try:
            yield paper_from_record(record, path, number, source, report)
        except InputError as error:
            report.skip(error)


# --- building ----------------------------------------------------------------------------


@dataclass
class KnowledgeGraph:
    """An in-memory graph of papers, concepts and repositories (kg.graph's node scheme),
    with DataFrame views and writers. `graph` is the networkx graph kg.build makes (its
    attributes hold tuples and records; `networkx()` gives a flat copy for GraphML/GEXF).
    `rdf_file` is the RDF the graph was loaded from (kg.export.load), used verbatim by
    `to_rdf` and the JSON-LD export so that nothing the reader does not rebuild is lost."""

    graph: nx.DiGraph
    report: IngestReport | None = None
    base: str = "https://w3id.org/kg-papers/resource/"
    files: tuple[Path, ...] = ()
    rdf_file: Path | None = None
    merged: int = 0
    warnings: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        counts = self.counts()
        return (f"KnowledgeGraph({counts['paper']} papers, {counts['concept']} concepts, "
                f"{counts['repository']} repositories, {self.graph.number_of_edges()} edges)")

    def counts(self) -> dict[str, int]:
        counts = {"paper": 0, "concept": 0, "repository": 0}
        for _, attrs in self.graph.nodes(data=True):
            counts[attrs["kind"]] = counts.get(attrs["kind"], 0) + 1
        return counts

    def iri(self, node: str) -> str:
        """The RDF IRI of a node, as the export mints it."""
        from kg.rdf.export import Iris

        return Iris(self.base).node(self.graph, node)

    # DataFrame views (kg.frames) -------------------------------------------------------

    def papers(self) -> pd.DataFrame:
        """One row per paper: node, iri, key, title, abstract, ids, date, authors, url,
        categories, sources (lists), and its numbers of mentions and results."""
        from kg.frames import papers_frame

        return papers_frame(self)

    def concepts(self) -> pd.DataFrame:
        """One row per concept: node, iri, type, key, label, alt_labels, generic (a kind),
        lower_is_better (metrics), broader (node ids) and papers (how many mention it)."""
        from kg.frames import concepts_frame

        return concepts_frame(self)

    def repositories(self) -> pd.DataFrame:
        from kg.frames import repositories_frame

        return repositories_frame(self)

    def mentions(self) -> pd.DataFrame:
        """One row per mention (the evidence): paper, field, start, end, text, type, target
        node, key, confidence, component, role, long_form."""
        from kg.frames import mentions_frame

        return mentions_frame(self)

    def edges(self) -> pd.DataFrame:
        """One row per paper -> concept/repository link: source, target, relation (the kg:
        property), count of mentions, best confidence, and the target's label and type."""
        from kg.frames import edges_frame

        return edges_frame(self)

    # Other shapes ----------------------------------------------------------------------

    def networkx(self) -> nx.DiGraph:
        """A copy with only scalar attributes (lists joined with "; ", records counted,
        None left out), so nx.write_graphml and nx.write_gexf accept it."""
        from kg.frames import flat_graph

        return flat_graph(self)

    def to_rdf(self, path: PathLike, format: str = "turtle") -> Path:
        """Write the graph in the core vocabulary as one RDF file (turtle, ntriples, jsonld,
        rdfxml); returns its path. Writes atomically."""
        import pyoxigraph as ox

        from kg.atomic import atomic_path
        from kg.rdf.export import graph_triples
        from kg.rdf.namespace import PREFIXES
        from kg.rdf.write import format_for_file, rdf_format

        fmt = rdf_format(format)
        target = Path(path)
        prefixes = PREFIXES if fmt.name in ("turtle", "rdfxml") else None
        try:
            with atomic_path(target) as temp:
                if self.rdf_file is not None:
                    triples = ox.parse(path=str(self.rdf_file), format=format_for_file(self.rdf_file).oxigraph)
                else:
                    triples = graph_triples(self.graph, self.base, created=_created(self.files))
                ox.serialize(triples, str(temp), fmt.oxigraph, prefixes=prefixes)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    def export(self, format: str, path: PathLike) -> list[Path]:
        """Write the graph for other tools: graphml, gexf, jsonld (a file), csv or parquet (a
        folder of nodes and edges tables); kg.export. Returns the files written."""
        from kg.export import export

        return export(self, format, Path(path))

    def write(self, out_dir: PathLike, *, html: bool = True, store: bool = True,
              rdf_formats: Sequence[str] = ("turtle", "ntriples"), created: str | None = None) -> dict[str, Path]:
        """Write what `kg build` writes (RDF, store, viewer) into `out_dir`, published as
        one set by the same code (kg.build.write_outputs, kg.outdir); nothing is re-read or
        re-extracted. Returns the published paths by kind (turtle, ntriples, store, html)."""
        from kg.build import OUTPUT_NAMES, BuildOptions, check_options, write_outputs
        from kg.outdir import output_folder

        options = BuildOptions(out_dir=Path(out_dir), rdf_formats=tuple(rdf_formats), html=html, store=store,
                               base=self.base)
        formats = check_options(options)
        if store and "ntriples" not in formats:
            formats.append("ntriples")  # the store is loaded from it
        with output_folder(options.out_dir, OUTPUT_NAMES) as publication:
            staged, _ = write_outputs(self.graph, publication.staging, options, formats,
                                            created or _created(self.files))
            published = publication.publish(OUTPUT_NAMES)
        return {key: published[p.name] for key, p in staged.items()}


def _created(files: Sequence[Path]) -> str:
    """dcterms:created of the export: as `kg build` dates it (SOURCE_DATE_EPOCH, else the
    newest input file) when there are files; today (UTC) for records given in Python."""
    from kg.build import creation_date

    if files or os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return creation_date(files)
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def build_graph(
    data: Records | PathLike | Sequence[PathLike] | None = None,
    *,
    format: str | None = None,
    fast: bool = False,
    min_confidence: float = 0.0,
    strict: bool = False,
    base: str | None = None,
    batch_size: int = 64,
    source: str | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
) -> KnowledgeGraph:
    """Build a graph in memory from `data`: a pandas DataFrame or an iterable of dicts
    (records: see read_records), a file or folder path, a list of paths, or None (the
    bundled corpus). Nothing is written. `format` names the input format of files (default:
    by suffix); `source` names records in warnings (default "<dataframe>"/"<records>").
    `workers` extraction processes (kg.parallel; None: one per core) give the same graph
    as the default 1, which extracts in this process: no start-up cost, and no need for a
    script's `if __name__ == "__main__":` guard that worker processes (spawned) require.
    `scheduler`, a Dask scheduler's address (kg.cluster, e.g. "tcp://HOST:8786"), extracts on
    that cluster's workers instead (not with workers > 1), with the same graph.
    Nothing is cached: the extraction cache belongs to `kg build`'s output folder.

    Raises UsageError (a bad option), InputError (a missing path; a bad record when
    strict), NoPapers (no paper read). Bad records are otherwise skipped with a KgWarning."""
    from kg.build import BuildOptions, check_base_iri, graph_of_papers, input_files, missing_inputs
    from kg.cluster import check_scheduler
    from kg.parallel import resolve_workers
    from kg.ingest import READERS, IngestReport, read_papers
    from kg.rdf.namespace import RESOURCE_BASE

    if format is not None and format not in READERS:
        raise UsageError(f"unknown input format {format!r}; known: {', '.join(READERS)}")
    base = check_base_iri(base or RESOURCE_BASE)
    report = IngestReport(strict=strict)
    options = BuildOptions(input_format=format, strict=strict, fast=fast, min_confidence=min_confidence,
                           base=base, batch_size=batch_size, workers=workers, scheduler=scheduler)
    resolve_workers(workers)  # a bad count is a UsageError before anything is read
    check_scheduler(scheduler, workers)
    files: list[Path] = []
    paths = _as_paths(data)
    if paths is not None:
        missing = missing_inputs(paths)
        if missing:
            raise InputError(missing[0], "no such file", kind="no such file")
        files = input_files(BuildOptions(inputs=paths), report)
        papers = read_papers(files, report, format)
    else:
        papers = read_records(data, report, source)  # type: ignore[arg-type]
    graph, dedup = graph_of_papers(papers, options, report)
    messages = tuple(str(e) for e in (*report.skipped, *report.warnings))
    for message in messages:
        warnings.warn(message, KgWarning, stacklevel=2)
    if not any(a["kind"] == "paper" for _, a in graph.nodes(data=True)):
        raise NoPapers(f"no papers: read {report.records} records, {len(report.skipped)} skipped", messages)
    return KnowledgeGraph(graph, report, base, tuple(files), merged=len(dedup.duplicates), warnings=messages)


def from_dataframe(df: pd.DataFrame, **options: Any) -> KnowledgeGraph:
    """build_graph for a DataFrame with title and abstract columns (and optional id, date,
    authors, categories, url, doi)."""
    if not _is_dataframe(df):
        raise UsageError(f"from_dataframe needs a pandas DataFrame, not {type(df).__name__}")
    return build_graph(df, **options)


def from_records(records: Iterable[Mapping[str, Any]], **options: Any) -> KnowledgeGraph:
    """build_graph for an iterable of dicts with title and abstract."""
    return build_graph(list(records), **options)


def from_files(*paths: PathLike, **options: Any) -> KnowledgeGraph:
    """build_graph for files or folders (the readers of `kg build`)."""
    return build_graph(list(paths), **options)


def load(out: PathLike) -> KnowledgeGraph:
    """The graph of a built output folder (or of one N-Triples/Turtle file), read back from
    its RDF (kg.export.load)."""
    from kg.export.load import load_graph

    return load_graph(Path(out))


def _as_paths(data: object) -> list[Path] | None:
    """`data` as input paths, or None when it is records."""
    if data is None:
        return []
    if isinstance(data, (str, os.PathLike)):
        return [Path(data)]
    if isinstance(data, Sequence) and data and all(isinstance(d, (str, os.PathLike)) for d in data):
        return [Path(d) for d in data]
    return None


__all__ = ["KgWarning", "KnowledgeGraph", "build_graph", "from_dataframe", "from_files", "from_records", "load",
           "read_records"]
