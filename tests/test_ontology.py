"""ontology/kg.ttl, ontology/shapes.ttl and kg.rdf.namespace stay in step with each other
and with the core vocabulary of DESIGN.md."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.rdf.namespace import KG, MLS, OA, PREFIXES, RESOURCE_BASE, sparql_prologue

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "kg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/kg-papers/ontology")

DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain Namespace: pytest probes module attributes

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def kg_terms() -> set[URIRef]:
    return set(dir(KG))


def declared_kg_terms(ont: Graph) -> set[URIRef]:
    return {
        s
        for t in (*TERM_TYPES, OWL.NamedIndividual)
        for s in ont.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(KG))
    }


# ---------------------------------------------------------------------------
# Namespace module
# ---------------------------------------------------------------------------


def test_namespaces_are_closed():
    assert KG.Paper == URIRef("https://w3id.org/kg-papers/ontology#Paper")
    assert MLS.Algorithm == URIRef("http://www.w3.org/ns/mls#Algorithm")
    with pytest.raises(AttributeError):
        KG.paper  # noqa: B018 (misspelt on purpose)
    with pytest.raises(AttributeError):
        MLS.Algorythm  # noqa: B018
    assert OA.hasSelector == URIRef("http://www.w3.org/ns/oa#hasSelector")
    with pytest.raises(AttributeError):
        OA.hasSelecter  # noqa: B018


def test_oa_namespace_is_the_oa_terms_of_the_ontology_and_shapes(ont: Graph, shapes: Graph):
    """OA lists exactly the Web Annotation terms kg.ttl uses; the shapes use no other."""
    def oa_terms(graph: Graph) -> set[URIRef]:
        return {t for triple in graph for t in triple
                if isinstance(t, URIRef) and t.startswith(str(OA._NS)) and t != URIRef(str(OA._NS))}

    assert oa_terms(ont) == set(dir(OA))
    assert oa_terms(shapes) <= set(dir(OA))


def test_prefixes():
    assert PREFIXES["kg"] == "https://w3id.org/kg-papers/ontology#"
    assert PREFIXES["schema"] == "https://schema.org/"
    assert PREFIXES["mls"] == "http://www.w3.org/ns/mls#"
    assert PREFIXES["res"] == RESOURCE_BASE == "https://w3id.org/kg-papers/resource/"
    assert PREFIXES["oa"] == "http://www.w3.org/ns/oa#"
    assert PREFIXES["dctypes"] == "http://purl.org/dc/dcmitype/"
    for p in ("dcterms", "skos", "prov", "xsd", "rdf", "rdfs", "owl", "void"):
        assert p in PREFIXES
    prologue = sparql_prologue()
    assert "PREFIX kg: <https://w3id.org/kg-papers/ontology#>" in prologue
    Graph().query(prologue + "SELECT * WHERE { ?p a kg:Paper ; schema:url ?u }")


@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES, ROOT / "kg" / "rdf" / "namespace.py"])
def test_schema_org_is_https_everywhere(path: Path):
    assert "http://schema.org" not in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# Ontology: header and term documentation
# ---------------------------------------------------------------------------


def test_ontology_header(ont: Graph):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ont.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://spdx.org/licenses/MIT")
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.created):
        assert ont.value(ONTOLOGY_IRI, p) is not None, p
    assert str(ont.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "kg"
    assert str(ont.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(KG)


def test_namespace_and_ontology_declare_the_same_terms(ont: Graph):
    declared = declared_kg_terms(ont)
    assert kg_terms() - declared == set(), "in KG but not declared in kg.ttl"
    assert declared - kg_terms() == set(), "declared in kg.ttl but not in KG"
    # no stray kg: IRIs used anywhere in the ontology without a declaration
    used = {t for triple in ont for t in triple if isinstance(t, URIRef) and t.startswith(str(KG))}
    assert used <= declared


@pytest.mark.parametrize("term", sorted(dir(KG)), ids=lambda t: t.split("#")[1])
def test_every_term_is_documented(ont: Graph, term: URIRef):
    for p in (RDFS.label, RDFS.comment):
        values = list(ont.objects(term, p))
        assert values, f"{term} has no {p}"
        assert all(isinstance(v, Literal) and v.language == "en" for v in values)
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ont
    is_property = any((term, RDF.type, t) in ont for t in TERM_TYPES[1:])
    if is_property:
        assert ont.value(term, RDFS.domain) is not None, f"{term} has no domain"
        assert ont.value(term, RDFS.range) is not None, f"{term} has no range"


# ---------------------------------------------------------------------------
# Ontology: links to standard vocabularies (DESIGN.md core vocabulary)
# ---------------------------------------------------------------------------

SUBCLASS_OF = [
    (KG.Paper, SCHEMA.ScholarlyArticle),
    (KG.Concept, SKOS.Concept),
    (KG.Method, KG.Concept),
    (KG.Method, MLS.Algorithm),
    (KG.Dataset, KG.Concept),
    (KG.Dataset, MLS.Dataset),
    (KG.Dataset, SCHEMA.Dataset),
    (KG.Metric, KG.Concept),
    (KG.Metric, MLS.EvaluationMeasure),
    (KG.Task, KG.Concept),
    (KG.Task, MLS.Task),
    (KG.Repository, SCHEMA.SoftwareSourceCode),
    (KG.Mention, PROV.Entity),
    (KG.Mention, OA.SpecificResource),
    (KG.ExtractionRun, PROV.Activity),
    (KG.Result, MLS.ModelEvaluation),
]

SUBPROPERTY_OF = [
    (KG.mentions, SCHEMA.mentions),
    (KG.usesMethod, KG.mentions),
    (KG.proposesMethod, KG.mentions),
    (KG.usesDataset, KG.mentions),
    (KG.reportsMetric, KG.mentions),
    (KG.addressesTask, KG.mentions),
    (KG.acronym, SKOS.altLabel),
]

DOMAIN_RANGE = [
    (KG.mentions, KG.Paper, KG.Concept),
    (KG.usesMethod, KG.Paper, KG.Method),
    (KG.proposesMethod, KG.Paper, KG.Method),
    (KG.usesDataset, KG.Paper, KG.Dataset),
    (KG.reportsMetric, KG.Paper, KG.Metric),
    (KG.addressesTask, KG.Paper, KG.Task),
    (KG.hasCode, KG.Paper, KG.Repository),
    (KG.inPaper, KG.Mention, KG.Paper),
    (KG.field, KG.Mention, XSD.string),
    (KG.start, KG.Mention, XSD.nonNegativeInteger),
    (KG.end, KG.Mention, XSD.nonNegativeInteger),
    (KG.text, KG.Mention, XSD.string),
    (KG.confidence, KG.Mention, XSD.decimal),
    (KG.host, KG.Repository, XSD.string),
    (KG.isCodeHost, KG.Repository, XSD.boolean),
    (KG.acronym, KG.Concept, XSD.string),
    (KG.reportsResult, KG.Paper, KG.Result),
    (KG.resultKind, KG.Result, KG.ResultKind),
    (KG.onMetric, KG.Result, KG.Metric),
    (KG.onDataset, KG.Result, KG.Dataset),
    (KG.ofMethod, KG.Result, KG.Method),
    (KG.evidence, KG.Result, KG.Mention),
    (KG.value, KG.Result, XSD.decimal),
    (KG.unit, KG.Result, XSD.string),
    (KG.lowerIsBetter, KG.Metric, XSD.boolean),
    # the counts the export writes for the named queries (kg.rdf.aggregates)
    (KG.pairMethod, KG.ConceptPair, KG.Method),
    (KG.pairDataset, KG.ConceptPair, KG.Dataset),
    (KG.pairCount, KG.ConceptPair, XSD.integer),
    (KG.groupDataset, KG.ResultGroup, KG.Dataset),
    (KG.groupMetric, KG.ResultGroup, KG.Metric),
    (KG.resultCount, KG.ResultGroup, XSD.integer),
]


@pytest.mark.parametrize("sub,sup", SUBCLASS_OF, ids=lambda t: t.n3(Graph().namespace_manager))
def test_subclass_links(ont: Graph, sub: URIRef, sup: URIRef):
    assert (sub, RDF.type, OWL.Class) in ont
    assert (sub, RDFS.subClassOf, sup) in ont
    assert (sup, RDF.type, OWL.Class) in ont or sup.startswith(str(KG))


@pytest.mark.parametrize("sub,sup", SUBPROPERTY_OF, ids=lambda t: t.n3(Graph().namespace_manager))
def test_subproperty_links(ont: Graph, sub: URIRef, sup: URIRef):
    assert (sub, RDFS.subPropertyOf, sup) in ont
    # a property and its super-property are of the same OWL kind (OWL 2 DL)
    kinds = lambda p: {t for t in TERM_TYPES[1:] if (p, RDF.type, t) in ont}  # noqa: E731
    assert kinds(sub) and kinds(sub) == kinds(sup)


@pytest.mark.parametrize("prop,domain,range_", DOMAIN_RANGE, ids=lambda t: t.n3(Graph().namespace_manager))
def test_domain_and_range(ont: Graph, prop: URIRef, domain: URIRef, range_: URIRef):
    assert ont.value(prop, RDFS.domain) == domain
    assert ont.value(prop, RDFS.range) == range_


def test_denotes_range_is_concept_or_repository(ont: Graph):
    assert ont.value(KG.denotes, RDFS.domain) == KG.Mention
    union = ont.value(KG.denotes, RDFS.range)
    assert isinstance(union, BNode)
    members = set(Collection(ont, ont.value(union, OWL.unionOf)))
    assert members == {KG.Concept, KG.Repository, KG.Result}


def test_paper_count_is_on_concepts_and_result_groups(ont: Graph):
    assert ont.value(KG.paperCount, RDFS.range) == XSD.integer
    union = ont.value(KG.paperCount, RDFS.domain)
    assert isinstance(union, BNode)
    assert set(Collection(ont, ont.value(union, OWL.unionOf))) == {KG.Concept, KG.ResultGroup}


def test_property_kinds(ont: Graph):
    objects = {KG.mentions, KG.usesMethod, KG.proposesMethod, KG.usesDataset, KG.reportsMetric,
               KG.addressesTask, KG.hasCode, KG.inPaper, KG.denotes,
               KG.reportsResult, KG.resultKind, KG.onMetric, KG.onDataset, KG.ofMethod, KG.evidence,
               KG.pairMethod, KG.pairDataset, KG.groupDataset, KG.groupMetric}
    data = {KG.field, KG.start, KG.end, KG.text, KG.confidence, KG.host, KG.isCodeHost,
            KG.value, KG.unit, KG.lowerIsBetter, KG.paperCount, KG.pairCount, KG.resultCount}
    assert set(ont.subjects(RDF.type, OWL.ObjectProperty)) & set(dir(KG)) == objects
    assert set(ont.subjects(RDF.type, OWL.DatatypeProperty)) & set(dir(KG)) == data
    # the external terms the export uses are declared, not redefined
    for term in (DCTERMS.title, DCTERMS.abstract, DCTERMS.identifier, DCTERMS.issued,
                 DCTERMS.creator, DCTERMS.source, SCHEMA.url, SCHEMA.codeRepository,
                 SKOS.prefLabel, SKOS.altLabel, PROV.wasGeneratedBy,
                 # the standard vocabularies' terms (kg.rdf.standard)
                 DCTERMS.subject, DCTERMS.isPartOf, SCHEMA.sameAs, SCHEMA.author, SCHEMA.name, SCHEMA.position,
                 SKOS.inScheme, SKOS.notation, OA.hasSource, OA.hasSelector, OA.start, OA.end, OA.exact):
        assert any((term, RDF.type, t) in ont for t in TERM_TYPES[1:]), term
        assert ont.value(term, RDFS.domain) is None and ont.value(term, RDFS.range) is None


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

# Resources are written as IRIs relative to the base: "/" is not allowed in a prefixed name.
PREFIX_TTL = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
PREFIX_TTL += f"@base <{RESOURCE_BASE}> .\n"

CONFORMING = PREFIX_TTL + """
<paper/2401.00001> a kg:Paper ;
    dcterms:title "Attention Is All You Need" ;
    dcterms:abstract "We propose the Transformer. Code: https://github.com/org/repo" ;
    dcterms:identifier "arXiv:2401.00001" ;
    dcterms:source "data/seeds/page1.txt" ;
    kg:proposesMethod <method/transformer> ;
    kg:hasCode <repo/github.com/org/repo> .

<method/transformer> a kg:Concept , kg:Method ;
    skos:prefLabel "Transformer" ;
    skos:altLabel "transformers" .

<repo/github.com/org/repo> a kg:Repository ;
    schema:codeRepository <https://github.com/org/repo> ;
    kg:host "github.com" ;
    kg:isCodeHost true .

<mention/2401.00001/abstract/16-27> a kg:Mention ;
    kg:inPaper <paper/2401.00001> ;
    kg:denotes <method/transformer> ;
    kg:field "abstract" ;
    kg:start "16"^^xsd:nonNegativeInteger ;
    kg:end "27"^^xsd:nonNegativeInteger ;
    kg:text "Transformer" ;
    kg:confidence 0.9 ;
    prov:wasGeneratedBy <component/gazetteer> .

<component/gazetteer> a kg:ExtractionRun .
"""

BROKEN = PREFIX_TTL + """
<paper/p1> a kg:Paper ;
    dcterms:title "First title" , "Second title" ;
    dcterms:source "data/seeds/page1.txt" ;
    kg:usesDataset <method/bert> .

<method/bert> a kg:Concept , kg:Method ;
    skos:prefLabel "BERT" .

<dataset/unlabelled> a kg:Concept , kg:Dataset .

<mention/m1> a kg:Mention ;
    kg:inPaper <paper/p1> ;
    kg:denotes <method/bert> ;
    kg:field "abstract" ;
    kg:start "10"^^xsd:nonNegativeInteger ;
    kg:end "10"^^xsd:nonNegativeInteger ;
    kg:text "BERT" ;
    kg:confidence 0.5 ;
    prov:wasGeneratedBy <component/gazetteer> .
"""

RES = Namespace(RESOURCE_BASE)


def validate(data_ttl: str, shapes: Graph, **kwargs) -> tuple[bool, Graph, str]:
    data = Graph().parse(data=data_ttl, format="turtle")
    return pyshacl.validate(data, shacl_graph=shapes, **kwargs)


def violations(report: Graph) -> set[tuple]:
    """(focus node, path, constraint component) of every validation result."""
    return {
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def assert_one_change_violates(shapes: Graph, addition: str, old: str, new: str, focus: str, path: URIRef,
                               component: URIRef) -> None:
    """CONFORMING plus `addition` with its one `old` replaced by `new` breaks exactly the
    constraint `component` on `path` of the resource `focus`."""
    assert addition.count(old) == 1, old
    conforms, report, text = validate(CONFORMING + addition.replace(old, new), shapes)
    assert not conforms
    assert (RES[focus], path, component) in violations(report), text


def test_shapes_parse(shapes: Graph):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    targets = {o for s in node_shapes for o in shapes.objects(s, SH.targetClass)}
    assert {KG.Paper, KG.Concept, KG.Method, KG.Dataset, KG.Metric, KG.Task,
            KG.Repository, KG.Mention} <= targets
    assert {SCHEMA.Role, SCHEMA.Person, OA.TextPositionSelector, OA.TextQuoteSelector} <= targets
    assert "http://schema.org/" not in {str(ns) for _, ns in shapes.namespaces()}


def test_conforming_graph_conforms(shapes: Graph):
    conforms, _, text = validate(CONFORMING, shapes)
    assert conforms, text


def test_conforming_graph_conforms_with_ontology(shapes: Graph, ont: Graph):
    conforms, _, text = validate(CONFORMING, shapes, ont_graph=ont, inference="rdfs")
    assert conforms, text


# What kg.rdf.standard adds for the paper and the mention of CONFORMING.
STANDARD = """
<paper/2401.00001> a schema:ScholarlyArticle ;
    schema:sameAs <https://arxiv.org/abs/2401.00001> ;
    schema:author <paper/2401.00001#author-1> ;
    dcterms:subject <category/cs.LG> .
<paper/2401.00001#author-1> a schema:Role ; schema:author <person/ada-lovelace-0> ; schema:position 1 .
<person/ada-lovelace-0> a schema:Person ; schema:name "Ada Lovelace" .
<categories> a skos:ConceptScheme ; skos:prefLabel "Subject categories" .
<category/cs.LG> a skos:Concept ; skos:inScheme <categories> ; skos:prefLabel "cs.LG" ; skos:notation "cs.LG" .
<mention/2401.00001/abstract/16-27> oa:hasSource <paper/2401.00001#abstract> ;
    oa:hasSelector <text-position/16-27> , <text-quote/0> .
<paper/2401.00001#abstract> a dctypes:Text ; dcterms:isPartOf <paper/2401.00001> .
<text-position/16-27> a oa:TextPositionSelector ; oa:start "16"^^xsd:nonNegativeInteger ; oa:end "27"^^xsd:nonNegativeInteger .
<text-quote/0> a oa:TextQuoteSelector ; oa:exact "Transformer" .
"""


@pytest.mark.parametrize(
    "old,new,focus,path,component",
    [
        ('oa:start "16"^^xsd:nonNegativeInteger', 'oa:start "30"^^xsd:nonNegativeInteger', "text-position/16-27",
         OA.start, SH.LessThanConstraintComponent),
        ('oa:exact "Transformer"', 'oa:exact ""', "text-quote/0", OA.exact, SH.MinLengthConstraintComponent),
        ("schema:position 1", 'schema:position "1"', "paper/2401.00001#author-1", SCHEMA.position,
         SH.DatatypeConstraintComponent),
        ("<text-quote/0> .\n", "<text-quote/0> , <text-quote/1> .\n", "mention/2401.00001/abstract/16-27",
         OA.hasSelector, SH.MaxCountConstraintComponent),
        ('skos:notation "cs.LG" .', ".", "category/cs.LG", SKOS.notation, SH.MinCountConstraintComponent),
        ("dcterms:isPartOf <paper/2401.00001>", "dcterms:isPartOf <category/cs.LG>", "paper/2401.00001#abstract",
         DCTERMS.isPartOf, SH.ClassConstraintComponent),
    ],
)
def test_standard_vocabulary_constraints(shapes: Graph, old: str, new: str, focus: str, path: URIRef, component: URIRef):
    assert_one_change_violates(shapes, STANDARD, old, new, focus, path, component)


def test_broken_graph_reports_each_violation(shapes: Graph):
    conforms, report, text = validate(BROKEN, shapes)
    assert not conforms
    found = violations(report)
    expected = {
        (RES["paper/p1"], DCTERMS.title, SH.MaxCountConstraintComponent),
        (RES["mention/m1"], KG.start, SH.LessThanConstraintComponent),
        (RES["paper/p1"], KG.usesDataset, SH.ClassConstraintComponent),
        (RES["dataset/unlabelled"], SKOS.prefLabel, SH.MinCountConstraintComponent),
    }
    assert expected <= found, text
    assert found == expected, text  # and nothing else is wrong with it


@pytest.mark.parametrize(
    "ttl_fragment,path,component",
    [
        ('kg:field "body"', KG.field, SH.PatternConstraintComponent),
        ('kg:field "abstracts"', KG.field, SH.PatternConstraintComponent),
        ('kg:confidence 1.5', KG.confidence, SH.MaxInclusiveConstraintComponent),
        ('kg:confidence "0.5"^^xsd:double', KG.confidence, SH.DatatypeConstraintComponent),
        ('kg:start 3', KG.start, SH.DatatypeConstraintComponent),
        ('kg:text "Transformer"@en', KG.text, SH.DatatypeConstraintComponent),
        ('kg:inPaper <method/transformer>', KG.inPaper, SH.ClassConstraintComponent),
        ('prov:wasGeneratedBy <component/other>', PROV.wasGeneratedBy, SH.MaxCountConstraintComponent),
    ],
)
def test_mention_constraints(shapes: Graph, ttl_fragment: str, path: URIRef, component: URIRef):
    mention = RES["mention/2401.00001/abstract/16-27"]
    data = Graph().parse(data=CONFORMING, format="turtle")
    data.remove((mention, path, None))
    data.parse(data=PREFIX_TTL + f"<{mention}> {ttl_fragment} .", format="turtle")
    if path == PROV.wasGeneratedBy:  # keep the original too: two values
        data.add((mention, PROV.wasGeneratedBy, RES["component/gazetteer"]))
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes)
    assert not conforms
    assert (mention, path, component) in violations(report), text


def test_literals_as_rdflib_writes_them_conform(shapes: Graph):
    """An export built with rdflib terms (explicit xsd:string, Decimal, typed ints) conforms."""
    mention = RES["mention/2401.00001/abstract/16-27"]
    data = Graph().parse(data=CONFORMING, format="turtle")
    data.set((mention, KG.field, Literal("abstract", datatype=XSD.string)))
    data.set((mention, KG.text, Literal("Transformer", datatype=XSD.string)))
    data.set((mention, KG.start, Literal(16, datatype=XSD.nonNegativeInteger)))
    data.set((mention, KG.end, Literal(27, datatype=XSD.nonNegativeInteger)))
    data.set((mention, KG.confidence, Literal(Decimal("0.85"))))
    reparsed = Graph().parse(data=data.serialize(format="turtle"), format="turtle")
    for graph in (data, reparsed):
        conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
        assert conforms, text


def test_repository_url_must_be_an_iri(shapes: Graph):
    repo = RES["repo/github.com/org/repo"]
    data = Graph().parse(data=CONFORMING, format="turtle")
    data.set((repo, SCHEMA.codeRepository, Literal("https://github.com/org/repo")))
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes)
    assert not conforms
    assert (repo, SCHEMA.codeRepository, SH.NodeKindConstraintComponent) in violations(report), text


# The counts the export writes for the named queries (kg.rdf.aggregates), on CONFORMING's concepts.
COUNTS = """
<method/transformer> kg:paperCount 1 .
<dataset/wmt14> a kg:Concept , kg:Dataset ; skos:prefLabel "WMT 2014" ; kg:paperCount 2 .
<pair/method/transformer/dataset/wmt14> a kg:ConceptPair ;
    kg:pairMethod <method/transformer> ; kg:pairDataset <dataset/wmt14> ; kg:pairCount 2 .
<results/dataset/wmt14> a kg:ResultGroup ;
    kg:groupDataset <dataset/wmt14> ; kg:resultCount 3 ; kg:paperCount 2 .
"""


@pytest.mark.parametrize("addition", [STANDARD, COUNTS], ids=["standard-vocabulary", "counts"])
def test_added_nodes_conform(addition: str, shapes: Graph, ont: Graph):
    for kwargs in ({}, {"ont_graph": ont, "inference": "rdfs"}):
        conforms, _, text = validate(CONFORMING + addition, shapes, **kwargs)
        assert conforms, text


@pytest.mark.parametrize(
    "old,new,focus,path,component",
    [
        ("kg:pairCount 2", 'kg:pairCount "2"', "pair/method/transformer/dataset/wmt14", KG.pairCount,
         SH.DatatypeConstraintComponent),
        ("kg:pairMethod <method/transformer> ;", "", "pair/method/transformer/dataset/wmt14", KG.pairMethod,
         SH.MinCountConstraintComponent),
        ("kg:pairDataset <dataset/wmt14>", "kg:pairDataset <method/transformer>", "pair/method/transformer/dataset/wmt14",
         KG.pairDataset, SH.ClassConstraintComponent),
        ("kg:groupDataset <dataset/wmt14> ;", "", "results/dataset/wmt14", KG.groupDataset,
         SH.MinCountConstraintComponent),
        ("kg:resultCount 3", "kg:resultCount 0", "results/dataset/wmt14", KG.resultCount,
         SH.MinInclusiveConstraintComponent),
        ("<method/transformer> kg:paperCount 1", "<method/transformer> kg:paperCount -1", "method/transformer",
         KG.paperCount, SH.MinInclusiveConstraintComponent),
        ("<method/transformer> kg:paperCount 1", "<method/transformer> kg:paperCount 1 , 2", "method/transformer",
         KG.paperCount, SH.MaxCountConstraintComponent),
    ],
)
def test_count_constraints(shapes: Graph, old: str, new: str, focus: str, path: URIRef, component: URIRef):
    assert_one_change_violates(shapes, COUNTS, old, new, focus, path, component)


def test_a_count_on_something_else_is_caught(shapes: Graph):
    conforms, report, text = validate(CONFORMING + COUNTS + "<paper/2401.00001> kg:paperCount 3 .\n", shapes)
    assert not conforms
    assert any(focus == RES["paper/2401.00001"] for focus, _, _ in violations(report)), text
