"""Component `kg_proposals`: the paper's own contribution ("we propose X", "X: ..." titles).

A proposal is a sentence that presents something new -- "we propose/introduce/present
... named X", "we propose X, a ...", "a novel Moment Probing (MP) method" -- or a title
that opens with a coined name ("LAPP: Layer Adaptive Progressive Pruning ..."). The noun
before the name decides its type: "a new benchmark named X" is a dataset, "a metric
called X" a metric, anything else a method, which the paper then `kg:proposesMethod`.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, abstract_start, candidates, ensure_extensions, text_of
from kg.normalize import concept_key, strip_acronym_plural
from kg.records import ConceptType, Role

COMPONENT = "proposals"
CONFIDENCE = 0.8

_TRIGGER = re.compile(
    r"\b(?:we|this (?:paper|work)|our (?:paper|work))(?: \w+ly)? "
    r"(?:propose|introduce|present|develop|design|devise|put forward|contribute)s?\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;:!?]( |$)| (?:which|that|to|for|where|whose|based on) ")
_COINED = r"[A-Z][\w+^-]*(?:[A-Z0-9+^][\w+^-]*)"  # OptEmbed, SpecDec++, TR0N, BT^2, LAPP
_NAMED = re.compile(rf"\b(?:called|named|dubbed|termed|coined|namely)\s+(?P<name>(?:[A-Z][\w+^-]*\s+){{0,5}}[A-Z][\w+^-]*)")
_PHRASE_WITH_ACRONYM = re.compile(r"(?P<name>(?:[A-Z][\w^-]*\s+){1,6}?[A-Z][\w^-]*) \(")
_COINED_NAME = re.compile(rf"(?<![\w-])(?P<name>{_COINED})(?![\w-])")
_TITLE_NAME = re.compile(rf"^(?P<name>{_COINED}|[A-Z][a-z]+[A-Z][\w+^-]*)\s*:")
_TYPE_NOUN = re.compile(
    r"\b(?:(?P<Dataset>data ?set|benchmark|corpus|suite|testbed)|(?P<Metric>metric|measure|score|criterion)"
    r"|(?P<Task>task|problem|setting)|(?P<Method>method|technique|framework|approach|algorithm|model|loss"
    r"|architecture|module|network|optimizer|strategy|scheme|estimator|regularizer|procedure))s?\b",
    re.IGNORECASE,
)


def is_coined(name: str) -> bool:
    """A coined name: mixed case, digits or symbols, not a 2-3 letter generic acronym.

    >>> [is_coined(n) for n in ["OptEmbed", "SpecDec++", "LAPP", "LLM", "Transformer"]]
    [True, True, True, False, False]
    """
    name = strip_acronym_plural(name)
    if len(name) <= 3 and name.isupper():
        return False
    inner_caps = sum(c.isupper() for c in name[1:])
    return inner_caps >= 1 or any(c.isdigit() or c in "+^" for c in name)


def proposal_type(preamble: str) -> ConceptType:
    """What the last type noun before a proposed name says it is (a method by default).

    >>> proposal_type("an adaptive task-aware pruning technique").value
    'Method'
    """
    nouns = list(_TYPE_NOUN.finditer(preamble))
    return ConceptType(nouns[-1].lastgroup) if nouns else ConceptType.METHOD


def find_proposals(text: str, abstract_from: int = 0) -> list[tuple[int, int, ConceptType]]:
    """(start, end, type) of each name the text presents as new."""
    found = []
    title = _TITLE_NAME.match(text) if abstract_from else None
    if title and is_coined(title.group("name")):
        found.append((title.start("name"), title.end("name"), ConceptType.METHOD))
    for trigger in _TRIGGER.finditer(text, abstract_from):
        end = _CLAUSE_END.search(text, trigger.end())
        clause_end = min(end.start() if end else len(text), trigger.end() + 160)
        clause = text[trigger.end():clause_end]
        match = _NAMED.search(clause) or _PHRASE_WITH_ACRONYM.search(clause)
        if match is None:
            coined = _COINED_NAME.search(clause)
            match = coined if coined and is_coined(coined.group("name")) else None
        if match is None:
            continue
        start = trigger.end() + match.start("name")
        found.append((start, start + len(match.group("name")), proposal_type(clause[: match.start("name")])))
    return found


class ProposalFinder:
    def __call__(self, doc: Doc) -> Doc:
        out = candidates(doc)
        text = text_of(doc)
        for start, end, ctype in find_proposals(text, abstract_start(text)):
            role = Role.PROPOSES if ctype is ConceptType.METHOD else Role.USES
            key = concept_key(text[start:end])
            if key:
                out.append(Candidate(start, end, ctype.value, key, CONFIDENCE, COMPONENT, role))
        return doc


@Language.factory("kg_proposals")
def make_proposal_finder(nlp: Language, name: str) -> ProposalFinder:
    ensure_extensions()
    return ProposalFinder()
