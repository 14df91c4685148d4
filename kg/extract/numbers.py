"""Numbers in a sentence and whether each states a result: pure functions over text.

:mod:`kg.extract.results` runs them on every sentence with a digit. The steps, each a
small function tested on its own:

1. :func:`find_numbers` -- every number as written, with its unit ("28.4", "3.57%",
   "2.1×", "+2.1 points", "5.18\\times"), a sign, a magnitude suffix ("7B", "1.2M") and
   the words glued around it;
2. :func:`join_ranges` -- "70%-85%", "0.67~1.98", "2-5 times", "45.1/38.2": the first
   number of a range or pair takes the unit of the last, and each is its own result;
3. :func:`non_result` -- why a number is not a result, or None: a digit inside a name
   ("CIFAR-10", "ResNet50", "top-1"), a year, a count ("7B parameters", "16,323
   samples", "20 tasks"), an operating point ("at 50% sparsity", "with 0.5% trainable
   parameters", "90% coverage target", "at a sparsity of 90%", "remove 50% of connections":
   :func:`is_setting_value`; coordinated repeats such as ", and to 90%" are dropped by
   :mod:`kg.extract.results` with :func:`operating_preposition`; also thresholds and budgets
   "under a latency budget of 5 ms", labelled fractions "with 10% of COCO labeled"), a
   resolution ("256x256"), the problem a paper addresses ("leading to ~20% overheads"),
   an enumeration ("(1)"), a fraction ("1/3", "2:4"; not the pair "93.2/89.1"), a shape
   with LaTeX's times spelled out ("512times 512"), a multiplier of a setting or a
   comparison of problems ("25 times longer", "100 times easier"); a number without a unit
   counts only beside a metric ("46.5 mIoU", "FID of 12.4") or as a rating ("3.74 out of 5");
   the phrases of these later rules are :mod:`kg.extract.number_phrases`;
4. :func:`result_kind` -- absolute score, improvement over a baseline, or efficiency
   claim, from cue words around the number (data/result_words.jsonl); a number in a unit
   of cost (FPS, ms, hours, GB) is an efficiency claim, "from A to B" two scores.

Word lists are data (data/result_words.jsonl), so they can grow without code changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache

from kg.extract.candidates import load_jsonl
from kg.extract.number_phrases import (MARGIN_BEFORE, OF_BASELINE, RATING, REACHED_AMOUNT, SHAPE_AFTER, SHAPE_BEFORE, TO_VALUE,
                                       WITHIN, multiplied_setting)

ABSOLUTE = "AbsoluteResult"
IMPROVEMENT = "Improvement"
EFFICIENCY = "EfficiencyResult"
KINDS = (ABSOLUTE, IMPROVEMENT, EFFICIENCY)

_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+")
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|∼|to|sim|\\sim|and|/)\s*$")  # between two numbers of a range or pair

# Patterns used on every number, compiled once.
_RX0 = re.compile(r"([A-Za-z][\w-]*)[^\w]*$")
_RX1 = re.compile(r"[,;:()\[\].!?]")
_RX2 = re.compile(r"[A-Za-z][\w-]*")
_RX3 = re.compile(r"\s*out of\b")
_RX4 = re.compile(r"\bout of\s*$")
_RX5 = re.compile(r"\b(?:at|with only|using only|with just|only)\s+(?:up to\s+|about\s+)?$")  # "at least 3x" is a result
_RX6 = re.compile(r"\s*(?:coverage|confidence|target)")
_RX7 = re.compile(r"\s*(?:the|higher|better|more)\s")
_RX8 = re.compile(r"\s*(?:the\s+)?(?:average\s+)?(?:accuracy|performance|score)")
_RX9 = re.compile(r"\bby\s+(?:up to\s+|about\s+|over\s+|more than\s+|at least\s+|nearly\s+|roughly\s+|almost\s+|a margin of\s+|an average of\s+|on average\s+|only\s+|just\s+|merely\s+|~|>|sim\s?)*$")
_RX10 = re.compile(r"(?:gain|improvement|margin|increase|reduction|decrease|drop|boost)s?\s+of\s+(?:only\s+|just\s+|merely\s+|up to\s+|about\s+|over\s+|~)?$")
_RX11 = re.compile(r"\s*(?:\(\w+\)\s*)?(?:absolute\s+|relative\s+|average\s+)?(?:\w+\s+|(?:(?!(?:with|and|or|on|in|for|than|at|of|to|by|from|while|using|over)\b)[\w-]+\s+){1,3}(?=(?:improvements?|gains?|increases?|reductions?|decreases?|drops?|boosts?)\b))?(?:improvements?|gains?|higher|better|lower|increases?|reductions?|decreases?|drops?|boosts?|savings?|fewer|less|more|smaller|faster|reduced|improved|advantage|margin|loss|degradation|above|below|ahead)\b")
_RX12 = re.compile(r"\b(?:improv\w*|outperform\w*|surpass\w*|boost\w*|gain\w*)\b[^.]*$")
_RX13 = re.compile(r"[a-z][\w-]*")
# A setting word before the number: "at a sparsity of 90%", "with a pruning rate of 50%",
# "to a bit-width of 4" (the setting is named before its value; "achieves a compression
# ratio of 15.5" is a result, so a preposition of setting must open the phrase).
_SETTING_BEFORE = re.compile(
    r"\b(?:at|with|under|to|for)\s+(?:a|an|the)?\s*(?:[\w-]+\s+)?(?:sparsity|compression (?:ratio|rate)|pruning (?:ratio|rate)"
    r"|bit[- ]?widths?|masking ratio|mask ratio|quantization level|budget|threshold|target|constraint|limit)(?:\s+levels?)?\s*(?:of|=|:)?\s*"
    r"(?:up to\s+|about\s+|around\s+|~|sim\s?)?$")
# A pruning verb before the amount it removes: "can remove 50% of connections", "removes
# 90% weights", "prune models in one-shot to 70-80%", "compresses ResNet-20 to 40.3%";
# not "by" (a reduction achieved: "reduces FLOPs by 34.7%").
_PRUNED_AMOUNT = re.compile(
    r"\b(?:prun(?:e|es|ed|ing)|remov(?:e|es|ed|ing)|compress(?:es|ed|ing)?|sparsif(?:y|ies|ied|ying))"
    r"(?:\s+(?!by\b)[\w-]+){0,3}?\s+(?P<to>(?:down\s+)?to\s+)?(?:up to\s+|about\s+|around\s+|~|sim\s?)?$")
# The value of a ratio or rate named before a colon: "a moderate ratio for encoder: 15~30%".
_NAMED_SETTING = re.compile(r"\b(?:ratios?|rates?)(?:\s+(?:for|of)\s+(?:the\s+)?[\w-]+)?\s*[:=]\s*(?:~|about\s+|around\s+)?$")
# A number stated as the problem a paper addresses, not its outcome: "leading to ~20% overheads",
# "may lead to a 50.25% performance loss" (a verb of consequence before, a cost or loss after).
_PROBLEM_BEFORE = re.compile(
    r"\b(?:lead(?:s|ing)? to|led to|caus(?:e|es|ed|ing)|suffer(?:s|ed|ing)? from|incur(?:s|red|ring)?|result(?:s|ed|ing)? in)\b"
    r"(?![^.;%]*\b(?:only|just|merely|negligible|minimal|little)\b)[^.;%]{0,40}$")
_PROBLEM_AFTER = re.compile(r"\s*(?:[\w-]+\s+){0,2}(?:overheads?|loss|losses|degradation|slowdowns?|penalty|penalties|waste|drops?)\b")
# The level a sparse or pruned model is at, in brackets after it: "sparse subnetworks (98%+)".
_SPARSE_BRACKET = re.compile(r"\b(?:sparse|sparsity|pruned|compressed)\b[\w\s-]{0,30}\(\s*$")
# A fraction of a dataset that is labelled: "with 10% of COCO labeled", "1% of ImageNet labels".
_DATA_FRACTION = re.compile(r"\s*of\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:labeled|labelled|annotated|labels|annotations)\b")
# Units of a cost: a number in them is an efficiency claim, and "at 32 FPS" is a speed, not a setting.
COST_UNITS = frozenset({"ms", "s", "min", "h", "d", "GB", "MB", "FPS"})
_TIME_UNITS = frozenset({"ms", "s", "min", "h", "d"})
_DURATION_SETTING = re.compile(r"\b(?:after|for)\s+(?:only\s+|just\s+|about\s+|around\s+|~)?$")
_INTEGER_AFTER = re.compile(r"[:/]\d+(?![.,]?\d)")
_PRUNED_DIRECT = re.compile(r"\s*(?:of\s+(?:the\s+|its\s+|all\s+)?)?(?:[\w-]+\s+)?(?:weights|connections|parameters|neurons|channels|filters|heads|tokens|layers)\b")


@dataclass(frozen=True)
class Number:
    """A number as written in a sentence: `start`/`end` cover the sign, digits and unit."""

    start: int
    end: int
    text: str
    value: Decimal
    unit: str | None = None
    magnitude: str | None = None  # "B" of "7B", "million" of "2 million"
    num_start: int = 0  # where the digits start (after a sign or "~")
    num_end: int = 0  # where the digits end (before the unit)


@cache
def _words(group: str) -> dict:
    return {row["group"]: row for row in load_jsonl("result_words.jsonl")}.get(group, {})


@cache
def _unit_pattern() -> re.Pattern:
    """Unit forms, longest first; alphabetic forms must end at a word boundary."""
    forms: list[tuple[str, str]] = []
    for row in load_jsonl("result_words.jsonl"):
        if row["group"] == "unit":
            forms += [(form, row["unit"]) for form in row["forms"]]
    forms.sort(key=lambda f: -len(f[0]))
    parts = []
    for form, _ in forms:
        escaped = re.escape(form)
        parts.append(escaped + (r"(?![A-Za-z0-9])" if form[-1].isalnum() else ""))
    return re.compile(r"(?:\s?)(" + "|".join(parts) + r")")


@cache
def _unit_of_form() -> dict[str, str]:
    return {form: row["unit"] for row in load_jsonl("result_words.jsonl") if row["group"] == "unit" for form in row["forms"]}


@cache
def _magnitude_pattern() -> re.Pattern:
    words = sorted(_words("magnitude")["words"], key=len, reverse=True)
    return re.compile(r"\s?(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z])")


@cache
def word_set(group: str) -> frozenset[str]:
    """The lower-cased words of a group of data/result_words.jsonl."""
    return frozenset(w.lower() for w in _words(group).get("words", ()))


def _decimal(digits: str) -> Decimal | None:
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None


def find_numbers(text: str) -> list[Number]:
    """Every number in `text` with its sign, unit or magnitude (no filtering yet).

    >>> [(n.text, str(n.value), n.unit) for n in find_numbers("achieves 28.4 BLEU, +2.1 points and 2.1× faster")]
    [('28.4', '28.4', None), ('+2.1 points', '2.1', 'points'), ('2.1×', '2.1', 'x')]
    >>> [(n.text, n.unit, n.magnitude) for n in find_numbers("a 7B model, 3.57% error, 1,200 samples")]
    [('7B', None, 'B'), ('3.57%', '%', None), ('1,200', None, None)]
    """
    out = []
    units = _unit_pattern()
    magnitudes = _magnitude_pattern()
    forms = _unit_of_form()
    for match in _DIGITS.finditer(text):
        start, end = match.span()
        value = _decimal(match.group())
        if value is None:
            continue
        if start and text[start - 1] in "+-−" and (start < 2 or text[start - 2] in " ([,:"):
            start -= 1
            if text[start] != "+":
                value = -value
        unit = magnitude = None
        stop = end
        umatch = units.match(text, end)
        mmatch = magnitudes.match(text, end)
        if umatch and not (umatch.group(1) in ("x", "X") and text[end:end + 1] == " "):
            unit, stop = forms[umatch.group(1)], umatch.end()
            if text.startswith("-fold", end):
                unit = "x"
        elif mmatch:
            magnitude, stop = mmatch.group(1), mmatch.end()
        out.append(Number(start, stop, text[start:stop], value, unit, magnitude, match.start(), end))
    return out


def join_ranges(text: str, numbers: list[Number]) -> list[Number]:
    """A number without a unit right before another, joined by "-", "~", "to", "/" or
    "and", takes the other's unit: "70-80%", "0.67~1.98 points", "2-5 times".

    >>> [n.unit for n in join_ranges("by 70-80% and", find_numbers("by 70-80% and"))]
    ['%', '%']
    """
    out = list(numbers)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if a.unit is None and a.magnitude is None and b.unit and _RANGE_JOIN.fullmatch(text, a.end, b.num_start) \
                and b.start - a.end <= 5:
            out[i] = replace(a, unit=b.unit)
    return out


def _prev_word(text: str, pos: int) -> str:
    match = _RX0.search(text[max(0, pos - 40):pos])
    return match.group(1).lower() if match else ""


def _next_words(text: str, pos: int, n: int = 3) -> list[str]:
    """Up to `n` words after `pos`, stopping at punctuation that ends a phrase."""
    rest = _RX1.split(text[pos:pos + 60], maxsplit=1)[0]
    return [w.lower() for w in _RX2.findall(rest)[:n]]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def is_name_digit(text: str, number: Number) -> bool:
    """Digits that are part of a name or a modifier: "CIFAR-10", "ResNet50", "top-1",
    "LLaMA-2-7B", "5-shot", "3D", "1st", "v1.2", "Phi^*".

    >>> t = "CIFAR-10 with ResNet50 and 5-shot top-1 error of 3.5%"
    >>> [is_name_digit(t, n) for n in find_numbers(t)]
    [True, True, True, True, False]
    """
    s, e = number.num_start, number.num_end
    before = text[s - 1] if s else " "
    after = text[e] if e < len(text) else " "
    if before.isalpha():
        return not text[:s].lower().endswith("sim")  # LaTeX debris "sim0.6" is "~0.6"
    if before == "-" and s >= 2 and text[s - 2].isalpha():
        return True
    if before in "._^" or (before == "-" and s >= 2 and text[s - 2] in "._"):
        return True
    if number.unit is None and number.magnitude is None:
        if after.isalpha() and not (after in "xX" and not text[e + 1:e + 2].isalpha()):
            return True  # "3D", "1st", "2nd"
        if after == "-" and text[e + 1:e + 2].isalpha():
            return True  # "5-shot", "2-layer"
        if after == "-" and text[e + 1:e + 2] == " ":
            return True  # "5- and 10-shot"
    return False


def non_result(text: str, number: Number, has_metric_beside: bool) -> str | None:
    """Why `number` is not a stated result, or None when it may be one.

    `has_metric_beside` says whether a metric is written right next to the number ("46.5
    mIoU", "FID of 12.4"): a number without a unit is a result only then.

    >>> t = "In 2023 we pruned a 7B model at 50% sparsity on 20 tasks, reaching 46.5 mIoU (1) and 3.2% error."
    >>> [(n.text, non_result(t, n, n.text == "46.5")) for n in find_numbers(t)]  # doctest: +NORMALIZE_WHITESPACE
    [('2023', 'year'), ('7B', 'size'), ('50%', 'operating point'), ('20', 'count'), ('46.5', None),
     ('1', 'enumeration'), ('3.2%', None)]
    """
    if is_name_digit(text, number):
        return "name"
    s, e = number.num_start, number.num_end
    after = text[e:e + 1]
    before = text[s - 1:s] if s else ""
    if number.magnitude or (text[e:e + 1] in ("x", "X", "×") and text[e + 1:e + 2].isdigit()):
        return "size"  # "7B", "1.2M"; a resolution or shape "256x256", "1024×2048"
    if (number.unit == "x" and SHAPE_AFTER.match(text, number.end)) or SHAPE_BEFORE.search(text, max(0, s - 12), s):
        return "size"  # "512times 512", "512 \\times 512" (LaTeX's times written out): a shape, both sides
    if number.unit is None and "." not in number.text and (
            _INTEGER_AFTER.match(text, e) or (before in ":/" and s >= 2 and text[s - 2].isdigit())):
        return "fraction"  # "1/3", "2:4"; decimals joined by "/" are a pair of results ("93.2/89.1")
    if before == "(" and after == ")" and number.unit is None and "." not in number.text:
        return "enumeration"  # "(1)"; not a baseline's score "ColBERTv2 (39.7)"
    if number.unit is None and number.value == number.value.to_integral_value() and "." not in number.text:
        if 1900 <= number.value <= 2099:
            return "year"
        if after == ")" and (not before or before in " (\n"):
            return "enumeration"
    words = _next_words(text, number.end)
    count_nouns = word_set("count_noun")
    if number.unit is None and words and any(_singular(w) in count_nouns or w in count_nouns for w in words[:2]):
        if not has_metric_beside or (_is_count_noun(words[0], count_nouns) and "." not in number.text
                                     and text[number.end:number.end + 1] == " "):
            return "count"  # "20 tasks"; "5 levels of complexity" even beside a metric
    if number.unit == "x" and not has_metric_beside and multiplied_setting(
            next(iter(_next_words(text, number.end, 1)), None), word_set("efficiency_cue") | word_set("improvement_cue")):
        return "comparison"  # "25 times longer", "100 times easier", "32x over-trained": no cost or score
    if _RX3.match(text[number.end:number.end + 10]) is None and _RX4.search(text[max(0, s - 10):s]):
        return "count"
    reason = _setting_or_problem(text, number, has_metric_beside)
    if reason:
        return reason
    if number.unit is None and not has_metric_beside and not (RATING.match(text, number.end) and "." in number.text):
        return "no unit and no metric"  # a rating on a scale is a score: "3.74 out of 5"
    return None


def _is_count_noun(word: str, count_nouns: frozenset[str]) -> bool:
    return word in count_nouns or _singular(word) in count_nouns


def _setting_or_problem(text: str, number: Number, has_metric_beside: bool) -> str | None:
    """ "operating point" for the setting a result is measured at, "problem" for a number
    that states the problem the paper addresses, else None (see :func:`non_result`)."""
    left = text[max(0, number.start - 60):number.start].lower()
    tail = text[number.end:number.end + 40].lower()
    if number.unit not in COST_UNITS:  # "at 32 FPS", "in 4.5 hours" are costs, not settings
        if (_condition_after().match(tail) or _RX6.match(tail) or _DATA_FRACTION.match(tail)) \
                and not (REACHED_AMOUNT.search(left[-40:]) and tail.lstrip().startswith("of ")):
            return "operating point"  # "with 10% of the data"; not "while recalling 84% of the data"
        if _RX5.search(left[-25:]) and not has_metric_beside and not OF_BASELINE.match(tail):
            return "operating point"  # "with only 0.5% trainable parameters"; not "only 20% of Adam's memory"
        if _SPARSE_BRACKET.search(left):
            return "operating point"
    elif number.unit in _TIME_UNITS and _DURATION_SETTING.search(left[-25:]):
        return "operating point"  # "after 5 minutes of training", "for 4 days"
    if is_setting_value(text, number):
        return "operating point"
    if not has_metric_beside and _NAMED_SETTING.search(left):
        return "operating point"
    if _PROBLEM_BEFORE.search(left) and _PROBLEM_AFTER.match(tail) and not _SELF_BEFORE.search(_sentence_left(text, number.start)):
        return "problem"
    return None


_SELF_BEFORE = re.compile(r"\b(?:we|our|ours|proposed)\b", re.IGNORECASE)


def _sentence_left(text: str, pos: int) -> str:
    """The text before `pos` back to the start of its sentence (at most 300 characters)."""
    window = text[max(0, pos - 300):pos]
    cut = max(window.rfind(". "), window.rfind("\n"))
    return window[cut + 1:]


def is_setting_value(text: str, number: Number) -> bool:
    """The value of a setting named before it ("at a sparsity of 90%", "with a pruning rate
    of 50%") or the amount a pruning verb removes ("remove 50% of connections", "removes 90%
    weights", "compresses ResNet-20 to 40.3%"): the point a result is measured at.

    >>> t = "can remove 50% of connections and reaches a compression ratio of 15.5 at a sparsity of 90%"
    >>> [(n.text, is_setting_value(t, n)) for n in find_numbers(t)]
    [('50%', True), ('15.5', False), ('90%', True)]
    """
    left = _clause_left(text, number.start).lower()
    if _SETTING_BEFORE.search(left[-80:]):
        return True
    pruned = _PRUNED_AMOUNT.search(left[-60:])
    if pruned is None:
        return False
    # directly after the verb ("remove 50% of connections") the amount must name what is
    # removed; after "to" ("prune ... to 40.3%") it is the size pruned to
    # ("removed up to 58% of FLOPs": "up to" bounds the amount, it is no "to")
    return pruned.group("to") is not None or _PRUNED_DIRECT.match(text, number.end) is not None


def operating_preposition(text: str, number: Number) -> tuple[str | None, bool]:
    """The preposition that opens the phrase of a number ("to" of "to 90% with", "at" of
    "at 50%") and whether the phrase is coordinated with an earlier one (", and to 90%"):
    a coordinated phrase repeats the role of the earlier, so "prune to 70-80% sparsity ...,
    and to 90% with ~1% accuracy loss" makes 90% a sparsity too.

    >>> t = "pruned to 70% sparsity, and to 90% with, reaching 76% accuracy"
    >>> [operating_preposition(t, n) for n in find_numbers(t)]
    [('to', False), ('to', True), (None, False)]
    """
    match = _OP_PREPOSITION.search(text[max(0, number.start - 30):number.start])
    if match is None:
        return None, False
    return match.group(2).lower(), match.group(1) is not None


_OP_PREPOSITION = re.compile(
    r"(,\s*(?:and\s+|or\s+)?|\b(?:and|or)\s+)?\b(to|at|with|under)\s+(?:only\s+|just\s+|about\s+|around\s+|~|sim\s?)?$",
    re.IGNORECASE)


@cache
def _condition_after() -> re.Pattern:
    """Words after a number that make it the setting of a result ("50% sparsity")."""
    words = sorted(word_set("condition_after"), key=len, reverse=True)
    return re.compile(r"\s*(?:\([^()]{0,20}\)\s*)?(?:\w+\s)?(?:" + "|".join(map(re.escape, words)) + r")\b")


def result_kind(text: str, number: Number, metric_is_efficiency: bool | None = None) -> str:
    """An efficiency claim ("2.1× faster", "reduces FLOPs by 34.7%", "90% lower latency"),
    an improvement over a baseline ("improves F1 by 2.1 points", "+2.1", "a 7.2%
    improvement"), or else an absolute score, judged from the words of its clause.
    `metric_is_efficiency` is whether the metric it measures is a cost (speedup, latency),
    False for a quality (accuracy: never an efficiency claim), None when unknown.

    >>> t = "X is 2.1× faster, improves F1 by 2.1 points and reaches 28.4 BLEU"
    >>> [result_kind(t, n) for n in find_numbers(t) if not is_name_digit(t, n)]
    ['EfficiencyResult', 'Improvement', 'AbsoluteResult']
    """
    left = _clause_left(text, number.start).lower()
    right = _clause_right(text, phrase_end(text, number)).lower()
    near_left, near_right = left[-50:], right[:40]
    efficiency = word_set("efficiency_cue")
    improvement = word_set("improvement_cue")
    eff_near = _has_any(near_right[:30], efficiency) or _has_any(near_left[-40:], efficiency) or bool(metric_is_efficiency)
    if metric_is_efficiency is False:
        eff_near = False
    if number.unit == "x":
        if eff_near or not _RX7.match(near_right):
            return EFFICIENCY if not _RX8.match(near_right) else IMPROVEMENT
        return IMPROVEMENT
    if number.text.startswith("+"):
        return IMPROVEMENT
    if number.unit in COST_UNITS:
        return EFFICIENCY  # "32 FPS", "4.8 ms", "in under 4.5 hours"
    if _FROM_TO.search(left):  # "improves accuracy from 81.3% to 82.5%": two scores, before and after
        return EFFICIENCY if eff_near and _efficiency_subject(near_left[-30:] + " " + near_right[:30]) else ABSOLUTE
    if number.unit != "x" and TO_VALUE.search(left[-30:]):
        return ABSOLUTE  # the value reached: "improves FID and IS to 2.5 and 10.2", "reduces RMSE to 0.391"
    if WITHIN.search(left[-20:]) or MARGIN_BEFORE.search(text, max(0, number.start - 60), number.start):
        return IMPROVEMENT  # a gap to a reference: "within 5% accuracy of BP", "by a large margin, i.e., up to 15.1"
    by = _RX9.search(left)
    delta_left = by or _RX10.search(left)
    delta_right = _RX11.match(right)
    if (delta_left or delta_right) and eff_near and _efficiency_subject(left[-60:] + " " + right[:40]):
        return EFFICIENCY
    if delta_left or delta_right:
        return IMPROVEMENT
    if _has_any(near_left[-30:], improvement) and _RX12.search(near_left[-30:]):
        return IMPROVEMENT
    if eff_near and _efficiency_subject(near_left[-30:] + " " + near_right[:30]):
        return EFFICIENCY
    return ABSOLUTE


_FROM_TO = re.compile(r"\bfrom\s+$|\bfrom\s+[~+]?\d[\d.,]*\s*(?:%|[a-z]+)?\s+to\s+$")
_LONE_IN_BRACKET = re.compile(r"\(\s*(?:~|≈|sim\s?|about\s+|around\s+|approx\.?\s+)?$")
_COORDINATED = re.compile(r"\s*(?:,\s*)?(?:and|or|vs\.?|versus|,)\s+(?:up to\s+|about\s+|over\s+)?")


def phrase_end(text: str, number: Number) -> int:
    """Where the words that say what a number is begin: after the closing bracket of a
    number alone in brackets ("(~1%) accuracy loss"), after the last of coordinated numbers
    of its unit ("2.7x and 1.4x the accuracy", "5% and 6% improvements", "4.9% and 3.2%
    lower"); else right after the number.

    >>> t = "to 90% with (sim 1%) accuracy loss, 2.7x and 1.4x the accuracy"
    >>> [t[phrase_end(t, n):][:14] for n in find_numbers(t)]
    [' with (sim 1%)', ' accuracy loss', ' the accuracy', ' the accuracy']
    """
    end = number.end
    if number.unit is not None and _LONE_IN_BRACKET.search(text[max(0, number.start - 12):number.start]) \
            and text[end:end + 1] == ")":
        return end + 1
    if not _COORDINATED.match(text, end):
        return end
    for other in find_numbers(text[end:end + 40]):
        join = _COORDINATED.fullmatch(text, end, end + other.start)
        if join is None or other.unit != number.unit or (number.unit != "x" and not _AND_OR.search(join.group())):
            break  # "91.0, 0.9 above X": a comma alone joins two claims, not one list
        end = end + other.end
    return end


_AND_OR = re.compile(r"\b(?:and|or|vs|versus)\b")


_EFFICIENCY_NOUN = re.compile(
    r"\b(?:speed-?ups?|faster|latency|throughput|flops?|memory|compute|computation\w*|cost|energy|storage|footprint"
    r"|training time|inference time|wall[- ]clock|runtime|run time|time|iterations|steps|parameters|model size|size"
    r"|compression|smaller|fewer|savings?|overheads?|ttft|gpu hours|bandwidth|communication|candidates|cheaper"
    r"|operations|multiply-accumulate|macs|mult-adds|ops|vectors|calls|queries)\b"
)


def _efficiency_subject(window: str) -> bool:
    return _EFFICIENCY_NOUN.search(window) is not None


def _has_any(window: str, words: frozenset[str]) -> bool:
    tokens = _RX13.findall(window)
    joined = " ".join(tokens)
    return any(t in words for t in tokens) or any(" " in w and w in joined for w in words)


def _clause_left(text: str, pos: int) -> str:
    """The text before `pos` back to the last clause break (";", ", ", "(" or 120 characters)."""
    window = text[max(0, pos - 120):pos]
    cut = max(window.rfind(";"), window.rfind("("), window.rfind(", "))
    return window[cut + 1:]


def _clause_right(text: str, pos: int) -> str:
    window = text[pos:pos + 80]
    cut = min([i for i in (window.find(";"), window.find(")"), window.find(". ")) if i >= 0], default=len(window))
    return window[:cut]


__all__ = ["ABSOLUTE", "EFFICIENCY", "IMPROVEMENT", "KINDS", "Number", "find_numbers", "is_name_digit",
           "is_setting_value", "join_ranges", "non_result", "operating_preposition", "phrase_end", "result_kind", "word_set"]
