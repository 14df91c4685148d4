"""The `kg` command: a thin layer over the library. Errors become one line and an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KgError

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
        base=args.base,
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
            print(f"{query.name:32} {query.description}")
        return 0
    if not args.query:
        raise_usage("kg query: give a query file or name (or --list)")
    query = resolve_query(args.query)
    store_dir = None if args.graph else args.out / "store"
    graph = args.graph or args.out / "graph.ttl"
    store = open_store(graph, store_dir)
    results = run_query(store, query.text, parse_params(args.param))
    sys.stdout.write(format_results(results, args.output))
    return 0


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
    build.add_argument("--base", default="https://w3id.org/kg-papers/resource/", help="base IRI of the resources")
    build.add_argument("--no-html", action="store_true", help="skip the HTML viewer")
    build.add_argument("--quiet", "-q", action="store_true", help="print the summary line only")
    build.add_argument("--show-warnings", type=int, default=20, metavar="N", help="how many skip warnings to print")
    build.set_defaults(run=_build)

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
