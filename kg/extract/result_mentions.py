"""Mentions the results component adds or relabels so a result can point at a concept,
for :mod:`kg.extract.results`: pure functions over text and candidates.

* :func:`metric_word_candidates` -- metric words of data/metric_directions.jsonl ("error",
  "speedup") that no rule or the model marked, and the case-sensitive metric acronyms of
  data/result_words.jsonl ("IS": Inception Score) within ACRONYM_SPAN characters of a digit;
* :func:`metric_acronyms` -- the model's undefined guess over such an acronym ("IS" tagged
  as a method, keyed "is") beside a number becomes the metric; "importance sampling (IS)"
  keeps its definition;
* :func:`lone_pairs` -- a language pair written alone where a benchmark goes ("27.3 BLEU on
  En-De" after "WMT14 En-Fr") is that benchmark with this pair;
* :func:`cost_metric` -- the measure an efficiency claim names right after its number ("3x
  less GPU memory").

Added mentions are kept only for the results that point at them
(:func:`kg.extract.results.find_results`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from kg.extract.candidates import Candidate, load_jsonl
from kg.extract.editions import language_pairs
from kg.extract.result_links import COMPONENT, SLOT_CONFIDENCE, known_name
from kg.normalize import concept_key

METRIC_CONFIDENCE = 0.6  # a metric word beside a result number, found by this component
ACRONYM_SPAN = 25  # characters from a metric acronym to the nearest digit ("an IS of 9.8")
_METRIC, _DATASET = "Metric", "Dataset"
_HAS_DIGIT = re.compile(r"\d")


@cache
def _metric_words() -> re.Pattern:
    """The metric words of the directions data that name a metric on their own ("error",
    "speedup"; not "score" or "loss"), as a case-insensitive whole-word pattern."""
    words = sorted((row["word"].lower() for row in load_jsonl("metric_directions.jsonl") if row.get("mention", True)),
                   key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")s?(?![\w-])", re.IGNORECASE)


def metric_word_candidates(text: str, s0: int, s1: int, inside: list[Candidate]) -> list[Candidate]:
    """Metric words of the directions data in the sentence that no candidate covers, and
    the metric acronyms of data/result_words.jsonl ("IS": Inception Score) written with
    their exact case within ACRONYM_SPAN characters of a digit."""
    out = []
    for match in _metric_words().finditer(text, s0, s1):
        start, end = match.span()
        if any(c.start < end and start < c.end for c in inside):
            continue
        key = concept_key(match.group())
        if key:
            out.append(Candidate(start, end, _METRIC, key, METRIC_CONFIDENCE, COMPONENT))
    pattern, names = _metric_acronyms()
    sentence = text[s0:s1]
    for match in pattern.finditer(text, s0, s1) if pattern is not None and any(f in sentence for f in names) else ():
        start, end = match.span()
        near = text[max(s0, start - ACRONYM_SPAN):min(s1, end + ACRONYM_SPAN)]
        if any(c.start < end and start < c.end for c in inside) or not _HAS_DIGIT.search(near):
            continue
        name = names[match.group()]
        known = known_name(name)
        key = known[1] if known and known[0] == _METRIC else concept_key(name)
        out.append(Candidate(start, end, _METRIC, key, METRIC_CONFIDENCE, COMPONENT, canonical=known[2] if known else name))
    return out


def metric_acronyms(text: str, cands: list[Candidate]) -> list[Candidate]:
    """`cands` with a mention of another type that is only a metric acronym as written
    ("IS", keyed "is": the model's guess, no definition in the abstract behind it) and
    stands within ACRONYM_SPAN characters of a digit turned into that metric ("an IS of
    9.8" is the Inception Score); "importance sampling (IS)" keeps its definition."""
    pattern, names = _metric_acronyms()
    if pattern is None or not any(form in text for form in names):
        return cands
    longest = max(map(len, names))
    out = []
    for c in cands:
        written = text[c.start:c.end] if c.end - c.start <= longest else ""
        if c.label != _METRIC and written in names and c.key == concept_key(written) \
                and _HAS_DIGIT.search(text, max(0, c.start - ACRONYM_SPAN), c.end + ACRONYM_SPAN):
            known = known_name(names[written])
            key = known[1] if known and known[0] == _METRIC else concept_key(names[written])
            c = replace(c, label=_METRIC, key=key, canonical=known[2] if known else names[written])
        out.append(c)
    return out


@cache
def _metric_acronyms() -> tuple[re.Pattern | None, dict[str, str]]:
    """The case-sensitive metric acronyms (group "metric_acronym") as one whole-word pattern,
    and the name each stands for."""
    names = {form: name for row in load_jsonl("result_words.jsonl") if row["group"] == "metric_acronym"
             for form, name in row["names"].items()}
    if not names:
        return None, names
    forms = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, forms)) + r")(?![\w-])"), names


_PAIR_SLOT = re.compile(r"(?:\b(?:on|in|for|and|or|to)|[,/(])\s*(?:the\s+)?$", re.IGNORECASE)


def lone_pairs(text: str, cands: list[Candidate]) -> list[Candidate]:
    """`cands` with each language pair written on its own where a benchmark goes (after
    "on", "and", ",", "/" or "(") after a dataset named with a pair made that dataset with
    this pair: in "29.1 BLEU on WMT14 En-Fr and 27.3 on En-De", "En-De" is WMT14 En-De; in
    "the WMT 2014 English-German and English-French tasks", "English-French" is WMT 2014
    English-French. A mention of another type over the pair (the model's "En-De" Method)
    gives way; the nearest such dataset before the pair is the one it continues.

    >>> t = "29.1 BLEU on WMT14 En-Fr and 27.3 on En-De"
    >>> d = Candidate(13, 24, "Dataset", "wmt-14-en-fr", 0.9, "g", canonical="WMT14 En-Fr")
    >>> [(t[c.start:c.end], c.key, c.canonical) for c in lone_pairs(t, [d]) if c.component == COMPONENT]
    [('En-De', 'wmt-14-en-de', 'WMT14 En-De')]
    """
    bases = []  # (end of the dataset mention, base key, base name)
    for d in cands:
        if d.label != _DATASET:
            continue
        pairs = language_pairs(text, d.start, d.end)
        if not pairs or pairs[-1][1] != d.end or not d.key.endswith("-" + pairs[-1][2]):
            continue
        written_pair = text[pairs[-1][0]:pairs[-1][1]]
        name = d.canonical if d.canonical and d.canonical.endswith(written_pair) else text[d.start:d.end]
        bases.append((d.end, d.key[:-len(pairs[-1][2]) - 1], name[:-len(written_pair)].rstrip()))
    if not bases:
        return cands
    bases.sort()
    datasets = [(c.start, c.end) for c in cands if c.label == _DATASET]
    added = []
    for start, end, folded in language_pairs(text, bases[0][0]):
        if any(s < end and start < e for s, e in datasets) or not _PAIR_SLOT.search(text, max(0, start - 12), start):
            continue
        _, base_key, base_name = [b for b in bases if b[0] <= start][-1]
        added.append(Candidate(start, end, _DATASET, f"{base_key}-{folded}", SLOT_CONFIDENCE, COMPONENT,
                               canonical=f"{base_name} {text[start:end]}"))
    if not added:
        return cands
    kept = [c for c in cands if not any(a.start < c.end and c.start < a.end for a in added)]
    return sorted(kept + added, key=lambda c: (c.start, c.end))


@cache
def _cost_noun() -> re.Pattern:
    row = next((r for r in load_jsonl("result_words.jsonl") if r["group"] == "cost_noun"), {"modifiers": [], "words": []})
    words = "|".join(map(re.escape, sorted(row["words"], key=len, reverse=True))) or "(?!)"
    modifiers = "|".join(map(re.escape, row["modifiers"])) or "(?!)"
    return re.compile(r"[ \t]*(?:the\s+|less\s+|fewer\s+|lower\s+|smaller\s+|(?:reductions?|savings?)\s+in\s+(?:the\s+)?)?"
                      rf"((?:(?:{modifiers})\s+)?(?:{words}))(?![\w-])", re.IGNORECASE)


def cost_metric(text: str, end: int) -> Candidate | None:
    """A metric for the cost an efficiency claim names right after its number (`end`:
    where the number's phrase ends), from the "cost_noun" words of data/result_words.jsonl
    (measures such as memory and training time; not "compute" or "cost" in general).

    >>> t = "needs 3x less GPU memory on JFT and 5x the compute"
    >>> c = cost_metric(t, t.index("x") + 1)
    >>> (t[c.start:c.end], c.key), cost_metric(t, t.rindex("x") + 1)
    (('GPU memory', 'gpu-memory'), None)
    """
    match = _cost_noun().match(text, end)
    if match is None:
        return None
    key = concept_key(match.group(1))
    return Candidate(match.start(1), match.end(1), _METRIC, key, SLOT_CONFIDENCE, COMPONENT) if key else None


__all__ = ["ACRONYM_SPAN", "METRIC_CONFIDENCE", "cost_metric", "lone_pairs", "metric_acronyms", "metric_word_candidates"]
