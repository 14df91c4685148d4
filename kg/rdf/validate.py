"""Check an export: SHACL shapes (ontology/shapes.ttl, via pyshacl) and a vocabulary check.

The vocabulary check flags every class (object of rdf:type), property (predicate) and
literal datatype that neither ontology/kg.ttl declares nor a standard vocabulary defines
(rdf, rdfs, owl, xsd, dcterms, schema, skos, prov, mls, void: rdflib's closed namespace
term lists, and kg.rdf.namespace.MLS), so a misspelt or invented term (kg:fooBar) is caught
even where no shape looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, VOID, XSD

from kg.errors import InputError, UsageError, ValidationFailed
from kg.rdf.namespace import MLS

_PACKAGED = Path(str(resources.files("kg"))) / "ontology"  # package data: works installed, not only checked out
SHAPES = _PACKAGED / "shapes.ttl"
ONTOLOGY = _PACKAGED / "kg.ttl"
STANDARD = (RDF, RDFS, OWL, XSD, DCTERMS, SDO, SKOS, PROV, MLS, VOID)
_PARSE_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}
_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


class Violation(NamedTuple):
    focus: str
    path: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    triples: int = 0

    def text(self, limit: int | None = None) -> str:
        """One line per violation (the first `limit`), tab-separated: focus, path, message."""
        shown = self.violations[:limit] if limit is not None else self.violations
        lines = [f"{v.focus}\t{v.path}\t{v.message}" for v in shown]
        if len(shown) < len(self.violations):
            lines.append(f"... and {len(self.violations) - len(shown)} more")
        return "\n".join(lines)


def load_graph(path: Path) -> Graph:
    """Parse an RDF file (format from its suffix) into an in-memory rdflib Graph."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no graph to validate: {path} does not exist (run `kg build` first)")
    fmt = _PARSE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the RDF format of {path} from its suffix")
    try:
        return Graph().parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise InputError(path, f"not valid {fmt}: {exc}") from None


def _standard(term: URIRef) -> bool:
    return any(str(term).startswith(str(ns._NS)) and term in ns for ns in STANDARD)


def unknown_terms(data: Graph, ontology: Graph) -> list[Violation]:
    """Classes, properties and datatypes of `data` that no known vocabulary declares."""
    classes = {s for t in _CLASS_TYPES for s in ontology.subjects(RDF.type, t)}
    properties = {s for t in _PROPERTY_TYPES for s in ontology.subjects(RDF.type, t)}
    found = []
    for cls in sorted({o for o in data.objects(None, RDF.type)}):
        if not isinstance(cls, URIRef):
            found.append(Violation(str(cls), str(RDF.type), "rdf:type object is not an IRI"))
        elif cls not in classes and not _standard(cls):
            found.append(Violation(str(cls), str(RDF.type), f"class {cls} is declared by no known vocabulary"))
    for prop in sorted(set(data.predicates())):
        if prop not in properties and not _standard(prop):
            found.append(Violation(str(prop), "", f"property {prop} is declared by no known vocabulary"))
    datatypes = {o.datatype for o in data.objects() if isinstance(o, Literal) and o.datatype is not None}
    for datatype in sorted(datatypes):
        if not _standard(datatype) and datatype not in classes:
            found.append(Violation(str(datatype), "", f"datatype {datatype} is declared by no known vocabulary"))
    return found


def shacl_violations(data: Graph, shapes: Graph, ontology: Graph | None = None) -> list[Violation]:
    """The SHACL validation results of `data` against `shapes` (the ontology mixed in)."""
    try:
        import pyshacl
    except ImportError:
        raise UsageError("validation needs pyshacl: pip install 'kg[validate]'") from None
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        component = report.value(result, SH.sourceConstraintComponent)
        path = report.value(result, SH.resultPath)
        found.append(Violation(
            str(report.value(result, SH.focusNode)),
            str(path) if isinstance(path, URIRef) else "",
            messages[0] if messages else str(component).rsplit("#", 1)[-1],
        ))
    return found


def validate(graph_file: Path, shapes: Path = SHAPES, ontology: Path = ONTOLOGY, *,
             check_terms: bool = True) -> ValidationReport:
    """Validate an exported RDF file against the SHACL shapes and the vocabulary check."""
    for needed in (shapes, ontology):
        if not Path(needed).is_file():
            raise UsageError(f"{needed} does not exist")
    data = load_graph(graph_file)
    return validate_graph(data, load_graph(shapes), load_graph(ontology), check_terms=check_terms)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, *, check_terms: bool = True) -> ValidationReport:
    violations = shacl_violations(data, shapes, ontology)
    if check_terms:
        violations += unknown_terms(data, ontology)
    return ValidationReport(not violations, tuple(sorted(set(violations))), len(data))


__all__ = ["ValidationFailed", "ValidationReport", "Violation", "unknown_terms", "validate", "validate_graph"]
