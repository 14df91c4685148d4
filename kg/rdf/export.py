"""The networkx graph -> RDF triples in the core vocabulary, written by Oxigraph.

Triples are generated in a fixed order (nodes sorted by IRI), so the same input gives
byte-identical files; they stream straight into Oxigraph's serializers, never into an
in-memory rdflib graph. IRIs are stable: a paper is keyed on its arXiv id when it has
one, else on its normalized title; a concept on its type and key; a repository on its URL.
A paper's results (kg:Result) follow its mentions, each with
its own evidence mention over the number. Untrusted text only ever reaches RDF as literals (escaped by the serializer) or as
percent-encoded IRI segments. Beside the core vocabulary, kg.rdf.standard adds the
standard vocabularies' view of the same data: materialized schema:/skos:/mls: superclasses,
schema:sameAs arXiv and DOI IRIs, authors as schema:Person in schema:Role order, categories
as a SKOS concept scheme, and (unless `annotations` is off) every kg:Mention as a Web
Annotation oa:SpecificResource with a text-position and a text-quote selector. The stream
ends with a VoID description of the dataset (kg.rdf.void).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from dataclasses import dataclass
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.normalize import slug
from kg.rdf.namespace import KG, RESOURCE_BASE
from kg.rdf.standard import SharedNodes, superclass_triples
from kg.rdf.void import VoidStats, void_triples
from kg.records import Mention, Result
from kg.text import is_web_url

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9-]*[A-Z0-9]s?$")


def _iri(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


TYPE = _iri(RDF.type)
STRING = _iri(XSD.string)


def _text(value: str) -> ox.Literal:
    return ox.Literal(value)


_DATATYPES: dict = {}


def _typed(value, datatype) -> ox.Literal:
    node = _DATATYPES.get(datatype)
    if node is None:
        node = _DATATYPES[datatype] = _iri(datatype)
    return ox.Literal(str(value), datatype=node)


# The terms of every mention and result, made once: a DefinedNamespace lookup and a new
# NamedNode for each of the millions of these triples cost a fifth of the export's time.
_MENTION, _IN_PAPER, _DENOTES, _FIELD, _START, _END, _TEXT, _CONFIDENCE, _GENERATED_BY = (
    _iri(t) for t in (KG.Mention, KG.inPaper, KG.denotes, KG.field, KG.start, KG.end, KG.text, KG.confidence,
                      PROV.wasGeneratedBy))
_REPORTS, _RESULT, _VALUE, _UNIT, _RESULT_KIND, _EVIDENCE = (
    _iri(t) for t in (KG.reportsResult, KG.Result, KG.value, KG.unit, KG.resultKind, KG.evidence))
_RESULT_LINKS = ((_iri(KG.onMetric), "Metric", "metric"), (_iri(KG.onDataset), "Dataset", "dataset"),
                 (_iri(KG.ofMethod), "Method", "method"))


def url_iri(url: str) -> ox.NamedNode:
    """An IRI for a URL from untrusted text: unsafe characters and stray "%" percent-encoded."""
    quoted = quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")
    return ox.NamedNode(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", quoted))


@functools.lru_cache(maxsize=256)
def _component_node(base: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}component/{slug(name)}")


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Iris:
    """Mints the stable IRIs of a graph's resources under one base."""

    base: str = RESOURCE_BASE

    def paper(self, attrs: dict) -> str:
        if attrs.get("arxiv_id"):
            return f"{self.base}paper/arxiv/{quote(attrs['arxiv_id'], safe='')}"
        key = attrs["key"]
        return f"{self.base}paper/{slug(key.removeprefix('title:'), 60)}-{_hash(key)}"

    def concept(self, ctype: str, key: str) -> str:
        segment = slug(key)
        if segment != key:  # folded or truncated: keep distinct keys distinct
            segment = f"{segment}-{_hash(key)}"
        return f"{self.base}{ctype.lower()}/{segment}"

    def repository(self, url: str) -> str:
        return f"{self.base}repository/{quote(url.split('://', 1)[-1], safe='/-._~')}"

    def component(self, name: str) -> str:
        return f"{self.base}component/{slug(name)}"

    def component_node(self, name: str) -> ox.NamedNode:
        """The component's IRI as an Oxigraph term (a handful, asked for by every mention)."""
        return _component_node(self.base, name)

    def node(self, graph: nx.DiGraph, node: str) -> str:
        attrs = graph.nodes[node]
        if attrs["kind"] == "paper":
            return self.paper(attrs)
        if attrs["kind"] == "concept":
            return self.concept(attrs["ctype"], attrs["key"])
        return self.repository(attrs["url"])


def _paper_triples(iri: ox.NamedNode, attrs: dict) -> Iterator[ox.Triple]:
    yield ox.Triple(iri, TYPE, _iri(KG.Paper))
    yield from superclass_triples(iri, KG.Paper)
    yield ox.Triple(iri, _iri(DCTERMS.title), _text(attrs["title"]))
    yield ox.Triple(iri, _iri(DCTERMS.abstract), _text(attrs["abstract"]))
    if attrs.get("identifier"):
        yield ox.Triple(iri, _iri(DCTERMS.identifier), _text(attrs["identifier"]))
    if attrs.get("issued"):
        issued = attrs["issued"]
        yield ox.Triple(iri, _iri(DCTERMS.issued), _typed(issued, XSD.date) if _DATE.match(issued) else _text(issued))
    for author in attrs.get("authors") or ():
        yield ox.Triple(iri, _iri(DCTERMS.creator), _text(author))
    if attrs.get("url") and is_web_url(attrs["url"]):
        yield ox.Triple(iri, _iri(SDO.url), url_iri(attrs["url"]))
    for source in attrs["sources"]:
        yield ox.Triple(iri, _iri(DCTERMS.source), _text(source))


def _concept_triples(iri: ox.NamedNode, attrs: dict) -> Iterator[ox.Triple]:
    yield ox.Triple(iri, TYPE, _iri(KG.Concept))
    yield from superclass_triples(iri, KG.Concept)
    if not (attrs.get("generic") and attrs["ctype"] == "Dataset"):  # a kind of data is no dataset
        yield ox.Triple(iri, TYPE, _iri(KG[attrs["ctype"]]))
        yield from superclass_triples(iri, KG[attrs["ctype"]])
    if attrs.get("generic"):  # a kind (kg.kinds); kg:GenericConcept ⊑ kg:Kind keeps old queries filtering it
        yield ox.Triple(iri, TYPE, _iri(KG.Kind))
        yield ox.Triple(iri, TYPE, _iri(KG.GenericConcept))
    yield ox.Triple(iri, _iri(SKOS.prefLabel), _text(attrs["label"]))
    for alt in attrs.get("alt_labels", ()):
        yield ox.Triple(iri, _iri(SKOS.altLabel), _text(alt))
        if _ACRONYM.match(alt) and any(c.isupper() for c in alt[1:]):
            yield ox.Triple(iri, _iri(KG.acronym), _text(alt))
    if attrs.get("lower_is_better") is not None:
        yield ox.Triple(iri, _iri(KG.lowerIsBetter), _typed(str(attrs["lower_is_better"]).lower(), XSD.boolean))


def _repository_triples(iri: ox.NamedNode, attrs: dict) -> Iterator[ox.Triple]:
    yield ox.Triple(iri, TYPE, _iri(KG.Repository))
    yield from superclass_triples(iri, KG.Repository)
    yield ox.Triple(iri, _iri(SDO.codeRepository), url_iri(attrs["url"]))
    yield ox.Triple(iri, _iri(KG.host), _text(attrs["host"]))
    yield ox.Triple(iri, _iri(KG.isCodeHost), _typed(str(attrs["is_code_host"]).lower(), XSD.boolean))


def _mention_triples(paper: ox.NamedNode, target: ox.NamedNode, m: Mention, iris: Iris,
                     shared: SharedNodes) -> Iterator[ox.Triple]:
    node = ox.NamedNode(f"{paper.value}#m-{m.field.value}-{m.start}-{m.end}")
    yield from _evidence_triples(node, paper, target, m, iris, shared)


def _evidence_triples(node: ox.NamedNode, paper: ox.NamedNode, target: ox.NamedNode, span: Mention | Result,
                      iris: Iris, shared: SharedNodes) -> Iterator[ox.Triple]:
    """A kg:Mention: where in the paper `span` is written (a concept's mention or the
    number of a result), what it denotes, how sure and which component found it; then
    the same span as a Web Annotation specific resource (kg.rdf.standard)."""
    yield ox.Triple(node, TYPE, _MENTION)
    yield ox.Triple(node, _IN_PAPER, paper)
    yield ox.Triple(node, _DENOTES, target)
    yield ox.Triple(node, _FIELD, ox.Literal(span.field.value))
    yield ox.Triple(node, _START, _typed(span.start, XSD.nonNegativeInteger))
    yield ox.Triple(node, _END, _typed(span.end, XSD.nonNegativeInteger))
    yield ox.Triple(node, _TEXT, ox.Literal(span.text))
    yield ox.Triple(node, _CONFIDENCE, _typed(_confidence(span.confidence), XSD.decimal))
    yield ox.Triple(node, _GENERATED_BY, iris.component_node(span.component))
    yield from shared.evidence_triples(node, paper, span)


def _result_triples(paper: ox.NamedNode, r: Result, concepts: dict[tuple[str, str], ox.NamedNode],
                    iris: Iris, shared: SharedNodes) -> Iterator[ox.Triple]:
    """A result, its links to the concepts the paper mentions, and its evidence: a mention
    covering the number in its field. IRIs come from the field and offsets, so they are
    stable."""
    span = f"{r.field.value}-{r.start}-{r.end}"
    node = ox.NamedNode(f"{paper.value}#r-{span}")
    evidence = ox.NamedNode(f"{paper.value}#e-{span}")
    yield ox.Triple(paper, _REPORTS, node)
    yield ox.Triple(node, TYPE, _RESULT)
    yield from superclass_triples(node, KG.Result)
    yield ox.Triple(node, _VALUE, _typed(_decimal_text(r.value), XSD.decimal))
    if r.unit:
        yield ox.Triple(node, _UNIT, _text(r.unit))
    yield ox.Triple(node, _RESULT_KIND, _iri(KG[r.kind.value]))
    for prop, ctype, name in _RESULT_LINKS:
        key = getattr(r, name)
        if key is not None and (ctype, key) in concepts:
            yield ox.Triple(node, prop, concepts[ctype, key])
    yield ox.Triple(node, _EVIDENCE, evidence)
    yield from _evidence_triples(evidence, paper, node, r, iris, shared)


def _decimal_text(value: Decimal) -> str:
    """xsd:decimal's lexical form: digits, never an exponent ("1E+3" -> "1000").

    >>> [_decimal_text(Decimal(x)) for x in ["3.57", "1E+3", "-0.50"]]
    ['3.57', '1000', '-0.50']
    """
    return f"{value:f}"


def _confidence(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def graph_triples(
    graph: nx.DiGraph, base: str = RESOURCE_BASE, *, created: str | None = None, describe: bool = True,
    annotations: bool = True,
) -> Iterator[ox.Triple]:
    """Every triple of the graph, in a deterministic order, then (with `describe`) its VoID
    description (kg.rdf.void) dated `created` (YYYY-MM-DD; omitted when None). Without
    `annotations` the mentions' Web Annotation selectors are left out (kg.rdf.standard)."""
    if not describe:
        yield from _data_triples(graph, base, annotations)
        return
    stats = VoidStats()
    yield from stats.observe(_data_triples(graph, base, annotations))
    sources = {s for _, a in graph.nodes(data=True) if a["kind"] == "paper" for s in a["sources"]}
    yield from void_triples(stats, base, sources=sources, created=created)


def _data_triples(graph: nx.DiGraph, base: str, annotations: bool = True) -> Iterator[ox.Triple]:
    from kg.graph import concept_node, repository_node  # the graph's node-id scheme

    iris = Iris(base)
    shared = SharedNodes(base, annotations)
    named = {node: ox.NamedNode(iris.node(graph, node)) for node in graph.nodes}
    components: set[str] = set()
    for node in sorted(graph.nodes, key=lambda n: named[n].value):
        attrs, iri = graph.nodes[node], named[node]
        if attrs["kind"] == "concept":
            yield from _concept_triples(iri, attrs)
            for broader in attrs.get("broader", ()):  # its kind or family (kg.kinds.broader_links)
                yield ox.Triple(iri, _iri(SKOS.broader), named[broader])
        elif attrs["kind"] == "repository":
            yield from _repository_triples(iri, attrs)
        else:
            yield from _paper_triples(iri, attrs)
            edges = sorted(graph.out_edges(node, data=True), key=lambda e: named[e[1]].value)
            for _, target, data in edges:
                yield ox.Triple(iri, _iri(KG[data["relation"]]), named[target])
            yield from shared.paper_triples(iri, attrs)
            for m in attrs["mentions"]:
                target = repository_node(m.key) if m.label == "Repository" else concept_node(m.label, m.key)
                components.add(m.component)
                yield from _mention_triples(iri, named[target], m, iris, shared)
            results = attrs.get("results", ())
            if results:
                concepts = {(ctype, key): named[node]
                            for ctype, key in {(t, k) for r in results for t, k in
                                               (("Metric", r.metric), ("Dataset", r.dataset), ("Method", r.method))}
                            if key is not None and (node := concept_node(ctype, key)) in named}
                for r in results:
                    components.add(r.component)
                    yield from _result_triples(iri, r, concepts, iris, shared)
    for name in sorted(components):
        run = ox.NamedNode(iris.component(name))
        yield ox.Triple(run, TYPE, _iri(KG.ExtractionRun))
        yield from superclass_triples(run, KG.ExtractionRun)
        yield ox.Triple(run, _iri(RDFS.label), _text(name))


__all__ = ["Iris", "graph_triples"]
