"""Issue 14, point 5: the extraction cache (a build over the same inputs plus new ones
extracts only the new papers, and writes what a full rebuild writes) and the change
report (OUT/changes.json and the summary line's clause)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from kg.build import BuildOptions, build
from kg.cache import CACHE_DIR, ExtractionCache, cache_path, decode, encode, extraction_version, paper_key
from kg.changes import INDEX_NAME
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, read_papers
from kg.outdir import BUILDS, CURRENT, LOCK_NAME
from kgrun import run

OUTPUTS = ("graph.nt", "graph.ttl")


def options(out: Path, inputs, **more) -> BuildOptions:
    settings = {"fast": True, "html": False, "store": False, "created": "2024-01-01", "workers": 1, **more}
    return BuildOptions(inputs=[str(p) for p in inputs], out_dir=out, **settings)


def rows(out: Path) -> int:
    with contextlib.closing(sqlite3.connect(cache_path(out))) as db:
        return db.execute("SELECT count(*) FROM extraction").fetchone()[0]


@pytest.fixture(scope="module")
def bundled_papers():
    return list(Deduplicator().unique(read_papers(bundled_corpus(), IngestReport())))


# --- values ---------------------------------------------------------------------------------


def test_cached_values_read_back_equal(nlp, bundled_papers) -> None:
    """Rules only, the whole bundled corpus: every mention, repository and result (decimals,
    enums, offsets, confidences) reads back equal."""
    from kg.extract import extract_papers

    extracted = list(extract_papers(bundled_papers, nlp))
    assert sum(len(e.results) for e in extracted) > 50 and sum(len(e.repositories) for e in extracted) > 50
    for e in extracted:
        assert decode(encode(e), e.paper) == e


def test_cached_model_values_read_back_equal(bundled_papers) -> None:
    from kg.extract import create_pipeline, extract_papers

    sample = bundled_papers[:48]
    for e in extract_papers(sample, create_pipeline(fast=False)):
        assert decode(encode(e), e.paper) == e


def test_keys_depend_on_what_extraction_reads(bundled_papers) -> None:
    paper = bundled_papers[0]
    fast, model = extraction_version(True, 0.0), extraction_version(False, 0.0)
    assert len({fast, model, extraction_version(True, 0.5)}) == 3
    assert fast == extraction_version(True, 0.0)
    from dataclasses import replace

    same = replace(paper, sources=("elsewhere.csv",), line=99, url="https://example.org/x")
    assert paper_key(fast, paper) == paper_key(fast, same)
    assert paper_key(fast, paper) != paper_key(fast, replace(paper, abstract=paper.abstract + " More."))
    assert paper_key(fast, paper) != paper_key(model, paper)


# --- incremental builds ------------------------------------------------------------------------


def test_incremental_build_equals_a_full_rebuild(tmp_path: Path) -> None:
    """The bundled corpus (rules only): build three of its files, then all five into the
    same OUT; only the new papers are extracted, and the bytes equal a build without cache."""
    files = bundled_corpus()
    assert len(files) >= 4
    full = tmp_path / "full"
    _, reference = build(options(full, files, cache=False))
    assert not cache_path(full).exists()

    out = tmp_path / "out"
    _, first = build(options(out, files[:3]))
    assert first.cached == 0 and first.extracted == first.papers
    _, second = build(options(out, files))
    assert second.cached == first.papers  # every paper of the first build came from the cache
    assert second.extracted == reference.papers - first.papers
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    assert rows(out) == reference.papers
    _, third = build(options(out, files, workers=2, chunk_size=8, min_parallel=1))  # all from the cache
    assert (third.cached, third.extracted) == (reference.papers, 0)
    assert (out / "graph.nt").read_bytes() == (full / "graph.nt").read_bytes()


def test_changed_paper_is_extracted_again(tmp_path: Path, fixtures: Path) -> None:
    data = tmp_path / "papers.csv"
    shutil.copy(fixtures / "papers.csv", data)
    out = tmp_path / "out"
    _, first = build(options(out, [data]))
    text = data.read_text()
    data.write_text(text.replace("for metric learning.", "for metric learning on ImageNet.", 1))
    assert data.read_text() != text
    _, second = build(options(out, [data]))
    assert (second.cached, second.extracted) == (first.papers - 1, 1)
    _, fresh = build(options(tmp_path / "fresh", [data], cache=False))
    assert (out / "graph.nt").read_bytes() == (tmp_path / "fresh" / "graph.nt").read_bytes()


def test_unused_entries_are_pruned(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    _, both = build(options(out, [fixtures / "papers.csv", fixtures / "hf_daily.txt"]))
    assert rows(out) == both.papers
    _, one = build(options(out, [fixtures / "papers.csv"]))
    assert one.cached == one.papers and rows(out) == one.papers


def test_other_options_do_not_reuse_entries(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    build(options(out, [fixtures / "papers.csv"]))
    _, stricter = build(options(out, [fixtures / "papers.csv"], min_confidence=0.5))
    assert stricter.cached == 0


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--no-cache", "--out", str(out))
    assert code == 0, stderr
    assert not (out / CACHE_DIR).exists()
    build(options(out, [fixtures / "papers.csv"]))
    before = cache_path(out).read_bytes()
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--no-cache", "--out", str(out))
    assert code == 0 and "reused" not in stderr
    assert cache_path(out).read_bytes() == before


def test_a_warm_rebuild_says_what_it_reused(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    argv = ("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert run(*argv)[0] == 0
    code, stdout, stderr = run(*argv)
    assert code == 0
    assert "reused 2 extractions from the cache; extracted 0 papers" in stderr


# --- damage and failures ------------------------------------------------------------------------


@pytest.mark.parametrize("damage", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_damaged_cache_is_a_warning_and_a_rebuild(tmp_path: Path, fixtures: Path, damage: bytes) -> None:
    out = tmp_path / "out"
    argv = ("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert run(*argv)[0] == 0
    reference = (out / "graph.nt").read_bytes()
    cache_path(out).write_bytes(damage)
    code, stdout, stderr = run(*argv)
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "extraction cache" in warnings[0] and "Traceback" not in stderr
    assert (out / "graph.nt").read_bytes() == reference
    assert rows(out) == 2  # a new, working cache
    code, _, stderr = run(*argv)
    assert code == 0 and "reused 2 extractions" in stderr and "warning" not in stderr


def test_an_unreadable_entry_is_extracted_again(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    _, first = build(options(out, [fixtures / "papers.csv"]))
    with contextlib.closing(sqlite3.connect(cache_path(out))) as db:
        db.execute("UPDATE extraction SET value = x'00ff' WHERE key = (SELECT min(key) FROM extraction)")
        db.commit()
    reference = (out / "graph.nt").read_bytes()
    _, second = build(options(out, [fixtures / "papers.csv"]))
    assert (second.cached, second.extracted) == (first.papers - 1, 1)
    assert (out / "graph.nt").read_bytes() == reference


def test_the_cache_survives_a_failed_build(tmp_path: Path, fixtures: Path, monkeypatch) -> None:
    """A build that fails after extracting (disk full while writing RDF) publishes nothing
    but keeps its extractions, also when it was the first build into OUT."""
    out = tmp_path / "out"

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr("kg.build.write_rdf", disk_full)
        code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert code == 5 and "No space left on device" in stderr
    assert sorted(os.listdir(out)) == sorted([CACHE_DIR, LOCK_NAME])  # only what the next build needs
    assert rows(out) == 2
    code, _, stderr = run("build", str(fixtures / "papers.csv"), "--fast", "--no-html", "--out", str(out))
    assert code == 0 and "reused 2 extractions" in stderr


def test_the_cache_is_not_published(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    build(options(out, [fixtures / "papers.csv"]))
    current = Path(os.path.realpath(out / CURRENT))
    assert not (current / CACHE_DIR).exists() and cache_path(out).is_file()
    assert (current / INDEX_NAME).is_file()
    assert os.listdir(out / BUILDS) == [current.name]


def test_an_unusable_cache_folder_is_a_warning(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / CACHE_DIR).write_text("a file where the cache folder goes")
    _, summary = build(options(out, [fixtures / "papers.csv"]))
    assert summary.papers == 2 and len(summary.notices) == 1 and "extraction cache" in summary.notices[0]


def test_cache_lookups_without_a_file_are_misses(tmp_path: Path, bundled_papers) -> None:
    cache = ExtractionCache(tmp_path / "none" / "x.sqlite", b"v")
    assert [hit for _, hit in cache.lookup(bundled_papers[:3])] == [None] * 3
    assert not (tmp_path / "none").exists()  # nothing is created until something is stored
    cache.close()


# --- the change report ------------------------------------------------------------------------------


def test_changes_of_a_first_and_a_later_build(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "out"
    _, first = build(options(out, [fixtures / "papers.csv"]))
    report = json.loads((out / "changes.json").read_text())
    assert report["baseline"] == "none"
    assert report["papers"] == {"before": 0, "after": 2, "new": 2, "removed": 0}
    assert len(report["new_papers"]) == 2 and report["grown_concepts"] == []
    assert "changes: first build, all new; " in first.line()
    assert (out / "changes.json").is_symlink()  # published with the other outputs, through .current

    graph2, second = build(options(out, [fixtures / "papers.csv", fixtures / "hf_daily.txt"]))
    report = json.loads((out / "changes.json").read_text())
    assert report["baseline"] == "previous build"
    new = report["papers"]["new"]
    assert new == second.papers - first.papers > 0
    assert len(report["new_papers"]) == new
    assert all(p["title"] for p in report["new_papers"])
    assert report["concepts"]["new"] == len(report["new_concepts"]) == report["concepts"]["after"] - report["concepts"]["before"]
    assert all({"type", "label", "key", "papers"} <= set(c) for c in report["new_concepts"])
    for grown in report["grown_concepts"]:
        assert grown["after"] > grown["before"] >= 1
    assert f"changes: {new} new papers, {report['concepts']['new']} new concepts; " in second.line()

    graph3, third = build(options(out, [fixtures / "hf_daily.txt"]))
    report = json.loads((out / "changes.json").read_text())
    keys = [{a["key"] for _, a in g.nodes(data=True) if a["kind"] == "paper"} for g in (graph2, graph3)]
    removed = len(keys[0] - keys[1])
    assert report["papers"]["removed"] == removed > 0
    assert report["papers"]["new"] == len(keys[1] - keys[0])
    assert f", {removed} removed papers, " in third.line()


def test_grown_concepts_are_counted(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    two = tmp_path / "two.jsonl"
    record = lambda i, text: json.dumps({"id": f"2501.{i:05d}", "title": f"Paper {i}", "abstract": text}) + "\n"
    one.write_text(record(1, "We train ResNet-50 on ImageNet.") + record(2, "We evaluate BERT on SQuAD."))
    two.write_text(record(3, "We fine-tune ResNet-50 on ImageNet and CIFAR-10.") + record(4, "ResNet-50 again, on ImageNet."))
    out = tmp_path / "out"
    build(options(out, [one]))
    build(options(out, [one, two]))
    report = json.loads((out / "changes.json").read_text())
    grown = {c["label"]: (c["before"], c["after"]) for c in report["grown_concepts"]}
    assert grown.get("ImageNet") == (1, 3)
    assert [p["id"] for p in report["new_papers"]] == ["arxiv:2501.00003", "arxiv:2501.00004"]
    assert [p["title"] for p in report["new_papers"]] == ["Paper 3", "Paper 4"]
    assert "CIFAR-10" in {c["label"] for c in report["new_concepts"]}


def test_a_previous_build_without_index(tmp_path: Path, fixtures: Path) -> None:
    """A previous build written by KnowledgeGraph.write (or an older kg) has no index."""
    import kg

    out = tmp_path / "out"
    kg.build_graph(fixtures / "papers.csv", fast=True).write(out, html=False)
    _, summary = build(options(out, [fixtures / "papers.csv"]))
    assert json.loads((out / "changes.json").read_text())["baseline"] == "previous build without index"
    assert "changes: no index of the previous build, all new" in summary.line()
