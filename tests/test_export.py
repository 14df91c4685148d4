"""`kg export`: GraphML and GEXF (re-read with networkx), CSV, Parquet and JSON-LD."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import networkx as nx
import pytest

import kg
from kgrun import run

RECORDS = [
    {"title": "Deep Residual Learning for Image Recognition", "id": "1512.03385",
     "abstract": "We train ResNet-50 on ImageNet and CIFAR-10 and report top-1 accuracy. "
                 "Code: https://github.com/KaimingHe/deep-residual-networks"},
    {"title": "Adam: A Method for Stochastic Optimization", "id": "1412.6980", "authors": ["Kingma", "Ba"],
     "abstract": "We propose Adam, an optimizer, and evaluate it on MNIST with \x0bthe accuracy."},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, kg.KnowledgeGraph]:
    out = tmp_path_factory.mktemp("out")
    graph = kg.from_records(RECORDS, fast=True)
    graph.write(out, html=False, store=False)
    return out, graph


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_formats_reread_by_networkx(built, fmt, reader) -> None:
    out, graph = built
    code, stdout, stderr = run("export", "--format", fmt, "--out", str(out))
    assert code == 0, stderr
    path = out / "export" / f"graph.{fmt}"
    assert f"as {fmt} to" in stdout and "wrote" in stderr
    back = reader(path)
    assert back.number_of_nodes() == graph.graph.number_of_nodes()
    assert back.number_of_edges() == graph.graph.number_of_edges()
    paper = back.nodes["paper:arxiv:1412.6980"]
    assert paper["kind"] == "paper" and paper["authors"] == "Kingma; Ba"
    assert paper["label"] == "Adam: A Method for Stochastic Optimization"
    adam = next(a for _, a in back.nodes(data=True) if a.get("label") == "Adam")
    assert adam["type"] == "Method" and adam["iri"].startswith("https://w3id.org/kg-papers/resource/method/")
    relations = {d["relation"] for *_, d in back.edges(data=True)}
    assert {"proposesMethod", "usesDataset", "hasCode"} <= relations
    assert all(int(d["count"]) >= 1 for *_, d in back.edges(data=True))


def test_csv_tables(built, tmp_path: Path) -> None:
    out, graph = built
    code, _, stderr = run("export", "--format", "csv", "--out", str(out), "--to", str(tmp_path / "tables"))
    assert code == 0, stderr
    with open(tmp_path / "tables" / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with open(tmp_path / "tables" / "edges.csv", newline="", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert len(nodes) == graph.graph.number_of_nodes() and len(edges) == graph.graph.number_of_edges()
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    assert list(nodes[0])[:3] == ["id", "kind", "label"]


def test_parquet_tables(built, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out, graph = built
    assert run("export", "--format", "parquet", "--out", str(out), "--to", str(tmp_path / "pq"))[0] == 0
    nodes = pq.read_table(tmp_path / "pq" / "nodes.parquet")
    edges = pq.read_table(tmp_path / "pq" / "edges.parquet")
    assert nodes.num_rows == graph.graph.number_of_nodes() and edges.num_rows == graph.graph.number_of_edges()
    assert str(edges.schema.field("count").type) == "int64"


def test_parquet_without_pyarrow_is_one_line(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    code, _, stderr = run("export", "--format", "parquet", "--out", str(built[0]), "--to", str(tmp_path / "pq"))
    assert code == 2
    assert stderr == "kg: error: Parquet export needs pyarrow: pip install 'kg[parquet]'\n"


def test_jsonld_compacted_with_context(built, tmp_path: Path) -> None:
    out, _ = built
    target = tmp_path / "g.jsonld"
    assert run("export", "--format", "jsonld", "--out", str(out), "--to", str(target))[0] == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["@context"]["kg"] == "https://w3id.org/kg-papers/ontology#"
    text = target.read_text(encoding="utf-8")
    assert '"kg:usesDataset"' in text and '"dcterms:title"' in text
    assert "https://w3id.org/kg-papers/ontology#usesDataset" not in text  # compacted, not expanded
    import rdflib

    again = rdflib.Graph().parse(data=text, format="json-ld")
    assert len(again) == len(rdflib.Graph().parse(str(out / "graph.nt"), format="nt"))  # nothing lost


def test_export_from_the_api_matches_export_from_a_folder(built, tmp_path: Path) -> None:
    out, graph = built
    graph.export("graphml", tmp_path / "api.graphml")
    kg.load(out).export("graphml", tmp_path / "folder.graphml")
    a, b = nx.read_graphml(tmp_path / "api.graphml"), nx.read_graphml(tmp_path / "folder.graphml")
    assert sorted(a.edges) == sorted(b.edges)
    assert {n: d["iri"] for n, d in a.nodes(data=True)} == {n: d["iri"] for n, d in b.nodes(data=True)}


def test_export_errors(tmp_path: Path) -> None:
    code, stdout, stderr = run("export", "--format", "graphml", "--out", str(tmp_path / "none"))
    assert code == 2 and stdout == "" and stderr.startswith("kg: error: no graph in") and stderr.count("\n") == 1
    assert run("export", "--format", "xlsx", "--out", str(tmp_path))[0] == 2
