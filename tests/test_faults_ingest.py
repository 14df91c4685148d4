"""Issue 12, readers: no paper invented, merged or dropped silently; one bad record never
aborts a build; untrusted text stays text.

One test per case: the input, the warning it gives (file:line) and the check that the other
papers of the file were still read. Cases run at the library level (read_papers, IngestReport,
Deduplicator); the worst ones also through `kg build` in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, expand_inputs, read_papers
from kg.ingest._common import MAX_ABSTRACT, make_paper

A1 = ("We study sharpness-aware minimization (SAM) for training deep networks. SAM seeks parameters that lie in "
      "neighborhoods having uniformly low loss, and we show when SAM improves generalization across architectures.")
A2 = ("Structured pruning is a commonly used convolutional neural network (CNN) compression approach. Pruning rate "
      "setting is a fundamental problem in structured pruning and we propose a framework that learns it from scratch.")
LONG_TITLE = ("Attention Is Not All You Need. Pure Attention Loses Rank Doubly Exponentially with Depth in Deep "
              "Transformer Language Models (PAL)")


def read(path: Path, strict: bool = False):
    report = IngestReport(strict=strict)
    return list(read_papers([path], report)), report


def skips(report: IngestReport) -> list[str]:
    return [str(e) for e in report.skipped]


def notes(report: IngestReport) -> list[str]:
    return [str(e) for e in report.warnings]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


GOOD = {"title": "Good Paper", "abstract": A1}
ALSO_GOOD = {"title": "Also Good", "abstract": A2}


# --- 4. daily-papers pages: titles and abstracts by the page's layout ---------------------


@pytest.mark.parametrize("text", ["Title\n\nAbstract.\n", "Title\nAbstract.\n"], ids=["blank-lines", "compact"])
def test_hf_one_sentence_abstract_is_not_a_title(tmp_path: Path, text: str) -> None:
    # Was: "Abstract." looked like a title, and the page gave 0 papers.
    (paper,), report = read(write(tmp_path, "p.txt", text))
    assert (paper.title, paper.abstract, paper.line) == ("Title", "Abstract.", 1)
    assert skips(report) == notes(report) == []


def test_hf_short_paragraph_is_not_an_invented_paper(tmp_path: Path) -> None:
    # Was: "Code is available at ..." became a paper holding the second half of the abstract.
    page = write(tmp_path, "p.txt", f"First Paper\n\n{A1}\n\nCode is available at https://github.com/x/y\n\n{A2}\n\n"
                                    f"Second Paper\n\n{A1}\n")
    papers, report = read(page)
    assert [(p.title, p.line) for p in papers] == [("First Paper", 1), ("Second Paper", 9)]
    assert papers[0].abstract == f"{A1} Code is available at https://github.com/x/y {A2}"
    assert notes(report) == [f"{page}:5: title/abstract split guessed: 'Code is available at https://github.com/x/y' "
                             "read as more of the abstract of 'First Paper'"]


@pytest.mark.parametrize("sep", ["\n\n", "\n"], ids=["blank-lines", "compact"])
def test_hf_long_title_with_a_full_stop_is_its_own_paper(tmp_path: Path, sep: str) -> None:
    # Was: a 120-character title with ". " was glued to the abstract before it; its paper vanished.
    assert len(LONG_TITLE) == 130
    page = write(tmp_path, "p.txt", sep.join(["First Paper", A1, LONG_TITLE, A2]) + "\n")
    papers, report = read(page)
    assert [(p.title, p.abstract) for p in papers] == [("First Paper", A1), (LONG_TITLE, A2)]
    assert skips(report) == notes(report) == []


def test_hf_one_sentence_abstract_between_papers_compact(tmp_path: Path) -> None:
    page = write(tmp_path, "p.txt", f"First Paper Title\nWe propose a simple method.\nSecond Paper Title\n{A1}\n")
    papers, report = read(page)
    assert [(p.title, p.abstract) for p in papers] == [("First Paper Title", "We propose a simple method."),
                                                       ("Second Paper Title", A1)]
    assert skips(report) == []


def test_hf_blocks_of_title_and_abstract(tmp_path: Path) -> None:
    # A third layout: a blank line between papers, none between a title and its abstract.
    page = write(tmp_path, "p.txt", f"First Paper Title\n{A1}\n\nSecond Paper Title\n{A2}\n")
    papers, report = read(page)
    assert [(p.title, p.abstract, p.line) for p in papers] == [("First Paper Title", A1, 1), ("Second Paper Title", A2, 4)]
    assert skips(report) == notes(report) == []


def test_hf_wrapped_title_and_wrapped_paragraphs(tmp_path: Path) -> None:
    page = write(tmp_path, "p.txt", "A Very Long Title That Wraps\nOnto The Second Line\n\n"
                                    "We study sharpness-aware minimization (SAM) for training\ndeep networks. SAM seeks parameters\n"
                                    "that lie in flat regions.\n\nNext Title Here\n\nWe show a thing\nin two lines.\n")
    papers, report = read(page)
    assert [(p.title, p.abstract) for p in papers] == [
        ("A Very Long Title That Wraps Onto The Second Line",
         "We study sharpness-aware minimization (SAM) for training deep networks. SAM seeks parameters that lie in flat regions."),
        ("Next Title Here", "We show a thing in two lines."),
    ]
    assert skips(report) == []


def test_hf_title_without_abstract_is_still_reported(tmp_path: Path) -> None:
    page = write(tmp_path, "p.txt", f"Lonely Title Here\nReal Title\n{A1}\n")
    papers, report = read(page)
    assert [p.title for p in papers] == ["Real Title"]
    assert skips(report) == [f"{page}:1: title without an abstract: 'Lonely Title Here'"]


def test_hf_guess_is_fatal_in_strict_mode(tmp_path: Path) -> None:
    page = write(tmp_path, "p.txt", f"First Paper\n\n{A1}\n\nCode is available at https://github.com/x/y\n\n{A2}\n")
    with pytest.raises(InputError) as info:
        read(page, strict=True)
    assert (info.value.line, info.value.kind) == (5, "title/abstract split guessed")


def test_hf_bundled_corpus_unchanged_and_without_guesses() -> None:
    report = IngestReport()
    papers = list(read_papers(bundled_corpus(), report))
    dedup = Deduplicator(report)
    assert (len(papers), len(list(dedup.unique(papers))), len(dedup.duplicates)) == (445, 407, 38)
    assert report.skipped == report.warnings == []


# --- 5. deduplication ---------------------------------------------------------------------


def test_same_title_different_arxiv_ids_are_two_papers(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"id": "2301.00001", "title": "A Survey of Transformers", "abstract": "One."},
                                           {"id": "2106.04554", "title": "A Survey of Transformers", "abstract": "Two."}))
    papers, report = read(path)
    dedup = Deduplicator(report)
    assert [p.key for p in dedup.unique(papers)] == ["arxiv:2301.00001", "arxiv:2106.04554"]
    assert dedup.duplicates == [] and report.warnings == []


def test_title_only_record_meets_one_arxiv_paper_not_two(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"title": "A Survey of Transformers", "abstract": "Zero."},
                                           {"id": "2301.00001", "title": "A Survey of Transformers", "abstract": "One."},
                                           {"id": "2106.04554", "title": "A survey of transformers", "abstract": "Two."},
                                           {"id": "2301.00001v2", "title": "A Survey of Transformers", "abstract": "One."}))
    papers, _ = read(path)
    dedup = Deduplicator()
    assert [p.key for p in dedup.unique(papers)] == ["title:a survey of transformers", "arxiv:2106.04554"]
    assert [(k, p.line) for k, p in dedup.duplicates] == [("title:a survey of transformers", 2), ("title:a survey of transformers", 4)]


def test_same_arxiv_id_with_two_titles_merges_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"id": "2301.00001v1", "title": "Old Title", "abstract": "A."},
                                           {"id": "2301.00001v2", "title": "New Title", "abstract": "B."}, GOOD))
    papers, report = read(path)
    dedup = Deduplicator(report)
    assert [p.title for p in dedup.unique(papers)] == ["Old Title", "Good Paper"]
    expected = [f"{path}:2: arXiv:2301.00001 is also titled 'New Title'; merged into 'Old Title'"]
    assert notes(report) == [str(e) for e in dedup.warnings] == expected
    with pytest.raises(InputError, match="also titled 'New Title'"):
        list(Deduplicator(IngestReport(strict=True)).unique(papers))


# --- 6. one bad record never aborts the build ---------------------------------------------


def test_lone_surrogate_in_json(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl(GOOD, '{"title": "Broken \\ud800 Title", "abstract": "Text \\udfff here."}', ALSO_GOOD))
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Broken Title", "Also Good"]
    assert papers[1].abstract == "Text here."
    papers[1].title.encode("utf-8")  # would raise with a surrogate left
    assert notes(report) == [f"{path}:2: lone surrogate characters (not Unicode text) removed from the title, abstract"]


def test_abstract_over_the_length_cap_is_cut_at_a_sentence(tmp_path: Path) -> None:
    huge = "We study a thing. " * 80_000  # 1.44M characters: over spaCy's nlp.max_length
    path = write(tmp_path, "p.jsonl", jsonl(GOOD, {"title": "Huge", "abstract": huge}, ALSO_GOOD))
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Huge", "Also Good"]
    assert len(papers[1].abstract) <= MAX_ABSTRACT and papers[1].abstract.endswith("a thing.")
    assert notes(report) == [f"{path}:2: abstract of 1,439,999 characters cut to 100,000 at a sentence end"]


def test_csv_abstract_over_the_csv_field_limit(tmp_path: Path) -> None:
    # csv refuses fields over 131,072 characters by default: the row was "malformed" and the
    # lines after it misread. Now it is read, and cut like any overlong abstract.
    huge = "We study a thing. " * 8_000
    path = write(tmp_path, "p.csv", f"title,abstract\nGood,One.\nHuge,\"{huge}\"\nAlso,Two.\n")
    papers, report = read(path)
    assert [(p.title, len(p.abstract)) for p in papers] == [("Good", 4), ("Huge", 99_989), ("Also", 4)]
    assert skips(report) == []
    assert notes(report) == [f"{path}:3: abstract of 143,999 characters cut to 100,000 at a sentence end"]


def test_hf_page_longer_than_a_section_is_labelled_in_pieces(tmp_path: Path, monkeypatch) -> None:
    from kg.ingest import hf_daily

    monkeypatch.setattr(hf_daily, "MAX_SECTION", 7)
    page = write(tmp_path, "p.txt", "".join(f"Paper Number {i}\n{A1 if i % 2 else A2}\n" for i in range(20)))
    papers, report = read(page)
    assert [(p.title, p.line) for p in papers] == [(f"Paper Number {i}", 2 * i + 1) for i in range(20)]
    assert skips(report) == notes(report) == []


def test_symlink_loop_given_as_input(tmp_path: Path, fixtures: Path) -> None:
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    report = IngestReport()
    papers = list(read_papers(expand_inputs([loop, fixtures / "papers.csv"]), report))
    assert len(papers) == 2
    assert skips(report) == [f"{loop}: symbolic link loop"]


def test_symlink_loop_inside_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").symlink_to(folder / "b.jsonl")
    (folder / "b.jsonl").symlink_to(folder / "a.jsonl")
    (folder / "dangling.csv").symlink_to(folder / "missing.csv")
    (folder / "up").symlink_to(folder)  # a folder loop: folders are not recursed into
    write(folder, "good.jsonl", jsonl(GOOD))
    report = IngestReport()
    papers = list(read_papers(expand_inputs([folder]), report))
    assert [p.title for p in papers] == ["Good Paper"]
    assert skips(report) == [f"{folder}/a.jsonl: symbolic link loop", f"{folder}/b.jsonl: symbolic link loop",
                             f"{folder}/dangling.csv: broken symbolic link"]


def test_stray_nul_byte_is_a_bad_line_not_a_binary_file(tmp_path: Path) -> None:
    # Was: a NUL anywhere in the first 8 KB rejected the whole file as binary.
    path = write(tmp_path, "p.jsonl", jsonl(GOOD).encode() + b'{"title": "N\x00UL", "abstract": "x."}\n' + jsonl(ALSO_GOOD).encode())
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Also Good"]
    assert skips(report) == [f"{path}:2: NUL byte at column 13"]


def test_stray_nul_byte_in_a_page(tmp_path: Path) -> None:
    page = write(tmp_path, "p.txt", f"First Paper\n{A1}\nBad\x00Line\nSecond Paper\n{A2}\n".encode())
    papers, report = read(page)
    assert [p.title for p in papers] == ["First Paper", "Second Paper"]
    assert skips(report) == [f"{page}:3: NUL byte at column 4"]


@pytest.mark.parametrize(("content", "kind"), [(bytes(range(256)) * 8, "11% control bytes"), (b"\x89PNG\r\n\x1a\n" + b"x" * 100, "PNG")])
def test_binary_files_are_still_refused_once(tmp_path: Path, content: bytes, kind: str) -> None:
    path = write(tmp_path, "p.txt", content)
    papers, report = read(path)
    assert papers == []
    assert skips(report) == [f"{path}: binary file ({kind}), not text"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "p.csv", "title,abstract\nFréchet Nets,Über alles.\nSecond,Two.\n".encode(codec))
    papers, report = read(path)
    assert [(p.title, p.abstract, p.line) for p in papers] == [("Fréchet Nets", "Über alles.", 2), ("Second", "Two.", 3)]
    assert notes(report) == [f"{path}: no byte-order mark; read as {codec.upper()} (NUL bytes on every other byte)"]


def test_cp1252_file_is_read_with_one_warning(tmp_path: Path) -> None:
    text = "title,abstract\nFréchet Nets,“Über” alles.\nNaïve Bayes,Café – crème.\nPlain,Text.\n"
    path = write(tmp_path, "p.csv", text.encode("cp1252"))
    papers, report = read(path)
    assert [(p.title, p.abstract) for p in papers] == [("Fréchet Nets", "“Über” alles."), ("Naïve Bayes", "Café – crème."),
                                                       ("Plain", "Text.")]
    assert notes(report) == [f"{path}:2: not UTF-8 (byte 0xe9 at column 3); read as cp1252 (Windows Latin-1) from this line on"]
    assert skips(report) == []


def test_utf8_line_with_one_damaged_byte_keeps_its_text(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", b"title,abstract\nFr\xc3\xa9chet\xff Nets,One.\nSecond,Two.\n")
    papers, report = read(path)
    assert [p.title for p in papers] == ["Fréchet\ufffd Nets", "Second"]
    assert notes(report) == [f"{path}:2: invalid UTF-8 (byte 0xff at column 9) replaced by U+FFFD"]


def test_json_array_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", json.dumps([GOOD, ALSO_GOOD]))
    papers, report = read(path)
    assert [(p.title, p.line) for p in papers] == [("Good Paper", 1), ("Also Good", 1)]
    assert skips(report) == []


def test_pretty_printed_json_array_is_streamed_and_resumes_after_a_bad_record(tmp_path: Path) -> None:
    records = json.dumps([GOOD, {"title": "Bad", "abstract": "x", "authors": [{"name": "A"}]}, ALSO_GOOD], indent=2).splitlines()
    bad = next(i for i, line in enumerate(records) if '"Bad"' in line)
    records[bad] = records[bad].replace('"Bad",', '"Bad" "oops",')
    path = write(tmp_path, "p.json", "\n".join(records) + "\n")
    papers, report = read(path)
    assert [(p.title, p.line) for p in papers] == [("Good Paper", 2), ("Also Good", records.index("  {", bad) + 1)]
    assert skips(report) == [f"{path}:{bad}: malformed JSON: Expecting ',' delimiter at line {bad + 1} column 20"]


def test_pretty_printed_objects_one_after_another(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", json.dumps(GOOD, indent=2) + "\n" + json.dumps(ALSO_GOOD, indent=2) + "\n")
    papers, report = read(path)
    assert [(p.title, p.line) for p in papers] == [("Good Paper", 1), ("Also Good", 5)]
    assert skips(report) == []


def test_json_array_never_closed_is_reported_once(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", "[\n" + json.dumps(GOOD) + ",\n" + json.dumps(ALSO_GOOD) + "\n")
    papers, report = read(path)
    assert [(p.title, p.line) for p in papers] == [("Good Paper", 2), ("Also Good", 3)]
    assert skips(report) == [f"{path}:3: JSON array not closed at the end of the file"]


def test_json_array_elements_that_are_not_objects(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", json.dumps([GOOD, 42, "text", ALSO_GOOD]))
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Also Good"]
    assert skips(report) == [f"{path}:1: JSON array element 2 is a number, not an object",
                             f"{path}:1: JSON array element 3 is a string, not an object"]


def test_json_line_array_of_records(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl([GOOD, 7], ALSO_GOOD))
    papers, report = read(path)
    assert [(p.title, p.line) for p in papers] == [("Good Paper", 1), ("Also Good", 2)]
    assert skips(report) == [f"{path}:1: JSON array element 2 is a number, not an object"]


def test_truncated_json_array_file(tmp_path: Path) -> None:
    path = write(tmp_path, "p.json", "[\n" + json.dumps(GOOD) + ",\n" + json.dumps(ALSO_GOOD)[:20] + "\n")
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper"]
    assert skips(report) == [f"{path}:3: malformed JSON: the file ends inside this record"]


def test_json_nested_too_deeply_is_a_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl(GOOD, "[" * 100_000 + "]" * 100_000, ALSO_GOOD))
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Also Good"]
    assert skips(report) == [f"{path}:2: malformed JSON: nested too deeply"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": ["A", "list"], "abstract": "x."}, "'title' is a list, not a string"),
        ({"title": "T", "abstract": 42}, "'abstract' is a number, not a string"),
        ({"title": "T", "summary": {"text": "x"}}, "'summary' is an object, not a string"),
        ({"title": "T"}, "record without an abstract"),
        ({"abstract": "x."}, "record without a title"),
    ],
)
def test_record_without_usable_title_or_abstract(tmp_path: Path, record: dict, message: str) -> None:
    path = write(tmp_path, "p.jsonl", jsonl(GOOD, record, ALSO_GOOD))
    papers, report = read(path)
    assert [p.title for p in papers] == ["Good Paper", "Also Good"]
    assert skips(report) == [f"{path}:2: {message}"]


def test_optional_fields_of_the_wrong_type_are_dropped_with_a_warning(tmp_path: Path) -> None:
    record = {"title": "T", "abstract": "x.", "authors": 3, "date": {"y": 2023}, "url": ["u"], "categories": 5, "id": 2.5}
    path = write(tmp_path, "p.jsonl", jsonl(GOOD, record))
    papers, report = read(path)
    assert [(p.title, p.authors, p.issued, p.url, p.categories, p.arxiv_id) for p in papers] == [
        ("Good Paper", (), None, None, (), None), ("T", (), None, None, (), None)]
    assert notes(report) == [f"{path}:2: {m}; ignored" for m in (
        "'id' is a decimal number, not a string or an integer", "'url' is a list, not a string", "'categories' is a number, not a string or a list",
        "'date' is an object, not a string or an integer", "'authors' is a number, not a string or a list")]


# --- 11. text hygiene ---------------------------------------------------------------------


def test_escaped_script_tag_does_not_come_back(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"title": "&lt;script&gt;alert(1)&lt;/script&gt;Nets", "abstract": "A &amp;lt;b&amp;gt;b."}))
    (paper,), _ = read(path)
    assert (paper.title, paper.abstract) == ("alert(1)Nets", "A b.")


def test_bidi_and_zero_width_characters_leave_titles_abstracts_and_authors(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"title": "Safe\u202eNets\u2066", "abstract": "Text\u200b with\u2069 marks.",
                                             "authors": ["Ada\u202d Lovelace", "\u2067"]}))
    (paper,), _ = read(path)
    assert (paper.title, paper.abstract, paper.authors) == ("SafeNets", "Text with marks.", ("Ada Lovelace",))


@pytest.mark.parametrize("date", ["2023-13-45", "yesterday", "2023-02-30", "0000-00-00"])
def test_a_date_that_is_not_a_date_is_refused(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, "p.jsonl", jsonl({"title": "T", "abstract": "x.", "date": date}, GOOD))
    papers, report = read(path)
    assert [(p.title, p.issued) for p in papers] == [("T", None), ("Good Paper", None)]
    assert notes(report) == [f"{path}:1: not a date: {date!r}; the paper is kept without one"]


def test_real_dates_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "title,abstract,date\nA,x.,2023-01-05T10:00:00Z\nB,y.,\"Mon, 2 Apr 2007 19:18:42 GMT\"\nC,z.,2021\n")
    papers, report = read(path)
    assert [p.issued for p in papers] == ["2023-01-05", "2007-04-02", "2021"]
    assert report.warnings == []


def test_warnings_are_fatal_in_strict_mode(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a date"):
        make_paper(tmp_path / "p.jsonl", 3, "T", "x.", source="s", issued="yesterday", report=IngestReport(strict=True))


# --- end to end: kg build through the command line ----------------------------------------


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture()
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.jsonl", jsonl(GOOD, '{"title": "S\\ud800", "abstract": "Lone surrogate."}', "[" * 50_000,
                                   {"title": "&lt;script&gt;x&lt;/script&gt;Evil\u202e", "abstract": "We propose Evil.", "date": "2023-13-45"},
                                   {"title": "Huge", "abstract": "We study a thing. " * 70_000}))
    write(folder, "b.txt", f"Title\n\nAbstract.\n\nSecond Page Paper\n\n{A2}\n".encode("utf-16-le"))
    write(folder, "c.csv", "title,abstract\nCaf\u00e9 Nets,Cr\u00e8me.\n".encode("cp1252") + b"Nul\x00Row,x.\n")
    write(folder, "d.json", json.dumps([ALSO_GOOD, 1]))
    (folder / "e.jsonl").symlink_to(folder / "e.jsonl")
    return folder


def test_build_survives_a_folder_of_bad_files(bad_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _kg("build", str(bad_folder), "--fast", "--no-html", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("8 papers from 8 records in 5 files")
    nt = (out / "graph.nt").read_text(encoding="utf-8")
    assert "<script>" not in nt and "\u202e" not in nt and "2023-13-45" not in nt
    for title in ("Good Paper", "S", "xEvil", "Huge", "Title", "Second Page Paper", "Café Nets", "Also Good"):
        assert f'"{title}"' in nt, title


def test_strict_build_stops_at_the_first_problem_in_one_line(bad_folder: Path, tmp_path: Path) -> None:
    result = _kg("build", str(bad_folder), "--fast", "--no-html", "--strict", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1] == (f"kg: error: {bad_folder}/a.jsonl:2: lone surrogate characters "
                                                      "(not Unicode text) removed from the title")
    assert "Traceback" not in result.stderr
