"""The `kg` command: a thin layer over the library. Errors become one line and an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KgError
from kg.eval.ml_sample import SPLIT as ML_SPLIT  # light: no spaCy at start-up
from kg.eval.scierc import SPLITS as SCIERC_SPLITS

EPILOG = "Run `kg COMMAND --help` for the options of a command."


def _build(args: argparse.Namespace) -> int:
    from kg.build import BuildOptions, build

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
    )
    progress = _progress_bar(args.quiet)
    try:
        _, summary = build(options, progress.update if progress else None)
    finally:
        if progress:
            progress.close()
    if not args.quiet:
        for warning in summary.warnings[: args.show_warnings]:
            print(f"warning: {warning}", file=sys.stderr)
        hidden = len(summary.warnings) - args.show_warnings
        if hidden > 0:
            print(f"warning: ... and {hidden} more skipped records", file=sys.stderr)
        for name, path in summary.outputs.items():
            print(f"wrote {path}", file=sys.stderr)
    print(summary.line())
    return 0


def _eval(args: argparse.Namespace) -> int:
    from kg.eval.run import DEFAULT_SPLITS, evaluate, format_table, write_report

    report = evaluate(args.data, args.split or DEFAULT_SPLITS, fast=args.fast, min_confidence=args.min_confidence)
    print(format_table(report))
    path = write_report(report, args.out / "eval.json")
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _date(value: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def _progress_bar(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" papers", desc="extracting", file=sys.stderr, mininterval=0.5, leave=False)


def _query(args: argparse.Namespace) -> int:
    from kg.rdf.query import format_results, named_queries, parse_params, resolve_query, run_query
    from kg.rdf.write import open_store

    if args.list:
        for query in named_queries().values():
            params = " ".join(f"--param {p}=..." for p in query.parameters)
            print(f"{query.name:36} {query.description}" + (f"  [{params}]" if params else ""))
        return 0
    if not args.query:
        raise_usage("kg query: give a query file or name (or --list)")
    query = resolve_query(args.query)
    params = parse_params(args.param)
    query.check_params(params)
    store_dir = None if args.graph else args.out / "store"
    graph = args.graph or args.out / "graph.ttl"
    store = open_store(graph, store_dir)
    results = run_query(store, query.text, params)
    sys.stdout.write(format_results(results, args.output))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kg.rdf.validate import ONTOLOGY, SHAPES, ValidationFailed, validate

    graph = args.graph
    if graph is None:
        graph = next((args.out / n for n in ("graph.nt", "graph.ttl") if (args.out / n).exists()), args.out / "graph.nt")
    report = validate(graph, shapes=args.shapes or SHAPES, ontology=args.ontology or ONTOLOGY)
    if report.conforms:
        print(f"{graph}: conforms ({report.triples} triples; SHACL shapes and vocabulary check)")
        return 0
    print(report.text(limit=args.max_violations))
    raise ValidationFailed(f"{graph}: {len(report.violations)} violations")


def _serve(args: argparse.Namespace) -> int:
    from kg.rdf.serve import serve

    timeout = args.timeout if args.timeout > 0 else None
    return serve(args.out / "store", host=args.host, port=args.port, timeout=timeout, guard=not args.no_guard)


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
        "metrics, tasks and code links, and write outputs/graph.ttl, graph.nt, store/ and graph.html.",
    )
    build.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders (.txt daily-papers pages, .jsonl, .csv)")
    build.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    build.add_argument("--format", help="input format for every INPUT: hf-daily, jsonl or csv (default: by suffix)")
    build.add_argument("--rdf-format", action="append", default=[], metavar="NAME",
                       help="also write this RDF format: jsonld, rdfxml (turtle and ntriples are always written)")
    build.add_argument("--strict", action="store_true", help="stop at the first bad file or record")
    build.add_argument("--min-confidence", type=float, default=0.0, metavar="P", help="drop mentions below this confidence")
    build.add_argument("--fast", action="store_true", help="rules and gazetteers only: skip the trained model")
    build.add_argument("--base", default="https://w3id.org/kg-papers/resource/", help="base IRI of the resources")
    build.add_argument("--created", metavar="YYYY-MM-DD", type=_date,
                       help="dcterms:created of the VoID description (default: SOURCE_DATE_EPOCH, else the newest input's date)")
    build.add_argument("--no-html", action="store_true", help="skip the HTML viewer")
    build.add_argument("--quiet", "-q", action="store_true", help="print the summary line only")
    build.add_argument("--show-warnings", type=int, default=20, metavar="N", help="how many skip warnings to print")
    build.set_defaults(run=_build)

    evaluate = commands.add_parser(
        "eval", help="score the extractor on SciERC (precision, recall, F1 per type) and write OUT/eval.json",
        description="Run the build's extraction pipeline on the SciERC dev and test abstracts, and on 20 "
        "hand-annotated recent ML abstracts, and score its methods, tasks, metrics and datasets (SciERC "
        "Material) against the gold spans: exact-span and overlap matching, and per-abstract sets of distinct "
        "concepts.",
    )
    evaluate.add_argument("--data", type=Path, help="folder with SciERC {train,dev,test}.json (default: data/scierc)")
    evaluate.add_argument("--split", action="append", choices=(*SCIERC_SPLITS, ML_SPLIT),
                          help="split to score (repeatable; default: SciERC dev and test, and ml, the hand-annotated recent ML abstracts)")
    evaluate.add_argument("--fast", action="store_true", help="rules and gazetteers only: skip the trained model")
    evaluate.add_argument("--min-confidence", type=float, default=0.0, metavar="P", help="drop mentions below this confidence")
    evaluate.add_argument("--out", type=Path, default=Path("outputs"), help="where eval.json goes (default: outputs)")
    evaluate.add_argument("--quiet", "-q", action="store_true", help="print the table only")
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
    validate.set_defaults(run=_validate)

    serve = commands.add_parser(
        "serve", help="serve the store read-only over the SPARQL protocol (Oxigraph)",
        description="Serve OUT/store at http://HOST:PORT/query (SPARQL 1.1 Protocol, read-only) with Oxigraph's "
        "server (pip install 'kg[serve]'). Queries running longer than --timeout are stopped.",
    )
    serve.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--out", type=Path, default=Path("outputs"), help="the build's output folder (default: outputs)")
    serve.add_argument("--timeout", type=float, default=30.0, metavar="S", help="query timeout in seconds (default: 30; 0: none)")
    serve.add_argument("--no-guard", action="store_true",
                       help="expose Oxigraph directly: its own timeout only (does not stop ORDER BY/GROUP BY runaways)")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KgError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("kg: interrupted; outputs written so far are complete, the rest were not replaced", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
