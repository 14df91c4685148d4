"""kg.ingest: the three readers, the line-level decoder, the skip report, deduplication."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from kg.errors import InputError, UsageError
from kg.ingest import (
    Deduplicator,
    IngestReport,
    bundled_corpus,
    expand_inputs,
    read_papers,
    reader_for,
    source_name,
)
from kg.ingest import csvfile, hf_daily, jsonl
from kg.ingest._common import normalize_arxiv_id, read_lines
from kg.ingest.hf_daily import is_chrome, looks_like_abstract
from kg.ingest.jsonl import split_authors

ABSTRACT = (
    "We study sharpness-aware minimization (SAM) for training deep networks. SAM seeks parameters that lie in "
    "neighborhoods having uniformly low loss, and we show when SAM improves generalization across architectures."
)


def read(path: Path, strict: bool = False, format_name: str | None = None):
    report = IngestReport(strict=strict)
    papers = list(read_papers([path], report, format_name))
    return papers, report


def warnings(report: IngestReport) -> list[str]:
    return [str(e) for e in report.skipped]


# --- hf-daily -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "lines", "skipped_line"), [("hf_daily.txt", (5, 15), 13), ("hf_daily_compact.txt", (3, 8), 7)])
def test_hf_daily_both_layouts(fixtures: Path, name: str, lines: tuple[int, int], skipped_line: int) -> None:
    path = fixtures / name
    papers, report = read(path)
    assert [p.title for p in papers] == ["Generalized Sum Pooling for Metric Learning", "Sharpness-Aware Minimization Revisited"]
    assert tuple(p.line for p in papers) == lines
    assert papers[0].abstract.startswith("A common architectural choice for deep metric learning is")
    assert papers[0].abstract.endswith("https://github.com/yetigurbuz/generalized-sum-pooling.")
    assert papers[1].abstract == ABSTRACT
    assert [p.key for p in papers] == ["title:generalized sum pooling for metric learning", "title:sharpness aware minimization revisited"]
    assert all(p.sources == (str(path),) and p.arxiv_id is None and p.url is None for p in papers)
    assert warnings(report) == [f"{path}:{skipped_line}: title without an abstract: 'A Title Without Its Abstract'"]
    assert (report.files, report.records) == (1, 2)


def test_hf_daily_layouts_agree(fixtures: Path) -> None:
    blank, _ = read(fixtures / "hf_daily.txt")
    compact, _ = read(fixtures / "hf_daily_compact.txt")
    assert [(p.title, p.abstract) for p in blank] == [(p.title, p.abstract) for p in compact]


def test_hf_daily_glued_subscribe_in_bundled_page() -> None:
    page = next(p for p in bundled_corpus() if p.name.startswith("001_"))
    report = IngestReport()
    first = next(hf_daily.read(page, report, source_name(page)))
    assert first.title == "Generalized Sum Pooling for Metric Learning"
    assert first.line == 3
    assert first.sources == ("seeds/001_ff152a0a28b947db.txt",)


def test_hf_daily_glued_subscribe_before_lowercase_title(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(f"Subscribe\nSubscribemPLUG-Owl: Modularization Empowers Multimodality\n{ABSTRACT}\n", encoding="utf-8")
    (paper,), _ = read(page)
    assert paper.title == "mPLUG-Owl: Modularization Empowers Multimodality"


@pytest.mark.parametrize(
    "line",
    ["new", "Subscribe", "Get trending papers in your email inbox!", "Get trending papers in your email inbox once a day!",
     "byAK and the research community", "Mar 13", "March 13", "Dec 1, 2023", "Submitted by akhaliq", "Daily Papers"],
)
def test_chrome(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize("line", ["New Benchmarks for Old Problems", "Mar 13 Attention", "Subscribers Matter", "March of the Transformers"])
def test_not_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_looks_like_abstract() -> None:
    assert not looks_like_abstract("LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs from Scratch")
    assert looks_like_abstract(ABSTRACT)
    assert looks_like_abstract("x" * 300)
    assert not looks_like_abstract("A long title without a full stop " * 4)


def test_hf_daily_abstract_before_any_title(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(f"Mar 13\n{ABSTRACT}\nA Real Title\n{ABSTRACT}\n", encoding="utf-8")
    papers, report = read(page)
    assert [(p.title, p.line) for p in papers] == [("A Real Title", 3)]
    assert warnings(report) == [f"{page}:2: abstract without a title"]


def test_hf_daily_multi_paragraph_abstract(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(f"A Title\n\n{ABSTRACT}\n\n{ABSTRACT}\n", encoding="utf-8")
    (paper,), _ = read(page)
    assert paper.abstract == f"{ABSTRACT} {ABSTRACT}"


def test_hf_daily_strict_raises_with_line(fixtures: Path) -> None:
    with pytest.raises(InputError) as info:
        read(fixtures / "hf_daily.txt", strict=True)
    assert (info.value.path, info.value.line) == (str(fixtures / "hf_daily.txt"), 13)


# --- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_records(fixtures: Path) -> None:
    path = fixtures / "arxiv.jsonl"
    papers, report = read(path)
    assert len(papers) == 3
    first, second, plain = papers

    assert first.arxiv_id == "2301.00001"
    assert first.key == "arxiv:2301.00001"
    assert first.title == "Sharpness-Aware Minimization Revisited"
    assert first.abstract == "We study sharpness-aware minimization (SAM) for training deep networks. SAM improves generalization."
    assert first.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert first.categories == ("cs.LG", "stat.ML")
    assert first.issued == "2023-01-05"
    assert first.url == "https://arxiv.org/abs/2301.00001"
    assert first.identifier == "2301.00001v2"
    assert (first.line, first.sources) == (1, (str(path),))

    assert second.authors == ("Ada Lovelace", "Alan Turing")  # authors_parsed wins
    assert second.abstract == "We propose a novel framework named Layer Adaptive Progressive Pruning (LAPP). LAPP prunes CNNs to 40% of their FLOPs."
    assert (second.arxiv_id, second.categories, second.issued, second.line) == ("2302.00002", ("cs.CV",), "2023-02-01", 2)

    assert plain.key == "title:a plain record"
    assert (plain.arxiv_id, plain.identifier) == (None, None)
    assert plain.url == "https://example.org/plain"
    assert plain.issued == "2023-05-01"
    assert plain.authors == ("Grace Hopper", "Ada Lovelace")
    assert plain.line == 4  # line 3 is blank

    assert warnings(report) == [
        f"{path}:5: malformed JSON: Expecting value at column 32",
        f"{path}:6: JSON value is not an object",
        f"{path}:7: record without an abstract",
    ]
    assert (report.files, report.records) == (1, 3)
    assert report.skip_reasons() == {"malformed JSON": 1, "JSON value is not an object": 1, "record without an abstract": 1}


def test_jsonl_strict_raises_on_the_malformed_line(fixtures: Path) -> None:
    path = fixtures / "arxiv.jsonl"
    with pytest.raises(InputError) as info:
        read(path, strict=True)
    assert (info.value.path, info.value.line) == (str(path), 5)
    assert str(info.value).startswith(f"{path}:5: malformed JSON")


def test_jsonl_plain_record_variants(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"title": "T1", "summary": "S1", "url": "https://arxiv.org/abs/2305.12345v3"}\n'
        '{"title": "T2", "abstract": "A2", "arxiv_id": "arXiv:hep-th/9901001", "published": "1999-01-01"}\n'
        '{"title": "T3", "abstract": "A3", "id": "paper-42", "authors": [{"name": "Ada Lovelace"}], "doi": "10.1/x"}\n'
        '{"title": "<b>T4</b>", "abstract": "   "}\n',
        encoding="utf-8",
    )
    papers, report = read(path)
    assert [(p.key, p.abstract, p.arxiv_id, p.url) for p in papers] == [
        ("arxiv:2305.12345", "S1", "2305.12345", "https://arxiv.org/abs/2305.12345v3"),
        ("arxiv:hep-th/9901001", "A2", "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
        ("title:t3", "A3", None, None),
    ]
    assert papers[1].issued == "1999-01-01"
    assert (papers[2].identifier, papers[2].authors) == ("10.1/x", ("Ada Lovelace",))
    assert warnings(report) == [f"{path}:4: record without an abstract"]


@pytest.mark.parametrize(
    ("raw", "arxiv"),
    [
        ("2301.00001v2", "2301.00001"),
        ("2301.00001", "2301.00001"),
        ("arXiv:2301.12345v10", "2301.12345"),
        ("https://arxiv.org/abs/2301.00001v1", "2301.00001"),
        ("https://arxiv.org/pdf/2301.00001.pdf", "2301.00001"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("paper-42", None),
        ("10.1145/1234", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_arxiv_id(raw, arxiv) -> None:
    assert normalize_arxiv_id(raw) == arxiv


def test_split_authors() -> None:
    assert split_authors("A. Smith, B. Jones and C. Lee") == ("A. Smith", "B. Jones", "C. Lee")
    assert split_authors([["Smith", "Alice", ""], ["Lee", "", ""]]) == ("Alice Smith", "Lee")
    assert split_authors(["Ada", " ", {"name": "Bob"}]) == ("Ada", "Bob")
    assert split_authors(None) == ()


# --- CSV ----------------------------------------------------------------------------------


def test_csv_with_extra_columns(fixtures: Path) -> None:
    path = fixtures / "papers.csv"
    papers, report = read(path)
    assert report.skipped == []
    first, second = papers
    assert first.title == "Generalized Sum Pooling for Metric Learning"
    assert first.abstract == "We propose generalized sum pooling, a learnable pooling for metric learning."
    assert (first.arxiv_id, first.authors, first.line) == ("2303.00003", ("Ada Lovelace", "Alan Turing"), 2)
    assert second.title == "Click-through Rate Prediction, Revisited"
    assert (second.key, second.url, second.authors, second.line) == (
        "title:click through rate prediction revisited", "https://example.org/ctr", ("Grace Hopper", "Alan Turing"), 3)


def test_csv_without_the_columns_names_the_file(fixtures: Path) -> None:
    path = fixtures / "no_columns.csv"
    papers, report = read(path)
    assert papers == []
    assert warnings(report) == [f"{path}:1: CSV without the column(s) title, abstract (columns found: name, summary)"]
    with pytest.raises(InputError) as info:
        read(path, strict=True)
    assert info.value.path == str(path)


def test_skip_reason_of_missing_columns(fixtures: Path) -> None:
    _, report = read(fixtures / "no_columns.csv")
    assert report.skip_reasons() == {"CSV without the needed columns": 1}


def test_tsv_and_case_insensitive_header(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("Title\tAbstract\tCategories\nA, B\tSome text.\tcs.LG cs.CL\n", encoding="utf-8")
    (paper,), _ = read(path)
    assert (paper.title, paper.abstract, paper.categories) == ("A, B", "Some text.", ("cs.LG", "cs.CL"))


def test_csv_row_without_abstract_is_skipped_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("title,abstract\nOne,First.\nTwo,\nThree,Third.\n", encoding="utf-8")
    papers, report = read(path)
    assert [p.title for p in papers] == ["One", "Three"]
    assert warnings(report) == [f"{path}:3: record without an abstract"]


def test_csv_multiline_row_reports_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('title,abstract\n"T1","line one\nline two"\nT2,abs two\n', encoding="utf-8")
    papers, _ = read(path)
    assert [(p.title, p.abstract, p.line) for p in papers] == [("T1", "line one line two", 2), ("T2", "abs two", 4)]


# --- files that cannot be read ------------------------------------------------------------


def test_missing_file() -> None:
    papers, report = read(Path("/nonexistent/kg/papers.jsonl"))
    assert papers == []
    assert warnings(report) == ["/nonexistent/kg/papers.jsonl: no such file"]
    assert report.files == 1


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty file"), (b" \n\n\t\n", "empty file"),
                                                 (b"title,abstract\n\x00\x01\x02", "binary file (17% control bytes), not text"),
                                                 (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF), not text")])
def test_unusable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    papers, report = read(path)
    assert papers == []
    assert warnings(report) == [f"{path}: {reason}"]
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read(path, strict=True)


def test_directory_as_file(tmp_path: Path) -> None:
    folder = tmp_path / "x.jsonl"
    folder.mkdir()
    _, report = read(folder)
    assert warnings(report) == [f"{folder}: is a directory"]


def test_line_not_utf8_is_read_as_cp1252_and_named(tmp_path: Path) -> None:
    # Was: the line was dropped. A line with no UTF-8 in it is Windows Latin-1: read, said once.
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"title": "A", "abstract": "One."}\n{"title": "B\xff", "abstract": "Two."}\n{"title": "C", "abstract": "Three."}\n')
    papers, report = read(path)
    assert [p.title for p in papers] == ["A", "B\u00ff", "C"]
    assert report.skipped == []
    assert [str(e) for e in report.warnings] == [
        f"{path}:2: not UTF-8 (byte 0xff at column 13); read as cp1252 (Windows Latin-1) from this line on"]
    with pytest.raises(InputError) as info:
        read(path, strict=True)
    assert info.value.line == 2


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"),
        lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "crlf"],
)
def test_accepted_encodings(tmp_path: Path, encode) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(encode("title,abstract\nFréchet Nets,Über alles.\nSecond,Two.\n"))
    papers, report = read(path)
    assert report.skipped == []
    assert [(p.title, p.abstract, p.line) for p in papers] == [("Fréchet Nets", "Über alles.", 2), ("Second", "Two.", 3)]


def test_read_lines_numbers_and_strips_newlines(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"a\r\nb\n\nc")
    assert list(read_lines(path, IngestReport())) == [(1, "a"), (2, "b"), (3, ""), (4, "c")]


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path, fixtures: Path) -> None:
    report = IngestReport()
    papers = list(read_papers([tmp_path / "missing.csv", fixtures / "papers.csv"], report))
    assert len(papers) == 2
    assert (report.files, report.records, len(report.skipped)) == (2, 2, 1)


# --- formats and inputs -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "reader"), [("a.txt", hf_daily.read), ("a.JSONL", jsonl.read), ("a.ndjson", jsonl.read),
                                              ("a.json", jsonl.read), ("a.csv", csvfile.read), ("a.tsv", csvfile.read)])
def test_reader_for_suffix(name: str, reader) -> None:
    assert reader_for(Path(name)) is reader


def test_reader_for_errors() -> None:
    with pytest.raises(InputError, match="cannot tell the format"):
        reader_for(Path("a.pdf"))
    with pytest.raises(UsageError, match="unknown input format 'xml'"):
        reader_for(Path("a.csv"), "xml")
    assert reader_for(Path("a.pdf"), "jsonl") is jsonl.read


def test_explicit_format_overrides_suffix(tmp_path: Path) -> None:
    path = tmp_path / "papers.data"
    path.write_text('{"title": "T", "abstract": "A."}\n', encoding="utf-8")
    (paper,), _ = read(path, format_name="jsonl")
    assert paper.title == "T"


def test_expand_inputs(tmp_path: Path, fixtures: Path) -> None:
    for name in ("b.jsonl", "a.csv", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert expand_inputs([tmp_path, fixtures / "papers.csv"]) == [tmp_path / "a.csv", tmp_path / "b.jsonl", fixtures / "papers.csv"]


def test_bundled_corpus() -> None:
    files = bundled_corpus()
    assert [p.name[:3] for p in files] == ["000", "001", "002", "003", "004"]
    assert source_name(files[0]) == "seeds/000_274c48aae5e01f95.txt"
    report = IngestReport()
    first = next(read_papers(files[:1], report))
    assert (first.title, first.line) == ("LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs from Scratch", 11)


# --- deduplication ------------------------------------------------------------------------


def test_same_title_in_two_files_is_one_paper_with_both_sources(tmp_path: Path, fixtures: Path) -> None:
    from kg.build import BuildOptions, collect_graph

    copy = tmp_path / "copy.txt"
    shutil.copy(fixtures / "hf_daily.txt", copy)
    graph, dedup = collect_graph(BuildOptions(inputs=[fixtures / "hf_daily.txt", copy]), IngestReport())
    papers = {n: a for n, a in graph.nodes(data=True) if a["kind"] == "paper"}
    assert sorted(papers) == ["paper:title:generalized sum pooling for metric learning", "paper:title:sharpness aware minimization revisited"]
    expected = tuple(sorted([str(fixtures / "hf_daily.txt"), str(copy)]))
    assert all(a["sources"] == expected for a in papers.values())
    assert len(dedup.duplicates) == 2


def test_title_only_and_arxiv_record_merge(fixtures: Path) -> None:
    hf, _ = read(fixtures / "hf_daily.txt")
    arxiv, _ = read(fixtures / "arxiv.jsonl")
    for order in ([*hf, *arxiv], [*arxiv, *hf]):
        dedup = Deduplicator()
        unique = list(dedup.unique(order))
        assert len(unique) == 4
        assert len(dedup.duplicates) == 1
        (known, duplicate), = dedup.duplicates
        assert title_of(unique, known) == "Sharpness-Aware Minimization Revisited" == duplicate.title


def title_of(papers, key: str) -> str:
    return next(p.title for p in papers if p.key == key)


def test_same_arxiv_id_merges_even_with_another_title(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "2301.00001v1", "title": "Old Title", "abstract": "A."}\n'
                    '{"id": "2301.00001v2", "title": "New Title", "abstract": "B."}\n'
                    '{"title": "old title", "abstract": "C."}\n', encoding="utf-8")
    papers, _ = read(path)
    dedup = Deduplicator()
    assert [p.title for p in dedup.unique(papers)] == ["Old Title"]
    assert [(k, p.title) for k, p in dedup.duplicates] == [("arxiv:2301.00001", "New Title"), ("arxiv:2301.00001", "old title")]


def test_title_of_a_merged_version_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "2301.00001v1", "title": "Old Title", "abstract": "A."}\n'
                    '{"id": "2301.00001v2", "title": "New Title", "abstract": "B."}\n'
                    '{"title": "new title", "abstract": "C."}\n', encoding="utf-8")
    papers, _ = read(path)
    dedup = Deduplicator()
    assert [p.title for p in dedup.unique(papers)] == ["Old Title"]
