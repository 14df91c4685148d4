"""The concept types, one row each: the single table the graph, the RDF export, the viewer
(through the page's data), the evaluation and the tests read.

A new type is one row here plus its data (gazetteer, patterns) and its class and
property in the ontology (``kg/ontology/kg.ttl``; tests/test_types.py checks that both
exist and that every reader agrees with this table).

>>> TYPE_BY_NAME["Dataset"].relation, TYPE_BY_NAME["Dataset"].scierc
('usesDataset', ('Material',))
>>> scierc_labels()["Material"]
'Dataset'
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.records import ConceptType


@dataclass(frozen=True)
class TypeInfo:
    name: str  # the ConceptType value; also the kg: class's local name
    plural: str  # as the build's summary line counts them
    relation: str  # the kg: property from a paper to a concept of this type
    color: str  # the viewer's colour (Tableau 10: distinct for common colour-vision deficiencies)
    shape: str  # the paper view's vis-network shape
    scierc: tuple[str, ...]  # the SciERC labels of this type (SciERC's Material is a Dataset)


CONCEPT_TYPES: tuple[TypeInfo, ...] = (
    TypeInfo(ConceptType.METHOD.value, "methods", "usesMethod", "#f28e2b", "diamond", ("Method",)),
    TypeInfo(ConceptType.DATASET.value, "datasets", "usesDataset", "#59a14f", "square", ("Material",)),
    TypeInfo(ConceptType.METRIC.value, "metrics", "reportsMetric", "#e15759", "triangle", ("Metric",)),
    TypeInfo(ConceptType.TASK.value, "tasks", "addressesTask", "#b07aa1", "star", ("Task",)),
)
TYPE_BY_NAME = {t.name: t for t in CONCEPT_TYPES}
TYPE_NAMES = tuple(t.name for t in CONCEPT_TYPES)


def relations() -> dict[str, str]:
    """Concept type -> the paper-to-concept relation."""
    return {t.name: t.relation for t in CONCEPT_TYPES}


def scierc_labels() -> dict[str, str]:
    """SciERC label -> kg type, for the labels that are concepts of the graph."""
    return {label: t.name for t in CONCEPT_TYPES for label in t.scierc}


def plural(name: str) -> str:
    """How the summary line counts a type ("datasets"); an unknown name gets an "s"."""
    return TYPE_BY_NAME[name].plural if name in TYPE_BY_NAME else f"{name.lower()}s"


__all__ = ["CONCEPT_TYPES", "TYPE_BY_NAME", "TYPE_NAMES", "TypeInfo", "plural", "relations", "scierc_labels"]
