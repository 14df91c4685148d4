"""The whole run: files -> papers -> mentions -> graph -> RDF, store and HTML, published
into the output folder as one set (kg.outdir)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from urllib.parse import urlsplit

import networkx as nx
from pyoxigraph import NamedNode

from kg.types import plural
from kg.cache import CACHE_DIR, ExtractionCache
from kg.changes import CHANGES_NAME, Changes, compare, index_of, read_index, write_changes, write_index
from kg.cluster import check_scheduler
from kg.errors import InputError, Interrupted, NoPapers, OutputError, UsageError, printable, shown
from kg.extract import create_pipeline, extract_papers
from kg.extract.generic import names_a_kind
from kg.graph import GraphBuilder
from kg.ingest import READERS, Deduplicator, IngestReport, bundled_corpus, expand_inputs, read_papers
from kg.outdir import CURRENT, Publication, check_out_dir, output_folder
from kg.parallel import ExtractionTask, extract_in_order, resolve_workers
from kg.rdf.namespace import RESOURCE_BASE
from kg.records import ExtractedPaper, Paper
from kg.rdf.write import RDF_FORMATS, StreamingLoad, count_triples, rdf_format, write_rdf

# Every name a build's output may have in OUT: a stale one is removed when a build that
# does not write it is published, so OUT never shows outputs of two builds.
OUTPUT_NAMES = (*(f"graph{f.suffix}" for f in RDF_FORMATS.values()), "graph.html", "store", CHANGES_NAME)


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
    workers: int | None = None  # extraction processes (kg.parallel); None: one per usable core; 1: this process
    cache: bool = True  # reuse and update the extraction cache OUT/.cache (kg.cache); build() only
    chunk_size: int = 64  # papers per chunk sent to a worker (and looked up in the cache at once)
    min_parallel: int = 128  # fewer papers to extract than this: no worker processes are started
    scheduler: str | None = None  # a Dask scheduler's address (kg.cluster): extract on its workers, not here


@dataclass(frozen=True)
class BuildSummary:
    files: int
    records: int
    papers: int
    merged: int
    skipped: int
    skip_reasons: dict[str, int]
    warnings: tuple[str, ...]  # what to print: skipped records, then records kept with a repair or guess
    concepts: dict[str, int]
    repositories: int
    mentions: int
    triples: int
    seconds: float
    outputs: dict[str, Path] = field(default_factory=dict)
    leftovers_removed: int = 0  # files or folders killed builds had left in OUT
    leftover_bytes: int = 0
    results: int = 0  # numbers stated as results (kg:Result)
    kinds: int = 0  # concepts decided to be kinds of thing (kg:Kind), counted in `concepts` too
    warned: int = 0  # records kept despite a problem (an encoding guess, a cut abstract, a bad date)
    warn_reasons: dict[str, int] = field(default_factory=dict)
    changes: Changes | None = None  # against the previous published build (kg.changes)
    workers: int = 1  # extraction processes asked for
    cached: int = 0  # papers whose extraction came from the cache
    extracted: int = 0  # papers extracted by this build
    notices: tuple[str, ...] = ()  # warnings about the build itself (a damaged cache), printed first
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, in order (Phases)

    def line(self) -> str:
        """The one-line summary `kg build` closes with."""
        concepts = ", ".join(f"{n} {plural(t)}" for t, n in sorted(self.concepts.items()))
        skipped = f"{self.skipped} skipped" + (f" ({_reasons(self.skip_reasons)})" if self.skipped else "")
        if self.warned:
            skipped += f", {self.warned} warned ({_reasons(self.warn_reasons)})"
        return (
            f"{self.papers} papers from {self.records} records in {self.files} files "
            f"({self.merged} merged, {skipped}); concepts: {concepts or 'none'}"
            f"{f' ({self.kinds} of them kinds)' if self.kinds else ''}; "
            f"{self.repositories} repositories; {self.mentions} mentions; {self.results} results; {self.triples} triples; "
            f"{self.changes.clause() + '; ' if self.changes else ''}{self.seconds:.1f} s"
        )


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))


class Phases(dict):
    """Seconds spent in each step of a build, in the order the steps ran; `kg build
    --verbose` prints them. A step that runs beside others (the store load) says so."""

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - started

    def line(self) -> str:
        """
        >>> Phases({"extract": 12.04, "decide": 1.5}).line()
        'extract 12.0 s, decide 1.5 s'
        """
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.items())


def collect_graph(
    options: BuildOptions, report: IngestReport, progress: Callable[[int], None] | None = None,
    files: Sequence[Path] | None = None, cache: ExtractionCache | None = None, spill_dir: Path | None = None,
    phases: Phases | None = None,
) -> tuple[nx.DiGraph, Deduplicator]:
    """Read, deduplicate and extract every input into one graph (streaming until the graph)."""
    files = input_files(options) if files is None else files
    return graph_of_papers(read_papers(files, report, options.input_format), options, report, progress, cache,
                           spill_dir, phases)


def graph_of_papers(
    papers: Iterable[Paper], options: BuildOptions, report: IngestReport,
    progress: Callable[[int], None] | None = None, cache: ExtractionCache | None = None,
    spill_dir: Path | None = None, phases: Phases | None = None,
) -> tuple[nx.DiGraph, Deduplicator]:
    """Deduplicate and extract papers from any source (files, or records given in Python:
    kg.api) into one graph; `options` gives fast, min_confidence, batch_size and workers.
    With a `cache`, only papers it does not hold are extracted. The graph builder sees the
    same papers in the same order however many workers extract them. Papers' texts and
    evidence are spilled to a file in `spill_dir` (kg.spill), not held in memory."""
    dedup = Deduplicator(report)
    papers = dedup.unique(papers)
    builder = GraphBuilder(is_generic=names_a_kind, spill_dir=spill_dir)
    phases = Phases() if phases is None else phases
    with phases.timed("read and extract"), contextlib.closing(extracted_papers(papers, options, cache)) as stream:
        for extracted in stream:
            builder.add(extracted)
            if progress is not None:
                progress(1)
    for canonical, duplicate in dedup.duplicates:
        builder.merge_duplicate(canonical, duplicate)
    with phases.timed("corpus decisions"):
        graph = builder.build()
    return graph, dedup


def extracted_papers(papers: Iterable[Paper], options: BuildOptions,
                     cache: ExtractionCache | None = None) -> Iterator[ExtractedPaper]:
    """Each paper's extraction, in input order: in this process (one worker, no cache: one
    streaming spaCy pipeline), on a Dask cluster (`options.scheduler`: kg.cluster), else
    through kg.parallel's chunks, workers and cache."""
    task = ExtractionTask(fast=options.fast, min_confidence=options.min_confidence, batch_size=options.batch_size)
    if options.scheduler is not None:
        from kg.cluster import extract_on_cluster

        return extract_on_cluster(papers, task, options.scheduler, cache=cache, chunk_size=options.chunk_size)
    workers = resolve_workers(options.workers)
    if workers == 1 and cache is None:
        return iter(extract_papers(papers, create_pipeline(options.fast), batch_size=options.batch_size,
                                   min_confidence=options.min_confidence))
    return extract_in_order(papers, task, workers=workers, cache=cache, chunk_size=options.chunk_size,
                            min_parallel=options.min_parallel)


def build(options: BuildOptions, progress: Callable[[int], None] | None = None) -> tuple[nx.DiGraph, BuildSummary]:
    """Build into `options.out_dir` as one set: options, inputs and OUT are checked before
    any extraction; everything is written into a staging folder and published at the end
    in one switch (kg.outdir). A failure, an interrupt or a build that yields no paper
    leaves OUT as it was; a second build into the same OUT is refused while one runs.

    Raises UsageError (a bad option), InputError (a missing input path; a bad file with
    `strict`), NoPapers, OutputError/OutputBusy, Interrupted (SIGINT: says whether OUT
    was replaced)."""
    started = time.perf_counter()
    formats = check_options(options)
    report = IngestReport(strict=options.strict)
    files = input_files(options, report)
    publication: Publication | None = None
    cache: ExtractionCache | None = None
    phases = Phases()
    try:
        with output_folder(options.out_dir, OUTPUT_NAMES, keep=(CACHE_DIR,)) as publication:
            try:
                if options.cache:
                    cache = ExtractionCache.for_build(publication.root, options.fast, options.min_confidence)
                graph, dedup = collect_graph(options, report, progress, files, cache, spill_dir=publication.staging,
                                             phases=phases)
                papers = sum(1 for _, a in graph.nodes(data=True) if a["kind"] == "paper")
                if papers == 0:
                    raise NoPapers(no_papers_message(files, report, options.out_dir),
                                   tuple(str(e) for e in (*report.skipped, *report.warnings)))
                created = options.created or creation_date(files)
                staged, triples = write_outputs(graph, publication.staging, options, formats, created, phases)
                with phases.timed("change report"):
                    changes = write_changes_report(graph, publication)
                staged["changes"] = publication.staging / CHANGES_NAME
                published = publication.publish(OUTPUT_NAMES)
                outputs = {key: published[path.name] for key, path in staged.items()}
                if cache is not None:
                    cache.prune()  # the entries this build did not use
            finally:
                if cache is not None:
                    cache.close()
    except KeyboardInterrupt:
        raise Interrupted(interrupted_message(options.out_dir, publication)) from None
    kinds = Counter(a["ctype"] for _, a in graph.nodes(data=True) if a["kind"] == "concept")
    summary = BuildSummary(
        files=report.files,
        records=report.records,
        papers=papers,
        merged=len(dedup.duplicates),
        skipped=len(report.skipped),
        skip_reasons=dict(report.skip_reasons()),
        warnings=tuple(str(e) for e in (*report.skipped, *report.warnings)),
        warned=len(report.warnings),
        warn_reasons=dict(report.warning_reasons()),
        concepts=dict(kinds),
        repositories=sum(1 for _, a in graph.nodes(data=True) if a["kind"] == "repository"),
        mentions=sum(len(a["mentions"]) for _, a in graph.nodes(data=True) if a["kind"] == "paper"),
        results=sum(len(a.get("results", ())) for _, a in graph.nodes(data=True) if a["kind"] == "paper"),
        kinds=sum(1 for _, a in graph.nodes(data=True) if a["kind"] == "concept" and a.get("generic")),
        triples=triples,
        seconds=time.perf_counter() - started,
        outputs=outputs,
        leftovers_removed=publication.cleaned.entries,
        leftover_bytes=publication.cleaned.bytes,
        changes=changes,
        workers=resolve_workers(options.workers),
        cached=cache.hits if cache is not None else 0,
        extracted=papers - (cache.hits if cache is not None else 0),
        notices=tuple(cache.warnings) if cache is not None else (),
        phases=dict(phases),
    )
    return graph, summary


def write_changes_report(graph: nx.DiGraph, publication: Publication) -> Changes:
    """Compare the graph with the build OUT shows now (through its index) and write
    changes.json and this build's index into the staging folder (kg.changes)."""
    current = publication.root / CURRENT
    before = read_index(current)
    try:
        index = index_of(graph)
        changes = compare(before, graph, index, had_build=os.path.lexists(current))
        write_changes(changes, publication.staging)
        write_index(index, publication.staging)
    except OSError as exc:
        where = shown(exc.filename) if exc.filename else shown(publication.staging)
        raise OutputError(f"cannot write the outputs ({where}): {exc.strerror or exc}; nothing was replaced") from None
    return changes


def write_outputs(
    graph: nx.DiGraph, folder: Path, options: BuildOptions, formats: Sequence[str], created: str,
    phases: Phases | None = None,
) -> tuple[dict[str, Path], int]:
    """Write every output of one build into `folder`; returns their paths by kind and the
    number of triples. An OSError (disk full, permissions) becomes one OutputError line.

    The store is filled in a thread from the N-Triples lines as they are written
    (:class:`~kg.rdf.write.StreamingLoad`; Oxigraph's loader releases the GIL), and goes
    on while the other RDF formats and the viewer are written here."""
    stop = threading.Event()  # set when this ends early: the loader stops at its next chunk
    phases = Phases() if phases is None else phases
    loading: StreamingLoad | None = None
    try:
        if options.store and "ntriples" in formats:  # inside the try: an interrupt from here on stops it
            loading = StreamingLoad(folder / "store", stop)
        with phases.timed("rdf"):
            outputs = write_rdf(graph, folder, formats, options.base, created,
                                ntriples_sink=loading.feed if loading else None,
                                on_ntriples=(lambda _: loading.finish()) if loading else None)
        if options.html:
            from kg.viz import write_html  # pyvis is only needed for the viewer

            outputs["html"] = folder / "graph.html"
            with phases.timed("viewer"):
                write_html(graph, outputs["html"], title="kg: papers, methods, datasets, metrics, tasks and code")
        triples = None
        if loading is not None:
            waited = time.perf_counter()
            triples = loading.result()  # the store's size: no second read
            phases["store (beside rdf and viewer)"] = loading.seconds
            phases["waiting for the store"] = time.perf_counter() - waited
            outputs["store"] = folder / "store"
        if triples is None:
            triples = _count_lines(outputs["ntriples"]) if "ntriples" in outputs else count_triples(graph, options.base, created)
    except OSError as exc:
        where = shown(exc.filename) if exc.filename else shown(folder)
        raise OutputError(f"cannot write the outputs ({where}): {exc.strerror or exc}; nothing was replaced") from None
    finally:
        if loading is not None:  # an error or Ctrl-C: the staging folder is removed next, not under the loader
            stop.set()
            loading.wait()
    return outputs, triples


def check_options(options: BuildOptions) -> list[str]:
    """Every check that needs no reading, done before any: input and RDF formats, the base
    IRI, the output folder, input paths. Returns the RDF formats' canonical names."""
    if options.input_format is not None and options.input_format not in READERS:
        raise UsageError(f"unknown input format {printable(repr(options.input_format))}; known: {', '.join(READERS)}")
    formats = list(dict.fromkeys(rdf_format(name).name for name in options.rdf_formats))
    resolve_workers(options.workers)
    check_scheduler(options.scheduler, options.workers)
    if options.chunk_size < 1 or options.batch_size < 1:
        raise UsageError(f"chunk and batch sizes must be at least 1 (chunk {options.chunk_size}, batch {options.batch_size})")
    check_base_iri(options.base)
    check_out_dir(Path(options.out_dir))
    missing = missing_inputs(options.inputs)
    if missing:
        more = f" (and {len(missing) - 1} more missing inputs)" if len(missing) > 1 else ""
        raise InputError(missing[0], f"no such file{more}", kind="no such file")
    return formats


_IRI_FORBIDDEN = frozenset('<>"{}|\\^` ')


def check_base_iri(base: str) -> str:
    """The base of resource IRIs must be an absolute http(s) IRI ending in '/' or '#' (so
    that `base + key` is a resource under it) with no character IRIs forbid (RFC 3987:
    spaces, controls, <>"{}|\\^`). Returns it; raises UsageError."""
    problem = None
    bad = sorted({c for c in base if c in _IRI_FORBIDDEN or not c.isprintable()})
    try:
        parts = urlsplit(base)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise UsageError(f"bad --base {printable(repr(base))}: {exc}") from None
    if bad:
        problem = "it contains " + ", ".join(printable(repr(c)) for c in bad) + ", not allowed in an IRI"
    elif parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problem = "it is not an absolute http:// or https:// IRI"
    elif not base.endswith(("/", "#")):
        problem = "it must end with '/' or '#'"
    else:
        try:
            NamedNode(base + "x")
        except ValueError as exc:
            problem = f"it is not a valid IRI ({exc})"
    if problem:
        raise UsageError(f"bad --base {printable(repr(base))}: {problem}")
    return base


def missing_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Input paths named on the command line that do not exist. Like `cp`, kg treats a
    missing path as an error of the invocation (a typo), not as a skipped record."""
    return [Path(p) for p in inputs if not Path(p).exists()]


def input_files(options: BuildOptions, report: IngestReport | None = None) -> list[Path]:
    """The files the inputs stand for (the bundled corpus when none). With a report, a
    folder holding no file kg reads is reported (and fatal with `strict`), not silent."""
    if not options.inputs:
        return bundled_corpus()
    files: list[Path] = []
    for raw in options.inputs:
        found = expand_inputs([raw])
        if not found and report is not None and Path(raw).is_dir():
            report.skip(InputError(raw, "folder without input files (none with a suffix kg reads: .txt, .jsonl, .csv ...)",
                                   kind="folder without input files"))
        files.extend(found)
    return files


def no_papers_message(files: Sequence[Path], report: IngestReport, out_dir: Path) -> str:
    """What a build that found no paper says: what it read, what it skipped, and that OUT
    was left alone."""
    named = ", ".join(shown(f) for f in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    reasons = ", ".join(f"{n} {r}" for r, n in sorted(report.skip_reasons().items()))
    skipped = f"{len(report.skipped)} skipped" + (f" ({reasons})" if reasons else "")
    source = f"{len(files)} file{'s' if len(files) != 1 else ''} ({named})" if files else "no input files"
    return (f"no papers: read {report.records} records from {source}, {skipped}; "
            f"nothing in {shown(out_dir)} was replaced")


def interrupted_message(out_dir: Path, publication: Publication | None) -> str:
    """The truth about OUT after an interrupt: the switch to the new build is one rename,
    so either nothing was replaced or the whole new build is in place."""
    if publication is not None and publication.published:
        return f"interrupted after the new build was published; {shown(out_dir)} holds its complete outputs"
    return f"interrupted; nothing in {shown(out_dir)} was replaced"


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
