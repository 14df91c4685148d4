"""The readers of issue 17: BibTeX, OpenAlex, Semantic Scholar, arXiv Atom/OAI XML, and arXiv
JSONL's categories and first-version dates; each with good and bad records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError, UsageError
from kg.ingest import IngestReport, expand_inputs, read_papers, reader_for
from kg.ingest import arxiv_xml, bibtex, jsonl
from kg.ingest.openalex import rebuild_abstract

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str | Path, fmt: str | None = None, strict: bool = False):
    report = IngestReport(strict=strict)
    path = name if isinstance(name, Path) else FIXTURES / name
    return list(read_papers([path], report, fmt)), report


def by_key(papers):
    return {p.key: p for p in papers}


def test_bibtex_entries_fields_and_bad_entries(capsys):
    papers, report = read("papers.bib")
    bert = by_key(papers)["arxiv:1810.04805"]
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert "GLUE score to 80.5% and SQuAD" in bert.abstract and "{" not in bert.abstract
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert bert.issued == "2018-10" and bert.identifier == "10.48550/arxiv.1810.04805"
    assert bert.categories == ("cs.CL", "language models", "pre-training", "NLP")
    sam = by_key(papers)["title:sharpness aware minimization for efficiently improving generalization"]
    assert sam.authors[-2:] == ("Kurt Gödel", "Ana Mačić") and sam.issued == "2021-05"
    assert sam.url == "https://openreview.net/forum?id=6Tm1mposlrM" and sam.arxiv_id is None
    scholar = by_key(papers)["arxiv:2309.06180"]  # Google Scholar's "arXiv preprint arXiv:..."
    assert scholar.authors == ("Woosuk Kwon", "Zhuohan Li") and scholar.issued == "2023"
    assert len(papers) == 3
    skipped = {(e.line, e.kind) for e in report.skipped}
    assert skipped == {(35, "record without an abstract"), (41, "malformed BibTeX entry"), (45, "duplicate BibTeX key")}
    assert "bibtex" not in capsys.readouterr().err.lower()  # the parser's own log is quiet


def test_bibtex_strict_stops_at_first_bad_entry():
    with pytest.raises(InputError, match=r"papers\.bib:\d+"):
        read("papers.bib", strict=True)


@pytest.mark.parametrize(("latex", "text"), [
    (r"{\"U}ber {G}raphs", "Über Graphs"), (r"Erd\H{o}s and \v{S}ediv\'{y}", "Erdős and Šedivý"),
    (r"Stra{\ss}e {\o}l \aa", "Straße øl å"), (r"50\% of {\em all} \{x\}", "50% of all {x}"),
])
def test_bibtex_latex_to_text(latex, text):
    assert bibtex.latex_to_text(latex) == text


def test_bibtex_authors_and_dates():
    assert bibtex.split_authors("von Neumann, John and {Google Brain Team} and Smith, Jr, Ann") == (
        "John von Neumann", "Google Brain Team", "Ann Smith Jr")
    assert bibtex.entry_date({"year": "2020", "month": "September"}) == "2020-09"
    assert bibtex.entry_date({"year": "2020", "month": "13"}) == "2020"
    assert bibtex.arxiv_of({"eprint": "2101.00001v3", "archiveprefix": "arXiv"}) == "2101.00001"
    assert bibtex.arxiv_of({"eprint": "2101.00001", "eprinttype": "hal"}) is None


def test_openalex_works_rebuilt_and_detected_by_keys():
    papers, report = read("openalex.jsonl")  # .jsonl: detected by abstract_inverted_index
    attention = by_key(papers)["arxiv:1706.03762"]
    assert attention.abstract.startswith("The dominant sequence transduction models use attention. We propose the Transformer")
    assert attention.identifier == "10.48550/arxiv.1706.03762" and attention.issued == "2017-06-12"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert attention.categories == ("Natural Language Processing Techniques",)
    resnet = by_key(papers)["title:deep residual learning for image recognition"]
    assert resnet.abstract == "Deeper networks are hard to train. Residual networks win ImageNet."
    assert resnet.issued == "2016" and resnet.categories == ("Computer science",)  # level-2 concept left out
    assert resnet.url == "https://doi.org/10.1109/cvpr.2016.90"
    assert [(e.line, e.kind) for e in report.skipped] == [(3, "record without an abstract"), (4, "field of the wrong type")]
    assert [e.line for e in report.warnings] == [5, 5]
    explicit, _ = read("openalex.jsonl", "openalex")
    assert [p.key for p in explicit] == [p.key for p in papers]


def test_openalex_hostile_positions_do_not_allocate():
    assert rebuild_abstract({"far": [10**15], "near": [0]}, Path("x"), 1) == "near far"
    with pytest.raises(InputError, match="not a list of positions"):
        rebuild_abstract({"a": [-1]}, Path("x"), 1)
    with pytest.raises(InputError, match="not an object"):
        rebuild_abstract(["a"], Path("x"), 1)


def test_semantic_scholar_search_response():
    papers, report = read("s2.json")
    attention = by_key(papers)["arxiv:1706.03762"]
    assert attention.authors == ("Ashish Vaswani", "Noam M. Shazeer") and attention.categories == ("Computer Science",)
    assert attention.url.startswith("https://www.semanticscholar.org/paper/") and attention.issued == "2017-06-12"
    resnet = by_key(papers)["title:deep residual learning for image recognition"]
    assert resnet.identifier == "10.1109/cvpr.2016.90" and resnet.issued == "2016"
    odd = by_key(papers)["title:a paper with odd types"]
    assert odd.identifier == "s2:0000000000000000000000000000000000000004" and odd.authors == () and odd.issued is None
    assert [e.kind for e in report.skipped] == ["record without an abstract"]
    assert sorted(e.kind for e in report.warnings) == ["field of the wrong type"] * 2 + ["not a date"]


def test_semantic_scholar_jsonl_detected_by_paper_id(tmp_path):
    path = tmp_path / "s2.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"paperId": "abc", "title": "T one", "abstract": "We train a ResNet.", "externalIds": {"ArXiv": "2301.00009"},
         "authors": [{"name": "A B"}], "year": 2023},
        {"paperId": "def", "title": "T two", "abstract": 5},
    ]) + "\n", encoding="utf-8")
    papers, report = read(path)
    assert [p.key for p in papers] == ["arxiv:2301.00009"] and papers[0].issued == "2023"
    assert [(e.line, e.kind) for e in report.skipped] == [(2, "field of the wrong type")]


def test_arxiv_atom_feed():
    papers, report = read("arxiv_atom.xml")
    attention = by_key(papers)["arxiv:1706.03762"]
    assert attention.title == "Attention Is All You Need" and attention.issued == "2017-06-12"
    assert attention.abstract.endswith("28.4 BLEU on WMT 2014 & more.")
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer") and attention.categories == ("cs.CL", "cs.LG")
    assert attention.identifier == "10.48550/arxiv.1706.03762" and attention.line == 8
    assert by_key(papers)["arxiv:hep-th/9901001"].title == "Strings and Networks"
    assert [(e.line, e.kind) for e in report.skipped] == [(25, "record without an abstract")]


def test_arxiv_oai_both_metadata_formats():
    papers, report = read("arxiv_oai.xml")
    sam = by_key(papers)["arxiv:2010.01412"]
    assert sam.issued == "2020-10-03" and sam.authors == ("Pierre Foret", "Ariel Kleiner Jr")
    assert sam.categories == ("cs.LG", "stat.ML") and sam.identifier == "10.48550/arxiv.2010.01412"
    resnet = by_key(papers)["arxiv:1512.03385"]
    assert resnet.authors == ("Kaiming He", "Xiangyu Zhang") and resnet.issued == "2015-12-10"
    assert resnet.abstract.startswith("Deeper neural networks") and "Comment" not in resnet.abstract
    assert [e.kind for e in report.skipped] == ["deleted OAI record"]


@pytest.mark.parametrize("name", ["xml_bomb.xml", "xml_external.xml"])
def test_xml_entities_and_dtds_are_refused(name):
    papers, report = read(name)
    assert papers == [] and [e.kind for e in report.skipped] == ["XML with a DTD refused"]
    with pytest.raises(InputError, match="refused"):
        read(name, strict=True)


def test_xml_broken_midway_keeps_earlier_records(tmp_path):
    text = (FIXTURES / "arxiv_atom.xml").read_text(encoding="utf-8")
    cut = text.index("<entry>", text.index("</entry>"))
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut] + "<entry><id>x</id><title>broken</tit", encoding="utf-8")
    papers, report = read(path)
    assert [p.key for p in papers] == ["arxiv:1706.03762"]
    assert [e.kind for e in report.skipped] == ["malformed XML"]


def test_xml_of_another_kind_is_named(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><html><body>hi</body></html>", encoding="utf-8")
    papers, report = read(path)
    assert papers == [] and [e.kind for e in report.skipped] == ["unknown XML"]


def test_arxiv_jsonl_keeps_categories_and_first_version_date(tmp_path):
    path = tmp_path / "arxiv.jsonl"
    path.write_text(json.dumps({
        "id": "0704.0001", "title": "Calculation of prompt diphoton production", "abstract": "We compute cross sections.",
        "categories": "hep-ph cs.LG", "update_date": "2008-11-13",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                     {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}]}) + "\n", encoding="utf-8")
    (paper,), _ = read(path)
    assert paper.categories == ("hep-ph", "cs.LG") and paper.issued == "2007-04-02"
    papers, _ = read("arxiv.jsonl")  # versions without `created`: update_date still used
    assert papers[0].issued == "2023-01-05" and papers[0].categories == ("cs.LG", "stat.ML")


@pytest.mark.parametrize(("name", "reader"), [("a.bib", bibtex.read), ("a.XML", arxiv_xml.read), ("a.json", jsonl.read)])
def test_suffixes_and_format_names(name, reader):
    assert reader_for(Path(name)) is reader
    for fmt in ("bibtex", "openalex", "s2", "arxiv-xml"):
        assert reader_for(Path("a.txt"), fmt).__module__ == f"kg.ingest.{fmt.replace('-', '_')}"
    with pytest.raises(UsageError):
        reader_for(Path("a.bib"), "endnote")


def test_folder_reads_new_suffixes(tmp_path):
    for name in ("papers.bib", "arxiv_oai.xml"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    assert [p.name for p in expand_inputs([tmp_path])] == ["arxiv_oai.xml", "papers.bib"]
    report = IngestReport()
    papers = list(read_papers(expand_inputs([tmp_path]), report))
    assert len(papers) == 5 and report.files == 2
