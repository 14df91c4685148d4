"""kg.rdf.export / kg.rdf.write: expected triples, escaping, valid and stable IRIs,
deterministic bytes, atomic writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic, graph_diff
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.atomic import atomic_path
from kg.errors import UsageError
from kg.graph import build_graph
from kg.rdf import write as rdf_write
from kg.rdf.export import Iris, graph_triples
from kg.rdf.namespace import KG, RESOURCE_BASE
from kg.rdf.write import count_triples, format_for_file, rdf_format, write_rdf
from kg.records import REPOSITORY, ExtractedPaper, Field, Mention, Paper, Repository, Role

ABSTRACT = "We use SAM and BERT on ImageNet. Code: https://github.com/a/b."


def mention(start, end, text, label, key, conf, comp, role=Role.USES, long_form=None, field=Field.ABSTRACT):
    return Mention(field, start, end, text, label, key, conf, comp, role, long_form)


SAM = mention(7, 10, "SAM", "Method", "sharpness-aware-minimization", 0.7, "abbreviation", long_form="sharpness-aware minimization")
BERT = mention(15, 19, "BERT", "Method", "bert", 0.9, "gazetteer", Role.PROPOSES)
IMAGENET = mention(23, 31, "ImageNet", "Dataset", "imagenet", 0.65, "patterns:named-dataset")
URL = mention(39, 61, "https://github.com/a/b", REPOSITORY, "https://github.com/a/b", 0.99, "code_links")
PAPER = Paper(key="arxiv:2301.00001", title="A Paper", abstract=ABSTRACT, sources=("a.jsonl",), arxiv_id="2301.00001",
              identifier="arXiv:2301.00001", issued="2023-01-05", authors=("Ada Lovelace",),
              url="https://arxiv.org/abs/2301.00001", categories=("cs.LG",))

EXPECTED = """
@prefix kg: <https://w3id.org/kg-papers/ontology#> .
@prefix res: <https://w3id.org/kg-papers/resource/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001> a kg:Paper ;
    dcterms:title "A Paper" ;
    dcterms:abstract "We use SAM and BERT on ImageNet. Code: https://github.com/a/b." ;
    dcterms:identifier "arXiv:2301.00001" ;
    dcterms:issued "2023-01-05"^^xsd:date ;
    dcterms:creator "Ada Lovelace" ;
    schema:url <https://arxiv.org/abs/2301.00001> ;
    dcterms:source "a.jsonl" ;
    kg:usesMethod <https://w3id.org/kg-papers/resource/method/sharpness-aware-minimization> ;
    kg:proposesMethod <https://w3id.org/kg-papers/resource/method/bert> ;
    kg:usesDataset <https://w3id.org/kg-papers/resource/dataset/imagenet> ;
    kg:hasCode <https://w3id.org/kg-papers/resource/repository/github.com/a/b> .

<https://w3id.org/kg-papers/resource/method/sharpness-aware-minimization> a kg:Concept, kg:Method ;
    skos:prefLabel "sharpness-aware minimization" ;
    skos:altLabel "SAM" ;
    kg:acronym "SAM" ;
    kg:paperCount 1 .

<https://w3id.org/kg-papers/resource/method/bert> a kg:Concept, kg:Method ;
    skos:prefLabel "BERT" ;
    kg:paperCount 1 .

<https://w3id.org/kg-papers/resource/dataset/imagenet> a kg:Concept, kg:Dataset ;
    skos:prefLabel "ImageNet" ;
    kg:paperCount 1 .

<https://w3id.org/kg-papers/resource/repository/github.com/a/b> a kg:Repository ;
    schema:codeRepository <https://github.com/a/b> ;
    kg:host "github.com" ;
    kg:isCodeHost true .

<https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001#m-abstract-7-10> a kg:Mention ;
    kg:inPaper <https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001> ;
    kg:denotes <https://w3id.org/kg-papers/resource/method/sharpness-aware-minimization> ;
    kg:field "abstract" ; kg:start "7"^^xsd:nonNegativeInteger ; kg:end "10"^^xsd:nonNegativeInteger ;
    kg:text "SAM" ; kg:confidence "0.7"^^xsd:decimal ;
    prov:wasGeneratedBy res:component\\/abbreviation .

<https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001#m-abstract-15-19> a kg:Mention ;
    kg:inPaper <https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001> ;
    kg:denotes <https://w3id.org/kg-papers/resource/method/bert> ;
    kg:field "abstract" ; kg:start "15"^^xsd:nonNegativeInteger ; kg:end "19"^^xsd:nonNegativeInteger ;
    kg:text "BERT" ; kg:confidence "0.9"^^xsd:decimal ;
    prov:wasGeneratedBy <https://w3id.org/kg-papers/resource/component/gazetteer> .

<https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001#m-abstract-23-31> a kg:Mention ;
    kg:inPaper <https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001> ;
    kg:denotes <https://w3id.org/kg-papers/resource/dataset/imagenet> ;
    kg:field "abstract" ; kg:start "23"^^xsd:nonNegativeInteger ; kg:end "31"^^xsd:nonNegativeInteger ;
    kg:text "ImageNet" ; kg:confidence "0.65"^^xsd:decimal ;
    prov:wasGeneratedBy <https://w3id.org/kg-papers/resource/component/patterns-named-dataset> .

<https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001#m-abstract-39-61> a kg:Mention ;
    kg:inPaper <https://w3id.org/kg-papers/resource/paper/arxiv/2301.00001> ;
    kg:denotes <https://w3id.org/kg-papers/resource/repository/github.com/a/b> ;
    kg:field "abstract" ; kg:start "39"^^xsd:nonNegativeInteger ; kg:end "61"^^xsd:nonNegativeInteger ;
    kg:text "https://github.com/a/b" ; kg:confidence "0.99"^^xsd:decimal ;
    prov:wasGeneratedBy <https://w3id.org/kg-papers/resource/component/code-links> .

<https://w3id.org/kg-papers/resource/component/abbreviation> a kg:ExtractionRun ; rdfs:label "abbreviation" .
<https://w3id.org/kg-papers/resource/component/gazetteer> a kg:ExtractionRun ; rdfs:label "gazetteer" .
<https://w3id.org/kg-papers/resource/component/patterns-named-dataset> a kg:ExtractionRun ; rdfs:label "patterns:named-dataset" .
<https://w3id.org/kg-papers/resource/component/code-links> a kg:ExtractionRun ; rdfs:label "code_links" .
"""


def _sha(text: str, length: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


P, R = f"{RESOURCE_BASE}paper/arxiv/2301.00001", RESOURCE_BASE

# What kg.rdf.standard adds beside the core vocabulary (tests/test_standard_vocab.py checks each part).
STANDARD_EXPECTED = f"""
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dctypes: <http://purl.org/dc/dcmitype/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix mls: <http://www.w3.org/ns/mls#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{P}> a schema:ScholarlyArticle ;
    schema:sameAs <https://arxiv.org/abs/2301.00001> ;
    schema:author <{P}#author-1> ;
    dcterms:subject <{R}category/cs.LG> .
<{P}#author-1> a schema:Role ; schema:author <{R}person/ada-lovelace-{_sha("Ada Lovelace", 10)}> ; schema:position 1 .
<{R}person/ada-lovelace-{_sha("Ada Lovelace", 10)}> a schema:Person ; schema:name "Ada Lovelace" .
<{R}categories> a skos:ConceptScheme ; skos:prefLabel "Subject categories" .
<{R}category/cs.LG> a skos:Concept ; skos:inScheme <{R}categories> ; skos:prefLabel "cs.LG" ; skos:notation "cs.LG" .

<{R}method/sharpness-aware-minimization> a skos:Concept , mls:Algorithm .
<{R}method/bert> a skos:Concept , mls:Algorithm .
<{R}dataset/imagenet> a skos:Concept , mls:Dataset , schema:Dataset .
<{R}repository/github.com/a/b> a schema:SoftwareSourceCode .
<{R}component/abbreviation> a prov:Activity .
<{R}component/gazetteer> a prov:Activity .
<{R}component/patterns-named-dataset> a prov:Activity .
<{R}component/code-links> a prov:Activity .

<{P}#abstract> a dctypes:Text ; dcterms:isPartOf <{P}> .
<{P}#m-abstract-7-10> oa:hasSource <{P}#abstract> ;
    oa:hasSelector <{R}text-position/7-10> , <{R}text-quote/{_sha("SAM", 16)}> .
<{P}#m-abstract-15-19> oa:hasSource <{P}#abstract> ;
    oa:hasSelector <{R}text-position/15-19> , <{R}text-quote/{_sha("BERT", 16)}> .
<{P}#m-abstract-23-31> oa:hasSource <{P}#abstract> ;
    oa:hasSelector <{R}text-position/23-31> , <{R}text-quote/{_sha("ImageNet", 16)}> .
<{P}#m-abstract-39-61> oa:hasSource <{P}#abstract> ;
    oa:hasSelector <{R}text-position/39-61> , <{R}text-quote/{_sha("https://github.com/a/b", 16)}> .
<{R}text-position/7-10> a oa:TextPositionSelector ;
    oa:start "7"^^xsd:nonNegativeInteger ; oa:end "10"^^xsd:nonNegativeInteger .
<{R}text-position/15-19> a oa:TextPositionSelector ;
    oa:start "15"^^xsd:nonNegativeInteger ; oa:end "19"^^xsd:nonNegativeInteger .
<{R}text-position/23-31> a oa:TextPositionSelector ;
    oa:start "23"^^xsd:nonNegativeInteger ; oa:end "31"^^xsd:nonNegativeInteger .
<{R}text-position/39-61> a oa:TextPositionSelector ;
    oa:start "39"^^xsd:nonNegativeInteger ; oa:end "61"^^xsd:nonNegativeInteger .
<{R}text-quote/{_sha("SAM", 16)}> a oa:TextQuoteSelector ; oa:exact "SAM" .
<{R}text-quote/{_sha("BERT", 16)}> a oa:TextQuoteSelector ; oa:exact "BERT" .
<{R}text-quote/{_sha("ImageNet", 16)}> a oa:TextQuoteSelector ; oa:exact "ImageNet" .
<{R}text-quote/{_sha("https://github.com/a/b", 16)}> a oa:TextQuoteSelector ; oa:exact "https://github.com/a/b" .
"""


def expected_graph(annotations: bool = True) -> Graph:
    """The core vocabulary's triples (EXPECTED) and the standard vocabularies' (without the
    Web Annotation ones when `annotations` is off)."""
    graph = Graph().parse(data=EXPECTED, format="turtle").parse(data=STANDARD_EXPECTED, format="turtle")
    if not annotations:
        oa = "http://www.w3.org/ns/oa#"
        for s, p, o in list(graph):
            if str(p).startswith(oa) or str(o).startswith(oa) or str(s).endswith("#abstract"):
                graph.remove((s, p, o))
    return graph


def one_paper_graph(paper: Paper = PAPER, mentions=(SAM, BERT, IMAGENET, URL)):
    repos = tuple(Repository(m.key, "github.com", True) for m in mentions if m.label == REPOSITORY)
    return build_graph([ExtractedPaper(paper, tuple(mentions), repos)])


def parse(path: Path, fmt: str) -> Graph:
    return Graph().parse(path, format=fmt)


def data_only(graph: Graph) -> Graph:
    """The graph without the VoID description the export appends (subjects under <base>void)."""
    out = Graph()
    for triple in graph:
        if not str(triple[0]).startswith(f"{RESOURCE_BASE}void"):
            out.add(triple)
    return out


def explain(expected: Graph, actual: Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    return f"missing: {sorted(only_expected)}\nunexpected: {sorted(only_actual)}"


@pytest.mark.parametrize(("name", "rdflib_format"), [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")])
def test_one_paper_graph_gives_the_expected_triples(tmp_path: Path, name: str, rdflib_format: str) -> None:
    written = write_rdf(one_paper_graph(), tmp_path, [name])
    actual = data_only(parse(written[name], rdflib_format))
    expected = expected_graph()
    assert len(Graph().parse(data=EXPECTED, format="turtle")) == 74  # the core vocabulary's, and kg:paperCount
    assert len(actual) == len(expected) == 135
    assert isomorphic(expected, actual), explain(expected, actual)


def test_graph_triples_without_description_are_exactly_the_data() -> None:
    data = ox.serialize(graph_triples(one_paper_graph(), describe=False), format=ox.RdfFormat.N_TRIPLES)
    actual = Graph().parse(data=data.decode("utf-8"), format="nt")
    expected = expected_graph()
    assert isomorphic(expected, actual), explain(expected, actual)


def test_without_annotations_only_the_selectors_are_left_out() -> None:
    data = ox.serialize(graph_triples(one_paper_graph(), describe=False, annotations=False),
                        format=ox.RdfFormat.N_TRIPLES)
    actual = Graph().parse(data=data.decode("utf-8"), format="nt")
    expected = expected_graph(annotations=False)
    assert len(actual) == len(expected) == 135 - 4 * 3 - 2 - 4 * 3 - 4 * 2
    assert isomorphic(expected, actual), explain(expected, actual)


def test_description_counts_the_data_triples(tmp_path: Path) -> None:
    graph = one_paper_graph()
    path = write_rdf(graph, tmp_path, ["nt"])["ntriples"]
    parsed = parse(path, "nt")
    assert count_triples(graph) == len(path.read_bytes().splitlines()) == len(parsed)
    void = URIRef("http://rdfs.org/ns/void#")
    dataset = URIRef(f"{RESOURCE_BASE}void")
    assert int(parsed.value(dataset, URIRef(str(void) + "triples"))) == 135


HOSTILE_TITLE = 'He said "hi"\nthen <script>alert(\'x\')</script> \\ back\\slash """ and \'\'\' {x} ${y} @en .'
HOSTILE_ABSTRACT = '<b>bold</b> &amp; ]]> --> \t tab \n newline \u0000nul? \u2028 sep \U0001F600 "end'.replace("\u0000", "")


def hostile_graph():
    paper = Paper(key="title:he said hi then script alert x script", title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT,
                  sources=('dir with space/ä "quoted".csv',), authors=('O\'Brien "Jr" <x>',), issued="spring 2023",
                  url='https://example.org/a b<c>"d"{e}|^`\\')
    m = Mention(Field.TITLE, 0, 2, "He", "Method", 'he "x" <y>', 0.5, 'weird "component" <x>')
    url = 'https://github.com/a/b"<>{}|^`\\ c'
    repo = Mention(Field.TITLE, 3, 7, "said", REPOSITORY, url, 0.9, "code_links")
    return build_graph([ExtractedPaper(paper, (m, repo), (Repository(url, "github.com", True),))])


@pytest.mark.parametrize(("name", "rdflib_format", "ox_format"), [
    ("turtle", "turtle", ox.RdfFormat.TURTLE), ("ntriples", "nt", ox.RdfFormat.N_TRIPLES),
    ("rdfxml", "xml", ox.RdfFormat.RDF_XML), ("jsonld", "json-ld", ox.RdfFormat.JSON_LD)])
def test_hostile_literals_and_iris_round_trip(tmp_path: Path, name: str, rdflib_format: str, ox_format) -> None:
    graph = hostile_graph()
    path = write_rdf(graph, tmp_path, [name])[name]
    parsed = parse(path, rdflib_format)
    assert len(list(ox.parse(path=str(path), format=ox_format))) == len(parsed) == count_triples(graph)

    (paper,) = parsed.subjects(RDF.type, URIRef(KG.Paper))
    assert str(paper).startswith(f"{RESOURCE_BASE}paper/he-said-hi-then-script-alert-x-script-")
    assert parsed.value(paper, DCTERMS.title) == Literal(HOSTILE_TITLE)
    assert parsed.value(paper, DCTERMS.abstract) == Literal(HOSTILE_ABSTRACT)
    assert parsed.value(paper, DCTERMS.creator) == Literal('O\'Brien "Jr" <x>')
    assert parsed.value(paper, DCTERMS.source) == Literal('dir with space/ä "quoted".csv')
    assert parsed.value(paper, DCTERMS.issued) == Literal("spring 2023")  # not a date: a plain string
    (concept,) = parsed.subjects(RDF.type, URIRef(KG.Method))
    assert parsed.value(concept, SKOS.prefLabel) == Literal("He")
    for term in {t for triple in parsed for t in triple if isinstance(t, URIRef)}:
        ox.NamedNode(str(term))  # a valid IRI for Oxigraph as well
        assert not any(c in str(term) for c in ' <>"{}|^`\\'), term


def test_hostile_mention_evidence_survives(tmp_path: Path) -> None:
    path = write_rdf(hostile_graph(), tmp_path, ["turtle"])["turtle"]
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = store.query('PREFIX kg: <https://w3id.org/kg-papers/ontology#> '
                       'SELECT ?text ?start WHERE { ?m kg:text ?text ; kg:start ?start } ORDER BY ?start')
    assert [(r["text"].value, r["start"].value) for r in rows] == [("He", "0"), ("said", "3")]


def test_paper_url_that_is_not_an_iri(tmp_path: Path) -> None:
    paper = Paper(key="title:x", title="X", abstract="Y", sources=("a.jsonl",), url="see the paper")
    path = write_rdf(build_graph([ExtractedPaper(paper)]), tmp_path, ["nt"])["ntriples"]
    assert len(parse(path, "nt")) >= 4


def test_repository_url_with_stray_percent(tmp_path: Path) -> None:
    url = "https://github.com/a/b%zz"
    paper = Paper(key="title:x", title="X", abstract=url, sources=("a.jsonl",))
    m = Mention(Field.ABSTRACT, 0, len(url), url, REPOSITORY, url, 0.99, "code_links")
    graph = build_graph([ExtractedPaper(paper, (m,), (Repository(url, "github.com", True),))])
    path = write_rdf(graph, tmp_path, ["nt"])["ntriples"]
    assert len(parse(path, "nt")) > 0


# --- IRIs -------------------------------------------------------------------------------------


def test_paper_iris_are_stable() -> None:
    iris = Iris()
    assert iris.paper({"arxiv_id": "2301.00001", "key": "title:whatever"}) == f"{RESOURCE_BASE}paper/arxiv/2301.00001"
    assert iris.paper({"arxiv_id": "hep-th/9901001", "key": "x"}) == f"{RESOURCE_BASE}paper/arxiv/hep-th%2F9901001"
    assert iris.paper({"key": "title:a plain record"}) == f"{RESOURCE_BASE}paper/a-plain-record-8e682dcc2b"
    assert iris.paper({"key": "title:" + "x" * 100}) == f"{RESOURCE_BASE}paper/{'x' * 60}-58f0a3ef33"
    assert Iris("http://example.org/r/").paper({"arxiv_id": "2301.00001"}) == "http://example.org/r/paper/arxiv/2301.00001"


def test_title_keyed_iri_is_the_same_for_every_spelling_of_the_title(tmp_path: Path) -> None:
    from kg.ingest._common import make_paper

    a = make_paper(Path("a.txt"), 1, "LAPP: Layer Adaptive  Progressive-Pruning", "x", source="a.txt")
    b = make_paper(Path("b.csv"), 9, "lapp layer adaptive progressive pruning", "y", source="b.csv")
    assert Iris().paper({"key": a.key}) == Iris().paper({"key": b.key}) == (
        f"{RESOURCE_BASE}paper/lapp-layer-adaptive-progressive-pruning-{__import__('hashlib').sha1(a.key.encode()).hexdigest()[:10]}")


def test_concept_repository_and_component_iris() -> None:
    iris = Iris()
    assert iris.concept("Method", "bert") == f"{RESOURCE_BASE}method/bert"
    assert iris.concept("Dataset", "cifar-10") == f"{RESOURCE_BASE}dataset/cifar-10"
    assert iris.concept("Method", "日本語") == f"{RESOURCE_BASE}method/x-c12140a0ff"
    assert iris.concept("Task", "a" * 100) == f"{RESOURCE_BASE}task/{'a' * 80}-7f9000257a"
    assert iris.concept("Method", "a b") != iris.concept("Method", "a-b")  # folded keys stay distinct
    assert iris.repository("https://github.com/a/b") == f"{RESOURCE_BASE}repository/github.com/a/b"
    assert iris.repository("https://github.com/a/b?x=1 2") == f"{RESOURCE_BASE}repository/github.com/a/b%3Fx%3D1%202"
    assert iris.component("patterns:named-dataset") == f"{RESOURCE_BASE}component/patterns-named-dataset"


# --- determinism and atomic writes ------------------------------------------------------------


def three_papers():
    from kg.ingest._common import make_paper

    texts = [("Paper One", "We use SAM here."), ("Paper Two", "We use BERT here."), ("Paper Three", "We use BERT and SAM.")]
    out = []
    for i, (title, abstract) in enumerate(texts):
        p = make_paper(Path(f"{i}.txt"), 1, title, abstract, source=f"{i}.txt")
        ms = []
        for word, key in (("SAM", "sam"), ("BERT", "bert")):
            at = abstract.find(word)
            if at >= 0:
                ms.append(Mention(Field.ABSTRACT, at, at + len(word), word, "Method", key, 0.9, "gazetteer"))
        out.append(ExtractedPaper(p, tuple(ms)))
    return out


@pytest.mark.parametrize("name", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_same_graph_gives_the_same_bytes(tmp_path: Path, name: str) -> None:
    papers = three_papers()
    first = write_rdf(build_graph(papers), tmp_path / "a", [name])[name].read_bytes()
    again = write_rdf(build_graph(papers), tmp_path / "b", [name])[name].read_bytes()
    reordered = write_rdf(build_graph(list(reversed(papers))), tmp_path / "c", [name])[name].read_bytes()
    assert first == again == reordered
    assert b"_:" not in first  # no blank nodes


def test_graph_triples_order_is_deterministic() -> None:
    papers = three_papers()
    a = [str(t) for t in graph_triples(build_graph(papers))]
    b = [str(t) for t in graph_triples(build_graph(papers[::-1]))]
    assert a == b


def test_failed_serialization_leaves_the_existing_file(tmp_path: Path, monkeypatch) -> None:
    target = write_rdf(one_paper_graph(), tmp_path, ["turtle"])["turtle"]
    before = target.read_bytes()

    def broken(graph, base, **options):
        yield from list(graph_triples(graph, base, **options))[:3]
        raise ValueError("boom")

    monkeypatch.setattr(rdf_write, "graph_triples", broken)
    with pytest.raises(ValueError, match="boom"):
        write_rdf(one_paper_graph(), tmp_path, ["turtle"])
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]  # no temp file left behind


def test_atomic_path(tmp_path: Path) -> None:
    target = tmp_path / "out" / "x.txt"
    with atomic_path(target) as temp:
        assert temp.parent == target.parent and temp != target
        temp.write_text("one", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "one"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            temp.write_text("two", encoding="utf-8")
            raise RuntimeError
    assert target.read_text(encoding="utf-8") == "one"
    assert [p.name for p in target.parent.iterdir()] == ["x.txt"]


def test_rdf_format_lookup() -> None:
    assert [rdf_format(n).name for n in ("ttl", "TURTLE", "nt", "json-ld", "xml", "rdfxml")] == [
        "turtle", "turtle", "ntriples", "jsonld", "rdfxml", "rdfxml"]
    with pytest.raises(UsageError, match="unknown RDF format 'n3'"):
        rdf_format("n3")
    assert format_for_file(Path("g.NT")).name == "ntriples"
    with pytest.raises(UsageError):
        format_for_file(Path("g.txt"))


def test_turtle_uses_the_prefixes(tmp_path: Path) -> None:
    text = write_rdf(one_paper_graph(), tmp_path, ["turtle"])["turtle"].read_text(encoding="utf-8")
    assert "@prefix kg: <https://w3id.org/kg-papers/ontology#> ." in text
    assert "kg:Paper" in text


def test_a_kind_of_data_is_a_kind_and_generic_concept_but_no_dataset() -> None:
    from kg.graph import GraphBuilder

    text = "We use training data."
    data = mention(7, 20, "training data", "Dataset", "training-data", 0.8, "model")
    builder = GraphBuilder(is_generic=lambda key: key == "training-data")
    builder.add(ExtractedPaper(Paper(key="t", title="T", abstract=text, sources=("a",)), (data,), ()))
    nt = ox.serialize(graph_triples(builder.build(), describe=False), format=ox.RdfFormat.N_TRIPLES).decode()
    graph = Graph().parse(data=nt, format="nt")
    concept = URIRef(RESOURCE_BASE + "dataset/training-data")
    # skos:Concept materialized from kg:Concept; no kg:Dataset, so no mls:Dataset or schema:Dataset
    assert {o for o in graph.objects(concept, RDF.type)} == {KG.Concept, SKOS.Concept, KG.Kind, KG.GenericConcept}
    paper = next(graph.subjects(KG.mentions, concept))
    assert (paper, KG.usesDataset, concept) not in graph  # papers only mention a kind of data
