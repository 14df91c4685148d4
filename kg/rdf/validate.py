"""Check an export: SHACL shapes (ontology/shapes.ttl, via pyshacl) and a vocabulary check.

The vocabulary check flags every class (object of rdf:type), property (predicate) and
literal datatype that neither ontology/kg.ttl declares nor a standard vocabulary defines
(rdf, rdfs, owl, xsd, dcterms, dctypes, schema, skos, prov, mls, oa, void: rdflib's closed
namespace term lists, and kg.rdf.namespace.MLS and OA), so a misspelt or invented term
(kg:fooBar, oa:hasSelecter) is caught even where no shape looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCMITYPE, DCTERMS, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, VOID, XSD

from kg.errors import InputError, UsageError, ValidationFailed
from kg.rdf.namespace import MLS, OA

_PACKAGED = Path(str(resources.files("kg"))) / "ontology"  # package data: works installed, not only checked out
SHAPES = _PACKAGED / "shapes.ttl"
ONTOLOGY = _PACKAGED / "kg.ttl"
STANDARD = (RDF, RDFS, OWL, XSD, DCTERMS, DCMITYPE, SDO, SKOS, PROV, MLS, OA, VOID)
_PARSE_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}
# Read by Oxigraph's parser into the rdflib graph: a quarter faster than rdflib's own on big exports.
_OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
_XSD_STRING = str(XSD.string)
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
        if path.suffix.lower() in _OX_FORMATS:
            return _parse_with_oxigraph(path, _OX_FORMATS[path.suffix.lower()])
        return Graph().parse(path, format=fmt)
    except Exception as exc:  # rdflib and Oxigraph raise many parser-specific types
        raise InputError(path, f"not valid {fmt}: {exc}") from None


def _parse_with_oxigraph(path: Path, fmt: ox.RdfFormat) -> Graph:
    """The triples of `path` as rdflib parses them, read by Oxigraph's parser: relative IRIs
    resolved against the file, a plain literal without a datatype (and "x"^^xsd:string read
    as the plain literal it is in RDF 1.1), each IRI one shared URIRef."""
    graph = Graph()
    iris: dict[str, URIRef] = {}

    def term(node):
        if isinstance(node, ox.NamedNode):
            iri = iris.get(node.value)
            if iri is None:
                iri = iris[node.value] = URIRef(node.value)
            return iri
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value) if datatype == _XSD_STRING else Literal(node.value, datatype=term(node.datatype))

    add = graph.add
    for triple in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
        add((term(triple.subject), term(triple.predicate), term(triple.object)))
    return graph


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


def shacl_violations(data: Graph, shapes: Graph, ontology: Graph | None = None, *,
                     inplace: bool = False) -> list[Violation]:
    """The SHACL validation results of `data` against `shapes` (the ontology mixed in: into
    a copy of `data`, or with `inplace` into `data` itself, which saves copying a big graph)."""
    try:
        import pyshacl
    except ImportError:
        raise UsageError("validation needs pyshacl: pip install 'kg[validate]'") from None
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", inplace=inplace)
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
    return validate_graph(data, load_graph(shapes), load_graph(ontology), check_terms=check_terms, inplace=True)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, *, check_terms: bool = True,
                   inplace: bool = False) -> ValidationReport:
    """Validate a parsed graph. With `inplace` the caller hands `data` over: the ontology's
    class and property axioms are mixed into it (no copy) and it is left holding them."""
    triples = len(data)
    violations = unknown_terms(data, ontology) if check_terms else []
    violations += shacl_violations(data, shapes, ontology, inplace=inplace)
    return ValidationReport(not violations, tuple(sorted(set(violations))), triples)


__all__ = ["ValidationFailed", "ValidationReport", "Violation", "unknown_terms", "validate", "validate_graph"]
