"""SPARQL over the exported graph: named queries, safe parameters, three output formats."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, QueryError, UsageError
from kg.rdf.namespace import PREFIXES
from kg.rdf.sparql_guard import check_no_outbound

OUTPUT_FORMATS = ("table", "csv", "json")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


_PARAM = re.compile(r"^#\s+\?([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$")
_SECTION = re.compile(r"^#\s*(Parameters|Columns|Notes?|Other SPARQL clients)\b", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    """A .rq file. Its leading `#` lines say the question it answers, then (optionally)
    `# Parameters:` with one `#   ?name  meaning` line per parameter."""

    name: str
    path: Path
    text: str

    def _header(self) -> list[str]:
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.rstrip())
        return lines

    @property
    def description(self) -> str:
        """The question the query answers: its leading comment lines up to the first section."""
        lines = []
        for line in self._header():
            if _SECTION.match(line):
                break
            lines.append(line.lstrip("# ").rstrip())
        return " ".join(l for l in lines if l)

    @property
    def parameters(self) -> dict[str, str]:
        """Declared parameters (name -> meaning), in order; each is required."""
        params: dict[str, str] = {}
        last = None
        for line in self._header():
            match = _PARAM.match(line)
            if match:
                last = match.group(1)
                params[last] = match.group(2).strip()
            elif last and re.match(r"^#\s{4,}\S", line):  # an indented continuation line
                params[last] += " " + line.lstrip("# ").strip()
            else:
                last = None
        return params

    def check_params(self, params: dict[str, str]) -> None:
        """UsageError unless `params` gives every declared parameter and (when the query
        declares any) no other."""
        declared = self.parameters
        missing = [p for p in declared if p not in params]
        if missing:
            need = " ".join(f"--param {p}=VALUE" for p in missing)
            raise UsageError(f"query {self.name} needs {need} ({'; '.join(declared[p] for p in missing)})")
        unknown = sorted(set(params) - set(declared))
        if unknown and declared:
            known = ", ".join(declared) or "none"
            raise UsageError(f"query {self.name} has no parameter {', '.join(unknown)} (its parameters: {known})")


def query_dirs() -> list[Path]:
    """Where named queries live: ./queries (your own, first), then the ones kg ships as
    package data (kg/queries; `queries/` in a checkout links there)."""
    packaged = Path(str(resources.files("kg"))) / "queries"
    return [Path("queries"), packaged]


def read_query_file(path: Path) -> str:
    """The text of a .rq file; InputError (one line, naming the file) when it is binary,
    not UTF-8 or unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the query file: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise InputError(path, "binary file, not a SPARQL query")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(path, f"not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x})", line=line) from None


def named_queries(problems: list[str] | None = None) -> dict[str, NamedQuery]:
    """The named queries by name; a .rq file that cannot be read is left out (and its
    error appended to `problems` when given)."""
    found: dict[str, NamedQuery] = {}
    for folder in query_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.rq")):
                if path.stem in found:
                    continue
                try:
                    found[path.stem] = NamedQuery(path.stem, path, read_query_file(path))
                except InputError as exc:
                    if problems is not None:
                        problems.append(str(exc))
    return found


def resolve_query(spec: str) -> NamedQuery:
    """A query given as a file path or as the name of a named query."""
    path = Path(spec)
    if path.is_file():
        return NamedQuery(path.stem, path, read_query_file(path))
    if path.is_dir():
        raise UsageError(f"{spec} is a folder, not a query file")
    if _NAME.match(spec):
        queries = named_queries()
        if spec in queries:
            return queries[spec]
        known = ", ".join(sorted(queries)) or "none"
        raise UsageError(f"no query file or named query {spec!r}; named queries: {known}")
    raise UsageError(f"no such query file: {spec}")


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not _NAME.match(key):
            raise UsageError(f"--param wants key=value, got {pair!r}")
        params[key] = value
    return params


def _term(value: str) -> ox.NamedNode | ox.Literal:
    """`<iri>` or an http(s) URL binds an IRI; anything else a plain string literal."""
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        if re.match(r"^https?://\S+$", value):
            return ox.NamedNode(value)
    except ValueError as exc:
        raise UsageError(f"not a valid IRI: {value!r} ({exc})") from None
    return ox.Literal(value)


def run_query(store: ox.Store, text: str, params: dict[str, str] | None = None, allow_service: bool = False):
    """Run a SELECT/ASK/CONSTRUCT query; parameters bind variables as terms (no text splicing).

    Binding follows SEP-0007 (pyoxigraph `substitutions`): a parameter variable must be in
    the query's SELECT projection (and GROUP BY, if it aggregates). SERVICE clauses, which
    make Oxigraph fetch from other hosts, are refused unless `allow_service`.
    """
    check_no_outbound(text, allow_service, hint="; kg query --allow-service allows it")
    substitutions = {ox.Variable(k): _term(v) for k, v in (params or {}).items()}
    try:
        return store.query(text, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as exc:
        raise QueryError(f"query does not parse: {exc}") from None
    except (OSError, RuntimeError) as exc:
        from kg.rdf.stores import is_store_failure, store_failure

        if is_store_failure(exc):
            raise store_failure("the store", exc) from None
        if "projection" in str(exc):
            names = ", ".join(f"?{k}" for k in params or {})
            raise QueryError(f"cannot bind {names}: a parameter must be in the SELECT projection ({exc})") from None
        raise QueryError(f"query failed: {exc}") from None
    except ValueError as exc:
        raise QueryError(f"query failed: {exc}") from None


def run_isolated(query: NamedQuery, params: dict[str, str], output: str, *, store_dir: Path | None,
                 graph_file: Path | None, timeout: float | None = None, allow_service: bool = False) -> str:
    """`kg query`: check, then evaluate in a child process (kg.rdf.workers) that a timeout
    or Ctrl-C can stop; returns the formatted result."""
    from kg.rdf.workers import run_in_worker

    if output not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {output!r}; known: {', '.join(OUTPUT_FORMATS)}")
    if timeout is not None and not timeout >= 0:  # NaN too
        raise UsageError("--timeout must be 0 or more seconds")
    query.check_params(params)
    check_no_outbound(query.text, allow_service, hint="; kg query --allow-service allows it")
    return run_in_worker(query.text, params, output=output, store_dir=store_dir, graph_file=graph_file,
                         timeout=timeout or None, allow_service=allow_service)


def run_named(store: ox.Store, spec: str, params: dict[str, str] | None = None):
    """Resolve a query name or file, check its declared parameters, and run it."""
    query = resolve_query(spec)
    query.check_params(params or {})
    return run_query(store, query.text, params)


def term_text(term) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)


def solutions_table(results) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a SELECT result as plain strings."""
    variables = [v.value for v in results.variables]
    rows = [[term_text(solution[v]) for v in variables] for solution in results]
    return variables, rows


def format_results(results, output: str = "table") -> str:
    """The results as text; evaluation errors (results are lazy) become QueryError, a
    damaged store's a StoreError saying to rebuild."""
    from kg.rdf.stores import is_store_failure, store_failure

    try:
        return _format(results, output)
    except (OSError, RuntimeError) as exc:
        if is_store_failure(exc):
            raise store_failure("the store", exc) from None
        raise QueryError(f"query failed: {exc}") from None


def _format(results, output: str) -> str:
    if output not in OUTPUT_FORMATS:
        raise UsageError(f"unknown output format {output!r}; known: {', '.join(OUTPUT_FORMATS)}")
    if isinstance(results, ox.QueryBoolean):
        return {"json": '{"head":{},"boolean":%s}' % str(bool(results)).lower()}.get(output, str(bool(results)).lower()) + "\n"
    if isinstance(results, ox.QueryTriples):
        return ox.serialize(results, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if output in ("csv", "json"):
        buffer = io.BytesIO()
        fmt = ox.QueryResultsFormat.CSV if output == "csv" else ox.QueryResultsFormat.JSON
        results.serialize(buffer, fmt)
        return buffer.getvalue().decode("utf-8") + ("" if output == "csv" else "\n")
    header, rows = solutions_table(results)
    return render_table(header, rows)


def render_table(header: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    def cell(value: str) -> str:
        value = " ".join(value.split())
        return value if len(value) <= max_width else value[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
