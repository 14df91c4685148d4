"""The Python API (kg.api): records and DataFrames in, an in-memory graph and DataFrames out."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.errors import InputError, NoPapers

pd = pytest.importorskip("pandas")

ROWS = {
    "title": ["Deep Residual Learning for Image Recognition", "A row without abstract", "Adam: A Method for Stochastic Optimization"],
    "abstract": ["We train ResNet-50 on ImageNet and CIFAR-10. Code: https://github.com/KaimingHe/deep-residual-networks",
                 None, "We propose Adam, an optimizer, and evaluate it on MNIST."],
    "id": ["1512.03385", None, "arXiv:1412.6980v9"],
    "authors": [["Kaiming He", "Xiangyu Zhang"], None, "Diederik P. Kingma; Jimmy Ba"],
    "date": [pd.Timestamp("2015-12-10"), None, "2014-12-22"],
}


def test_import_kg_is_light() -> None:
    code = "import sys, kg; assert kg.build_graph; print(sorted(m for m in ('spacy', 'pandas', 'rdflib', 'networkx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # kg.api itself imports none of them


def test_notebook_three_lines() -> None:
    df = pd.DataFrame(ROWS)
    with pytest.warns(kg.KgWarning, match=r"<dataframe>:2: record without an abstract"):
        g = kg.build_graph(df, fast=True)
    papers = g.papers()
    assert sorted(papers["arxiv_id"]) == ["1412.6980", "1512.03385"]
    row = papers.set_index("arxiv_id").loc["1412.6980"]
    assert row["authors"] == ["Diederik P. Kingma", "Jimmy Ba"] and row["issued"] == "2014-12-22"
    assert papers.set_index("arxiv_id").loc["1512.03385", "issued"] == "2015-12-10"
    concepts = g.concepts()
    assert {("Dataset", "ImageNet"), ("Dataset", "MNIST"), ("Method", "Adam")} <= set(zip(concepts["type"], concepts["label"]))
    edges = g.edges()
    assert ("paper:arxiv:1412.6980", "proposesMethod", "Adam") in set(zip(edges["source"], edges["relation"], edges["target_label"]))
    assert "hasCode" in set(edges["relation"])
    mentions = g.mentions()
    abstract = dict(zip(papers["node"], papers["abstract"]))
    for m in mentions[mentions["field"] == "abstract"].itertuples():
        assert abstract[m.paper][m.start:m.end] == m.text  # offsets into the cleaned text
    assert len(g.warnings) == 1 and g.report.skipped[0].line == 2


def test_records_and_strict() -> None:
    records = [{"title": "BERT fine-tuning", "abstract": "We fine-tune BERT on GLUE."},
               {"title": "no abstract"}, "not a record"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = kg.from_records(records, fast=True)
    assert [str(w.message) for w in caught] == ["<records>:2: record without an abstract",
                                                "<records>:3: record is str, not a mapping"]
    assert len(g.papers()) == 1
    with pytest.raises(InputError, match="<records>:2"):
        kg.from_records(records, fast=True, strict=True)
    with pytest.raises(NoPapers):
        kg.from_records([{"title": "only"}], fast=True)


def test_same_cleaning_as_the_readers(tmp_path: Path) -> None:
    """A DataFrame row and the JSON Lines record of the same paper give the same paper."""
    row = {"title": "<b>Attention</b> Is All You Need", "abstract": "The Transformer &amp; BLEU on WMT 2014.",
           "id": "1706.03762", "categories": "cs.CL cs.LG"}
    (tmp_path / "a.jsonl").write_text(pd.Series(row).to_json() + "\n", encoding="utf-8")
    from_df = kg.from_dataframe(pd.DataFrame([row]), fast=True).papers()
    from_file = kg.from_files(tmp_path / "a.jsonl", fast=True).papers()
    columns = ["node", "iri", "title", "abstract", "arxiv_id", "categories"]
    assert from_df[columns].to_dict("records") == from_file[columns].to_dict("records")
    assert from_df.loc[0, "title"] == "Attention Is All You Need"


def test_nothing_written_until_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    g = kg.build_graph([{"title": "ResNet on CIFAR-10", "abstract": "We train ResNet-18 on CIFAR-10."}], fast=True)
    assert list(tmp_path.iterdir()) == []
    flat = g.networkx()
    nx.write_graphml(flat, tmp_path / "g.graphml")  # only scalar attributes
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == g.graph.number_of_nodes() and back.number_of_edges() == g.graph.number_of_edges()
    outputs = g.write(tmp_path / "out", html=False)
    assert {"turtle", "ntriples", "store"} <= set(outputs) and (tmp_path / "out" / "graph.nt").exists()
    rdf = g.to_rdf(tmp_path / "g.ttl")
    assert "kg:usesDataset" in rdf.read_text(encoding="utf-8")


@pytest.mark.filterwarnings("ignore::kg.api.KgWarning")
def test_load_reads_a_build_back(tmp_path: Path) -> None:
    g = kg.build_graph(pd.DataFrame(ROWS), fast=True)
    g.write(tmp_path / "out", html=False, store=False)
    loaded = kg.load(tmp_path / "out")
    assert loaded.counts() == g.counts()
    assert set(loaded.papers()["iri"]) == set(g.papers()["iri"])
    assert set(loaded.concepts()["iri"]) == set(g.concepts()["iri"])  # IRIs minted again are the same
    assert set(zip(loaded.edges()["relation"], loaded.edges()["target_label"])) == \
        set(zip(g.edges()["relation"], g.edges()["target_label"]))
    assert len(loaded.mentions()) == len(g.mentions())
    assert loaded.edges()["count"].sum() == g.edges()["count"].sum()
