"""Component `kg_patterns`: regular-expression rules kept as data (data/patterns.jsonl).

Two kinds of rule:

``regex``
    the named group ``name`` is a concept of the rule's fixed ``label`` ("the X dataset";
    "on A, B and C benchmarks" with ``split``). With ``distinctive``, a name must look
    like a proper name (two capitals or a digit: "CIFAR-10", "ImageNet", not "Large").
``edition``
    a benchmark-like name (``name``) followed by a year or language pair and perhaps a
    version or split (:mod:`kg.extract.editions`): "VOC 2007 test", "NIST 2005 Chinese-English".
    The key keeps year, version and pair and drops the split.
``headed``
    a Title-Case phrase whose last word is a known head noun ("Graph Neural Networks",
    "Click-through Rate Prediction"); the head's type (data/heads.jsonl) is the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, abstract_start, candidates, ensure_extensions, head_labels, load_jsonl, text_of
from kg.extract.editions import edition_after
from kg.normalize import concept_key, singular

COMPONENT = "patterns"
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    pattern: re.Pattern
    confidence: float
    label: str | None = None
    distinctive: bool = False
    split: bool = False
    min_words: int = 1
    leading_stopwords: frozenset[str] = frozenset()
    fields: tuple[str, ...] = ("title", "abstract")


@cache
def rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            id=row["id"],
            kind=row["kind"],
            pattern=re.compile(row["pattern"]),
            confidence=row["confidence"],
            label=row.get("label"),
            distinctive=row.get("distinctive", False),
            split=row.get("split", False),
            min_words=row.get("min_words", 1),
            leading_stopwords=frozenset(row.get("leading_stopwords", ())),
            fields=tuple(row.get("fields", ("title", "abstract"))),
        )
        for row in load_jsonl("patterns.jsonl")
    )


def is_distinctive(name: str) -> bool:
    """Looks like a proper name: a digit, or a word with two capitals ("ImageNet", "MS
    MARCO"). A lone upper-case word is a field's acronym more often than a dataset ("NLP
    benchmarks"), and Title Case alone is just emphasis ("Domain Generalization benchmark").

    >>> [is_distinctive(n) for n in ["CIFAR-10", "ImageNet", "MS MARCO", "Large", "NLP", "Domain Generalization", "5"]]
    [True, True, True, False, False, False, False]
    """
    if not any(c.isalpha() for c in name):
        return False
    if any(c.isdigit() for c in name):
        return True
    words = name.split()
    if len(words) == 1 and name.isupper():
        return False
    return any(sum(c.isupper() for c in word) >= 2 for word in words)


# Distinct phrases asked about in a build (rule hits, model spans, long forms): the most
# recent are kept, a bounded table.
HEAD_LABEL_CACHE = 1 << 16


@lru_cache(maxsize=HEAD_LABEL_CACHE)
def head_label(phrase: str) -> str | None:
    """The concept type the phrase's last word implies, if any."""
    last = re.split(r"[\s-]+", phrase.strip())[-1].lower()
    return head_labels().get(singular(last)) or head_labels().get(last)


def _strip_leading(text: str, start: int, stopwords: frozenset[str]) -> tuple[str, int]:
    while True:
        first, _, rest = text.partition(" ")
        if not rest or first.lower() not in stopwords:
            return text, start
        start += len(first) + 1
        text = rest


def apply_rule(rule: Rule, text: str, begin: int = 0, stop: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of each concept the rule finds in text[begin:stop]."""
    found = []
    for match in rule.pattern.finditer(text, begin, len(text) if stop is None else stop):
        name, start = _strip_leading(match.group("name"), match.start("name"), rule.leading_stopwords)
        if rule.kind == "edition":
            edition = edition_after(text, start + len(name))
            if edition and edition.names_edition:
                found.append((start, edition.end, rule.label))
            continue
        if rule.kind == "headed":
            label = head_label(name)
            if label and len(name.split()) >= rule.min_words:
                found.append((start, start + len(name), label))
            continue
        pieces = [(start, name)]
        if rule.split:
            pieces, offset = [], start
            for part in _LIST_SEPARATOR.split(name):
                offset = text.index(part, offset)
                pieces.append((offset, part))
                offset += len(part)
        for piece_start, piece in pieces:
            if not rule.distinctive or is_distinctive(piece):
                found.append((piece_start, piece_start + len(piece), rule.label))
    return found


def edition_key(rule: Rule, text: str, start: int) -> str:
    """The key of an edition rule's hit: the name's key plus its year, version and pair."""
    name_end = rule.pattern.match(text, start).end("name")
    return edition_after(text, name_end).key(concept_key(text[start:name_end]))


class PatternMatcher:
    def __call__(self, doc: Doc) -> Doc:
        out = candidates(doc)
        text = text_of(doc)
        split = abstract_start(text)
        bounds = {"title": (0, max(split - 2, 0)), "abstract": (split, len(text))}
        for rule in rules():
            for start, end, label in (hit for f in rule.fields for hit in apply_rule(rule, text, *bounds[f])):
                key = edition_key(rule, text, start) if rule.kind == "edition" else concept_key(text[start:end])
                if key:
                    out.append(Candidate(start, end, label, key, rule.confidence, f"{COMPONENT}:{rule.id}"))
        return doc


@Language.factory("kg_patterns")
def make_pattern_matcher(nlp: Language, name: str) -> PatternMatcher:
    ensure_extensions()
    rules()
    return PatternMatcher()
