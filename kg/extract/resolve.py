"""Component `kg_resolve`: acronyms, roles and overlaps, from candidates to final spans.

Policy, in order:

1. **Acronyms.** Each "long form (SF)" pair the detector found is typed by the candidate
   that covers the long form (gazetteer, pattern, proposal), else by the long form's head
   noun ("... Pruning" is a method). A typed pair yields the long form, the short form
   and every later bare use of the short form in the document ("LAPP"), all with the long
   form's key, so the acronym and its expansion are one concept. Untyped pairs ("whole
   slide image (WSI)") yield nothing.
2. **Roles.** A method the paper proposes ("we propose X", "X: ..." titles) is
   `proposes` wherever it is mentioned, unless the gazetteer knows it (a known method is
   prior work the paper builds on).
3. **Generic terms** (data/generic_terms.jsonl: "machine learning", "neural network")
   are dropped: they would link every paper to every other.
4. **Overlaps.** Candidates are taken greedily by confidence, then length, then
   position; a candidate overlapping one already taken is dropped. URLs (0.9-0.99) thus
   shadow words inside them, and a gazetteer hit (0.9) beats a pattern guess (0.6-0.75).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.abbreviations import AbbreviationPair
from kg.extract.candidates import Candidate, candidates, ensure_extensions, load_jsonl, text_of
from kg.extract.gazetteer import COMPONENT as GAZETTEER
from kg.extract.patterns import head_label
from kg.extract.proposals import COMPONENT as PROPOSALS
from kg.normalize import concept_key, singular_phrase, strip_acronym_plural
from kg.records import REPOSITORY, ConceptType, Role

COMPONENT = "abbreviation"
LONG_FORM_CONFIDENCE = 0.75
CONTAINING_LONG_FORM_CONFIDENCE = 0.92
SHORT_FORM_CONFIDENCE = 0.8
BARE_SHORT_FORM_CONFIDENCE = 0.7


def _covering(cands: list[Candidate], start: int, end: int) -> Candidate | None:
    """The best candidate that ends where the long form ends and starts within it."""
    best = None
    for cand in cands:
        if cand.label != REPOSITORY and cand.end == end and start <= cand.start < end:
            if best is None or (cand.length, cand.confidence) > (best.length, best.confidence):
                best = cand
    return best


def expand_acronyms(
    text: str, cands: list[Candidate], pairs: list[AbbreviationPair]
) -> tuple[list[Candidate], dict[str, tuple[str, str, str]]]:
    """Candidates for each typed abbreviation pair and each bare use of its short form,
    and the definitions: short form -> (label, key, long form)."""
    added: list[Candidate] = []
    defined: dict[str, tuple[str, str, str]] = {}
    proposed = {text[c.start:c.end]: c.label for c in cands if c.component == PROPOSALS}
    for pair in pairs:
        cover = _covering(cands, pair.long_start, pair.long_end)
        exact = cover is not None and cover.start == pair.long_start
        # A coined acronym the paper proposes ("CoLiDE: ..." title) takes the proposal's type.
        label = proposed.get(pair.short_form) or (cover.label if cover else head_label(pair.long_form))
        if label is None:
            continue
        key = cover.key if exact else concept_key(pair.long_form)
        short = strip_acronym_plural(pair.short_form)
        # "Large Language Models (LLMs)": a plural acronym's expansion names one concept in the singular.
        written = singular_phrase(pair.long_form) if short != pair.short_form else pair.long_form
        canonical = (cover.canonical if exact else None) or written
        defined.setdefault(short, (label, key, canonical))
        # A defined term that contains a known name ("Target Projection Stochastic Gradient
        # Descent (tpSGD)") is a new concept: its long form outranks the name inside it.
        contains_name = any(
            c.label != REPOSITORY and pair.long_start <= c.start and c.end <= pair.long_end
            and c.length < pair.long_end - pair.long_start for c in cands
        )
        if contains_name or not exact:
            confidence = CONTAINING_LONG_FORM_CONFIDENCE if contains_name else LONG_FORM_CONFIDENCE
            role = cover.role if exact else Role.USES
            added.append(Candidate(pair.long_start, pair.long_end, label, key, confidence, COMPONENT, role))
        added.append(Candidate(pair.short_start, pair.short_end, label, key, SHORT_FORM_CONFIDENCE, COMPONENT, canonical=canonical))
    definitions = {(p.short_start, p.short_end) for p in pairs}
    for short, (label, key, canonical) in defined.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(short)}s?(?![\w-])", text):
            if match.span() not in definitions:
                added.append(Candidate(match.start(), match.end(), label, key, BARE_SHORT_FORM_CONFIDENCE, COMPONENT, canonical=canonical))
    return added, defined


def rekey_short_forms(text: str, cands: list[Candidate], defined: dict[str, tuple[str, str, str]]) -> list[Candidate]:
    """A candidate whose text is a defined short form ("LAPP" in the title) takes the long form's key."""
    out = []
    for cand in cands:
        definition = defined.get(strip_acronym_plural(text[cand.start:cand.end]))
        if definition and cand.label != REPOSITORY:
            label, key, canonical = definition
            cand = replace(cand, key=key, canonical=canonical, label=cand.label if cand.component == PROPOSALS else label)
        out.append(cand)
    return out


def assign_roles(cands: list[Candidate]) -> list[Candidate]:
    """Mark every mention of a method the paper proposes; known methods are never proposed."""
    known = {c.key for c in cands if c.component == GAZETTEER}
    proposed = {
        c.key for c in cands
        if c.component == PROPOSALS and c.label == ConceptType.METHOD.value and c.key not in known
    }
    # A proposed acronym ("LAPP") stands for its long form: propose that key as well.
    spans = {(c.start, c.end): c.key for c in cands if c.component == PROPOSALS}
    proposed |= {c.key for c in cands if c.component == COMPONENT and spans.get((c.start, c.end)) in proposed}
    return [
        replace(c, role=Role.PROPOSES) if c.key in proposed and c.label == ConceptType.METHOD.value else
        replace(c, role=Role.USES) if c.role is Role.PROPOSES else c
        for c in cands
    ]


@cache
def generic_keys() -> frozenset[str]:
    """Keys of terms too generic to map a field ("machine learning", "neural network")."""
    return frozenset(concept_key(row["term"]) for row in load_jsonl("generic_terms.jsonl"))


def select(cands: list[Candidate]) -> list[Candidate]:
    """Greedy overlap resolution: confidence, then length, then position; generic terms go."""
    taken: list[Candidate] = []
    occupied: list[tuple[int, int]] = []
    generic = generic_keys()
    for cand in sorted(cands, key=lambda c: (-c.confidence, -c.length, c.start, c.label, c.key)):
        if cand.key in generic:
            continue
        if all(cand.end <= s or cand.start >= e for s, e in occupied):
            taken.append(cand)
            occupied.append((cand.start, cand.end))
    return sorted(taken, key=lambda c: (c.start, c.end))


def resolve(text: str, cands: list[Candidate], pairs: list[AbbreviationPair]) -> list[Candidate]:
    added, defined = expand_acronyms(text, cands, pairs)
    everything = rekey_short_forms(text, cands, defined) + added
    chosen = select(assign_roles(everything))
    # A proposal that lost its span to an acronym keeps its role through the acronym's key.
    return assign_roles(chosen + [c for c in everything if c.component == PROPOSALS and c not in chosen])[: len(chosen)]


class Resolver:
    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_candidates = resolve(text_of(doc), candidates(doc), doc._.kg_abbreviations or [])
        return doc


@Language.factory("kg_resolve")
def make_resolver(nlp: Language, name: str) -> Resolver:
    ensure_extensions()
    return Resolver()
