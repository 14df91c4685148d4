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
Annotation oa:SpecificResource with a text-position and a text-quote selector. Counts the
named queries read are written too (kg.rdf.aggregates): each concept's kg:paperCount, a
kg:ConceptPair after each method, the kg:ResultGroup nodes after the papers. The stream
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
from kg.rdf.aggregates import PairCounter, ResultGroups, paper_count, paper_count_triple
from kg.rdf.namespace import KG, RESOURCE_BASE
from kg.rdf.nt import Triple, checked_iri, iri_value, literal, to_oxigraph, typed
from kg.rdf.nt import iri as iri_term
from kg.rdf.standard import SharedNodes, superclass_triples
from kg.rdf.void import VoidStats, void_triples
from kg.records import Field, Mention, Result
from kg.text import is_web_url

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9-]*[A-Z0-9]s?$")


@functools.lru_cache(maxsize=1024)
def _iri(term) -> str:
    return iri_term(str(term))


TYPE = _iri(RDF.type)
STRING = _iri(XSD.string)


def _text(value: str) -> str:
    return literal(value)


_DATATYPES: dict = {}


def _typed(value, datatype) -> str:
    node = _DATATYPES.get(datatype)
    if node is None:
        node = _DATATYPES[datatype] = _iri(datatype)
    return typed(str(value), node)


# The terms of every mention and result, made once: a DefinedNamespace lookup and a new
# term for each of the millions of these triples cost a fifth of the export's time.
_MENTION, _IN_PAPER, _DENOTES, _FIELD, _START, _END, _TEXT, _CONFIDENCE, _GENERATED_BY = (
    _iri(t) for t in (KG.Mention, KG.inPaper, KG.denotes, KG.field, KG.start, KG.end, KG.text, KG.confidence,
                      PROV.wasGeneratedBy))
_REPORTS, _RESULT, _VALUE, _UNIT, _RESULT_KIND, _EVIDENCE = (
    _iri(t) for t in (KG.reportsResult, KG.Result, KG.value, KG.unit, KG.resultKind, KG.evidence))
_NON_NEGATIVE, _DECIMAL = _iri(XSD.nonNegativeInteger), _iri(XSD.decimal)
_RESULT_LINKS = ((_iri(KG.onMetric), "Metric", "metric"), (_iri(KG.onDataset), "Dataset", "dataset"),
                 (_iri(KG.ofMethod), "Method", "method"))


_FIELD_VALUES = {field: literal(field.value) for field in Field}


def url_iri(url: str) -> str:
    """An IRI for a URL from untrusted text: unsafe characters and stray "%" percent-encoded."""
    quoted = quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")
    return checked_iri(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", quoted))


@functools.lru_cache(maxsize=256)
def _component_node(base: str, name: str) -> str:
    return iri_term(f"{base}component/{slug(name)}")


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

    def component_node(self, name: str) -> str:
        """The component's IRI as a term (a handful, asked for by every mention)."""
        return _component_node(self.base, name)

    def node(self, graph: nx.DiGraph, node: str) -> str:
        attrs = graph.nodes[node]
        if attrs["kind"] == "paper":
            return self.paper(attrs)
        if attrs["kind"] == "concept":
            return self.concept(attrs["ctype"], attrs["key"])
        return self.repository(attrs["url"])


def _paper_triples(iri: str, attrs: dict) -> Iterator[Triple]:
    yield iri, TYPE, _iri(KG.Paper)
    yield from superclass_triples(iri, KG.Paper)
    yield iri, _iri(DCTERMS.title), _text(attrs["title"])
    yield iri, _iri(DCTERMS.abstract), _text(attrs["abstract"])
    if attrs.get("identifier"):
        yield iri, _iri(DCTERMS.identifier), _text(attrs["identifier"])
    if attrs.get("issued"):
        issued = attrs["issued"]
        yield iri, _iri(DCTERMS.issued), _typed(issued, XSD.date) if _DATE.match(issued) else _text(issued)
    for author in attrs.get("authors") or ():
        yield iri, _iri(DCTERMS.creator), _text(author)
    if attrs.get("url") and is_web_url(attrs["url"]):
        yield iri, _iri(SDO.url), url_iri(attrs["url"])
    for source in attrs["sources"]:
        yield iri, _iri(DCTERMS.source), _text(source)


def _concept_triples(iri: str, attrs: dict, papers: int) -> Iterator[Triple]:
    yield iri, TYPE, _iri(KG.Concept)
    yield from superclass_triples(iri, KG.Concept)
    if not (attrs.get("generic") and attrs["ctype"] == "Dataset"):  # a kind of data is no dataset
        yield iri, TYPE, _iri(KG[attrs["ctype"]])
        yield from superclass_triples(iri, KG[attrs["ctype"]])
    if attrs.get("generic"):  # a kind (kg.kinds); kg:GenericConcept ⊑ kg:Kind keeps old queries filtering it
        yield iri, TYPE, _iri(KG.Kind)
        yield iri, TYPE, _iri(KG.GenericConcept)
    yield iri, _iri(SKOS.prefLabel), _text(attrs["label"])
    for alt in attrs.get("alt_labels", ()):
        yield iri, _iri(SKOS.altLabel), _text(alt)
        if _ACRONYM.match(alt) and any(c.isupper() for c in alt[1:]):
            yield iri, _iri(KG.acronym), _text(alt)
    if attrs.get("lower_is_better") is not None:
        yield iri, _iri(KG.lowerIsBetter), _typed(str(attrs["lower_is_better"]).lower(), XSD.boolean)
    yield paper_count_triple(iri, papers)  # how many papers mention it (kg.rdf.aggregates)


def _repository_triples(iri: str, attrs: dict) -> Iterator[Triple]:
    yield iri, TYPE, _iri(KG.Repository)
    yield from superclass_triples(iri, KG.Repository)
    yield iri, _iri(SDO.codeRepository), url_iri(attrs["url"])
    yield iri, _iri(KG.host), _text(attrs["host"])
    yield iri, _iri(KG.isCodeHost), _typed(str(attrs["is_code_host"]).lower(), XSD.boolean)


def _mention_triples(paper: str, target: str, m: Mention, iris: Iris,
                     shared: SharedNodes) -> list[Triple]:
    return _evidence_triples(f"{paper[:-1]}#m-{m.field.value}-{m.start}-{m.end}>", paper, target, m, iris, shared)


def _evidence_triples(node: str, paper: str, target: str, span: Mention | Result,
                      iris: Iris, shared: SharedNodes) -> list[Triple]:
    """A kg:Mention: where in the paper `span` is written (a concept's mention or the
    number of a result), what it denotes, how sure and which component found it; then
    the same span as a Web Annotation specific resource (kg.rdf.standard). A list, not a
    generator: the export makes millions of these, and each generator level costs."""
    triples = [
        (node, TYPE, _MENTION),
        (node, _IN_PAPER, paper),
        (node, _DENOTES, target),
        (node, _FIELD, _FIELD_VALUES[span.field]),
        (node, _START, f'"{span.start}"^^{_NON_NEGATIVE}'),
        (node, _END, f'"{span.end}"^^{_NON_NEGATIVE}'),
        (node, _TEXT, literal(span.text)),
        (node, _CONFIDENCE, f'"{_confidence(span.confidence)}"^^{_DECIMAL}'),
        (node, _GENERATED_BY, iris.component_node(span.component)),
    ]
    shared.add_evidence(triples, node, paper, span)
    return triples


def _result_triples(paper: str, r: Result, concepts: dict[tuple[str, str], str],
                    iris: Iris, shared: SharedNodes) -> Iterator[Triple]:
    """A result, its links to the concepts the paper mentions, and its evidence: a mention
    covering the number in its field. IRIs come from the field and offsets, so they are
    stable."""
    span = f"{r.field.value}-{r.start}-{r.end}"
    node = f"{paper[:-1]}#r-{span}>"
    evidence = f"{paper[:-1]}#e-{span}>"
    yield paper, _REPORTS, node
    yield node, TYPE, _RESULT
    yield from superclass_triples(node, KG.Result)
    yield node, _VALUE, _typed(_decimal_text(r.value), XSD.decimal)
    if r.unit:
        yield node, _UNIT, _text(r.unit)
    yield node, _RESULT_KIND, _iri(KG[r.kind.value])
    for prop, ctype, name in _RESULT_LINKS:
        key = getattr(r, name)
        if key is not None and (ctype, key) in concepts:
            yield node, prop, concepts[ctype, key]
    yield node, _EVIDENCE, evidence
    yield from _evidence_triples(evidence, paper, node, r, iris, shared)


def _result_links(results, concepts: dict[tuple[str, str], str]) -> Iterator[tuple[str, tuple, tuple]]:
    """(result span, dataset IRIs, metric IRIs) of each result, as _result_triples links them."""
    for r in results:
        links = {}
        for ctype, key in (("Dataset", r.dataset), ("Metric", r.metric)):
            links[ctype] = (iri_value(concepts[ctype, key]),) if key is not None and (ctype, key) in concepts else ()
        yield f"{r.field.value}-{r.start}-{r.end}", links["Dataset"], links["Metric"]


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
    """:func:`graph_ntriples` as Oxigraph triples, streamed."""
    return to_oxigraph(graph_ntriples(graph, base, created=created, describe=describe, annotations=annotations))


def graph_ntriples(
    graph: nx.DiGraph, base: str = RESOURCE_BASE, *, created: str | None = None, describe: bool = True,
    annotations: bool = True,
) -> Iterator[Triple]:
    """Every triple of the graph as N-Triples terms (kg.rdf.nt), in a deterministic order,
    then (with `describe`) its VoID description (kg.rdf.void) dated `created` (YYYY-MM-DD;
    omitted when None). Without `annotations` the mentions' Web Annotation selectors are
    left out (kg.rdf.standard)."""
    if not describe:
        yield from _data_triples(graph, base, annotations)
        return
    stats = VoidStats()
    yield from stats.observe(_data_triples(graph, base, annotations))
    sources = {s for _, a in graph.nodes(data=True) if a["kind"] == "paper" for s in a["sources"]}
    yield from void_triples(stats, base, sources=sources, created=created)


def _data_triples(graph: nx.DiGraph, base: str, annotations: bool = True) -> Iterator[Triple]:
    from kg.graph import concept_node, repository_node  # the graph's node-id scheme

    iris = Iris(base)
    shared = SharedNodes(base, annotations)
    raw = {node: iris.node(graph, node) for node in graph.nodes}
    named = {node: iri_term(value) for node, value in raw.items()}
    components: set[str] = set()
    pairs, groups = PairCounter(graph, raw, named, base), ResultGroups(base)  # counts for the queries
    for node in sorted(graph.nodes, key=raw.__getitem__):
        attrs, iri = graph.nodes[node], named[node]
        if attrs["kind"] == "concept":
            yield from _concept_triples(iri, attrs, paper_count(graph, node))
            for broader in attrs.get("broader", ()):  # its kind or family (kg.kinds.broader_links)
                yield iri, _iri(SKOS.broader), named[broader]
            if attrs["ctype"] == "Method" and not attrs.get("generic"):
                yield from pairs.triples(node)
        elif attrs["kind"] == "repository":
            yield from _repository_triples(iri, attrs)
        else:
            yield from _paper_triples(iri, attrs)
            edges = sorted(graph.out_edges(node, data=True), key=lambda e: raw[e[1]])
            for _, target, data in edges:
                yield iri, _iri(KG[data["relation"]]), named[target]
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
                groups.add(_result_links(results, concepts))
    yield from groups.triples()
    for name in sorted(components):
        run = iri_term(iris.component(name))
        yield run, TYPE, _iri(KG.ExtractionRun)
        yield from superclass_triples(run, KG.ExtractionRun)
        yield run, _iri(RDFS.label), _text(name)


__all__ = ["Iris", "graph_ntriples", "graph_triples"]
