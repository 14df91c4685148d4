"""kg validate: the bundled export conforms to the shapes and uses only known terms; broken
graphs do not. Also the export's VoID description, determinism and JSON-LD output."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kg.build import BuildOptions, build, creation_date
from kg.cli import main
from kg.rdf.namespace import KG, RESOURCE_BASE
from kg.rdf.validate import ValidationFailed, load_graph, unknown_terms, validate, validate_graph
from kg.rdf.write import write_rdf

pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
VOID = Namespace("http://rdfs.org/ns/void#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain Namespace: pytest probes module attributes
DCTERMS = Namespace("http://purl.org/dc/terms/")
RES = Namespace(RESOURCE_BASE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    graph, summary = build(BuildOptions(out_dir=out, html=False, created="2024-01-01"))
    return out, graph, summary


@pytest.fixture(scope="module")
def data(built) -> Graph:
    return Graph().parse(built[0] / "graph.nt", format="nt")


@pytest.fixture(scope="module")
def schemas() -> tuple[Graph, Graph]:
    return load_graph(SHAPES), load_graph(ONTOLOGY)


def copy(graph: Graph) -> Graph:
    clone = Graph()
    for triple in graph:
        clone.add(triple)
    return clone


def test_bundled_export_conforms(built):
    out, _, _ = built
    for name in ("graph.nt", "graph.ttl"):
        report = validate(out / name)
        assert report.conforms, report.text(limit=20)
        assert report.violations == ()


def test_broken_graph_does_not_conform(data, schemas):
    shapes, ontology = schemas
    broken = copy(data)
    paper = next(broken.subjects(RDF.type, KG.Paper))
    broken.add((paper, DCTERMS.title, Literal("A second title")))
    mention = next(broken.subjects(RDF.type, KG.Mention))
    broken.set((mention, KG.confidence, Literal("1.5", datatype=XSD.decimal)))
    report = validate_graph(broken, shapes, ontology)
    assert not report.conforms
    found = {(v.focus, v.path) for v in report.violations}
    assert (str(paper), str(DCTERMS.title)) in found
    assert (str(mention), str(KG.confidence)) in found
    assert all(v.message for v in report.violations)


def test_invented_property_is_caught(data, schemas):
    shapes, ontology = schemas
    broken = copy(data)
    paper = next(broken.subjects(RDF.type, KG.Paper))
    invented = URIRef(str(KG._NS) + "fooBar")
    broken.add((paper, invented, Literal("x")))
    broken.add((paper, RDF.type, URIRef("https://schema.org/ScholarlyArticel")))  # misspelt class
    terms = {v.focus for v in unknown_terms(broken, ontology)}
    assert terms == {str(invented), "https://schema.org/ScholarlyArticel"}
    report = validate_graph(broken, shapes, ontology)
    assert not report.conforms and str(invented) in {v.focus for v in report.violations}


def test_cli_exit_codes(built, tmp_path, capsys):
    out, _, _ = built
    assert main(["validate", "--out", str(out)]) == 0
    assert "conforms" in capsys.readouterr().out
    bad = tmp_path / "bad.nt"
    bad.write_text((out / "graph.nt").read_text(encoding="utf-8")
                   + f"<{RES['paper/x']}> <{KG._NS}fooBar> \"x\" .\n", encoding="utf-8")
    assert main(["validate", "--graph", str(bad)]) == ValidationFailed.exit_code == 6
    captured = capsys.readouterr()
    assert "fooBar" in captured.out and "violations" in captured.err
    assert main(["validate", "--graph", str(tmp_path / "missing.nt")]) == 2


# ---------------------------------------------------------------------------
# The export: VoID description, determinism, JSON-LD
# ---------------------------------------------------------------------------


def test_void_description(data, built):
    _, _, summary = built
    dataset = RES["void"]
    assert (dataset, RDF.type, VOID.Dataset) in data
    assert data.value(dataset, DCTERMS.created) == Literal("2024-01-01", datatype=XSD.date)
    assert str(data.value(dataset, DCTERMS.creator)).startswith("kg ")
    sources = {str(s) for s in data.objects(dataset, DCTERMS.source)}
    assert len(sources) == 5 and all(s.startswith("seeds/") for s in sources)
    described = {s for s, _, _ in data if str(s).startswith(str(dataset))}
    data_triples = sum(1 for s, _, _ in data if s not in described)
    assert data.value(dataset, VOID.triples).toPython() == data_triples
    partitions = {data.value(p, VOID["class"]): data.value(p, VOID.entities).toPython()
                  for p in data.objects(dataset, VOID.classPartition)}
    assert partitions[KG.Paper] == summary.papers == len(set(data.subjects(RDF.type, KG.Paper)))
    for cls, count in partitions.items():
        assert count == len(set(data.subjects(RDF.type, cls))), cls


def test_export_is_byte_identical(built, tmp_path):
    out, graph, _ = built
    again = write_rdf(graph, tmp_path, ["ntriples", "turtle"], created="2024-01-01")
    assert again["ntriples"].read_bytes() == (out / "graph.nt").read_bytes()
    assert again["turtle"].read_bytes() == (out / "graph.ttl").read_bytes()


def test_creation_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    f = tmp_path / "a.txt"
    f.write_text("x")
    import os

    os.utime(f, (86400 * 365, 86400 * 365))
    assert creation_date([f, tmp_path / "missing.txt"]) == "1971-01-01"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert creation_date([f]) == "1970-01-01"


def test_jsonld_has_the_same_triples(built, data, tmp_path):
    _, graph, _ = built
    written = write_rdf(graph, tmp_path, ["jsonld"], created="2024-01-01")
    parsed = Graph().parse(written["jsonld"], format="json-ld")
    assert len(parsed) == len(data)
    assert set(parsed) == set(data)  # no blank nodes: plain set equality is isomorphism
