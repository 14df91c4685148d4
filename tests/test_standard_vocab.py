"""kg.rdf.standard: the standard vocabularies written beside the core vocabulary, checked by
SPARQL over the export of a few fixture papers (hostile ids and names among them):
materialized superclasses, schema:sameAs, authors as schema:Person in schema:Role order,
categories as SKOS, mentions as Web Annotation selectors; the shapes, the vocabulary check,
VoID, JSON-LD and byte-identical rebuilds."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.graph import build_graph
from kg.rdf.nt import iri_value
from kg.rdf.export import graph_triples
from kg.rdf.namespace import KG, OA, PREFIXES, RESOURCE_BASE, sparql_prologue
from kg.rdf.standard import NOT_MATERIALIZED, SUPERCLASSES, SharedNodes
from kg.rdf.write import write_rdf
from kg.records import REPOSITORY, ExtractedPaper, Field, Mention, Paper, Repository, Result, ResultKind

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

HOSTILE_DOI = '10.1000/x#y?z%<w>"'
HOSTILE_AUTHOR = 'O\'Brien "Jr" <x> {y}'
HOSTILE_CATEGORY = "a/b#c d"


def mention(field, start, end, text, label, key, role=None):
    from kg.records import Role

    return Mention(field, start, end, text, label, key, 0.9, "gazetteer", role or Role.USES)


def papers() -> list[ExtractedPaper]:
    one = Paper(key="arxiv:2301.00001", title="BERT for All", abstract="We use BERT on ImageNet and get 91.2% accuracy.",
                sources=("a.jsonl",), arxiv_id="2301.00001", identifier="arXiv:2301.00001",
                authors=("Ada Lovelace", "Alan Turing"), categories=("cs.LG", "stat.ML", "cs.LG", " "))
    two = Paper(key="title:hostile", title="Hostile", abstract='We use BERT. See https://github.com/a/b. A \\ "quote" <b> \u2028 \U0001F600 end.',
                sources=("b.jsonl",), identifier=HOSTILE_DOI,
                authors=(HOSTILE_AUTHOR, "  Ada   Lovelace "), categories=(HOSTILE_CATEGORY, "Machine Learning", "日本語"))
    three = Paper(key="arxiv:hep-th/9901001", title="Old Style", abstract="Training data only.", sources=("c.jsonl",),
                  arxiv_id="hep-th/9901001", url="https://doi.org/10.5555/ABC")
    result = Result(Field.ABSTRACT, 32, 37, "91.2%", Decimal("91.2"), "%", ResultKind.ABSOLUTE, metric="accuracy",
                    dataset="imagenet", method="bert")
    return [
        ExtractedPaper(one, (mention(Field.TITLE, 0, 4, "BERT", "Method", "bert"),
                             mention(Field.ABSTRACT, 7, 11, "BERT", "Method", "bert"),
                             mention(Field.ABSTRACT, 15, 23, "ImageNet", "Dataset", "imagenet"),
                             mention(Field.ABSTRACT, 38, 46, "accuracy", "Metric", "accuracy")), (), (result,)),
        ExtractedPaper(two, (mention(Field.ABSTRACT, 7, 11, "BERT", "Method", "bert"),
                             mention(Field.ABSTRACT, 17, 39, "https://github.com/a/b", REPOSITORY, "https://github.com/a/b")),
                       (Repository("https://github.com/a/b", "github.com", True),)),
        ExtractedPaper(three, (mention(Field.ABSTRACT, 0, 13, "Training data", "Dataset", "training-data"),)),
    ]


def graph_of(items=None):
    from kg.graph import GraphBuilder

    builder = GraphBuilder(is_generic=lambda key: key == "training-data")
    for item in items or papers():
        builder.add(item)
    return builder.build()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    return write_rdf(graph_of(), tmp_path_factory.mktemp("std"), ["ntriples", "turtle"], created="2024-01-01")


@pytest.fixture(scope="module")
def store(written) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(written["ntriples"]), format=ox.RdfFormat.N_TRIPLES)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(sparql_prologue() + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(sparql_prologue() + query))


P1 = f"{RESOURCE_BASE}paper/arxiv/2301.00001"
P3 = f"{RESOURCE_BASE}paper/arxiv/hep-th%2F9901001"


def hostile_paper(store) -> str:
    (row,) = select(store, 'SELECT ?p WHERE { ?p dcterms:title "Hostile" }')
    return row["p"]


# --- 1, 2: materialized superclasses -------------------------------------------------------


def test_every_paper_is_a_scholarly_article(store):
    papers_ = select(store, "SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p")
    assert len(papers_) == 3
    assert select(store, "SELECT ?p WHERE { ?p a schema:ScholarlyArticle } ORDER BY ?p") == papers_
    assert not ask(store, "ASK { ?p a kg:Paper FILTER NOT EXISTS { ?p a schema:ScholarlyArticle } }")


def _ontology_superclasses() -> dict[str, set[str]]:
    """kg class -> every class kg.ttl states above it, transitively, itself included."""
    ont = Graph().parse(ONTOLOGY, format="turtle")
    return {str(cls): {str(c) for c in ont.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)}
            for cls in ont.subjects(RDF.type, OWL.Class) if isinstance(cls, URIRef) and cls.startswith(str(KG._NS))}


def test_materialized_superclasses_are_the_ontologys():
    """An instance of a kg class is typed with that class's SUPERCLASSES and with those of
    its kg superclasses (the export writes kg:Concept beside kg:Method ...): together, every
    standard class kg.ttl states above it, but for the ones left to inference."""
    stated = _ontology_superclasses()
    written_ = {cls: {iri_value(n) for n in sups} for cls, sups in SUPERCLASSES.items()}
    for cls, above in stated.items():
        standard = {c for c in above if not c.startswith(str(KG._NS))}
        kg_classes = above - standard
        materialized = set().union(*(written_.get(k, set()) for k in kg_classes))
        assert materialized | set(NOT_MATERIALIZED.get(cls, ())) == standard, cls
        assert not materialized & set(NOT_MATERIALIZED.get(cls, ())), cls
    assert set(written_) <= set(stated)
    assert set(NOT_MATERIALIZED) == {str(KG.Mention)}


@pytest.mark.parametrize("kg_class", sorted(SUPERCLASSES))
def test_every_instance_has_its_standard_classes(store, kg_class):
    for sup in SUPERCLASSES[kg_class]:
        missing = select(store, f"SELECT ?x WHERE {{ ?x a <{kg_class}> FILTER NOT EXISTS {{ ?x a {sup} }} }}")
        assert missing == [], (kg_class, sup)


def test_concept_types_without_a_reasoner(store):
    rows = select(store, "SELECT ?c WHERE { ?c a mls:Algorithm , skos:Concept ; skos:prefLabel \"BERT\" }")
    assert len(rows) == 1
    assert ask(store, "ASK { ?d a mls:Dataset , schema:Dataset , skos:Concept ; skos:prefLabel \"ImageNet\" }")
    assert ask(store, "ASK { ?m a mls:EvaluationMeasure ; skos:prefLabel \"accuracy\" }")
    assert ask(store, "ASK { ?r a kg:Result , mls:ModelEvaluation }")
    assert ask(store, "ASK { ?r a kg:Repository , schema:SoftwareSourceCode }")


def test_a_kind_of_data_stays_no_dataset(store):
    kind = f"{RESOURCE_BASE}dataset/training-data"
    types = {r["t"] for r in select(store, f"SELECT ?t WHERE {{ <{kind}> a ?t }}")}
    assert types == {str(KG.Concept), str(KG.Kind), str(KG.GenericConcept), "http://www.w3.org/2004/02/skos/core#Concept"}


# --- 3: authors --------------------------------------------------------------------------------


def authors_of(store, paper: str) -> list[tuple[int, str, str]]:
    rows = select(store, f"""SELECT ?n ?name ?person WHERE {{
        <{paper}> schema:author ?role . ?role a schema:Role ; schema:position ?n ; schema:author ?person .
        ?person a schema:Person ; schema:name ?name }} ORDER BY ?n""")
    return [(int(r["n"]), r["name"], r["person"]) for r in rows]


def test_authors_in_order_as_persons(store):
    rows = authors_of(store, P1)
    assert [(n, name) for n, name, _ in rows] == [(1, "Ada Lovelace"), (2, "Alan Turing")]
    creators = {r["c"] for r in select(store, f"SELECT ?c WHERE {{ <{P1}> dcterms:creator ?c }}")}
    assert creators == {"Ada Lovelace", "Alan Turing"}  # the core vocabulary's literals stay


def test_one_name_one_person_across_papers(store):
    ada = authors_of(store, P1)[0][2]
    hostile = authors_of(store, hostile_paper(store))
    assert [(n, name) for n, name, _ in hostile] == [(1, HOSTILE_AUTHOR), (2, "Ada Lovelace")]
    assert hostile[1][2] == ada  # whitespace folded: the same person
    assert ada.startswith(f"{RESOURCE_BASE}person/ada-lovelace-")
    assert len(select(store, "SELECT ?p WHERE { ?p a schema:Person }")) == 3
    assert all(len(select(store, f"SELECT ?n WHERE {{ <{p}> schema:name ?n }}")) == 1
               for p in {person for *_, person in hostile})


def test_person_iris_are_stable_and_safe():
    shared = SharedNodes(RESOURCE_BASE)
    iri = shared.person(HOSTILE_AUTHOR)
    assert iri == SharedNodes(RESOURCE_BASE).person(HOSTILE_AUTHOR) == shared.person(" " + HOSTILE_AUTHOR + " ")
    assert iri.startswith(f"{RESOURCE_BASE}person/o-brien-jr-x-y-")
    assert not any(c in iri for c in ' <>"{}|^`\\')
    assert shared.person("Ada Lovelace") != shared.person("Ada Lovelace Jr")


# --- 4: identifiers --------------------------------------------------------------------------------


def same_as(store, paper: str) -> set[str]:
    return {r["x"] for r in select(store, f"SELECT ?x WHERE {{ <{paper}> schema:sameAs ?x }}")}


def test_arxiv_and_doi_iris(store):
    assert same_as(store, P1) == {"https://arxiv.org/abs/2301.00001"}
    assert same_as(store, P3) == {"https://arxiv.org/abs/hep-th/9901001", "https://doi.org/10.5555/abc"}
    assert same_as(store, hostile_paper(store)) == {"https://doi.org/10.1000/x%23y%3Fz%25%3Cw%3E%22"}
    # the identifier literal of the core vocabulary is unchanged
    rows = select(store, f'SELECT ?i WHERE {{ <{hostile_paper(store)}> dcterms:identifier ?i }}')
    assert rows == [{"i": HOSTILE_DOI}]


# --- 5: categories ------------------------------------------------------------------------------------


def test_categories_as_a_skos_scheme(store):
    rows = select(store, f"""SELECT ?code WHERE {{ <{P1}> dcterms:subject ?c .
        ?c a skos:Concept ; skos:inScheme ?s ; skos:notation ?code ; skos:prefLabel ?code .
        ?s a skos:ConceptScheme }} ORDER BY ?code""")
    assert [r["code"] for r in rows] == ["cs.LG", "stat.ML"]  # duplicate and blank dropped
    assert len(select(store, "SELECT ?s WHERE { ?s a skos:ConceptScheme }")) == 1
    hostile = {r["c"]: r["code"] for r in select(store, f"""SELECT ?c ?code WHERE {{
        <{hostile_paper(store)}> dcterms:subject ?c . ?c skos:notation ?code }}""")}
    assert hostile == {f"{RESOURCE_BASE}category/a%2Fb%23c%20d": HOSTILE_CATEGORY,
                       f"{RESOURCE_BASE}category/Machine%20Learning": "Machine Learning",
                       f"{RESOURCE_BASE}category/%E6%97%A5%E6%9C%AC%E8%AA%9E": "日本語"}
    # categories are no kg:Concept: concept counts and rankings do not see them
    assert not ask(store, "ASK { ?p dcterms:subject ?c . ?c a kg:Concept }")


def test_categories_carried_from_records_to_rdf_and_back(tmp_path):
    import kg

    records = [{"title": "Adam: A Method for Stochastic Optimization", "id": "1412.6980",
                "abstract": "We propose Adam and evaluate it on MNIST.", "categories": "cs.LG math.OC",
                "authors": ["Diederik P. Kingma", "Jimmy Ba"], "doi": "10.48550/arXiv.1412.6980"}]
    graph = kg.from_records(records, fast=True)
    (attrs,) = [a for _, a in graph.graph.nodes(data=True) if a["kind"] == "paper"]
    assert attrs["categories"] == ("cs.LG", "math.OC")
    graph.write(tmp_path / "out", html=False, store=False)
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    paper = f"{RESOURCE_BASE}paper/arxiv/1412.6980"
    codes = [r["n"] for r in select(store, f"SELECT ?n WHERE {{ <{paper}> dcterms:subject/skos:notation ?n }} ORDER BY ?n")]
    assert codes == ["cs.LG", "math.OC"]
    assert same_as(store, paper) == {"https://arxiv.org/abs/1412.6980", "https://doi.org/10.48550/arxiv.1412.6980"}
    assert [name for _, name, _ in authors_of(store, paper)] == ["Diederik P. Kingma", "Jimmy Ba"]
    loaded = kg.load(tmp_path / "out")
    (back,) = [a for _, a in loaded.graph.nodes(data=True) if a["kind"] == "paper"]
    assert back["categories"] == ("cs.LG", "math.OC")


# --- 6: Web Annotation selectors -------------------------------------------------------------------


def test_every_mention_has_both_selectors_that_agree_with_the_core_terms(store):
    mentions = select(store, "SELECT ?m WHERE { ?m a kg:Mention }")
    agreeing = select(store, """SELECT ?m WHERE {
        ?m a kg:Mention ; kg:inPaper ?paper ; kg:field ?field ; kg:start ?s ; kg:end ?e ; kg:text ?text ;
           oa:hasSource ?source ; oa:hasSelector ?pos , ?quote .
        ?source a dctypes:Text ; dcterms:isPartOf ?paper .
        FILTER(STR(?source) = CONCAT(STR(?paper), "#", ?field))
        ?pos a oa:TextPositionSelector ; oa:start ?ps ; oa:end ?pe .
        ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
        FILTER(?ps = ?s && ?pe = ?e && ?exact = ?text) }""")
    assert len(mentions) == 8  # 7 of concepts and a repository, 1 the evidence of a result
    assert sorted(r["m"] for r in agreeing) == sorted(r["m"] for r in mentions)
    assert not ask(store, "ASK { ?m oa:hasSelector ?a , ?b , ?c FILTER(?a != ?b && ?b != ?c && ?a != ?c) }")


def test_selectors_select_the_text_of_their_source(store):
    texts = {r["p"]: {"title": r["t"], "abstract": r["a"]}
             for r in select(store, "SELECT ?p ?t ?a WHERE { ?p a kg:Paper ; dcterms:title ?t ; dcterms:abstract ?a }")}
    rows = select(store, """SELECT ?paper ?source ?start ?end ?exact WHERE {
        ?m oa:hasSource ?source ; oa:hasSelector ?pos , ?quote . ?source dcterms:isPartOf ?paper .
        ?pos oa:start ?start ; oa:end ?end . ?quote oa:exact ?exact }""")
    assert rows
    for r in rows:
        field = r["source"].rsplit("#", 1)[1]
        assert texts[r["paper"]][field][int(r["start"]):int(r["end"])] == r["exact"]


def test_selectors_are_shared(store):
    positions = select(store, "SELECT ?s WHERE { ?s a oa:TextPositionSelector }")
    quotes = select(store, "SELECT ?s WHERE { ?s a oa:TextQuoteSelector }")
    mentions = select(store, "SELECT ?m WHERE { ?m a kg:Mention }")
    # "BERT" at 7-11 in two papers: one position and one quote selector; "BERT" in a title: the same quote
    assert len(positions) == len(mentions) - 1 and len(quotes) == len(mentions) - 2
    users = select(store, f"SELECT ?m WHERE {{ ?m oa:hasSelector <{RESOURCE_BASE}text-position/7-11> }}")
    assert len(users) == 2
    sources = select(store, "SELECT ?s WHERE { ?s a dctypes:Text }")
    assert len(sources) == 4  # paper one's title and abstract, the abstracts of two and three


def test_without_annotations_nothing_else_changes():
    graph = graph_of()
    full = set(map(str, graph_triples(graph, describe=False)))
    lean = set(map(str, graph_triples(graph, describe=False, annotations=False)))
    assert lean < full
    assert all("http://www.w3.org/ns/oa#" in t or "dcmitype/Text" in t or "/isPartOf" in t
               or "/text-position/" in t or "/text-quote/" in t for t in full - lean)
    assert not any("http://www.w3.org/ns/oa#" in t for t in lean)


# --- 7: shapes, vocabulary check, VoID, namespace --------------------------------------------------


@pytest.fixture(scope="module")
def checked(written):
    pytest.importorskip("pyshacl")
    from kg.rdf.validate import load_graph

    return load_graph(written["ntriples"]), load_graph(SHAPES), load_graph(ONTOLOGY)


def test_the_export_conforms_and_uses_only_known_terms(written):
    pytest.importorskip("pyshacl")
    from kg.rdf.validate import validate

    for path in written.values():
        report = validate(path)
        assert report.conforms, report.text(limit=10)


@pytest.mark.parametrize("breakage,path", [
    ("selector-start", OA.start),
    ("role-person", "https://schema.org/author"),
    ("category-scheme", "http://www.w3.org/2004/02/skos/core#inScheme"),
    ("person-name", "https://schema.org/name"),
    ("source", OA.hasSource),
])
def test_shapes_catch_broken_standard_nodes(checked, breakage, path):
    from kg.rdf.validate import validate_graph

    data, shapes, ontology = checked
    broken = Graph()
    for triple in data:
        broken.add(triple)
    schema, skos = "https://schema.org/", "http://www.w3.org/2004/02/skos/core#"
    if breakage == "selector-start":
        focus = next(broken.subjects(RDF.type, OA.TextPositionSelector))
        broken.set((focus, OA.start, Literal(3)))  # xsd:integer, not xsd:nonNegativeInteger
    elif breakage == "role-person":
        focus = next(broken.subjects(RDF.type, URIRef(schema + "Role")))
        broken.remove((focus, URIRef(schema + "author"), None))
    elif breakage == "category-scheme":
        focus = next(broken.objects(None, URIRef("http://purl.org/dc/terms/subject")))
        broken.remove((focus, URIRef(skos + "inScheme"), None))
    elif breakage == "person-name":
        focus = next(broken.subjects(RDF.type, URIRef(schema + "Person")))
        broken.add((focus, URIRef(schema + "name"), Literal("Another Name")))
    else:
        focus = next(broken.subjects(RDF.type, KG.Mention))
        broken.add((focus, OA.hasSource, URIRef(str(focus) + "-elsewhere")))
    report = validate_graph(broken, shapes, ontology)
    assert not report.conforms
    assert (str(focus), str(path)) in {(v.focus, v.path) for v in report.violations}, report.text()


def test_a_misspelt_oa_term_is_caught(checked):
    from kg.rdf.validate import unknown_terms

    data, _, ontology = checked
    assert unknown_terms(data, ontology) == []
    broken = Graph()
    for triple in data:
        broken.add(triple)
    mention_ = next(broken.subjects(RDF.type, KG.Mention))
    broken.add((mention_, URIRef("http://www.w3.org/ns/oa#hasSelecter"), URIRef(RESOURCE_BASE + "x")))
    assert [v.focus for v in unknown_terms(broken, ontology)] == ["http://www.w3.org/ns/oa#hasSelecter"]


def test_void_lists_the_vocabularies_used():
    from kg.rdf.void import VOID

    def vocabularies(**options) -> list[str]:
        nt = ox.serialize(graph_triples(graph_of(), created="2024-01-01", **options), format=ox.RdfFormat.N_TRIPLES)
        store = ox.Store()
        store.load(nt, format=ox.RdfFormat.N_TRIPLES)
        return [r[0].value for r in store.query(f"SELECT ?v WHERE {{ ?d <{VOID}vocabulary> ?v }}")]

    used = vocabularies()
    for prefix in ("dcterms", "skos", "schema", "prov", "mls", "oa", "dctypes"):
        assert PREFIXES[prefix] in used, prefix
    assert PREFIXES["oa"] not in vocabularies(annotations=False)


# --- 8: determinism ---------------------------------------------------------------------------------


def test_rebuilds_are_byte_identical(tmp_path):
    formats = ["ntriples", "turtle", "jsonld", "rdfxml"]
    first = write_rdf(graph_of(), tmp_path / "a", formats, created="2024-01-01")
    again = write_rdf(graph_of(list(reversed(papers()))), tmp_path / "b", formats, created="2024-01-01")
    for name in formats:
        assert first[name].read_bytes() == again[name].read_bytes(), name
        # written alone (its triples generated) or after N-Triples (read back from it): the same bytes
        alone = write_rdf(graph_of(), tmp_path / f"alone-{name}", [name], created="2024-01-01")[name]
        assert alone.read_bytes() == first[name].read_bytes(), name
    assert b"_:" not in first["ntriples"].read_bytes()


# --- 9: JSON-LD --------------------------------------------------------------------------------------


def test_jsonld_context_covers_the_standard_prefixes(tmp_path):
    import kg
    from kg.export import jsonld_context

    context = jsonld_context()
    for prefix in ("schema", "skos", "oa", "dctypes", "mls", "dcterms"):
        assert context[prefix] == PREFIXES[prefix]
    graph = kg.KnowledgeGraph(graph_of())
    (path,) = graph.export("jsonld", tmp_path / "g.jsonld")
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["@context"]["oa"] == "http://www.w3.org/ns/oa#"
    for term in ('"oa:hasSelector"', '"oa:TextQuoteSelector"', '"schema:ScholarlyArticle"', '"skos:notation"'):
        assert term in text, term
    again = Graph().parse(data=text, format="json-ld")
    assert len(again) == sum(1 for _ in graph_triples(graph.graph, created="2024-01-01"))
