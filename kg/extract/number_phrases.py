"""Phrases around a number that settle what it is, for :mod:`kg.extract.numbers`: pure
patterns and one predicate, kept apart so that module stays small.

* shapes written with LaTeX's times spelled out ("512times 512", "512 \\times 512");
* a rating on a scale ("3.74 out of 5");
* a multiplier of a setting or a comparison of problems ("25 times longer", "100 times
  easier", "32x over-trained"), as opposed to a cost or a score ("2.1x faster", "10 times
  larger", "5x the compute"): :func:`multiplied_setting`;
* an amount reached ("recalling 84% of the data") and a share of a named baseline's cost
  ("only 20% of Adam's memory"), which settings rules must not take for operating points;
* the value reached after a change ("improves FID to 2.5", "reduces RMSE to 0.391": a
  score) and a gap to a reference ("within 5% accuracy of BP", "by a large margin, i.e., up
  to 15.1": an improvement).
"""

from __future__ import annotations

import re

SHAPE_AFTER = re.compile(r"[ \t]*\d")  # a multiplier followed by a number: "512times 512"
SHAPE_BEFORE = re.compile(r"\d[ \t]*(?:\\times|times|×)[ \t]*$")  # the number after it
RATING = re.compile(r"\s*out of\s+\d+(?:\.\d+)?\b")
REACHED_AMOUNT = re.compile(r"\b(?:recall|retain|preserv|recover|achiev|reach|attain|obtain|maintain|keep)\w*\s+"
                            r"(?:up to\s+|about\s+|around\s+|over\s+|nearly\s+|almost\s+|~)?$")
OF_BASELINE = re.compile(r"\s*of\s+(?:the\s+)?[\w-]+(?:['’]s|s['’])\s")
TO_VALUE = re.compile(r"\b(?:improv|increas|rais|reduc|decreas|lower|boost|push|bring|brought|cut|drop|ris|rose|fall|fell)\w*"
                      r"\b[^.;,]{0,40}?(?<!\bup)\s+to\s+(?:about\s+|around\s+|only\s+|just\s+|~)?$", re.IGNORECASE)
WITHIN = re.compile(r"\bwithin\s+(?:about\s+|only\s+|~)?$")
MARGIN_BEFORE = re.compile(r"\bby\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}margin[\s,]*(?:i\.e\.,?\s*|e\.g\.,?\s*)?"
                           r"(?:of\s+)?(?:up to\s+|about\s+|over\s+|~)?$", re.IGNORECASE)

# The words after a multiplier that make it a result: a cost, a score, or a comparison of one.
MULTIPLIED_OK = frozenset(
    "faster slower smaller fewer less lower higher better more larger greater cheaper quicker lighter shorter bigger "
    "speedup speed-up speedups speed-ups speed reduction reductions improvement improvements increase increases gain gains "
    "acceleration compression saving savings the".split())
_COMPARATIVE = re.compile(r"[a-z]+er$|over-?[a-z]+ed$")  # "longer", "easier"; "over-trained"


def multiplied_setting(next_word: str | None, cue_words: frozenset[str] = frozenset()) -> bool:
    """Whether a multiplier followed by `next_word` (lower-cased) sizes a setting or compares
    problems rather than stating a result: a comparative or an "over-...ed" participle that
    is neither in MULTIPLIED_OK nor one of `cue_words` (the efficiency and improvement cues).

    >>> [multiplied_setting(w) for w in ("longer", "easier", "over-trained", "faster", "larger", "reduced", None)]
    [True, True, True, False, False, False, False]
    """
    if not next_word or next_word in MULTIPLIED_OK or next_word in cue_words:
        return False
    return _COMPARATIVE.fullmatch(next_word) is not None


__all__ = ["MARGIN_BEFORE", "MULTIPLIED_OK", "OF_BASELINE", "RATING", "REACHED_AMOUNT", "SHAPE_AFTER", "SHAPE_BEFORE",
           "TO_VALUE", "WITHIN", "multiplied_setting"]
