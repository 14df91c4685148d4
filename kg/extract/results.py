"""Component `kg_results`: the numbers an abstract states as results, and what they measure.

Runs after ``kg_resolve``, on the sentences that contain a digit (the cheap prefilter:
most sentences have none). In each, :mod:`kg.extract.numbers` finds the numbers and
drops those that are not results; each remaining number is then linked to the resolved
mentions of its sentence (:func:`attach`):

* **metric** -- one written right beside it ("46.5 mIoU", "8.5% error", "FID of 12.4",
  "(9.13 vs. 12.43 in FID)"), else the nearest one before it in its clause that no other
  result number stands between ("improves F1 by 2.1 points"); a metric word of
  data/metric_directions.jsonl ("error", "speedup") that no rule or the model marked is
  added as a Metric mention when a number is written beside it, so the result can point
  at a concept;
* **dataset** -- one right before the bracket the number is in ("ImageNet-C (22.0%
  mCE)"), else the first after it in its clause ("on ImageNet"), else the nearest before
  it in the sentence ("On CIFAR, we reach ...");
* **method** -- for the second number of "A vs. B" or one after "than"/"over"/"compared
  to X", the baseline X; else the first method of the sentence that is not a baseline
  (the subject); else the paper's proposed method, only when the sentence says "we",
  "our" or "proposed".

"... respectively" lists are split in order over the sentence's datasets (or metrics)
(:func:`respectively`). Leaderboard phrasing -- spans cut to their name, benchmarks named
after "on" that no list knows, "x/y" lists of numbers, metrics and datasets, a baseline's
list mirroring the results before it, numbers that continue the result before them -- is
:mod:`kg.extract.result_links`; lists paired without "respectively" ("85.1% and 78.3% on A
and B", "On A and B, ... 85.3 and 61.2"), a bracketed improvement after a score ("80.1%
(+1.2%)") and benchmarks the model tagged as methods are :mod:`kg.extract.result_pairing`.
"from a and b to c and d" pairs the two lists member by member
(:func:`kg.extract.result_pairing.from_to_lists`). Mentions added or relabelled so a result
can point at a concept -- metric words, metric acronyms such as "IS", a language pair alone
that continues a benchmark ("on En-De" after "WMT14 En-Fr"), the cost an efficiency claim
names -- are :mod:`kg.extract.result_mentions`. The component leaves ``doc._.kg_results``;
:func:`results_of` turns them into :class:`kg.records.Result` records with field offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import FIELD_SEPARATOR, Candidate, candidates, ensure_extensions, text_of
from kg.extract.numbers import COST_UNITS, Number, find_numbers, join_ranges, non_result, operating_preposition, phrase_end, result_kind
from kg.extract.result_links import (benchmark_name, carry_datasets, carry_metrics, coordinated_kinds, dataset_naming,
                                     decimal_result, known_name, measured_over, mirror_groups, pair_slash_lists,
                                     score_metrics, slash_datasets, slash_metrics, slot_datasets, tidy_candidates)
from kg.extract.result_mentions import cost_metric, lone_pairs, metric_acronyms, metric_word_candidates
from kg.extract.result_pairing import (bracket_after_dataset, bracket_companions, benchmark_methods, from_to_lists,
                                       pair_parallel_lists, share_companions, trailing_metric)
from kg.directions import lower_is_better
from kg.records import ConceptType, Field, Paper, Result, ResultKind, Role

COMPONENT = "results"
WITH_UNIT, WITHOUT_UNIT = 0.8, 0.65  # a result's confidence: "3.2%" is surer than "46.5"
_METRIC, _DATASET, _METHOD = ConceptType.METRIC.value, ConceptType.DATASET.value, ConceptType.METHOD.value
# A sentence may open with a digit ("... without accuracy drop. 55.6% of FLOPs are ..."):
# after an abbreviation that takes a number ("Fig. 3", "approx. 5") the period ends none.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(\[0-9])|\n\n")
_NOT_AN_END = re.compile(r"(?:\bvs|\be\.g|\bi\.e|\bal|\bcf|\b(?i:figs?|eqs?|tab|sec|no|nos|vol|pp?|approx|ca|ref|refs|ch|v|ver|resp))$")
_HAS_DIGIT = re.compile(r"\d")
_BASELINE_BEFORE = re.compile(
    r"\b(?:than|over|compared (?:to|with)|relative to|against|outperform\w*|surpass\w*|beat\w*|vs\.?|versus|baselines?|previous|prior"
    r"|(?:similar|comparable|close|equal|equivalent|superior|inferior)(?:\s+\w+)?\s+to|on par with)"
    r"\s+(?:the\s+|a\s+|an\s+|all\s+|other\s+|existing\s+|strong\s+|vanilla\s+|standard\s+|conventional\s+|previous\s+|prior\s+|recent\s+|state-of-the-art\s+|sota\s+|baseline\s+|best\s+)*$",
    re.IGNORECASE,
)
_SELF = re.compile(r"\b(?:we|our|ours|proposed)\b", re.IGNORECASE)
_GAP_STOP = frozenset("on over than and or compared with for by while to at when which that whereas across using under "
                      "above below versus vs ahead".split())

# Patterns used on every number, compiled once.
_EFFICIENCY_METRIC = re.compile(r"speed|latency|throughput|flop|memory|time|cost|energy|compression|operations|macs\b|mult-adds",
                                re.IGNORECASE)
_RX0 = re.compile(r"[A-Za-z][\w-]*")
_RX1 = re.compile(r"[,;.()\[\]]")
_RX2 = re.compile(r"\s*(?:score\s*)?(?:of|:|=|at|is|was|reaches|reached|by)?\s*(?:up to\s+|about\s+|over\s+|~|≈)?")
_RX3 = re.compile(r"\bin\s+(?:the\s+)?$")
_RX4 = re.compile(r"\s*")
_RX5 = re.compile(r"\b(?:on|in|for|across|of|at|over)\b")
_RX6 = re.compile(r"[;:]")


@dataclass(frozen=True)
class Found:
    """A result in a doc: offsets into ``doc.text``; metric/dataset/method are candidates."""

    number: Number
    kind: str
    metric: Candidate | None
    dataset: Candidate | None
    method: Candidate | None
    confidence: float


def sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text` from `start` that contains a digit.

    >>> t = "We win. It gets 2.1 vs. 3.4 on X, e.g. 5% more. Done."
    >>> [t[s:e] for s, e in sentences(t)]
    ['It gets 2.1 vs. 3.4 on X, e.g. 5% more.']
    """
    out, begin = [], start
    for match in _SENTENCE_END.finditer(text, start):
        end = match.end()
        if match.group() != "\n\n" and _NOT_AN_END.search(text, max(0, end - 8), end - 1):
            continue
        if _HAS_DIGIT.search(text, begin, end):
            out.append((begin, end))
        begin = end
        while begin < len(text) and text[begin].isspace():
            begin += 1
    if begin < len(text) and _HAS_DIGIT.search(text, begin):
        out.append((begin, len(text)))
    return out


def _gap_ok(gap: str, max_words: int = 3) -> bool:
    """Only modifiers between a number and its metric: "8.5% [top-1] error", not "on X"."""
    words = _RX0.findall(gap)
    if _RX1.search(gap) or len(words) > max_words:
        return False
    return not any(w.lower() in _GAP_STOP for w in words)


def metric_beside(text: str, number: Number, metrics: list[Candidate], datasets: list[Candidate] = ()) -> Candidate | None:
    """A metric written right after the number ("46.5 mIoU", "2.04x speedup", "11.7% gain
    in mIoU") or right before it ("FID of 12.4", "BLEU: 28.4", "accuracy 85%", "MAE to
    3.28", "AP rises to 60.3"), also across the datasets it is measured on ("pass@1 on
    HumanEval from 48.8", "top-1 accuracy on ImageNet / ImageNet-V2 of 85.2")."""
    end = phrase_end(text, number)  # after "15% and 24%" in "15% and 24% higher FLOPs reduction"
    chain = _SLASH_CHAIN.match(text, end)  # after "3.0" in "5.6/3.0 PPL": the pair shares the metric
    end = chain.end() if chain else end
    for m in sorted(metrics, key=lambda c: c.start):
        if m.start >= end and _gap_ok(text[end:m.start].replace(" in ", " ")):
            return m
        if m.start >= end:
            break
    before = [m for m in metrics if m.end <= number.start]
    if before:
        m = before[-1]
        gap = text[m.end:number.start]
        if _RX2.fullmatch(gap) or measured_over(text, m.end, number.start, datasets):
            return m
    return None


_SLASH_CHAIN = re.compile(r"(?:\s*/\s*[+\-−]?\d[\d,]*(?:\.\d+)?\s*%?)+")
_GROUP_JOIN = re.compile(r"\s*(?:vs\.?|versus|/|to|-|–|~|∼|sim)\s*")
_RANGE_JOIN = re.compile(r"\s*(?:/|to|-|–|~|∼|sim)\s*")
_VS_JOIN = re.compile(r"\s*(?:vs\.?|versus)\s*")


def _vs_group(text: str, numbers: list[Number], i: int) -> int:
    """Index of the first number of the "a vs. b" / "a/b" / "a-b" group number i is in."""
    while i > 0 and _GROUP_JOIN.fullmatch(text, numbers[i - 1].end, numbers[i].start):
        i -= 1
    return i


def _group(text: str, numbers: list[Number], i: int) -> list[Number]:
    """The numbers of the group number i is in ("9.13 vs. 12.43", "0.67~1.98", "70%-85%")."""
    first = last = _vs_group(text, numbers, i)
    while last + 1 < len(numbers) and _GROUP_JOIN.fullmatch(text, numbers[last].end, numbers[last + 1].start):
        last += 1
    return numbers[first:last + 1]


def _range_end(text: str, numbers: list[Number], i: int) -> Number:
    """The last number of the range number i opens ("70" of "70-80% sparsity" -> "80%")."""
    while i + 1 < len(numbers) and _RANGE_JOIN.fullmatch(text, numbers[i].end, numbers[i + 1].start):
        i += 1
    return numbers[i]


def _no_result_between(results: list[Number], a: int, b: int) -> bool:
    return not any(a <= n.start and n.end <= b for n in results)


GAIN_METRIC_SPAN = 160  # characters a metric after "improvement in" may stand before its margin
_GAIN_IN = re.compile(r"\b(?:improvements?|gains?|increases?|boosts?|drops?|reductions?|decreases?)\s+(?:in|of)\s+(?:the\s+)?$",
                      re.IGNORECASE)


def attach_metric(text: str, number: Number, results: list[Number], metrics: list[Candidate], s0: int,
                  datasets: list[Candidate] = ()) -> Candidate | None:
    """The metric beside the number (:func:`metric_beside`), else the one closing the bracket
    it is in, else the nearest before it in its clause with no other result between, within
    90 characters, or GAIN_METRIC_SPAN when a change names it ("a significant improvement
    in accuracy on X compared to Y by a margin of 2%")."""
    beside = metric_beside(text, number, metrics, datasets)
    if beside:
        return beside
    right = text[number.end:number.end + 60]
    # "(9.13 vs. 12.43 in FID)": the metric closing the bracket the number is in
    close = right.find(")")
    if close >= 0:
        for m in metrics:
            if number.end <= m.start and m.end <= number.end + close + 1 and _RX3.search(text[number.end:m.start]):
                return m
    # the nearest metric before it in its clause with no other result number in between
    clause_start = max(s0, text.rfind(";", s0, number.start) + 1)
    before = [m for m in metrics if clause_start <= m.start and m.end <= number.start
              and _no_result_between(results, m.end, number.start)]
    reach = GAIN_METRIC_SPAN if before and _GAIN_IN.search(text, max(s0, before[-1].start - 20), before[-1].start) else 90
    if before and number.start - before[-1].end <= reach:
        cost = number.unit == "x" or number.unit in COST_UNITS  # "61.9% accuracy ... while 5.7x faster"
        if not cost or _is_efficiency_metric(text[before[-1].start:before[-1].end]):
            return before[-1]
    return None


def attach_dataset(text: str, number: Number, results: list[Number], datasets: list[Candidate], s0: int, s1: int) -> Candidate | None:
    """The dataset right before the bracket the number is in ("ImageNet-C (22.0% mCE)"); else
    the first after it in its clause ("on ImageNet"), not one a new coordinated clause opens
    (", and on MOT20"); else the last before it in the sentence that "on"/"in"/"for"
    introduces ("On PASCAL VOC 2007 with VOC 2012 as unlabeled data, it achieves"), else the
    last before it. Only named datasets count (a capital or a digit: not "unlabeled data")."""
    datasets = [d for d in datasets if _NAMED.search(text, d.start, d.end)]
    open_at = text.rfind("(", s0, number.start)
    if open_at >= 0 and ")" not in text[open_at:number.start]:
        for d in datasets:
            if _RX4.fullmatch(text[d.end:open_at]):
                return d
    paired, last = [], number  # the numbers a list joins to this one: "91.4/91.2 accuracy on MNLI",
    for n in results:          # "0.393 CIDEr and 0.248 BLEU-4 on X-ray reports"
        if n.start >= last.end and _LIST_JOIN.fullmatch(text, last.end, n.start) \
                and not any(last.end <= d.start < n.start for d in datasets):
            paired.append(n)
            last = n
    others = [n for n in results if n not in paired]
    after = [d for d in datasets if d.start >= number.end and d.start - number.end <= 90
             and _no_result_between(others, number.end, d.start) and ";" not in text[number.end:d.start]
             and _RX5.search(text[number.end:d.start]) and not _NEW_CLAUSE.search(text, number.end, d.start)]
    if after:
        return after[0]
    before = [d for d in datasets if d.end <= number.start]
    introduced = [d for d in before if _INTRODUCED.search(text[max(s0, d.start - 40):d.start])]
    if introduced or before:
        return introduced[-1] if introduced else before[-1]
    return sole_dataset_after(text, number, datasets)


def sole_dataset_after(text: str, number: Number, datasets: list[Candidate]) -> Candidate | None:
    """The one dataset a sentence names, after the number in the same clause chain (no
    ";"), introduced by "on"/"in"/"for": it scopes the whole sentence ("55.6% of FLOPs are
    reduced with a 0.21% accuracy increase on ImageNet").

    >>> from kg.extract.numbers import find_numbers
    >>> t = "55.6% of FLOPs are cut with 0.2% higher accuracy and 0.4% higher recall on ImageNet."
    >>> d = Candidate(t.index("ImageNet"), t.index("ImageNet") + 8, "Dataset", "imagenet", 1.0, "x")
    >>> sole_dataset_after(t, find_numbers(t)[0], [d]).key
    'imagenet'
    """
    if len({d.key for d in datasets}) != 1 or datasets[0].start < number.end:
        return None
    first = datasets[0]
    if ";" in text[number.end:first.start] or _NEW_CLAUSE.search(text, number.end, first.start) \
            or not _INTRODUCED.search(text[max(number.end, first.start - 40):first.start]):
        return None
    return first


_NAMED = re.compile(r"[A-Z0-9]")
# what joins two numbers of one list: a slash, "to", "vs.", or up to 25 characters of words
# (digits only inside a name: "top-1 accuracy increase and") before a comma, "and" or "("
_JOIN_WORDS = r"(?:[^\d;.()]|(?<=[A-Za-z]-)\d|(?<=[A-Za-z])\d)"
_LIST_JOIN = re.compile(r"\s*(?:/|to|vs\.?|versus)\s*|" + _JOIN_WORDS + r"{0,25}?(?:,|\band\b|/)[^\d;.()]{0,6}|"
                        + _JOIN_WORDS + r"{0,25}\(\s*")
_NEW_CLAUSE = re.compile(r",\s*(?:and|while|whereas|but)\b|\b(?:and|while|whereas|but)\s+(?:on|in|for)\b")
_INTRODUCED = re.compile(r"(?<!trained )(?<!tuned )(?<!trained on the )\b(?:on|On|in|In|for|For|across|Across)\s+(?:the\s+)?$")


_BASELINE_CUE = re.compile(
    r"\b(?:than|over|compared (?:to|with)|relative to|against|outperform\w*|surpass\w*|beat\w*|vs\.?|versus|baselines?)\b",
    re.IGNORECASE)


def _is_baseline(text: str, cand: Candidate, s0: int) -> bool:
    """A method named after "than", "over", "outperforms", "vs." ... in its clause (within
    60 characters, no "we"/"our" after the cue) is a baseline, not the sentence's subject."""
    window = text[max(s0, cand.start - 60):cand.start]
    if _BASELINE_BEFORE.search(window):
        return True
    cues = list(_BASELINE_CUE.finditer(window))
    if not cues or _SELF.search(window, cues[-1].end()) or _RX6.search(window[cues[-1].end():]):
        return False
    after = window[cues[-1].end():]
    # "Compared to prior work, MUVERA achieves": the comma closes the baseline phrase,
    # unless it opens an apposition to "baseline" ("the GAN baseline, MaF-GAN")
    return "," not in after or cues[-1].group().lower().startswith("baseline") and after.strip().startswith(",")


def attach_method(text: str, numbers: list[Number], i: int, methods: list[Candidate], proposed: Candidate | None,
                  s0: int) -> Candidate | None:
    """The baseline for the second number of "a vs. b"; else the sentence's subject method;
    else the proposed method when the sentence speaks of "our"/"we"."""
    number = numbers[i]
    left = [m for m in methods if m.end <= number.start]
    if i and _VS_JOIN.fullmatch(text, numbers[i - 1].end, number.start):
        baselines = [m for m in left if _is_baseline(text, m, s0)]
        return baselines[-1] if baselines else None
    subjects = [m for m in left if not _is_baseline(text, m, s0)]
    if subjects:
        return subjects[0]
    if proposed is not None and _SELF.search(text, s0, number.start):
        return proposed
    return None


def respectively(numbers: list[Number], targets: list[Candidate]) -> list[Candidate | None]:
    """Targets for "a and b ... on X and Y, respectively": in order when there are as many
    numbers as targets, pairwise when each target has two numbers of different units
    ("2.26x speedup (9.4% improvement) and 2.23x speedup (11.1% improvement)"), else
    cycling; none when the counts do not divide."""
    n, k = len(numbers), len(targets)
    if k < 2 or n % k:
        return [None] * n
    if n == k:
        return list(targets)
    per = n // k
    units = [x.unit for x in numbers]
    if all(units[j] != units[j + 1] for j in range(0, per - 1)) and units[:per] * k == units:
        return [targets[j // per] for j in range(n)]
    return [targets[j % k] for j in range(n)]


def find_results(text: str, cands: list[Candidate], start: int = 0) -> tuple[list[Found], list[Candidate]]:
    """The results of `text` from `start`, and the metric mentions added for them."""
    found: list[Found] = []
    added: list[Candidate] = []
    proposed = next((c for c in sorted(cands, key=lambda c: c.start) if c.role is Role.PROPOSES), None)
    previous: dict[str, Candidate] = {}  # metric key -> dataset, in the last sentence with results
    for s0, s1 in sentences(text, start):
        numbers = join_ranges(text, [replace(n, start=n.start + s0, end=n.end + s0, num_start=n.num_start + s0,
                                             num_end=n.num_end + s0) for n in find_numbers(text[s0:s1])])
        if not numbers:
            continue
        inside = [c for c in cands if s0 <= c.start and c.end <= s1]
        metrics = [c for c in inside if c.label == _METRIC]
        metrics += metric_word_candidates(text, s0, s1, inside)
        metrics.sort(key=lambda c: c.start)
        datasets = sorted((c for c in inside if c.label == _DATASET), key=lambda c: c.start)
        metrics = sorted(metrics + slash_metrics(text, metrics, s0, s1) + score_metrics(text, datasets, s1), key=lambda c: c.start)
        datasets = sorted(datasets + slash_datasets(text, datasets, s1), key=lambda c: c.start)
        names = [(c.start, c.end) for c in inside if c.label in (_DATASET, _METHOD)]
        kept = _kept_numbers(text, numbers, metrics, datasets, names)
        if kept:  # benchmark names no list knows, only where there are results to point at them
            datasets = sorted(datasets + slot_datasets(text, s0, s1, inside + metrics), key=lambda c: c.start)
        methods = sorted((c for c in inside if c.label == _METHOD), key=lambda c: c.start)
        sentence_found = []
        for i, number in enumerate(kept):
            metric = attach_metric(text, number, kept, metrics, s0, datasets)
            dataset = attach_dataset(text, number, kept, datasets, s0, s1)
            named = dataset_naming(text, metric, datasets)
            if named is not None and (dataset is None or dataset.start < number.start):
                dataset = named
            method = attach_method(text, kept, i, methods, proposed, s0)
            is_eff_metric = None if metric is None else _is_efficiency_metric(text[metric.start:metric.end])
            kind = result_kind(text, number, is_eff_metric)
            if metric is None and kind == "EfficiencyResult":  # "needs 3x less GPU memory"
                metric = cost_metric(text, phrase_end(text, number))
            confidence = WITH_UNIT if number.unit else WITHOUT_UNIT
            sentence_found.append(Found(number, kind, metric, dataset, method, confidence))
        sentence_found = share_ranges(text, sentence_found)
        sentence_found = pair_slash_lists(text, sentence_found, metrics, datasets, s1)
        companions = bracket_companions(text, sentence_found, metrics)
        sentence_found = share_companions(text, sentence_found, companions)
        sentence_found = pair_parallel_lists(text, sentence_found, metrics, datasets, s0, s1, companions)
        sentence_found = from_to_lists(text, sentence_found, metrics, companions)
        sentence_found = trailing_metric(text, sentence_found, metrics, s1)
        sentence_found = carry_metrics(sentence_found, lambda c: _is_efficiency_metric(text[c.start:c.end]))
        if "respectively" in text[s0:s1].lower() and sentence_found:
            sentence_found = _apply_respectively(text, sentence_found, datasets, metrics)
        sentence_found = mirror_groups(text, sentence_found)
        sentence_found = coordinated_kinds(text, sentence_found)
        if not datasets:
            sentence_found = carry_datasets(sentence_found, previous)
        if sentence_found:
            previous = {f.metric.key: f.dataset for f in sentence_found if f.metric is not None and f.dataset is not None}
        for f in sentence_found:
            for c in (f.metric, f.dataset):
                if c is not None and c.component == COMPONENT and c not in added:
                    added.append(c)
        found += sentence_found
    return found, added


def _kept_numbers(text: str, numbers: list[Number], metrics: list[Candidate], datasets: list[Candidate] = (),
                  names: list[tuple[int, int]] = ()) -> list[Number]:
    """The numbers of a sentence that may be results: those :func:`non_result` lets pass,
    less the coordinated repeats of an operating point ("prune to 70-80% sparsity ..., and
    to 90% with ~1% loss": the second "to" phrase sets the same thing as the first, so 90%
    is a sparsity, not the score of a metric written after it). A decimal without a unit or
    a metric beside it is kept after a result verb ("it reaches 84.1") or as a sibling of
    a result before it in the sentence ("4.02 on CelebA-HQ", "ColBERTv2 (39.7)", "against
    84.1 / 73.6"), unless it is inside a dataset or method name ("SQuAD 2.0")."""
    kept: list[Number] = []
    dropped_setting = False  # the previous number was an operating point
    settings: set[tuple[str, str | None]] = set()  # (preposition, unit) of the sentence's operating points
    for i, number in enumerate(numbers):
        group = _group(text, numbers, i)
        beside = any(metric_beside(text, n, metrics, datasets) or _in_vs_bracket(text, n, metrics) for n in group)
        end = _range_end(text, numbers, i)
        reasons = {non_result(text, number, beside), None if end is number else non_result(text, end, beside)}
        preposition, coordinated = operating_preposition(text, number)
        if "operating point" in reasons and preposition:
            settings.add((preposition, end.unit))
        if reasons - {None} == {"no unit and no metric"} and (decimal_result(text, number, kept, names) or (
                "." in number.text and bracket_after_dataset(text, number.start, datasets))):
            reasons = {None}
        if i and dropped_setting and _RANGE_JOIN.fullmatch(text, numbers[i - 1].end, number.start):
            reasons.add("operating point")  # the end of a range of settings: "ratio for encoder: 15~30%"
        dropped_setting = "operating point" in reasons
        if reasons != {None}:
            continue
        if coordinated and (preposition, end.unit) in settings and not metric_beside(text, number, metrics):
            continue
        kept.append(number)
    return kept


def share_ranges(text: str, found: list[Found]) -> list[Found]:
    """The numbers of a range or pair ("by 70%-85%", "0.67~1.98 average score") are one
    claim: each takes the first's kind and method, and the metric and dataset any of them has."""
    out = list(found)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and _RANGE_JOIN.fullmatch(text, out[j].number.end, out[j + 1].number.start):
            j += 1
        if j > i:
            members = out[i:j + 1]
            metric = next((f.metric for f in members if f.metric is not None), None)
            dataset = next((f.dataset for f in members if f.dataset is not None), None)
            for k in range(i, j + 1):
                out[k] = replace(out[k], kind=out[i].kind, method=out[i].method, metric=metric, dataset=dataset)
        i = j + 1
    return out


def _in_vs_bracket(text: str, number: Number, metrics: list[Candidate]) -> bool:
    close = text.find(")", number.end, number.end + 60)
    return close >= 0 and any(number.end <= m.start and m.end <= close + 1 and _RX3.search(text[number.end:m.start])
                              for m in metrics)


def _apply_respectively(text: str, found: list[Found], datasets: list[Candidate], metrics: list[Candidate]) -> list[Found]:
    cut = text.lower().find("respectively", found[0].number.start)
    listed = [f for f in found if f.number.end <= cut] if cut >= 0 else found
    rest = found[len(listed):]
    targets = [d for d in datasets if d.end <= cut]
    if len(targets) >= 2:
        chosen = respectively([f.number for f in listed], targets)
        listed = [replace(f, dataset=c) if c is not None else f for f, c in zip(listed, chosen)]
    return listed + rest


def _is_efficiency_metric(text: str) -> bool:
    return bool(_EFFICIENCY_METRIC.search(text))


def _keep_added(found: list[Found], added: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
    """Added metric and dataset mentions are kept only for the results that point at them."""
    used = {id(c) for f in found for c in (f.metric, f.dataset) if c is not None}
    return [c for c in added if id(c) in used and not any(o.start < c.end and c.start < o.end for o in cands)]


class ResultFinder:
    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        cands = candidates(doc)
        cands[:] = benchmark_methods(text, lone_pairs(text, metric_acronyms(text, tidy_candidates(text, cands))),
                                     known_name, benchmark_name)
        found, added = find_results(text, cands, 0)
        for cand in _keep_added(found, added, cands):
            cands.append(cand)
        cands.sort(key=lambda c: (c.start, c.end))
        doc._.kg_results = found
        return doc


@Language.factory("kg_results")
def make_result_finder(nlp: Language, name: str) -> ResultFinder:
    ensure_extensions()
    if not Doc.has_extension("kg_results"):
        Doc.set_extension("kg_results", default=None)
    return ResultFinder()


def results_of(doc: Doc, paper: Paper, kept: set[tuple[str, str]] | None = None) -> tuple[Result, ...]:
    """The doc's results as records with field offsets. With `kept` (the (label, key) of
    the paper's mentions that passed a confidence threshold), a link to a concept the
    paper no longer mentions is dropped."""
    title_end = len(paper.title)
    begin = title_end + len(FIELD_SEPARATOR)  # the doc is title, separator, abstract (also when the title is empty)
    out = []
    for f in doc._.kg_results or ():
        n = f.number
        if n.end <= title_end:
            field, offset = Field.TITLE, 0
        elif n.start >= begin:
            field, offset = Field.ABSTRACT, begin
        else:
            continue

        def key(c: Candidate | None) -> str | None:
            if c is None or (kept is not None and (c.label, c.key) not in kept):
                return None
            return c.key

        out.append(Result(field=field, start=n.start - offset, end=n.end - offset, text=n.text, value=n.value,
                          unit=n.unit, kind=ResultKind(f.kind), metric=key(f.metric), dataset=key(f.dataset),
                          method=key(f.method), confidence=f.confidence, component=COMPONENT))
    return tuple(out)


__all__ = ["COMPONENT", "Found", "find_results", "lower_is_better", "respectively", "results_of", "sentences"]
