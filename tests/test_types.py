"""The concept types are one table (kg.types): the ontology has each row's class and
property, and the graph, the viewer, the extractor, the evaluation and the summary line
read the table rather than their own copies."""

from __future__ import annotations

from importlib.resources import files

import rdflib
from rdflib.namespace import OWL, RDF

from kg.build import BuildSummary
from kg.eval.scierc import KG_LABELS
from kg.extract.ner import KG_TYPES
from kg.graph import RELATION_BY_TYPE
from kg.rdf.namespace import KG
from kg.records import ConceptType
from kg.types import CONCEPT_TYPES, TYPE_NAMES, plural
from kg.viz.model import NODE_TYPES
from kg.viz.render import MAP_TYPES


def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(data=(files("kg") / "ontology" / "kg.ttl").read_text(encoding="utf-8"), format="turtle")


def test_every_concept_type_has_a_row_and_its_ontology_terms():
    assert TYPE_NAMES == tuple(t.value for t in ConceptType)
    onto = _ontology()
    for t in CONCEPT_TYPES:
        assert (KG[t.name], RDF.type, OWL.Class) in onto, t.name
        assert (KG[t.relation], RDF.type, OWL.ObjectProperty) in onto, t.relation
        assert t.color.startswith("#") and len(t.color) == 7


def test_readers_agree_with_the_table():
    assert RELATION_BY_TYPE == {t.name: t.relation for t in CONCEPT_TYPES}
    assert MAP_TYPES == TYPE_NAMES
    viewer = {n.name: n for n in NODE_TYPES}
    assert all(viewer[t.name].color == t.color and viewer[t.name].shape == t.shape for t in CONCEPT_TYPES)
    assert KG_LABELS == {label: t.name for t in CONCEPT_TYPES for label in t.scierc}
    assert all(KG_TYPES[label] == t.name for t in CONCEPT_TYPES for label in (t.name, *t.scierc))
    assert plural("Dataset") == "datasets" and plural("Other") == "others"


def test_summary_line_counts_types_by_their_plural():
    summary = BuildSummary(files=1, records=1, papers=1, merged=0, skipped=0, skip_reasons={}, warnings=(),
                           concepts={t.name: i + 1 for i, t in enumerate(CONCEPT_TYPES)},
                           repositories=0, mentions=0, triples=0, seconds=0.0)
    line = summary.line()
    for i, t in enumerate(CONCEPT_TYPES):
        assert f"{i + 1} {t.plural}" in line
