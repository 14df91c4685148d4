"""The `kg` command: help, build summary, errors, query output formats."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgrun import run

KG = Path(sys.executable).parent / "kg"
QUERY_ROWS = [
    ["Generalized Sum Pooling for Metric Learning", "Generalized Sum Pooling"],  # "We propose generalized sum pooling, ..."
    ["Layer Adaptive Progressive Pruning", "Layer Adaptive Progressive Pruning"],
]


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["query", "--help"]])
def test_help_exits_zero(argv: list[str]) -> None:
    result = subprocess.run([str(KG), *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: kg")
    assert result.stderr == ""


def test_help_lists_the_commands_and_options() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "build" in out and "query" in out
    code, out, _ = run("build", "--help")
    assert code == 0 and all(o in out for o in ("--out", "--strict", "--format", "--no-html", "--min-confidence"))
    code, out, _ = run("query", "--help")
    assert code == 0 and all(o in out for o in ("--graph", "--param", "--format", "--list"))


def test_no_command_is_a_usage_error() -> None:
    code, _, err = run()
    assert code == 2 and "usage: kg" in err


SUMMARY = re.compile(
    r"^(?P<papers>\d+) papers from (?P<records>\d+) records in (?P<files>\d+) files "
    r"\((?P<merged>\d+) merged, (?P<skipped>\d+) skipped(?: \((?P<reasons>[^)]*)\))?(?:, (?P<warned>\d+) warned \((?P<warn_reasons>[^)]*)\))?\); "
    r"concepts: (?P<concepts>none|(?:\d+ \w+s(?:, )?)+)(?: \((?P<kinds>\d+) of them kinds\))?; (?P<repos>\d+) repositories; (?P<mentions>\d+) mentions; (?P<results>\d+) results; "
    r"(?P<triples>\d+) triples; (?P<changes>changes: [^;]+; )?\d+\.\d s$"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory, fixtures: Path) -> tuple[Path, str, str]:
    inputs = tmp_path_factory.mktemp("inputs")
    shutil.copy(fixtures / "arxiv.jsonl", inputs)
    shutil.copy(fixtures / "papers.csv", inputs)
    out = tmp_path_factory.mktemp("build") / "out"
    code, stdout, stderr = run("build", str(inputs), "--out", str(out), "--no-html", "--fast")
    assert code == 0, stderr
    return out, stdout, stderr


def test_build_prints_the_summary_line(built) -> None:
    out, stdout, stderr = built
    lines = stdout.splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    assert lines[0].startswith(
        "5 papers from 5 records in 2 files (0 merged, 3 skipped (1 JSON value is not an object, 1 malformed JSON, "
        "1 record without an abstract)); concepts: ")
    assert match["repos"] == "1"
    assert int(match["mentions"]) >= 5
    assert int(match["triples"]) == len((out / "graph.nt").read_bytes().splitlines())
    assert int(re.search(r"(\d+) methods", match["concepts"]).group(1)) >= 1
    assert match["changes"] == "changes: first build, all new; "


def test_build_writes_outputs_and_warnings(built) -> None:
    out, _, stderr = built
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["changes.json", "graph.nt", "graph.ttl", "store"]
    assert (out / "store" / "CURRENT").exists()
    warnings = [l for l in stderr.splitlines() if l.startswith("warning: ")]
    assert [w.split(": ", 2)[1].rsplit("/", 1)[-1] for w in warnings] == ["arxiv.jsonl:5", "arxiv.jsonl:6", "arxiv.jsonl:7"]


def test_build_merges_across_files(tmp_path: Path, fixtures: Path) -> None:
    code, stdout, stderr = run("build", str(fixtures / "hf_daily.txt"), str(fixtures / "arxiv.jsonl"), str(fixtures / "papers.csv"),
                               "--out", str(tmp_path / "out"), "--no-html", "--quiet")
    assert code == 0, stderr
    assert stderr == ""
    assert stdout.startswith("5 papers from 7 records in 3 files (2 merged, 4 skipped (")


def test_build_missing_input_strict(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    code, stdout, stderr = run("build", str(missing), "--strict", "--out", str(tmp_path / "out"), "--no-html")
    assert code == 3
    assert stdout == ""
    assert stderr == f"kg: error: {missing}: no such file\n"
    assert not (tmp_path / "out").exists()


def test_build_strict_stops_at_the_bad_record(tmp_path: Path, fixtures: Path) -> None:
    code, _, stderr = run("build", str(fixtures / "arxiv.jsonl"), "--strict", "--out", str(tmp_path / "out"), "--no-html")
    assert code == 3
    assert stderr == f"kg: error: {fixtures / 'arxiv.jsonl'}:5: malformed JSON: Expecting value at column 32\n"


def test_build_missing_input_is_fatal_without_strict(tmp_path: Path, fixtures: Path) -> None:
    # A path named on the command line that does not exist is a typo, as for cp: fatal up front.
    missing = tmp_path / "missing.jsonl"
    code, stdout, stderr = run("build", str(fixtures / "papers.csv"), str(missing), "--out", str(tmp_path / "out"), "--no-html")
    assert code == 3
    assert stdout == ""
    assert stderr == f"kg: error: {missing}: no such file\n"
    assert not (tmp_path / "out").exists()


def test_build_unknown_format_is_a_usage_error(tmp_path: Path, fixtures: Path) -> None:
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--format", "xml", "--out", str(tmp_path / "o"), "--no-html", "--strict")
    assert code == 2
    assert stderr.startswith("kg: error: unknown input format 'xml'")


def test_query_table(built, fixtures: Path) -> None:
    out, _, _ = built
    code, stdout, stderr = run("query", str(fixtures / "methods.rq"), "--out", str(out))
    assert code == 0, stderr
    assert stdout.splitlines() == [
        "title                                        method",
        "-------------------------------------------  ----------------------------------",
        "Generalized Sum Pooling for Metric Learning  Generalized Sum Pooling",
        "Layer Adaptive Progressive Pruning           Layer Adaptive Progressive Pruning",
        "(2 rows)",
    ]


def test_query_csv_from_graph_file(built, fixtures: Path) -> None:
    out, _, _ = built
    code, stdout, _ = run("query", str(fixtures / "methods.rq"), "--graph", str(out / "graph.ttl"), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows == [["title", "method"], *QUERY_ROWS]


def test_query_json(built, fixtures: Path) -> None:
    out, _, _ = built
    code, stdout, _ = run("query", str(fixtures / "methods.rq"), "--out", str(out), "--format", "json")
    assert code == 0
    data = json.loads(stdout)
    assert data["head"]["vars"] == ["title", "method"]
    assert [[b[v]["value"] for v in ("title", "method")] for b in data["results"]["bindings"]] == QUERY_ROWS


def test_query_errors(built, tmp_path: Path) -> None:
    out, _, _ = built
    code, _, stderr = run("query", "no-such-query-name", "--out", str(out))
    assert code == 2 and stderr.startswith("kg: error: no query file or named query 'no-such-query-name'")
    bad = tmp_path / "bad.rq"
    bad.write_text("SELEKT nothing", encoding="utf-8")
    code, _, stderr = run("query", str(bad), "--out", str(out))
    assert code == 4 and stderr.startswith("kg: error: query does not parse")
    code, _, stderr = run("query", "--out", str(out))
    assert code == 2 and stderr.startswith("kg: error: kg query: give a query file or name")


def test_query_without_a_build(tmp_path: Path, fixtures: Path) -> None:
    code, _, stderr = run("query", str(fixtures / "methods.rq"), "--out", str(tmp_path / "nothing"))
    assert code == 2
    assert stderr.startswith("kg: error: no graph to query:")


@pytest.mark.parametrize("argv, message", [
    (["serve", "--port", "99999"], "kg: error: --port must be 0 to 65535, not 99999"),  # was an OverflowError traceback
    (["serve", "--port", "-1"], "kg: error: --port must be 0 to 65535, not -1"),
    (["serve", "--timeout", "nan"], "kg: error: --timeout must be a number of seconds"),  # was: served with no timeout
    (["query", "most-used-datasets", "--timeout", "nan"], "kg: error: --timeout must be 0 or more seconds"),  # was a traceback
])
def test_bad_numeric_options_are_one_line_usage_errors(built, argv: list[str], message: str) -> None:
    out, _, _ = built
    code, _, stderr = run(*argv, "--out", str(out))
    assert (code, stderr.strip()) == (2, message)


def test_negative_show_warnings_shows_none_and_counts_them_all(built, fixtures: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(fixtures / "arxiv.jsonl", inputs)
    code, _, stderr = run("build", str(inputs), "--out", str(tmp_path / "out"), "--no-html", "--fast",
                          "--show-warnings", "-1")
    assert code == 0
    assert [l for l in stderr.splitlines() if l.startswith("warning: ")] == [
        "warning: ... and 3 more (--show-warnings N shows more)"]


@pytest.mark.parametrize("command", ["build", "query", "validate", "serve", "eval", "export"])
def test_every_command_has_quiet_and_verbose(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "--quiet" in out and "--verbose" in out
    code, _, err = run(command, "--quiet", "--verbose")
    assert code == 2 and "not allowed with" in err


def test_verbose_and_quiet_change_stderr_only(built) -> None:
    out_dir = built[0]
    plain = run("query", "most-used-datasets", "--out", str(out_dir), "--format", "csv")
    loud = run("query", "most-used-datasets", "--out", str(out_dir), "--format", "csv", "--verbose")
    assert plain[0] == loud[0] == 0 and plain[1] == loud[1]  # the results are the same on stdout
    assert plain[2] == "" and "query most-used-datasets" in loud[2] and "answered in" in loud[2]
    code, out, err = run("validate", "--out", str(out_dir), "--quiet")
    assert (code, out, err) == (0, "", "")
