"""The whole run: files -> papers -> mentions -> graph -> RDF, store and HTML."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.extract import create_pipeline, extract_papers
from kg.extract.generic import names_a_kind
from kg.graph import GraphBuilder
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, expand_inputs, read_papers
from kg.rdf.namespace import RESOURCE_BASE
from kg.rdf.write import count_triples, load_store, write_rdf


@dataclass(frozen=True)
class BuildOptions:
    inputs: Sequence[str | Path] = ()
    out_dir: Path = Path("outputs")
    input_format: str | None = None
    rdf_formats: Sequence[str] = ("turtle", "ntriples")
    html: bool = True
    store: bool = True
    strict: bool = False
    min_confidence: float = 0.0
    fast: bool = False  # rules and gazetteers only, no trained model
    base: str = RESOURCE_BASE
    batch_size: int = 64
    created: str | None = None  # YYYY-MM-DD of the VoID description; None: creation_date()


@dataclass(frozen=True)
class BuildSummary:
    files: int
    records: int
    papers: int
    merged: int
    skipped: int
    skip_reasons: dict[str, int]
    warnings: tuple[str, ...]
    concepts: dict[str, int]
    repositories: int
    mentions: int
    triples: int
    seconds: float
    outputs: dict[str, Path] = field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary `kg build` closes with."""
        concepts = ", ".join(f"{n} {t.lower()}s" for t, n in sorted(self.concepts.items()))
        skipped = f"{self.skipped} skipped" + (
            " (" + ", ".join(f"{n} {r}" for r, n in sorted(self.skip_reasons.items())) + ")" if self.skipped else ""
        )
        return (
            f"{self.papers} papers from {self.records} records in {self.files} files "
            f"({self.merged} merged, {skipped}); concepts: {concepts or 'none'}; "
            f"{self.repositories} repositories; {self.mentions} mentions; {self.triples} triples; "
            f"{self.seconds:.1f} s"
        )


def collect_graph(
    options: BuildOptions, report: IngestReport, progress: Callable[[int], None] | None = None
) -> tuple[nx.DiGraph, Deduplicator]:
    """Read, deduplicate and extract every input into one graph (streaming until the graph)."""
    files = input_files(options)
    dedup = Deduplicator()
    papers = dedup.unique(read_papers(files, report, options.input_format))
    builder = GraphBuilder(is_generic=names_a_kind)
    for extracted in extract_papers(papers, create_pipeline(options.fast), batch_size=options.batch_size,
                                    min_confidence=options.min_confidence):
        builder.add(extracted)
        if progress:
            progress(1)
    for canonical, duplicate in dedup.duplicates:
        builder.merge_duplicate(canonical, duplicate)
    return builder.build(), dedup


def build(options: BuildOptions, progress: Callable[[int], None] | None = None) -> tuple[nx.DiGraph, BuildSummary]:
    started = time.perf_counter()
    report = IngestReport(strict=options.strict)
    graph, dedup = collect_graph(options, report, progress)
    created = options.created or creation_date(input_files(options))
    outputs = write_rdf(graph, options.out_dir, options.rdf_formats, options.base, created)
    triples = None
    if options.store and "ntriples" in outputs:
        triples = load_store(outputs["ntriples"], options.out_dir / "store")  # its size: no second read
        outputs["store"] = options.out_dir / "store"
    if options.html:
        from kg.viz import write_html  # pyvis is only needed for the viewer

        outputs["html"] = options.out_dir / "graph.html"
        write_html(graph, outputs["html"], title="kg: papers, methods, datasets, metrics, tasks and code")
    kinds = Counter(a["ctype"] for _, a in graph.nodes(data=True) if a["kind"] == "concept")
    if triples is None:
        triples = _count_lines(outputs["ntriples"]) if "ntriples" in outputs else count_triples(graph, options.base, created)
    summary = BuildSummary(
        files=report.files,
        records=report.records,
        papers=sum(1 for _, a in graph.nodes(data=True) if a["kind"] == "paper"),
        merged=len(dedup.duplicates),
        skipped=len(report.skipped),
        skip_reasons=dict(report.skip_reasons()),
        warnings=tuple(str(e) for e in report.skipped),
        concepts=dict(kinds),
        repositories=sum(1 for _, a in graph.nodes(data=True) if a["kind"] == "repository"),
        mentions=sum(len(a["mentions"]) for _, a in graph.nodes(data=True) if a["kind"] == "paper"),
        triples=triples,
        seconds=time.perf_counter() - started,
        outputs=outputs,
    )
    return graph, summary


def input_files(options: BuildOptions) -> list[Path]:
    return expand_inputs(options.inputs) if options.inputs else bundled_corpus()


def creation_date(files: Sequence[Path]) -> str:
    """The export's dcterms:created: SOURCE_DATE_EPOCH when set (reproducible builds), else
    the UTC date of the newest input file's modification, so rebuilds stay byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        times = []
        for path in files:
            try:
                times.append(path.stat().st_mtime)
            except OSError:
                pass  # a missing input is reported by ingest
        epoch = max(times, default=0)
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
