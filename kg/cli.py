"""The `kg` command: a thin layer over the library. Errors become one line and an exit code."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from pathlib import Path

from kg import __version__
from kg.errors import Interrupted, KgError, printable, shown
from kg.eval.ml_sample import FRESH_SPLIT as ML_FRESH_SPLIT  # light: no spaCy at start-up
from kg.eval.ml_sample import SPLIT as ML_SPLIT
from kg.eval.scierc import SPLITS as SCIERC_SPLITS

EPILOG = "Run `kg COMMAND --help` for the options of a command."


def _build(args: argparse.Namespace) -> int:
    from kg.build import BuildOptions, Phases, build
    from kg.errors import NoPapers

    options = BuildOptions(
        inputs=args.inputs,
        out_dir=args.out,
        input_format=args.format,
        rdf_formats=tuple(dict.fromkeys(["turtle", "ntriples", *args.rdf_format])),
        html=not args.no_html,
        strict=args.strict,
        min_confidence=args.min_confidence,
        fast=args.fast,
        base=args.base,
        created=args.created,
        workers=args.workers,
        cache=not args.no_cache,
        scheduler=args.scheduler,
    )
    progress = _ProgressBar(args.quiet)
    try:
        with _sigterm_interrupts():
            _, summary = build(options, progress.update if progress.enabled else None)
    except NoPapers as error:  # what was skipped is the reason there is nothing: show it
        progress.close()
        _print_warnings(error.warnings, args)
        raise
    finally:
        progress.close()  # never `if bar:` on tqdm: a bar without a total has no truth value
    if not args.quiet:
        for notice in summary.notices:
            print(f"warning: {printable(notice)}", file=sys.stderr)
    _print_warnings(summary.warnings, args)
    if not args.quiet:
        if summary.cached:
            print(f"reused {summary.cached} extractions from the cache; extracted {summary.extracted} papers",
                  file=sys.stderr)
        if summary.leftovers_removed:
            print(f"removed {summary.leftovers_removed} leftovers of interrupted builds "
                  f"({summary.leftover_bytes / 1e6:.1f} MB) from {shown(args.out)}", file=sys.stderr)
        for path in summary.outputs.values():
            print(f"wrote {shown(path)}", file=sys.stderr)
    _note(args, "took " + Phases(summary.phases).line())
    print(summary.line())
    return 0


def _print_warnings(warnings: tuple[str, ...], args: argparse.Namespace) -> None:
    if args.quiet:
        return
    limit = len(warnings) if getattr(args, "verbose", False) else max(0, args.show_warnings)  # a negative N shows none (a slice would count from the end)
    for warning in warnings[:limit]:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    hidden = len(warnings) - limit
    if hidden > 0:
        print(f"warning: ... and {hidden} more (--show-warnings N shows more)", file=sys.stderr)


@contextlib.contextmanager
def _sigterm_interrupts():
    """SIGTERM (`timeout`, `kill`) stops a build the way Ctrl-C does: the staging folder is
    removed and the message says what was replaced. The previous handler comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _eval(args: argparse.Namespace) -> int:
    from kg.eval.run import DEFAULT_SPLITS, evaluate, format_table, write_report

    started = time.perf_counter()
    report = evaluate(args.data, args.split or DEFAULT_SPLITS, fast=args.fast, min_confidence=args.min_confidence)
    _note(args, f"scored {', '.join(report['splits'])} from {printable(str(report['data']))} "
                f"in {time.perf_counter() - started:.1f} s")
    print(format_table(report))
    path = write_report(report, args.out / "eval.json")
    if not args.quiet:
        print(f"wrote {shown(path)}", file=sys.stderr)
    return 0


def _workers(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes (1 or more): {value!r}")
    return number


def _date(value: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


class _ProgressBar:
    """The extraction bar on a terminal (none when piped or --quiet), drawn from the first
    paper on, so an error found before extraction prints alone on a clean line."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self._bar = None

    def update(self, n: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(unit=" papers", desc="extracting", file=sys.stderr, mininterval=0.5, leave=False)
        self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _query(args: argparse.Namespace) -> int:
    from kg.rdf.query import named_queries, parse_params, resolve_query, run_isolated

    if args.list:
        problems: list[str] = []
        for query in named_queries(problems).values():
            params = " ".join(f"--param {p}=..." for p in query.parameters)
            print(f"{query.name:36} {query.description}" + (f"  [{params}]" if params else ""))
        for problem in problems if not args.quiet else ():
            print(f"warning: skipped {printable(problem)}", file=sys.stderr)
        return 0
    if not args.query:
        raise_usage("kg query: give a query file or name (or --list)")
    query = resolve_query(args.query)
    params = parse_params(args.param)
    store_dir = None if args.graph else args.out / "store"
    graph = args.graph or args.out / "graph.ttl"
    _note(args, f"query {query.name} ({shown(query.path) if query.path else 'inline'})"
                + "".join(f"; ?{k} = {printable(v)!r}" for k, v in params.items()))
    started = time.perf_counter()
    with _sigterm_interrupts():  # `kill` stops the query's worker as Ctrl-C does
        text = run_isolated(query, params, args.output, store_dir=store_dir, graph_file=graph,
                            timeout=args.timeout, allow_service=args.allow_service)
    sys.stdout.write(text)
    _note(args, f"answered in {time.perf_counter() - started:.2f} s")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kg.rdf.validate import ONTOLOGY, SHAPES, ValidationFailed, validate

    graph = args.graph
    if graph is None:
        graph = next((args.out / n for n in ("graph.nt", "graph.ttl") if (args.out / n).exists()), args.out / "graph.nt")
    shapes, ontology = args.shapes or SHAPES, args.ontology or ONTOLOGY
    _note(args, f"validating {shown(graph)} against {shown(shapes)} and {shown(ontology)}")
    started = time.perf_counter()
    report = validate(graph, shapes=shapes, ontology=ontology)
    _note(args, f"checked in {time.perf_counter() - started:.1f} s")
    if report.conforms:
        if not args.quiet:
            print(f"{shown(graph)}: conforms ({report.triples} triples; SHACL shapes and vocabulary check)")
        return 0
    print(report.text(limit=args.max_violations))
    raise ValidationFailed(f"{shown(graph)}: {len(report.violations)} violations")


def _serve(args: argparse.Namespace) -> int:
    from kg.rdf.serve import serve

    if args.timeout != args.timeout:  # NaN is no number of seconds (and not "0: none")
        raise_usage("--timeout must be a number of seconds")
    timeout = args.timeout if args.timeout > 0 else None
    return serve(args.out / "store", host=args.host, port=args.port, timeout=timeout, workers=args.workers,
                 quiet=args.quiet, log_requests=args.verbose)


def _export(args: argparse.Namespace) -> int:
    from kg.export import EXPORTERS, export
    from kg.export.load import load_graph

    started = time.perf_counter()
    graph = load_graph(args.graph or args.out)  # before anything is written: no folder, no export
    exporter = EXPORTERS[args.format]
    target = args.to or args.out / "export" / exporter.default_name
    for path in export(graph, args.format, target):
        if not args.quiet:
            print(f"wrote {shown(path)}", file=sys.stderr)
    counts = graph.counts()
    print(f"exported {counts['paper']} papers, {counts['concept']} concepts, {counts['repository']} repositories, "
          f"{graph.graph.number_of_edges()} edges as {args.format} to {shown(target)}")
    _note(args, f"took {time.perf_counter() - started:.1f} s")
    return 0


def _verbosity(parser: argparse.ArgumentParser, *, quiet: str, verbose: str) -> None:
    """The -q/--quiet and -v/--verbose pair every command has: results go to stdout either
    way; these say how much of the rest (warnings, progress, what was written) goes to stderr."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", "-q", action="store_true", help=quiet)
    group.add_argument("--verbose", "-v", action="store_true", help=verbose)


def _note(args: argparse.Namespace, message: str) -> None:
    """A --verbose line on stderr."""
    if getattr(args, "verbose", False):
        print(message, file=sys.stderr)


def raise_usage(message: str) -> None:
    from kg.errors import UsageError

    raise UsageError(message)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build a knowledge graph of ML papers: methods, datasets, metrics, tasks and code.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build", help="read papers, extract concepts, write RDF, store and HTML",
        description="Read papers (the bundled corpus when no INPUT is given), extract methods, datasets, "
        "metrics, tasks and code links, and write outputs/graph.ttl, graph.nt, store/, graph.html and changes.json "
        "(what changed since the previous build). Extractions are cached in OUT/.cache: a rebuild extracts only "
        "new or changed papers. "
        "The outputs are published together when the build succeeds: a failed, interrupted or empty build "
        "(no paper read) leaves the folder as it was, and one build at a time may write into it. "
        "Exit codes: 2 bad option, 3 missing input path or no paper read (or a bad record with --strict), "
        "5 output folder unusable or busy, 130 interrupted.",
    )
    build.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders: .txt daily-papers pages, .jsonl/.json (arXiv, OpenAlex, Semantic Scholar or plain records), .csv/.tsv, .bib, .xml (arXiv Atom or OAI-PMH)")
    build.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    build.add_argument("--format", help="input format for every INPUT: hf-daily, jsonl, csv, bibtex, openalex, s2 or arxiv-xml "
                       "(default: by suffix; OpenAlex and Semantic Scholar records in .json/.jsonl are told by their keys)")
    build.add_argument("--rdf-format", action="append", default=[], metavar="NAME",
                       help="also write this RDF format: jsonld, rdfxml (turtle and ntriples are always written)")
    build.add_argument("--strict", action="store_true", help="stop at the first bad file or record")
    build.add_argument("--min-confidence", type=float, default=0.0, metavar="P", help="drop mentions below this confidence")
    build.add_argument("--fast", action="store_true", help="rules and gazetteers only: skip the trained model")
    build.add_argument("--base", default="https://w3id.org/kg-papers/resource/", help="base IRI of the resources: absolute http(s), ending in / or #")
    build.add_argument("--created", metavar="YYYY-MM-DD", type=_date,
                       help="dcterms:created of the VoID description (default: SOURCE_DATE_EPOCH, else the newest input's date)")
    build.add_argument("--no-html", action="store_true", help="skip the HTML viewer")
    build.add_argument("--workers", type=_workers, metavar="N",
                       help="extraction processes (default: one per core; 1: extract in the kg process itself); "
                       "the outputs are the same for any N")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="extract on the workers of this Dask scheduler (e.g. tcp://HOST:8786; needs kg[cluster]) "
                       "instead of local processes; not with --workers N > 1; the graph and outputs are made here")
    build.add_argument("--no-cache", action="store_true",
                       help="extract every paper again, without reading or updating the extraction cache OUT/.cache")
    _verbosity(build, quiet="print the summary line only (no warnings, no progress bar)",
               verbose="print every warning, not only the first --show-warnings N, and the time each step took")
    build.add_argument("--show-warnings", type=int, default=20, metavar="N", help="how many warnings about bad records to print (default: 20)")
    build.set_defaults(run=_build)

    evaluate = commands.add_parser(
        "eval", help="score the extractor on SciERC (precision, recall, F1 per type) and write OUT/eval.json",
        description="Run the build's extraction pipeline on the SciERC dev and test abstracts, and on 50 "
        "hand-annotated recent ML abstracts (ml: 20 of the bundled corpus; ml-fresh: 30 held out), and score its "
        "methods, tasks, metrics and datasets (SciERC Material) against the gold spans: exact-span and overlap "
        "matching, per-abstract sets of distinct concepts, and (ML abstracts) the concepts a build links each "
        "paper to, read back with SPARQL.",
    )
    evaluate.add_argument("--data", type=Path, help="folder with SciERC {train,dev,test}.json (default: data/scierc)")
    evaluate.add_argument("--split", action="append", choices=(*SCIERC_SPLITS, ML_SPLIT, ML_FRESH_SPLIT),
                          help="split to score (repeatable; default: SciERC dev and test, and ml and ml-fresh, the hand-annotated recent ML abstracts)")
    evaluate.add_argument("--fast", action="store_true", help="rules and gazetteers only: skip the trained model")
    evaluate.add_argument("--min-confidence", type=float, default=0.0, metavar="P", help="drop mentions below this confidence")
    evaluate.add_argument("--out", type=Path, default=Path("outputs"), help="where eval.json goes (default: outputs)")
    _verbosity(evaluate, quiet="print the table only", verbose="also say which data were read and how long it took")
    evaluate.set_defaults(run=_eval)

    query = commands.add_parser(
        "query", help="run a SPARQL query (a .rq file or a named query) over the built graph",
        description="Run a SPARQL query over outputs/store (or a graph file given with --graph).",
    )
    query.add_argument("query", nargs="?", metavar="QUERY", help="a .rq file or the name of a query in queries/")
    query.add_argument("--graph", type=Path, help="an RDF file to query instead of the store")
    query.add_argument("--out", type=Path, default=Path("outputs"), help="the build's output folder (default: outputs)")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="bind ?KEY to VALUE")
    query.add_argument("--format", dest="output", default="table", choices=("table", "csv", "json"))
    query.add_argument("--list", action="store_true", help="list the named queries")
    query.add_argument("--timeout", type=float, default=None, metavar="S",
                       help="stop the query after S seconds (exit code 124; default: no limit; Ctrl-C always stops it)")
    query.add_argument("--allow-service", action="store_true",
                       help="let SERVICE clauses fetch from other SPARQL endpoints (refused by default)")
    _verbosity(query, quiet="print the results only (no warnings)",
               verbose="also print the query's name, its parameters and how long it took")
    query.set_defaults(run=_query)

    validate = commands.add_parser(
        "validate", help="check the exported graph against the SHACL shapes and the ontology",
        description="Validate outputs/graph.nt (or --graph FILE) against ontology/shapes.ttl and check that "
        "every class and property is declared by ontology/kg.ttl or a standard vocabulary. "
        "Exit code 0 when it conforms, 6 when it does not.",
    )
    validate.add_argument("--graph", type=Path, help="an RDF file to validate (default: OUT/graph.nt)")
    validate.add_argument("--out", type=Path, default=Path("outputs"), help="the build's output folder (default: outputs)")
    validate.add_argument("--shapes", type=Path, help="SHACL shapes (default: ontology/shapes.ttl)")
    validate.add_argument("--ontology", type=Path, help="the ontology (default: ontology/kg.ttl)")
    validate.add_argument("--max-violations", type=int, default=50, metavar="N", help="how many violations to print")
    _verbosity(validate, quiet="print nothing when the graph conforms (the exit code says it)",
               verbose="also say which shapes and ontology were used and how long it took")
    validate.set_defaults(run=_validate)

    serve = commands.add_parser(
        "serve", help="serve the store read-only over the SPARQL protocol",
        description="Serve OUT/store at http://HOST:PORT/query (SPARQL 1.1 Protocol, read-only). Each query runs "
        "in one of a pool of worker processes; one running longer than --timeout is stopped (503) without "
        "touching the others. SERVICE clauses (requests to other hosts) are refused.",
    )
    serve.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--out", type=Path, default=Path("outputs"), help="the build's output folder (default: outputs)")
    serve.add_argument("--timeout", type=float, default=30.0, metavar="S", help="query timeout in seconds (default: 30; 0: none)")
    serve.add_argument("--workers", type=int, default=None, metavar="N",
                       help="query worker processes, each with the store open read-only (default: 2 to 4, by CPUs)")
    _verbosity(serve, quiet="no start and stop lines (warnings stay)",
               verbose="also log each request: client, request line, status, size, time")
    serve.set_defaults(run=_serve)

    export = commands.add_parser(
        "export", help="convert a built graph for other tools: GraphML, GEXF, CSV, Parquet, JSON-LD",
        description="Read OUT/graph.nt (or --graph FILE) and write it for Gephi and Cytoscape (graphml, gexf), "
        "pandas and DuckDB (csv, parquet: a folder with nodes and edges tables) or JSON-LD compacted with an "
        "@context of kg's prefixes. Nothing is extracted again. Node and edge tables hold papers, concepts "
        "and repositories with their paper -> concept links; results stay in the RDF (and the JSON-LD). "
        "Default target: OUT/export/graph.graphml, graph.gexf, graph.jsonld, or the folder OUT/export/csv, parquet.",
    )
    export.add_argument("--format", required=True, choices=("graphml", "gexf", "csv", "parquet", "jsonld"))
    export.add_argument("--out", type=Path, default=Path("outputs"), help="the build's output folder (default: outputs)")
    export.add_argument("--graph", type=Path, help="an N-Triples or Turtle file to export instead of OUT's graph")
    export.add_argument("--to", type=Path, metavar="PATH", help="where to write (a file; a folder for csv and parquet)")
    _verbosity(export, quiet="print the summary line only", verbose="also print the time it took")
    export.set_defaults(run=_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Interrupted as error:
        print(f"kg: {printable(str(error))}", file=sys.stderr)
        return error.exit_code
    except KgError as error:
        print(f"kg: error: {printable(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:  # commands other than build write at most one file, atomically
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
