"""A VoID description of an export: counts, class and property partitions, provenance.

The counts are taken from the triple stream as it goes by (`VoidStats.observe`), so the
description costs no second pass and no memory beyond one counter per class and property.
It is appended after the data; `void:triples` counts the data triples, not the description.

`dcterms:created` is a date (no time of day) passed in by the caller: the build uses
`--created`, else SOURCE_DATE_EPOCH, else the newest input file's modification date, so
rebuilding the same inputs gives byte-identical files (see kg.build.creation_date).

`void:vocabulary` lists kg's ontology and VoID itself, then each standard vocabulary the
data uses a class or property of (`VOCABULARIES`, in that order): Dublin Core, SKOS,
schema.org, PROV, and as kg.rdf.standard uses them ML Schema, Web Annotation and the DCMI
types. Class partitions enumerate every class the data types a resource with, the standard
superclasses written beside kg's classes included.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg import __version__
from kg.rdf.namespace import KG, ONTOLOGY_IRI, PREFIXES
from kg.rdf.nt import Triple, iri, iri_value, literal, typed

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
XSD = PREFIXES["xsd"]
RDF_TYPE = iri(PREFIXES["rdf"] + "type")
# The disjoint top-level classes (owl:AllDisjointClasses in kg.ttl): every entity is in one.
TOP_CLASSES = tuple(str(c) for c in (KG.Paper, KG.Concept, KG.Repository, KG.Mention, KG.ExtractionRun, KG.Result))
VOCABULARIES = (DCTERMS, PREFIXES["skos"], PREFIXES["schema"], PREFIXES["prov"], PREFIXES["mls"], PREFIXES["oa"],
                PREFIXES["dctypes"])
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class VoidStats:
    """Counts of a triple stream: triples, rdf:type triples per class, triples per property."""

    triples: int = 0
    classes: Counter = field(default_factory=Counter)
    properties: Counter = field(default_factory=Counter)

    def observe(self, triples: Iterable[Triple]) -> Iterator[Triple]:
        """Pass `triples` through, counting them."""
        properties: Counter = Counter()  # by term: no new string per triple
        classes: Counter = Counter()
        try:
            for triple in triples:
                predicate = triple[1]
                properties[predicate] += 1
                if predicate == RDF_TYPE:
                    classes[triple[2]] += 1
                yield triple
        finally:
            for term, n in properties.items():
                self.properties[iri_value(term)] += n
                self.triples += n
            for term, n in classes.items():
                self.classes[iri_value(term)] += n

    @property
    def entities(self) -> int:
        """Resources of interest: instances of kg's disjoint top-level classes."""
        return sum(self.classes[c] for c in TOP_CLASSES)


def _node(value: str) -> str:
    return iri(value)


def _integer(n: int) -> str:
    return typed(str(n), _node(XSD + "integer"))


def _local(iri: str) -> str:
    """A readable, unique IRI segment for a class or property: prefix-localname."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.-]+", iri[len(namespace):]):
            return f"{prefix}-{iri[len(namespace):]}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", iri.split("://", 1)[-1]).strip("-")


def vocabularies(stats: VoidStats) -> list[str]:
    """The vocabularies of a counted stream: kg's ontology, then each of `VOCABULARIES` whose
    classes or properties it uses, then VoID (which describes it)."""
    used = [*stats.classes, *stats.properties]
    found = [v for v in VOCABULARIES if any(term.startswith(v) for term in used)]
    return [ONTOLOGY_IRI, *found, VOID]


def dataset_iri(base: str) -> str:
    return f"{base}void"


def void_triples(
    stats: VoidStats,
    base: str,
    *,
    sources: Iterable[str] = (),
    created: str | None = None,
    version: str = __version__,
) -> Iterator[Triple]:
    """The void:Dataset describing a stream counted by `stats`, in a fixed order."""
    dataset = _node(dataset_iri(base))

    def t(s: str, p: str, o: str) -> Triple:
        return s, _node(p), o

    yield dataset, RDF_TYPE, _node(VOID + "Dataset")
    yield t(dataset, DCTERMS + "creator", literal(f"kg {version}"))
    if created is not None:
        if not _DATE.match(created):
            raise ValueError(f"created must be a date YYYY-MM-DD, got {created!r}")
        yield t(dataset, DCTERMS + "created", typed(created, _node(XSD + "date")))
    for source in sorted(set(sources)):
        yield t(dataset, DCTERMS + "source", literal(source))
    yield t(dataset, VOID + "uriSpace", literal(base))
    for vocabulary in vocabularies(stats):
        yield t(dataset, VOID + "vocabulary", _node(vocabulary))
    yield t(dataset, VOID + "triples", _integer(stats.triples))
    yield t(dataset, VOID + "entities", _integer(stats.entities))
    yield t(dataset, VOID + "classes", _integer(len(stats.classes)))
    yield t(dataset, VOID + "properties", _integer(len(stats.properties)))
    classes = [(_node(f"{iri_value(dataset)}/class/{_local(c)}"), c) for c in sorted(stats.classes)]
    properties = [(_node(f"{iri_value(dataset)}/property/{_local(p)}"), p) for p in sorted(stats.properties)]
    for part, _ in classes:
        yield t(dataset, VOID + "classPartition", part)
    for part, _ in properties:
        yield t(dataset, VOID + "propertyPartition", part)
    for part, cls in classes:
        yield t(part, VOID + "class", _node(cls))
        yield t(part, VOID + "entities", _integer(stats.classes[cls]))
    for part, prop in properties:
        yield t(part, VOID + "property", _node(prop))
        yield t(part, VOID + "triples", _integer(stats.properties[prop]))

__all__ = ["VoidStats", "dataset_iri", "vocabularies", "void_triples"]
