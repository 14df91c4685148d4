"""Benchmark editions: a dataset name followed by a year, version, split or language pair.

"PASCAL VOC 2012", "WMT'14 En-De", "SQuAD v1.1", "COCO 2017 val", "LibriSpeech
test-clean" are each one Dataset mention. The words after the name are read by a small
grammar whose vocabularies (split words, languages) live in data/dataset_editions.jsonl.

The concept key keeps what makes a different benchmark -- the year ("PASCAL VOC 2012" is
not "PASCAL VOC 2007"), the version and the language pair ("WMT 2014 English-German") --
and drops the split: "COCO val" is COCO, evaluated on one of its parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.extract.candidates import load_jsonl

YEAR, VERSION, PAIR, SPLIT = "year", "version", "pair", "split"
_NAMING = (YEAR, VERSION, PAIR)  # the kinds of qualifier that make a concept of their own
_APOSTROPHE_YEAR = re.compile(r"['’](\d\d)(?![\w.'’])")
_YEAR = re.compile(r"((?:19|20)\d\d)(?![\w%]|[.,]\d)")
# a version, not a number reported against the dataset ("ImageNet 1.5 points", "1.2 million",
# "DanceTrack 61.2 HOTA"): "v" and one or two digits ("v2", "v1.1"), or without the "v" one
# digit and a decimal part ("SQuAD 2.0") not followed by a metric-like name
_VERSION = re.compile(r"(?:[vV](\d{1,2}(?:\.\d{1,2}){0,2})|(\d(?:\.\d{1,2}){1,2})(?![ \t]+[a-z]*[A-Z]))(?![\w%]|\.\d)"
                      r"(?![ \t]*(?:%|points?\b|pp\b|pts\b|million\b|billion\b|times\b|x\b|×))")
_GAP = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Edition:
    """The qualifiers after a name: where they end and each (kind, as written, folded)."""

    end: int
    parts: tuple[tuple[str, str, str], ...]

    @property
    def names_edition(self) -> bool:
        """A year, version or language pair: a benchmark of its own, not just a split."""
        return any(kind in _NAMING for kind, _, _ in self.parts)

    def key(self, base_key: str) -> str:
        """The base key plus year, version and language pair, in that order; splits dropped.

        >>> Edition(0, (("split", "val", "val"), ("year", "2017", "2017"))).key("coco")
        'coco-2017'
        """
        folded = {kind: value for kind, _, value in self.parts}
        return "-".join([base_key, *(folded[k] for k in _NAMING if k in folded)])

    def canonical(self, base: str) -> str:
        """The name with its naming qualifiers as written: "COCO 2017 val" -> "COCO 2017"."""
        out = base
        for kind, written, _ in self.parts:
            if kind in _NAMING:
                out += written if written[:1] in "'’" else " " + written
        return out


@cache
def _vocabulary() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    rows = load_jsonl("dataset_editions.jsonl")
    splits = sorted((r["word"] for r in rows if r["kind"] == "split"), key=len, reverse=True)
    nouns = "|".join(re.escape(r["word"]) for r in rows if r["kind"] == "not_after_split")
    split = re.compile(rf"(?:({'|'.join(map(re.escape, splits))})|(?:train|val|test)((?:19|20)\d\d))(?![\w-])"
                       rf"(?![ \t]+(?:{nouns})(?:s|es)?\b)", re.IGNORECASE)
    languages: dict[str, str] = {}
    for row in rows:
        if row["kind"] == "language":
            languages[row["name"].lower()] = row["code"]
            languages[row["code"]] = row["code"]
    names = "|".join(sorted((n for n in languages if len(n) > 2), key=len, reverse=True))
    codes = "|".join(sorted({c for c in languages.values()}))
    # "English-German", "English-to-French", "English to German"; "En-De", "en→de", "EN/DE"
    pair = re.compile(
        rf"(?i:({names})(?:[ \t]*[-–→/][ \t]*|-to-|[ \t]+to[ \t]+)({names}))(?![\w-])"
        rf"|(?i:({codes}))(?:[-–/]|[ \t]*(?:→|->|⇒)[ \t]*)(?i:({codes}))(?![\w-])"
    )
    return split, pair, languages


def full_year(digits: str) -> str:
    """ "14" -> "2014", "98" -> "1998": "WMT'14" and "WMT 2014" are one edition."""
    if len(digits) == 4:
        return digits
    return str((1900 if int(digits) >= 50 else 2000) + int(digits))


def edition_after(text: str, end: int) -> Edition | None:
    """The qualifiers written right after a name ending at `end`, each kind at most once."""
    if text[end:end + 1] not in ("'", "’", " ", "\t"):
        return None  # every qualifier starts with an apostrophe or a gap (most names end a phrase)
    split, pair, languages = _vocabulary()
    parts: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    position = end
    while True:
        found = None
        if YEAR not in seen and (m := _APOSTROPHE_YEAR.match(text, position)):
            found = (YEAR, m, full_year(m.group(1)))
        else:
            gap = _GAP.match(text, position)
            at = gap.end() if gap else None
            if at is not None:
                if YEAR not in seen and (m := _YEAR.match(text, at) or _APOSTROPHE_YEAR.match(text, at)):
                    found = (YEAR, m, full_year(m.group(1)))
                elif VERSION not in seen and (m := _VERSION.match(text, at)) and (m.group(1) or not seen & {YEAR, PAIR}):
                    found = (VERSION, m, (m.group(1) or m.group(2)).replace(".", "-"))
                elif PAIR not in seen and (m := pair.match(text, at)):
                    source, target = (g for g in m.groups() if g)
                    found = (PAIR, m, f"{languages[source.lower()]}-{languages[target.lower()]}")
                elif SPLIT not in seen and (m := split.match(text, at)):
                    found = (SPLIT, m, m.group(1) or "")
                    if m.group(2) and YEAR not in seen:  # "COCO val2017"
                        parts.append((YEAR, m.group(2), m.group(2)))
                        seen.add(YEAR)
        if found is None:
            break
        kind, match, value = found
        written = match.group(0)
        parts.append((kind, written, value))
        seen.add(kind)
        position = match.end()
    return Edition(position, tuple(parts)) if parts else None


def language_pairs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, folded pair) of each language pair written as a word of its own in
    text[start:end] ("En-De", "English-to-French", "en→de"), the pair folded to codes.

    >>> language_pairs("WMT14 En-Fr and 27.3 on English-German, not Ben-Dex")
    [(6, 11, 'en-fr'), (24, 38, 'en-de')]
    """
    _, pair, languages = _vocabulary()
    stop = len(text) if end is None else end
    out = []
    for match in pair.finditer(text, start, stop):
        s = match.start()
        if s and (text[s - 1].isalnum() or text[s - 1] in "-_"):
            continue
        source, target = (g for g in match.groups() if g)
        out.append((s, match.end(), f"{languages[source.lower()]}-{languages[target.lower()]}"))
    return out
