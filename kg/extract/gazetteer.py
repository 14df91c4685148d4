"""Component `kg_gazetteer`: known names of datasets, metrics, tasks and methods.

Names live in data/gazetteer_*.jsonl (see data/GAZETTEERS.md). Matching is one
Aho-Corasick scan over the lower-cased text (plus one over the original text for
case-sensitive names such as "SAM" or "GLUE"), so its cost does not grow with the size of
the lists. Each name is indexed with its spacing, hyphen and plural variants, so
"ResNet-18", "ResNet18" and "resnet 18" all hit ResNet-18.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from functools import cache
from importlib import resources

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, Occupied, candidates, ensure_extensions, load_jsonl, on_word_boundary, text_of
from kg.extract.editions import edition_after
from kg.normalize import concept_key

COMPONENT = "gazetteer"
DATASET = "Dataset"
_PARTS = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_MIXED_SEPARATORS_UP_TO = 5  # words; 3**4 variants at most, beyond that one separator throughout
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


@dataclass(frozen=True)
class Entry:
    label: str
    name: str
    key: str
    confidence: float


def surface_variants(form: str) -> set[str]:
    """The written variants a name is matched under.

    >>> sorted(surface_variants("ResNet-18"))
    ['ResNet 18', 'ResNet-18', 'ResNet18']
    >>> "pretrained language models" in surface_variants("pre-trained language model")
    True
    >>> sorted(surface_variants("GNN"))
    ['GNN', 'GNNs']
    """
    words = re.findall(r"[^\W_]+", _LETTER_DIGIT.sub(" ", form))
    variants = {form}
    if 1 < len(words) <= _MIXED_SEPARATORS_UP_TO:
        # Each gap on its own: "pretrained language model", "Faster RCNN".
        for seps in product((" ", "-", ""), repeat=len(words) - 1):
            variants.add(words[0] + "".join(sep + word for sep, word in zip(seps, words[1:])))
    elif len(words) > 1:
        variants |= {sep.join(words) for sep in (" ", "-", "")}
    plural = {v + ("es" if v.endswith(("s", "x", "ch", "sh")) else "s") for v in variants if v[-1:].isalpha()}
    return variants | plural


def lower_same_length(text: str) -> str:
    """Lower-case without changing any offset (a few characters lower-case to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


@cache
def gazetteer_files() -> tuple[str, ...]:
    folder = resources.files("kg.extract") / "data"
    return tuple(sorted(p.name for p in folder.iterdir() if p.name.startswith("gazetteer_") and p.name.endswith(".jsonl")))


@cache
def known_keys() -> frozenset[str]:
    """The concept key of every listed name, but those of kinds of thing listed for their
    acronyms ("generic": true, "deep neural network" for DNN)."""
    return frozenset(concept_key(row["name"]) for file_name in gazetteer_files() for row in load_jsonl(file_name)
                     if not row.get("generic"))


@cache
def automata() -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    """(case-insensitive, case-sensitive) automata mapping a surface form to its Entry."""
    folded, exact = ahocorasick.Automaton(), ahocorasick.Automaton()
    for file_name in gazetteer_files():
        for row in load_jsonl(file_name):
            entry = Entry(row["label"], row["name"], concept_key(row["name"]), 0.9)
            automaton = exact if row.get("case_sensitive") else folded
            for form in (row["name"], *row.get("aliases", ())):
                for variant in surface_variants(form):
                    pattern = variant if automaton is exact else lower_same_length(variant)
                    if automaton.exists(pattern):
                        continue  # first file wins; the lists are checked for clashes
                    automaton.add_word(pattern, (len(pattern), entry))
    for automaton in (folded, exact):
        if len(automaton):
            automaton.make_automaton()
    return folded, exact


def find_names(text: str) -> list[tuple[int, int, Entry]]:
    """Longest non-overlapping whole-word hits of gazetteer names in `text`."""
    hits = []
    for automaton, haystack in zip(automata(), (lower_same_length(text), text)):
        if automaton.kind != ahocorasick.AHOCORASICK:
            continue
        for end_index, (length, entry) in automaton.iter(haystack):
            start, end = end_index - length + 1, end_index + 1
            if on_word_boundary(text, start, end):
                hits.append((start, end, entry))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    occupied = Occupied()
    taken = [hit for hit in hits if occupied.take(hit[0], hit[1])]
    return sorted(taken, key=lambda h: h[0])


class GazetteerMatcher:
    def __call__(self, doc: Doc) -> Doc:
        out = candidates(doc)
        text = text_of(doc)
        hits = find_names(text)
        for start, end, entry in hits:
            # The entry's name is the concept's label, however the text writes it.
            key, canonical = entry.key, entry.name
            edition = edition_after(text, end) if entry.label == DATASET else None
            # "PASCAL VOC 2012", "COCO val": one mention, unless the words after are another name
            if edition and not any(end < s < edition.end for s, _, _ in hits):
                end, key, canonical = edition.end, edition.key(entry.key), edition.canonical(entry.name)
            out.append(Candidate(start, end, entry.label, key, entry.confidence, COMPONENT, canonical=canonical))
        return doc


@Language.factory("kg_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> GazetteerMatcher:
    ensure_extensions()
    automata()  # build once, at pipeline construction, not on the first document
    return GazetteerMatcher()
