"""Standard vocabularies beside the core vocabulary: the triples kg.rdf.export adds so that
schema.org, SKOS, W3C ML Schema and Web Annotation clients read the graph without kg's
ontology and without a reasoner. The core vocabulary's triples are unchanged; these are
additions only.

What is emitted (each pattern is also documented in ontology/kg.ttl):

* Superclasses, materialized: a resource typed with a kg: class is also typed with the
  standard classes ontology/kg.ttl states above it (`SUPERCLASSES`): a paper is a
  schema:ScholarlyArticle, every concept a skos:Concept, a method an mls:Algorithm, a dataset
  an mls:Dataset and a schema:Dataset, a metric an mls:EvaluationMeasure, a task an
  mls:Task, a repository a schema:SoftwareSourceCode, a result an mls:ModelEvaluation, an
  extraction run a prov:Activity. kg:Kind and kg:GenericConcept add nothing (their standard
  superclass is skos:Concept, through kg:Concept); a kind of data stays no dataset. Not
  materialized: kg:Mention's prov:Entity and oa:SpecificResource (one triple per mention,
  the most numerous node; find mentions by oa:hasSelector, or use RDFS inference).
* Identity: `schema:sameAs <https://arxiv.org/abs/ID>` and `<https://doi.org/DOI>` (the DOI
  read from dcterms:identifier, else from the paper's URL). schema:sameAs, not owl:sameAs:
  the page identifies the paper without being the same resource (owl:sameAs would merge
  their statements under a reasoner).
* Authors, in order, by schema.org's Role pattern: `paper schema:author <paper#author-N>`,
  that node `a schema:Role ; schema:author <person> ; schema:position N` (1-based), the
  person `<base>person/<slug>-<hash>` (minted from the name: one name, one person)
  `a schema:Person ; schema:name "..."`. dcterms:creator keeps the names as literals.
* Categories (arXiv's "cs.LG", OpenAlex topics, keywords) as SKOS: `paper dcterms:subject
  <base>category/<code>`, `a skos:Concept ; skos:inScheme <base>categories ;
  skos:prefLabel ; skos:notation` (the code as the source writes it), the scheme
  `<base>categories a skos:ConceptScheme`.
* Evidence as W3C Web Annotation (unless `annotations` is off): each kg:Mention is an
  oa:SpecificResource with `oa:hasSource <paper#title>` or `<paper#abstract>` (the field's
  text: `a dctypes:Text ; dcterms:isPartOf <paper>`; its characters are the paper's
  dcterms:title or dcterms:abstract, into which the offsets index) and two `oa:hasSelector`:
  `<base>text-position/START-END a oa:TextPositionSelector ; oa:start ; oa:end` and
  `<base>text-quote/HASH a oa:TextQuoteSelector ; oa:exact`. Selectors hold no source, so one
  selector node serves every mention with the same offsets, or the same text, in any paper.

Shared nodes (persons, categories, the scheme, the field texts, selectors) are written once,
where the stream first uses them, so the output stays in a fixed order and byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from rdflib.namespace import DCMITYPE, DCTERMS, PROV, RDF, SDO, SKOS, XSD

from kg.ingest._common import normalize_doi
from kg.normalize import slug
from kg.rdf.namespace import KG, MLS, OA
from kg.rdf.nt import Triple, checked_iri, iri, iri_value, literal, typed
from kg.records import Mention, Result


def _n(term) -> str:
    return iri(str(term))


TYPE = _n(RDF.type)

# kg class -> the standard classes ontology/kg.ttl states above it (transitively, kg: classes
# left out: the export writes those itself). tests/test_standard_vocab.py checks it against kg.ttl.
SUPERCLASSES: dict[str, tuple[str, ...]] = {
    str(KG.Paper): (_n(SDO.ScholarlyArticle),),
    str(KG.Concept): (_n(SKOS.Concept),),
    str(KG.Method): (_n(MLS.Algorithm),),
    str(KG.Dataset): (_n(MLS.Dataset), _n(SDO.Dataset)),
    str(KG.Metric): (_n(MLS.EvaluationMeasure),),
    str(KG.Task): (_n(MLS.Task),),
    str(KG.Repository): (_n(SDO.SoftwareSourceCode),),
    str(KG.Result): (_n(MLS.ModelEvaluation),),
    str(KG.ExtractionRun): (_n(PROV.Activity),),
}
# Stated in kg.ttl but not written on each instance (see the module docstring).
NOT_MATERIALIZED: dict[str, tuple[str, ...]] = {str(KG.Mention): (str(PROV.Entity), str(OA.SpecificResource))}

ARXIV_ABS = "https://arxiv.org/abs/"
DOI_RESOLVER = "https://doi.org/"
SCHEME_LABEL = "Subject categories"
_DOI_SAFE = "/:@!$&'()*+,;="  # a path's characters, less "%": a DOI's own "%", "#", "?" are encoded

_SAME_AS, _AUTHOR, _POSITION, _NAME = _n(SDO.sameAs), _n(SDO.author), _n(SDO.position), _n(SDO.name)
_ROLE, _PERSON = _n(SDO.Role), _n(SDO.Person)
_SUBJECT, _IS_PART_OF, _TEXT = _n(DCTERMS.subject), _n(DCTERMS.isPartOf), _n(DCMITYPE.Text)
_CONCEPT, _SCHEME, _IN_SCHEME = _n(SKOS.Concept), _n(SKOS.ConceptScheme), _n(SKOS.inScheme)
_PREF_LABEL, _NOTATION = _n(SKOS.prefLabel), _n(SKOS.notation)
_HAS_SOURCE, _HAS_SELECTOR = _n(OA.hasSource), _n(OA.hasSelector)
_POSITION_SELECTOR, _QUOTE_SELECTOR = _n(OA.TextPositionSelector), _n(OA.TextQuoteSelector)
_START, _END, _EXACT = _n(OA.start), _n(OA.end), _n(OA.exact)
_NON_NEGATIVE, _INTEGER = _n(XSD.nonNegativeInteger), _n(XSD.integer)


def superclass_triples(node: str, kg_class: str) -> Iterator[Triple]:
    """`node` (a term) typed with the standard superclasses of the kg class `kg_class` (its IRI)."""
    for cls in SUPERCLASSES.get(str(kg_class), ()):
        yield node, TYPE, cls


def arxiv_iri(arxiv_id: str) -> str:
    """The arXiv abstract page of an id, percent-encoded.

    >>> arxiv_iri("2301.00001"), arxiv_iri("hep-th/9901001"), arxiv_iri("x y#z")
    ('https://arxiv.org/abs/2301.00001', 'https://arxiv.org/abs/hep-th/9901001', 'https://arxiv.org/abs/x%20y%23z')
    """
    return ARXIV_ABS + quote(arxiv_id, safe="/")


def doi_iri(doi: str) -> str:
    """The doi.org IRI of a DOI, its "#", "?", "%", spaces and the like percent-encoded.

    >>> doi_iri("10.1000/a(b)c"), doi_iri("10.1000/x#y?z w")
    ('https://doi.org/10.1000/a(b)c', 'https://doi.org/10.1000/x%23y%3Fz%20w')
    """
    return DOI_RESOLVER + quote(doi, safe=_DOI_SAFE)


def paper_doi(attrs: dict) -> str | None:
    """The paper's DOI: its identifier when that is one, else its URL when a doi.org one."""
    return normalize_doi(attrs.get("identifier")) or normalize_doi(attrs.get("url"))


def _hash(text: str, length: int = 10) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def _person_name(name: str) -> str:
    return " ".join(name.split())


def categories_of(attrs: dict) -> list[str]:
    """The paper's categories, stripped, empty ones dropped, each once, in the order given."""
    return list(dict.fromkeys(c.strip() for c in attrs.get("categories") or () if isinstance(c, str) and c.strip()))


class SharedNodes:
    """The standard-vocabulary triples of one export stream. Nodes shared between papers
    (persons, categories, the category scheme, selectors) are written at their first use
    and remembered, one entry per distinct node; a paper's field texts are remembered only
    while its triples are written. `annotations=False` leaves the Web Annotation triples out."""

    def __init__(self, base: str, annotations: bool = True) -> None:
        self.base = base
        self.annotations = annotations
        self.scheme = iri(f"{base}categories")
        self._persons: set[str] = set()
        self._categories: set[str] = set()
        self._positions: dict[tuple[int, int], str] = {}
        self._quotes: dict[str, str] = {}
        self._paper: str | None = None
        self._sources: dict[str, str] = {}

    def person(self, name: str) -> str:
        """The IRI of the person called `name`: its slug and a hash of it (whitespace folded)."""
        name = _person_name(name)
        return f"{self.base}person/{slug(name, 40)}-{_hash(name)}"

    def category(self, code: str) -> str:
        return f"{self.base}category/{quote(code, safe='')}"

    def paper_triples(self, paper: str, attrs: dict) -> Iterator[Triple]:
        """The paper's own standard triples (schema:sameAs, schema:author, dcterms:subject),
        then the nodes they point to: its authorship roles, new persons and categories."""
        if attrs.get("arxiv_id"):
            yield paper, _SAME_AS, checked_iri(arxiv_iri(attrs["arxiv_id"]))
        doi = paper_doi(attrs)
        if doi:
            yield paper, _SAME_AS, checked_iri(doi_iri(doi))
        authors = [a for a in attrs.get("authors") or () if _person_name(a)]
        roles = [iri(f"{iri_value(paper)}#author-{n}") for n in range(1, len(authors) + 1)]
        for role in roles:
            yield paper, _AUTHOR, role
        categories = [(code, iri(self.category(code))) for code in categories_of(attrs)]
        for _, category in categories:
            yield paper, _SUBJECT, category
        for position, (role, name) in enumerate(zip(roles, authors), 1):
            person = iri(self.person(name))
            yield role, TYPE, _ROLE
            yield role, _AUTHOR, person
            yield role, _POSITION, typed(str(position), _INTEGER)
            if person not in self._persons:
                self._persons.add(person)
                yield person, TYPE, _PERSON
                yield person, _NAME, literal(_person_name(name))
        yield from self._category_triples(categories)

    def _category_triples(self, categories: Iterable[tuple[str, str]]) -> Iterator[Triple]:
        for code, category in categories:
            if category in self._categories:
                continue
            if not self._categories:
                yield self.scheme, TYPE, _SCHEME
                yield self.scheme, _PREF_LABEL, literal(SCHEME_LABEL)
            self._categories.add(category)
            yield category, TYPE, _CONCEPT
            yield category, _IN_SCHEME, self.scheme
            yield category, _PREF_LABEL, literal(code)
            yield category, _NOTATION, literal(code)

    def evidence_triples(self, node: str, paper: str, span: Mention | Result) -> list[Triple]:
        """A mention as an oa:SpecificResource: its source (the field's text) and its two
        selectors, then whichever of those nodes the stream has not written yet."""
        triples: list[Triple] = []
        self.add_evidence(triples, node, paper, span)
        return triples

    def add_evidence(self, triples: list[Triple], node: str, paper: str, span: Mention | Result) -> None:
        """:meth:`evidence_triples`, appended to `triples` (the export's fast path)."""
        if not self.annotations:
            return
        if paper != self._paper:
            self._paper, self._sources = paper, {}
        field = span.field.value
        source = self._sources.get(field)
        new_source = source is None
        if new_source:
            source = self._sources[field] = iri(f"{iri_value(paper)}#{field}")
        where = (span.start, span.end)
        position = self._positions.get(where)
        new_position = position is None
        if new_position:
            position = self._positions[where] = iri(f"{self.base}text-position/{span.start}-{span.end}")
        quote_node = self._quotes.get(span.text)
        new_quote = quote_node is None
        if new_quote:
            quote_node = self._quotes[span.text] = iri(f"{self.base}text-quote/{_hash(span.text, 16)}")
        triples.append((node, _HAS_SOURCE, source))
        triples.append((node, _HAS_SELECTOR, position))
        triples.append((node, _HAS_SELECTOR, quote_node))
        if new_source:
            triples.append((source, TYPE, _TEXT))
            triples.append((source, _IS_PART_OF, paper))
        if new_position:
            triples.append((position, TYPE, _POSITION_SELECTOR))
            triples.append((position, _START, typed(str(span.start), _NON_NEGATIVE)))
            triples.append((position, _END, typed(str(span.end), _NON_NEGATIVE)))
        if new_quote:
            triples.append((quote_node, TYPE, _QUOTE_SELECTOR))
            triples.append((quote_node, _EXACT, literal(span.text)))


__all__ = ["NOT_MATERIALIZED", "SUPERCLASSES", "SharedNodes", "arxiv_iri", "doi_iri", "paper_doi",
           "superclass_triples"]
