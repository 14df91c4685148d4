"""Component `kg_abbreviations`: long form / short form pairs, "long form (SF)".

Implements the algorithm of A. S. Schwartz and M. A. Hearst, "A simple algorithm for
identifying abbreviation definitions in biomedical text", PSB 2003: a parenthesised
short form is matched character by character, right to left, against the words before
it; the shortest long form that covers every character, with the first character at a
word start, wins. ML abstracts add plural acronyms ("Graph Neural Networks (GNNs)") and
missing spaces ("Click-through rate(CTR)"), handled here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import ensure_extensions, text_of
from kg.normalize import strip_acronym_plural

COMPONENT = "abbreviation"
_PAREN = re.compile(r"\(([^()]{1,12})\)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class AbbreviationPair:
    long_start: int
    long_end: int
    short_start: int
    short_end: int
    long_form: str
    short_form: str


def is_short_form(text: str) -> bool:
    """An ML acronym: 2-10 characters, one or two words, a letter first, an upper-case letter.

    >>> [is_short_form(s) for s in ["LAPP", "GNNs", "e.g.", "2023", "see above"]]
    [True, True, False, False, False]
    """
    if not 2 <= len(text) <= 10 or len(text.split()) > 2:
        return False
    if not text[0].isalpha() or not any(c.isupper() for c in text):
        return False
    return not re.search(r"[,;=/]|\b(?:e\.g|i\.e|cf|et al)\b", text)


def best_long_form(short: str, candidate: str) -> str | None:
    """The Schwartz-Hearst match of `short` at the end of `candidate`, or None.

    >>> best_long_form("LAPP", "we propose a novel framework named Layer Adaptive Progressive Pruning")
    'Layer Adaptive Progressive Pruning'
    >>> best_long_form("SAM", "and sharpness-aware minimization")
    'sharpness-aware minimization'
    """
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        ch = short[s].lower()
        if not ch.isalnum():
            s -= 1
            continue
        while c >= 0 and (candidate[c].lower() != ch or (s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    long_form = candidate[start:]
    if len(long_form) <= len(short) or long_form.split()[0].lower() in {"the", "a", "an", "of", "and", "in"}:
        return None
    # Not in the 2003 paper, but it keeps clauses out of ML long forms: the first letters agree.
    if long_form[0].lower() != short[0].lower() or re.search(r"[,%;]", long_form):
        return None
    return long_form


def find_abbreviations(text: str) -> list[AbbreviationPair]:
    """Every "long form (SF)" definition in `text`, with offsets of both parts."""
    pairs = []
    for match in _PAREN.finditer(text):
        written = match.group(1).strip()
        if not is_short_form(written):
            continue
        short = strip_acronym_plural(written)
        before = text[: match.start()].rstrip()
        words = list(_WORD.finditer(before))
        window = min(len(short) + 5, len(short) * 2)
        if not words:
            continue
        window_start = words[max(0, len(words) - window)].start()
        # A long form does not run across a sentence or clause boundary.
        segment_start = max(before.rfind(mark, window_start) for mark in (". ", "; ", ": ", "(", "\n"))
        window_start = max(window_start, segment_start + 1 if segment_start >= 0 else window_start)
        long_form = best_long_form(short, before[window_start:].lstrip(" ("))
        if long_form is None:
            continue
        long_end = len(before)
        possessive = re.search(r"['\u2019]s$", long_form)
        if possessive:  # "Multi-Head Attention's (MHA)"
            long_form, long_end = long_form[: possessive.start()], long_end - len(possessive.group())
        short_start = match.start(1) + match.group(1).index(written)
        pairs.append(AbbreviationPair(long_end - len(long_form), long_end, short_start, short_start + len(written), long_form, written))
    return pairs


class AbbreviationDetector:
    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_abbreviations = find_abbreviations(text_of(doc))
        return doc


@Language.factory("kg_abbreviations")
def make_abbreviation_detector(nlp: Language, name: str) -> AbbreviationDetector:
    ensure_extensions()
    return AbbreviationDetector()
