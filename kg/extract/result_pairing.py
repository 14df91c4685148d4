"""Pairing several results of a clause with several metrics and datasets when no
"respectively" says how: pure functions over text, candidates and the results
(:class:`kg.extract.results.Found`) of one sentence, run by :mod:`kg.extract.results`.

* :func:`bracket_companions` and :func:`share_companions` -- a number alone in brackets
  right after a result ("80.1% (+1.2%)", "46.3 mIoU (1.8 points higher than X)") is a
  second result of another kind about the same thing: it takes the first's metric, both
  take the dataset named after the bracket, and a signed or arrowed one ("(↑2.1)") is an
  improvement;
* :func:`result_lists` and :func:`pair_parallel_lists` -- k results coordinated in one
  clause ("85.1% and 78.3%", "92.3, 88.7 and 75.4", "80.1 HOTA and 79.6 MOTA", "85.1% top-1
  accuracy (+2.3%) and 40.2 mIoU (+1.5)") take, in order, a list of k datasets written
  after them ("on CIFAR-100 and ImageNet") or, failing that, introduced before them ("On
  HellaSwag and ARC-Challenge, our model scores 85.3 and 61.2"), a list of k metrics right
  before or after them ("PSNR and SSIM of 33.2 dB and 0.945"); a single dataset or metric
  written after the list is shared by the members that have none;
* :func:`trailing_metric` -- results without a metric take one named after them "in terms
  of" ("82.1 on Cityscapes and 47.3 on ADE20K in terms of mIoU");
* :func:`benchmark_methods` -- a name the model tagged as a method but written where a
  benchmark goes ("saves 5x the compute on JFT", "+4% mAP over PCA on ROxford", "On CIFAR,
  we reach ... 15%") is a dataset, unless the gazetteer knows it as a method, it reads like
  a model ("LLaMA-2-7B", "ViT-B/16") or names hardware or a language pair;
* :func:`bracket_after_dataset` -- a decimal in brackets right after a benchmark's name is
  its score ("on MMLU (68.9 vs. 63.1)").

Margins after "outperforming X by" that mirror the results before them ("53.2 AP on COCO
and 41.0 AP on LVIS, outperforming DINO by 1.2 and 2.3 AP") are
:func:`kg.extract.result_links.mirror_groups`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.extract.candidates import Candidate
from kg.extract.numbers import IMPROVEMENT
from kg.records import Role

_DATASET, _METHOD = "Dataset", "Method"
_QUALITY_UNITS = frozenset({None, "%", "pp", "points", "dB"})  # scores; "dB" of PSNR

LIST_SPAN = 90  # characters a dataset list may stand after the last result of a list
LIST_BEFORE_SPAN = 150  # characters a dataset list introduced before a result list may stand before it
BRACKET_SPAN = 60  # characters a bracket with a companion number may run on after the number
SLOT_SPAN = 90  # characters before "on <name>" searched for a result number (benchmark_methods)

_CLOSING = re.compile(r"\b(?:and|or)\b|[&/]")
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|(?:and|or|&)\s+|/\s*)(?:(?:on|in)\s+)?(?:the\s+)?")
_ITEM_JOIN = re.compile(r"\s*(?:M\s*|[a-z]+-[a-z][\w-]*\s+)?(?:,\s*(?:and\s+|or\s+)?|(?:and|or)\s+)(?:(?:an?|the)\s+)?"
                        r"(?:M\s*(?:of|:|=|is)?\s*)?(?:up to\s+|about\s+|only\s+|~)?")
_COMPANION_OPEN = re.compile(r"\s*(?:M\s*)?\(\s*(?:from\s+|~|≈|↑|↓|▲|▼|Δ\s*)?")
_ARROW_BEFORE = re.compile(r"(?:↑|▲|Δ)\s*$")
_ARROW_AFTER = re.compile(r"\s*(?:↑|▲)")
_VERSUS = re.compile(r"\b(?:vs|versus)\b")
_AFTER_LIST = re.compile(r"\b(?:on|in|for|across)\b")
_NEW_CLAUSE = re.compile(r",\s*(?:and|while|whereas|but)\b|\b(?:while|whereas|but)\b|[;:]|\.\s")
_INTRODUCED = re.compile(r"\b(?:on|On|across|Across|for|For|in|In)\s+(?:the\s+)?$")
_TRAINED_ON = re.compile(r"\b(?:pre-?)?(?:train|tun|fine-tun|finetun|distill)\w*\s+(?:\w+\s+)?on\s+(?:the\s+)?$", re.IGNORECASE)
_METRIC_GAP_BEFORE = re.compile(r"\s*(?:(?:of|:|=|are|were|is|reach\w*|to)\s*)?(?:up to\s+|about\s+)?")
_IN_TERMS_OF = re.compile(r"\s*,?\s*(?:in terms of|as measured by|measured (?:by|in))\s+(?:the\s+)?$")
_CLAUSE_BREAK = re.compile(r";|\.\s")
_SENTENCE_ON = re.compile(r"(?:^|[.!?]\s+|\n)On\s+(?:the\s+)?$")
_RESULT_LIKE = re.compile(r"[+~]?\d+(?:\.\d+)?\s*(?:%|x\b|×|points?\b|pp\b|dB\b)|\d\.\d")
_NAMED = re.compile(r"[A-Z0-9]")
# how a model's name reads: a size ("7B", "300M"), a variant ("-base", "-L", "/16"), or a
# head word of a model ("model", "network", "backbone")
_MODEL_LIKE = re.compile(
    r"\d+(?:\.\d+)?[BMK]\b|[-_ ](?:base|large|small|tiny|huge|xl|xxl|[SBLTH])\b|/\d+\b"
    r"|\b(?:models?|networks?|nets?|backbones?|architectures?|encoders?|decoders?|transformers?|LLMs?)$",
    re.IGNORECASE)


def _family(a: str | None, b: str | None) -> bool:
    return a == b or (a in _QUALITY_UNITS and b in _QUALITY_UNITS)


def _masked(text: str, start: int, end: int, cands: list[Candidate], mark: str = "M") -> str:
    """text[start:end] with each candidate span inside it written `mark`."""
    out, position = [], start
    for c in cands:
        if start <= c.start and c.end <= end and c.start >= position:
            out += [text[position:c.start], mark]
            position = c.end
    return "".join(out) + text[position:end]


def coordinated_runs(text: str, cands: list[Candidate]) -> list[list[Candidate]]:
    """Runs of two or more candidates (in text order, overlaps skipped) joined by ",",
    "and", "or", "&" or "/", with a repeated "on" or "the" allowed.

    >>> t = "on Amazon, Yelp, and the IMDb sets and on MNLI"
    >>> cs = [Candidate(t.index(w), t.index(w) + len(w), "Dataset", w.lower(), 0.9, "g") for w in ("Amazon", "Yelp", "IMDb", "MNLI")]
    >>> [[t[c.start:c.end] for c in run] for run in coordinated_runs(t, cs)]
    [['Amazon', 'Yelp', 'IMDb']]
    """
    runs: list[list[Candidate]] = []
    for c in sorted(cands, key=lambda c: (c.start, -c.end)):
        if runs and c.start < runs[-1][-1].end:
            continue
        if runs and _JOIN.fullmatch(text, runs[-1][-1].end, c.start):
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:  # a list closes with "and", "or", "&" or "/": "On Cityscapes, UniQ achieves" is no list
        while len(run) > 1 and not _CLOSING.search(text, run[-2].end, run[-1].start):
            run.pop()
    return [r for r in runs if len(r) > 1]


def _close_of(text: str, number_end: int) -> int | None:
    """Where the bracket a number is alone in closes (after ")"), or None."""
    close = text.find(")", number_end, number_end + BRACKET_SPAN)
    if close < 0 or "(" in text[number_end:close]:
        return None
    return close + 1


def bracket_companions(text: str, found: list, metrics: list[Candidate] = ()) -> dict[int, int]:
    """Index of each result alone in brackets right after another result (after that one's
    metric, if written between) -> index of that result: "80.1% (+1.2%)", "85.1% top-1
    accuracy (+2.3% over DeiT-B)", "81.2 mAP (↑2.1)", "by 2.1% (from 80.1% to 82.2%)"; not
    "(68.9 vs. 63.1)" (a comparison)."""
    out: dict[int, int] = {}
    for i in range(1, len(found)):
        head, comp = found[i - 1].number, found[i].number
        if i - 1 in out:
            continue
        gap = _masked(text, head.end, comp.start, metrics)
        if not _COMPANION_OPEN.fullmatch(gap):
            continue
        close = _close_of(text, comp.end)
        if close is None or _VERSUS.search(text, comp.end, close):
            continue
        out[i] = i - 1
    return out


def share_companions(text: str, found: list, companions: dict[int, int]) -> list:
    """Each companion takes its head's metric (unless it names its own inside the bracket),
    head and companion take the dataset written after the bracket (else the head's), and a
    companion written with an arrow ("↑2.1", "2.1↑") is an improvement.

    See :func:`bracket_companions`; e.g. "88.5% top-1 (+0.9%) on ImageNet": both on ImageNet.
    """
    out = list(found)
    for i, h in companions.items():
        head, comp = out[h], out[i]
        close = _close_of(text, comp.number.end) or comp.number.end
        metric = comp.metric if _own_metric(text, comp) or head.metric is None else head.metric
        after = comp.dataset if comp.dataset is not None and comp.dataset.start >= close else None
        dataset = after or head.dataset or comp.dataset
        kind = comp.kind
        if _ARROW_BEFORE.search(text, max(0, comp.number.start - 3), comp.number.start) or \
                _ARROW_AFTER.match(text, comp.number.end):
            kind = IMPROVEMENT
        out[i] = replace(comp, metric=metric, dataset=dataset, kind=kind)
        out[h] = replace(head, dataset=dataset)
    return out


def _own_metric(text: str, comp) -> bool:
    """The companion names its metric inside its bracket ("(+1.2 mIoU)")."""
    close = _close_of(text, comp.number.end) or comp.number.end
    return comp.metric is not None and comp.number.end <= comp.metric.start < close


def result_lists(text: str, found: list, metrics: list[Candidate], companions: dict[int, int]) -> list[list[int]]:
    """Runs (two or more) of the indices of results that are not companions, coordinated by
    ",", "and" or "or" with at most a metric name or a hyphenated modifier between ("85.1% and
    78.3%", "92.3, 88.7 and 75.4", "80.1 HOTA and 79.6 MOTA", "88.3% zero-shot and 91.1%
    fine-tuning accuracy", "FID of 1.79 and IS of 2.9" when IS is a metric),
    a companion's bracket riding with its head; members of one unit family."""
    last_of = {h: i for i, h in companions.items()}  # head -> its companion
    runs: list[list[int]] = []
    for i, f in enumerate(found):
        if i in companions:
            continue
        if runs:
            prev = runs[-1][-1]
            end = found[last_of[prev]].number.end if prev in last_of else found[prev].number.end
            if prev in last_of:
                end = _close_of(text, end) or end
            gap = _masked(text, end, f.number.start, metrics)
            if _ITEM_JOIN.fullmatch(gap) and _family(found[prev].number.unit, f.number.unit) \
                    and not any(end <= o.number.start < f.number.start for o in found):
                runs[-1].append(i)
                continue
        runs.append([i])
    return [r for r in runs if len(r) > 1]


def _list_end(text: str, found: list, run: list[int], companions: dict[int, int]) -> int:
    last = run[-1]
    comp = next((i for i, h in companions.items() if h == last), None)
    if comp is None:
        return found[last].number.end
    return _close_of(text, found[comp].number.end) or found[comp].number.end


def _datasets_after(text: str, end: int, runs: list[list[Candidate]], singles: list[Candidate], found: list,
                    s1: int) -> list[Candidate] | None:
    """The dataset list (or single dataset) first named after `end` in its clause."""
    for c in sorted(singles, key=lambda c: c.start):
        if c.start < end:
            continue
        gap = text[end:c.start]
        if c.start - end > LIST_SPAN or c.start > s1 or _NEW_CLAUSE.search(gap) or not _AFTER_LIST.search(gap) \
                or any(end <= f.number.start < c.start for f in found):
            return None
        run = next((r for r in runs if r[0] is c), None)
        return run if run is not None else [c]
    return None


def _datasets_before(text: str, start: int, runs: list[list[Candidate]], found: list, s0: int) -> list[Candidate] | None:
    """The dataset list introduced ("On A and B, ...") closest before `start` in the sentence."""
    before = [r for r in runs if s0 <= r[0].start and r[-1].end <= start]
    if not before:
        return None
    run = before[-1]
    gap = text[run[-1].end:start]
    if start - run[-1].end > LIST_BEFORE_SPAN or ";" in gap or any(run[-1].end <= f.number.start < start for f in found):
        return None
    window = max(s0, run[0].start - 40)
    if not _INTRODUCED.search(text, window, run[0].start) or _TRAINED_ON.search(text, window, run[0].start):
        return None  # "On A and B, ..." introduces where results are measured; "pre-trained on A and B" does not
    return run


def _metrics_around(text: str, first: int, last_end: int, metrics: list[Candidate], k: int) -> list[Candidate] | None:
    """A list of k metrics written right before the first result ("PSNR and SSIM of 33.2 dB
    and 0.945") or right after the last ("85.1% and 95.2% top-1 and top-5 accuracy")."""
    for run in coordinated_runs(text, metrics):
        if len(run) != k:
            continue
        if run[-1].end <= first and _METRIC_GAP_BEFORE.fullmatch(text, run[-1].end, first):
            return run
        if run[0].start >= last_end and not text[last_end:run[0].start].strip():
            return run
    return None


def pair_parallel_lists(text: str, found: list, metrics: list[Candidate], datasets: list[Candidate], s0: int, s1: int,
                        companions: dict[int, int] | None = None) -> list:
    """k coordinated results take k coordinated datasets in order, named after them in their
    clause or introduced before them in the sentence, and k coordinated metrics in order;
    a single dataset after the list, or the metric written after its last number, goes to
    the members without one. A companion follows its head.

    "achieves 85.1% and 78.3% accuracy on CIFAR-100 and ImageNet": 85.1% on CIFAR-100,
    78.3% on ImageNet (see tests/test_results_pairing.py).
    """
    if len(found) < 2:
        return found
    companions = bracket_companions(text, found, metrics) if companions is None else companions
    out = list(found)
    named = [d for d in datasets if _NAMED.search(text, d.start, d.end)]
    runs = coordinated_runs(text, named)
    followers: dict[int, list[int]] = {}
    for i, h in companions.items():
        followers.setdefault(h, []).append(i)
    for run in result_lists(text, out, metrics, companions):
        k = len(run)
        end = _list_end(text, out, run, companions)
        after = _datasets_after(text, end, runs, named, out, s1)
        chosen: list[Candidate | None] | None = None
        if after is not None and len(after) == k:
            chosen = list(after)
        elif after is not None and len(after) == 1:
            chosen = [out[i].dataset or after[0] for i in run]
        elif after is None:
            before = _datasets_before(text, out[run[0]].number.start, runs, out, s0)
            if before is not None and len(before) == k:
                chosen = list(before)
        listed = _metrics_around(text, out[run[0]].number.start, end, metrics, k)
        last_metric = out[run[-1]].metric
        shared = last_metric if last_metric is not None and last_metric.start >= out[run[-1]].number.end else None
        for j, i in enumerate(run):
            f = out[i]
            metric = listed[j] if listed is not None else f.metric or shared
            dataset = chosen[j] if chosen is not None else f.dataset
            out[i] = replace(f, metric=metric, dataset=dataset)
            for member in followers.get(i, ()):  # a companion follows its head
                own = _own_metric(text, out[member])
                out[member] = replace(out[member], dataset=dataset, metric=out[member].metric if own else metric)
        head_kind = out[run[0]].kind
        if head_kind != "AbsoluteResult":  # "by 1.2 AP and 2.3 AP": the "by" governs the list
            for i in run[1:]:
                if out[i].kind == "AbsoluteResult" and _family(out[i].number.unit, out[run[0]].number.unit):
                    out[i] = replace(out[i], kind=head_kind)
    return out


_FROM_BEFORE = re.compile(r"\bfrom\s+(?:about\s+|~)?$")
_TO_BETWEEN = re.compile(r"\s*(?:\)\s*)?to\s+(?:about\s+|~)?")
_METRICS_BEFORE_FROM = re.compile(r"\s*(?:(?:score|scores|results?)\s+)?(?:from\s+)?")


def from_to_lists(text: str, found: list, metrics: list[Candidate], companions: dict[int, int] | None = None) -> list:
    """"from a and b to c and d": the list after "to" is the values reached, the list after
    "from" the values before, member by member, so each pair shares one dataset: the one
    named after the "to" member ("... to c and d on SST-2 and MNLI"), else the "from"
    member's ("on A and B from a and b to ..."), and one metric: a list of k metrics right
    before "from" ("accuracy and F1 from ...") is paired in order with both lists, else
    each takes the other's, or the first "from" member's, when it has none.

    >>> from kg.extract.numbers import find_numbers
    >>> from kg.extract.results import Found
    >>> t = "improves accuracy and F1 from 80.1% and 70.2% to 85.3% and 75.0% on SST-2 and MNLI"
    >>> ms = [Candidate(t.index(w), t.index(w) + len(w), "Metric", w.lower(), 0.9, "g") for w in ("accuracy", "F1")]
    >>> ds = [Candidate(t.index(w), t.index(w) + len(w), "Dataset", w.lower(), 0.9, "g") for w in ("SST-2", "MNLI")]
    >>> fs = [Found(n, "AbsoluteResult", None, ds[0], None, 0.8) for n in find_numbers(t) if n.unit]
    >>> fs[3] = replace(fs[3], dataset=ds[1])
    >>> [(f.number.text, f.metric.key, f.dataset.key) for f in from_to_lists(t, fs, ms)]
    [('80.1%', 'accuracy', 'sst-2'), ('70.2%', 'f1', 'mnli'), ('85.3%', 'accuracy', 'sst-2'), ('75.0%', 'f1', 'mnli')]
    """
    if len(found) < 4 or not any(_FROM_BEFORE.search(text, max(0, f.number.start - 12), f.number.start) for f in found):
        return found
    companions = bracket_companions(text, found, metrics) if companions is None else companions
    runs = result_lists(text, found, metrics, companions)
    out = list(found)
    for before, after in zip(runs, runs[1:]):
        k = len(before)
        first, last = out[before[0]].number, out[before[-1]].number
        if len(after) != k or not _FROM_BEFORE.search(text, max(0, first.start - 12), first.start) \
                or not _TO_BETWEEN.fullmatch(text, last.end, out[after[0]].number.start):
            continue
        listed = next((run for run in coordinated_runs(text, metrics) if len(run) == k and run[-1].end <= first.start
                       and _METRICS_BEFORE_FROM.fullmatch(text, run[-1].end, first.start - len("from "))), None)
        shared = out[before[0]].metric  # "the mIoU on A and B from a and b to c and d": one metric for all
        for j, (i, t) in enumerate(zip(before, after)):
            source, target = out[i], out[t]
            metric = listed[j] if listed is not None else source.metric or target.metric or shared
            dataset = target.dataset if target.dataset is not None and target.dataset.start > target.number.end \
                else source.dataset or target.dataset
            out[i] = replace(source, metric=metric, dataset=dataset)
            out[t] = replace(target, metric=listed[j] if listed is not None else target.metric or metric, dataset=dataset)
    return out


def trailing_metric(text: str, found: list, metrics: list[Candidate], s1: int) -> list:
    """Results of a sentence without a metric take the one named after the last of them
    "in terms of" / "as measured by" ("82.1 on Cityscapes and 47.3 on ADE20K in terms of mIoU").

    >>> from kg.extract.numbers import find_numbers
    >>> from kg.extract.results import Found
    >>> t = "82.1 on Cityscapes and 47.3 on COCO in terms of mIoU."
    >>> fs = [Found(n, "AbsoluteResult", None, None, None, 0.65) for n in find_numbers(t)]
    >>> m = Candidate(t.index("mIoU"), t.index("mIoU") + 4, "Metric", "miou", 0.9, "g")
    >>> [f.metric.key for f in trailing_metric(t, fs, [m], len(t))]
    ['miou', 'miou']
    """
    if not found:
        return found
    last = found[-1].number.end
    named = next((m for m in metrics if last <= m.start < s1 and _IN_TERMS_OF.search(text, last, m.start)
                  and ";" not in text[last:m.start]), None)
    if named is None:
        return found
    return [replace(f, metric=named) if f.metric is None else f for f in found]


def _after_on(text: str, start: int) -> bool:
    """text[start] follows the word "on" or "on the" (plain string tests: this runs on every method mention)."""
    for prefix in ("on ", "On ", "on the ", "On the "):
        if text.endswith(prefix, 0, start):
            before = start - len(prefix) - 1
            return before < 0 or not text[before].isalnum()
    return False


def _result_before(text: str, start: int) -> bool:
    """A result-like number (unit or decimal) within SLOT_SPAN characters before `start` in its clause."""
    clause = _CLAUSE_BREAK.split(text[max(0, start - SLOT_SPAN):start])[-1]
    return _RESULT_LIKE.search(clause) is not None


def _opens_sentence(text: str, c: Candidate) -> bool:
    """The name opens its sentence as "On X," ("On CIFAR, we reach ...")."""
    head = text[max(0, c.start - 9):c.start]
    return _SENTENCE_ON.search(head) is not None and text.startswith(",", c.end)


def _result_after(text: str, end: int) -> bool:
    """A result-like number after `end` in its sentence."""
    stop = text.find(". ", end)
    return _RESULT_LIKE.search(text, end, stop if stop >= 0 else len(text)) is not None


def benchmark_methods(text: str, cands: list[Candidate], known, is_benchmark=None) -> list[Candidate]:
    """`cands` with the methods written where a benchmark goes relabelled as datasets: a
    name after "on" whose clause states a result before it (a number with a unit or a
    decimal within SLOT_SPAN characters) or that opens a sentence stating one ("On CIFAR,
    we reach ... 15% ..."), with a capital or digit, that `known(name)` (the
    gazetteer: (label, key, name) or None) does not list as a method, that
    `is_benchmark(text, start, end)` accepts (not hardware or a language pair), that is not
    the proposed method and does not read like a model ("LLaMA-2-7B", "ViT-B/16", "our
    network"). Every mention of that concept in the text is relabelled.

    >>> t = "It saves 5x the compute on JFT and 2x on BERT."
    >>> cs = [Candidate(27, 30, "Method", "jft", 0.7, "model"), Candidate(41, 45, "Method", "bert", 0.7, "model")]
    >>> [(t[c.start:c.end], c.label) for c in benchmark_methods(t, cs, lambda n: ("Method", "bert", "BERT") if n == "BERT" else None)]
    [('JFT', 'Dataset'), ('BERT', 'Method')]
    """
    moved: set[str] = set()
    kept_as_method = {c.key for c in cands if c.label == _METHOD and c.role is Role.PROPOSES}
    for c in cands:
        if c.label != _METHOD or not _after_on(text, c.start) or c.key in kept_as_method or c.key in moved:
            continue
        name = text[c.start:c.end]
        if not _NAMED.search(name):
            continue
        if not (_result_before(text, c.start) or _opens_sentence(text, c) and _result_after(text, c.end)):
            continue
        entry = known(name)  # a name the gazetteer lists as a dataset ("JFT-300M") moves whatever it reads like
        if entry is not None and entry[0] != _DATASET or entry is None and _MODEL_LIKE.search(name):
            continue
        if is_benchmark is not None and not is_benchmark(text, c.start, c.end):
            continue
        moved.add(c.key)
    if not moved:
        return cands
    return [replace(c, label=_DATASET) if c.label == _METHOD and c.key in moved else c for c in cands]


_BRACKET_AFTER_NAME = re.compile(r"\s*\(\s*")


def bracket_after_dataset(text: str, number_start: int, datasets: list[Candidate]) -> bool:
    """A number opening a bracket right after a dataset's name ("on MMLU (68.9 vs. 63.1)").

    >>> t = "on MMLU (68.9 vs. 63.1)"
    >>> bracket_after_dataset(t, 9, [Candidate(3, 7, "Dataset", "mmlu", 0.9, "g")])
    True
    """
    return any(d.end <= number_start and number_start - d.end <= 4 and _BRACKET_AFTER_NAME.fullmatch(text, d.end, number_start)
               for d in datasets)


__all__ = ["LIST_BEFORE_SPAN", "LIST_SPAN", "bracket_after_dataset", "bracket_companions", "benchmark_methods",
           "coordinated_runs", "from_to_lists", "pair_parallel_lists", "result_lists", "share_companions",
           "trailing_metric"]
