"""Component `kg_proposals`: the paper's own contribution ("we propose X", "X: ..." titles).

A proposal is a sentence that presents something new -- "we propose/introduce/present
... named X", "we propose X, a ...", "a novel Moment Probing (MP) method", "we first
introduce scalable kernels (SNNKs)" (a defined acronym), "we call this a Pointer Net",
"our method, GROOVE", "we propose Sophia, a ..." --
or a title that opens with a coined name ("LAPP: Layer Adaptive Progressive Pruning ...",
or "AEM: ..." when the abstract defines AEM)
or with a method's name ("Interval Bound Interpolation for ...") when the abstract
proposes something it does not name. The noun before the name decides its type: "a new
benchmark named X" is a dataset, "a metric called X" a metric, anything else a method,
which the paper then `kg:proposesMethod`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, abstract_start, candidates, ensure_extensions, text_of
from kg.extract.patterns import head_label
from kg.normalize import concept_key, strip_acronym_plural
from kg.records import ConceptType, Role

COMPONENT = "proposals"
CONFIDENCE = 0.8

_TRIGGER = re.compile(
    r"\b(?:we|this (?:paper|work)|our (?:paper|work))(?: (?:\w+ly|first|also|further|then|here|now|thus|hence|therefore))? "
    r"(?:propose|introduce|present|develop|design|devise|put forward|contribute|call)s?\b"
    r"|\bour (?:proposed |new |novel )?(?:method|approach|framework|model|algorithm|architecture)\b,",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?: |$)")
_JOINED = re.compile(r"\)?,?\s*(?:and|or|as well as)?\s*(?:the |a |an )?$")
_CLAUSE_END = re.compile(r"[.;!?]( |$)| (?:which|that|to|for|where|whose|based on) ")  # ": " introduces names
_COINED = r"[A-Z][\w+^-]*(?:[A-Z0-9+^][\w+^-]*)"  # OptEmbed, SpecDec++, TR0N, BT^2, LAPP
_NAMED = re.compile(r"\b(?:called|named|dubbed|termed|coined|namely)\s+(?P<name>(?:[A-Z][\w+^-]*\s+){0,5}[A-Z][\w+^-]*)")
_LEADING_NAME = re.compile(r"\s*(?P<name>[A-Z][\w+^-]*(?: [A-Z][\w+^-]*){0,3})\s*[,:]")  # "we propose Sophia, a ..."
_PHRASE_WITH_ACRONYM = re.compile(r"(?P<name>(?:[A-Z][\w^-]*\s+){1,6}?[A-Z][\w^-]*) \(")
_COINED_NAME = re.compile(rf"(?<![\w-])(?P<name>{_COINED})(?![\w-])")
_TITLE_NAME = re.compile(rf"^(?P<name>{_COINED}|[A-Z][a-z]+[A-Z][\w+^-]*)\s*:")
# A title opening with a Title-Case phrase: "Interval Bound Interpolation for Few-shot Learning".
_TITLE_PHRASE = re.compile(r"^(?P<name>[A-Z][\w-]*(?: [A-Z][\w-]*){1,5})(?: (?:for|via|with)\b|\s*:)")
_TYPE_NOUN = re.compile(
    r"\b(?:(?P<Dataset>data ?set|benchmark|corpus|suite|testbed)|(?P<Metric>metric|measure|score|criterion)"
    r"|(?P<Task>task|problem|setting)|(?P<Method>method|technique|framework|approach|algorithm|model|loss"
    r"|architecture|module|network|optimizer|strategy|scheme|estimator|regularizer|procedure))s?\b",
    re.IGNORECASE,
)


_EXPLICIT = re.compile(
    r"(?:\b(?:propose|introduce|present|develop|call)s?|\b(?:called|named|dubbed|termed|namely))\s*[:,]?\s+"
    r"(?:(?:a|an|the|our)\s+)?(?:(?:novel|new|simple|general|unified|efficient|effective|scalable|lightweight)\s+)*$",
    re.IGNORECASE,
)


def is_explicit(text: str, start: int) -> bool:
    """The name at `start` directly follows "we propose" or "called": the paper names its
    own method even when the name is known from elsewhere ("we propose Sophia, ...").

    >>> [is_explicit(t, t.index("Sophia")) for t in ["We propose Sophia, a", "We compare with Sophia."]]
    [True, False]
    """
    return bool(_EXPLICIT.search(text[max(0, start - 80):start]))


# A hyphenated word ending so modifies a noun after it: "BERT-based", "MM-like".
_MODIFIER = re.compile(r"-(?:based|like|style|driven|guided|inspired|free|specific|oriented|agnostic|level|wise)$", re.IGNORECASE)


def is_coined(name: str) -> bool:
    """A coined name: mixed case, digits or symbols, not a 2-3 letter generic acronym, not
    a modifier ("Majorization-Minimization-based optimization algorithm").

    >>> [is_coined(n) for n in ["OptEmbed", "SpecDec++", "LAPP", "LLM", "Transformer", "BERT-based"]]
    [True, True, True, False, False, False]
    """
    name = strip_acronym_plural(name)
    if (len(name) <= 3 and name.isupper()) or _MODIFIER.search(name):
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


def find_proposals(text: str, abstract_from: int = 0, pairs: Sequence = ()) -> list[tuple[int, int, ConceptType]]:
    """(start, end, type) of each name the text presents as new; `pairs` are the text's
    abbreviation definitions (objects with long_start, long_end)."""
    found = []
    title = _TITLE_NAME.match(text) if abstract_from else None
    short_forms = {strip_acronym_plural(p.short_form) for p in pairs}
    if title and not (is_coined(title.group("name")) or title.group("name") in short_forms):  # "AEM: ..." defined below
        title = None
    if title:
        found.append((title.start("name"), title.end("name"), ConceptType.METHOD))
    unnamed = 0
    for trigger in _TRIGGER.finditer(text, abstract_from):
        end = _CLAUSE_END.search(text, trigger.end())
        clause_end = min(end.start() if end else len(text), trigger.end() + 160)
        clause = text[trigger.end():clause_end]
        sentence_end = _SENTENCE_END.search(text, trigger.end())
        sentence = text[trigger.end():min(sentence_end.start() if sentence_end else len(text), trigger.end() + 300)]
        match = _NAMED.search(sentence)
        named_pair = match and next((p for p in pairs if p.long_start == trigger.end() + match.start("name")), None)
        if named_pair:  # "named Gradient norm Aware Minimization (GAM)": the whole long form
            found.append((named_pair.long_start, named_pair.long_end, proposal_type(sentence[: match.start("name")])))
            continue
        if match is None:
            defined = sorted((p for p in pairs if trigger.end() <= p.long_start < clause_end), key=lambda p: p.long_start)
            if defined:  # "we propose A (AA) and B (BB)": the first and those joined to it
                chain = defined[:1]
                for a, b in zip(defined, defined[1:]):
                    if not _JOINED.match(text, a.short_end, b.long_start):
                        break
                    chain.append(b)
                found += [(p.long_start, p.long_end, proposal_type(text[trigger.end():p.long_start])) for p in chain]
                continue
            match = _LEADING_NAME.match(clause) or _PHRASE_WITH_ACRONYM.search(clause)
        if match is None:
            coined = _COINED_NAME.search(clause)
            match = coined if coined and is_coined(coined.group("name")) else None
        if match is None:
            unnamed += 1
            continue
        start = trigger.end() + match.start("name")
        found.append((start, start + len(match.group("name")), proposal_type(sentence[: match.start("name")])))
    if unnamed and not title and abstract_from:
        found += _title_phrase(text)
    return found


def _title_phrase(text: str) -> list[tuple[int, int, ConceptType]]:
    """The title's opening Title-Case phrase, when its head noun names a method or its last
    word is a coined name ("Lagrangian PINNs: ...")."""
    match = _TITLE_PHRASE.match(text)
    last = match.group("name").split()[-1] if match else ""
    # A method's name ends in a method noun or a process noun ("Pruning", "Interpolation"), not "Bounds".
    method_head = _TYPE_NOUN.fullmatch(last) and _TYPE_NOUN.fullmatch(last).lastgroup == "Method" or last.endswith(("ion", "ing"))
    if match and ((method_head and head_label(match.group("name")) == ConceptType.METHOD.value) or is_coined(last)):
        return [(match.start("name"), match.end("name"), ConceptType.METHOD)]
    return []


class ProposalFinder:
    def __call__(self, doc: Doc) -> Doc:
        out = candidates(doc)
        text = text_of(doc)
        for start, end, ctype in find_proposals(text, abstract_start(text), doc._.kg_abbreviations or ()):
            role = Role.PROPOSES if ctype is ConceptType.METHOD else Role.USES
            key = concept_key(text[start:end])
            if key:
                out.append(Candidate(start, end, ctype.value, key, CONFIDENCE, COMPONENT, role))
        return doc


@Language.factory("kg_proposals")
def make_proposal_finder(nlp: Language, name: str) -> ProposalFinder:
    ensure_extensions()
    return ProposalFinder()
