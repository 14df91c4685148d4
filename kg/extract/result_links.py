"""Leaderboard phrasing for :mod:`kg.extract.results`: the mentions a result points at and
the lists that pair numbers with them. Pure functions over text and candidates.

* :func:`tidy_candidates` -- a metric or dataset span the model wrote with its number
  ("58.2 mIoU", "91.4/91.2 accuracy"), with a result verb ("scores top-1 accuracy") or
  across a sentence end ("ImageNet-1K. On video") is cut to the name, so the number is
  free to be a result and the concept is the name;
* :func:`slot_datasets` -- a benchmark no list knows, named where results name them: after
  "on" near a number ("61.0% on TextVQA", "On MOT20 it obtains", "on Pitts30k, MSLS and
  Nordland"), capitalized or with a digit, not a method, metric, hardware or language;
* :func:`slash_metrics` and :func:`slash_datasets` -- the members of "EM/F1",
  "ROUGE-1/2/L", "SQuAD v1.1/v2.0", "test-clean/test-other" that no span covers;
* :func:`slash_lists` -- runs of mentions joined by "/" ("IWSLT14/WMT14"), which a group
  of as many numbers ("0.4/0.6 BLEU") takes in order (:func:`pair_slash_lists`);
* :func:`number_groups`, :func:`mirror_groups`, :func:`carry_metrics` and
  :func:`coordinated_kinds` -- a baseline's list after "against" / "compared with" takes
  the metric and dataset of the list it mirrors ("85.2 / 75.0 / 60.3, against 84.1 / 73.6
  / 52.1"), a number with no metric of its own takes the previous result's when their units
  agree ("a pass@1 of 67.1% on HumanEval and 61.5% on MBPP"), and coordinated numbers of one
  unit share the first's kind ("by 2.6% and 1.0%");
* :func:`measured_over` and :func:`decimal_result` -- a metric's value written after the
  datasets it is measured on ("pass@1 on HumanEval from 48.8"), and a decimal with no unit
  or metric beside it that is still a result: after a result verb ("it reaches 84.1") or
  close after another result of its sentence ("4.02 on CelebA-HQ", "ColBERTv2 (39.7)").

Word lists (hardware and other words that are no benchmark) are data
(data/result_words.jsonl, group "not_a_dataset").
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from kg.extract.candidates import Candidate, load_jsonl
from kg.extract.editions import edition_after
from kg.extract.numbers import Number
from kg.normalize import concept_key

COMPONENT = "results"
SLOT_CONFIDENCE = 0.6  # a benchmark named after "on" beside a result, found by this component
_METRIC, _DATASET = "Metric", "Dataset"

_LEADING_NUMBER = re.compile(r"[+~]?\d[\d.,]*\s*(?:%|x|×|pp|points?)?(?:\s*/\s*[+~]?\d[\d.,]*\s*%?)*\s+(?=[A-Za-z])")
_LEADING_VERB = re.compile(r"(?:scores?|scoring|achieves?|achieving|obtains?|obtaining|reaches|reaching|attains?|gets|yields?)\s+",
                           re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=\w\w)[.!?]\s+(?=[A-Z][a-z])")  # not "U.S. Census"
_DECIMAL_OR_UNIT = re.compile(r".*(?:\d\.\d|%)")
_NAME_TOKEN = r"[A-Za-z][\w.+&'’-]*"
_SLOT = re.compile(
    r"(?<![\w-])(?:on|On)\s+(?:the\s+)?(?:(?:challenging|popular|standard|widely[- ]used|large-scale|public|held-out|hard|new)\s+)?"
    rf"(?P<name>{_NAME_TOKEN}(?:[ \t]+[A-Z][\w.+&'’-]*){{0,2}})")
_SLOT_MORE = re.compile(rf"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*)(?:the\s+)?(?P<name>{_NAME_TOKEN}(?:[ \t]+[A-Z][\w.+&'’-]*){{0,2}})")
_UPPER_OR_DIGIT = re.compile(r"[A-Z0-9]")
_PREFIX = re.compile(r"(.*[-@])[\w.]{1,4}$")  # "ROUGE-" of "ROUGE-1"
_BRACKET = re.compile(r"\s*\([^()]{0,60}\)")
# what the model sometimes marks as a metric: a generic subject and the verb "scores" ("the 7B model scores 68.9")
_SUBJECT_SCORES = re.compile(r"(?:the\s+)?(?:\w+\s+)?(?:model|method|system|approach|network|agent|variant|framework|it|ours)\s+scores?",
                             re.IGNORECASE)
_SLASH = re.compile(r"\s*/\s*")
_SLASH_TAIL = re.compile(r"/([\w@.+&-]{1,8})")
_SHORT_NAME = re.compile(r"(?<![\w/-])([A-Za-z][\w@&+-]{0,7})/$")
_VERSION_TAIL = re.compile(r"/[ \t]*((?:[vV]?\d+(?:\.\d+)*)|(?:test|dev|val|train)(?:-[a-z]+)?)(?![\w-]|\.\d)")
_PURE_JOIN = re.compile(r"\s*(?:/|,|,?\s*and|,?\s*or)\s*(?:up to\s+|about\s+)?")
_MIRROR_CUE = re.compile(r"\b(?:against|compared|versus|vs\b|than|ahead of|whereas|while|relative to)|\(", re.IGNORECASE)
_QUALITY_UNITS = frozenset({None, "%", "pp", "points"})


@cache
def _not_a_dataset() -> frozenset[str]:
    words = {w.lower() for row in load_jsonl("result_words.jsonl") if row["group"] == "not_a_dataset" for w in row["words"]}
    words |= {row["name"].lower() for row in load_jsonl("dataset_editions.jsonl") if row["kind"] == "language"}
    return frozenset(words)


def known_name(text: str) -> tuple[str, str, str] | None:
    """(label, key, name) of the gazetteer entry `text` is written as in full, else None.

    >>> known_name("ROUGE-L")[:2], known_name("Pitts-nothing-here")
    (('Metric', 'rouge-l'), None)
    """
    from kg.extract.gazetteer import find_names

    hits = find_names(text)
    if len(hits) == 1 and hits[0][0] == 0 and hits[0][1] == len(text):
        entry = hits[0][2]
        return entry.label, entry.key, entry.name
    return None


def _renamed(cand: Candidate, text: str, start: int, end: int, keep_key: bool) -> Candidate:
    """`cand` over text[start:end]: the gazetteer's key and name when it lists the text, else
    the old key when only a number was cut off (the resolver keyed "58.2 mIoU" as mIoU)."""
    known = known_name(text[start:end])
    if known and known[0] == cand.label:
        return replace(cand, start=start, end=end, key=known[1], canonical=known[2])
    key = cand.key if keep_key else concept_key(text[start:end])
    return replace(cand, start=start, end=end, key=key or cand.key, canonical=None)


def tidy_candidates(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Metric and dataset spans cut to their name: without a leading number or result verb
    ("58.2 mIoU" -> "mIoU"), and ending before a sentence end they run across.

    >>> t = "It gets 58.2 mIoU on ImageNet-1K. On video it wins."
    >>> cs = [Candidate(8, 17, "Metric", "miou", 0.9, "model"), Candidate(21, 42, "Dataset", "x", 0.6, "model")]
    >>> [t[c.start:c.end] for c in tidy_candidates(t, cs)]
    ['mIoU', 'ImageNet-1K']
    """
    out = []
    for cand in cands:
        if cand.label not in (_METRIC, _DATASET):
            out.append(cand)
            continue
        if cand.label == _METRIC and _SUBJECT_SCORES.fullmatch(text, cand.start, cand.end):
            continue
        start, end, keep_key = cand.start, cand.end, True
        lead = _LEADING_NUMBER.match(text, start, end)
        if lead and lead.end() < end and (cand.label == _METRIC or _DECIMAL_OR_UNIT.match(lead.group())):
            start = lead.end()  # "58.2 mIoU"; not "20 Newsgroups" or "80 Million Tiny Images"
        verb = _LEADING_VERB.match(text, start, end)
        if verb and verb.end() < end:
            start, keep_key = verb.end(), False
        cut = _SENTENCE_END.search(text, start, end)
        if cut and cut.start() > start:
            end, keep_key = cut.start(), False
        out.append(cand if (start, end) == (cand.start, cand.end) else _renamed(cand, text, start, end, keep_key))
    return out


def _slot_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The benchmark name in text[start:end] (trailing punctuation dropped), or None when it
    is no benchmark: lower-case words only, a word of the "not_a_dataset" list."""
    while end > start and text[end - 1] in ".,'’-":
        end -= 1
    name = text[start:end]
    if not name or not _UPPER_OR_DIGIT.search(name) or name.lower().split()[0] in _not_a_dataset():
        return None
    if name.isdigit() or name.lower() in _not_a_dataset() or _split_word().fullmatch(name) or _language_pair(name):
        return None  # "on 16 GPUs", "on val2017" (a split of the dataset named before), "on English-German"
    return start, end


def benchmark_name(text: str, start: int, end: int) -> bool:
    """text[start:end] may name a benchmark where results name them: not lower-case words
    only, hardware, a language or language pair, a split or a bare number (:func:`slot_datasets`).

    >>> [benchmark_name(t, 0, len(t)) for t in ("JFT", "A100", "English-German", "val2017")]
    [True, False, False, False]
    """
    return _slot_name(text, start, end) == (start, end)


def _language_pair(name: str) -> bool:
    edition = edition_after(" " + name, 0)
    return edition is not None and edition.end == len(name) + 1 and [k for k, _, _ in edition.parts] == ["pair"]


@cache
def _split_word() -> re.Pattern:
    splits = [r["word"] for r in load_jsonl("dataset_editions.jsonl") if r["kind"] == "split"]
    return re.compile(rf"(?:{'|'.join(map(re.escape, splits))}|(?:train|val|test)(?:19|20)\d\d)", re.IGNORECASE)


def slot_datasets(text: str, s0: int, s1: int, inside: list[Candidate]) -> list[Candidate]:
    """Dataset candidates for benchmark names after "on" (and the names coordinated with
    them) in text[s0:s1] that no candidate covers and no gazetteer lists as another type.

    >>> t = "On MOT20 it gets 77.9 MOTA and 71.0% on Pitts30k, MSLS and the A100 GPU."
    >>> [t[c.start:c.end] for c in slot_datasets(t, 0, len(t), [])]
    ['MOT20', 'Pitts30k', 'MSLS']
    """
    out: list[Candidate] = []
    spans = [(c.start, c.end) for c in inside]
    for match in _SLOT.finditer(text, s0, s1):
        found = [match.span("name")]
        position = match.end()
        while True:  # "on nuScenes (72.9 NDS) and Waymo (75.4 mAPH)": a bracket may follow each name
            bracket = _BRACKET.match(text, position, s1)
            more = _SLOT_MORE.match(text, bracket.end() if bracket else position, s1)
            if more is None:
                break
            found.append(more.span("name"))
            position = more.end()
        for start, end in found:
            span = _slot_name(text, start, end)
            if span is None:
                break  # a list stops at its first word that is no name
            start, end = span
            edition = edition_after(text, end)
            if edition is not None:
                end = edition.end
            if any(s < end and start < e for s, e in spans):
                continue
            base_end = span[1]
            known = known_name(text[start:base_end])
            if known and known[0] != _DATASET:
                continue
            base_key = known[1] if known else concept_key(text[start:base_end])
            key = edition.key(base_key) if edition is not None else base_key
            if not key:
                continue
            canonical = (edition.canonical(known[2]) if edition is not None else known[2]) if known else None
            out.append(Candidate(start, end, _DATASET, key, SLOT_CONFIDENCE, COMPONENT, canonical=canonical))
            spans.append((start, end))
    return out


def slash_metrics(text: str, metrics: list[Candidate], s0: int, s1: int) -> list[Candidate]:
    """Metric candidates for the members of a "/" list a metric span stands in that no span
    covers: "ROUGE-1/2/L" gives ROUGE-2 and ROUGE-L, "EM/F1" gives EM.

    >>> t = "ROUGE-1/2/L of 45.1/21.9/41.8 and EM/F1 of 1.0/2.0"
    >>> ms = [Candidate(0, 7, "Metric", "rouge-1", 0.9, "g"), Candidate(37, 39, "Metric", "f-1-score", 0.9, "g")]
    >>> [(t[c.start:c.end], c.key) for c in slash_metrics(t, ms, 0, len(t))]
    [('2', 'rouge-2'), ('L', 'rouge-l'), ('EM', 'em')]
    """
    out: list[Candidate] = []
    taken = [(c.start, c.end) for c in metrics]
    for m in metrics:
        written = text[m.start:m.end]
        prefix = _PREFIX.match(written)
        position = m.end
        while position < s1 and (tail := _SLASH_TAIL.match(text, position, s1)) is not None:
            start, end = tail.span(1)
            if not any(s < end and start < e for s, e in taken):
                name = (prefix.group(1) if prefix and len(tail.group(1)) <= 3 else "") + tail.group(1)
                if not _UPPER_OR_DIGIT.search(name) or name.isdigit():
                    break
                known = known_name(name)
                out.append(Candidate(start, end, _METRIC, known[1] if known and known[0] == _METRIC else concept_key(name),
                                     0.6, COMPONENT, canonical=name if name != tail.group(1) else None))
                taken.append((start, end))
            position = end
        before = _SHORT_NAME.search(text, max(s0, m.start - 9), m.start)
        if before and _UPPER_OR_DIGIT.search(before.group(1)) and not any(s < before.end(1) and before.start(1) < e for s, e in taken):
            start, end = before.span(1)
            out.append(Candidate(start, end, _METRIC, concept_key(before.group(1)), 0.6, COMPONENT))
            taken.append((start, end))
    return sorted(out, key=lambda c: c.start)


_SCORE_AFTER = re.compile(r"[ \t]+(scores?)\b")


def score_metrics(text: str, datasets: list[Candidate], s1: int) -> list[Candidate]:
    """A metric for "<benchmark> score" ("an MT-Bench score of 7.52", "average GLUE score of
    91.0"): the word "score" after a dataset span, keyed with the benchmark's name.

    >>> t = "a GLUE score of 91.0"
    >>> [(t[c.start:c.end], c.key, c.canonical) for c in score_metrics(t, [Candidate(2, 6, "Dataset", "glue", 0.9, "g")], len(t))]
    [('score', 'glue-score', 'GLUE score')]
    """
    out = []
    for d in datasets:
        match = _SCORE_AFTER.match(text, d.end, s1)
        if match:
            name = f"{text[d.start:d.end]} score"
            out.append(Candidate(match.start(1), match.end(1), _METRIC, concept_key(name), 0.6, COMPONENT, canonical=name))
    return out


def slash_datasets(text: str, datasets: list[Candidate], s1: int) -> list[Candidate]:
    """Dataset candidates for the editions written after "/" behind a dataset span:
    "SQuAD v1.1/v2.0" gives SQuAD v2.0, "LibriSpeech test-clean/test-other" gives LibriSpeech.

    >>> t = "on SQuAD v1.1/v2.0 and"
    >>> d = Candidate(3, 13, "Dataset", "squad-1-1", 0.9, "g", canonical="SQuAD v1.1")
    >>> [(t[c.start:c.end], c.key) for c in slash_datasets(t, [d], len(t))]
    [('v2.0', 'squad-2-0')]
    """
    out = []
    for d in datasets:
        tail = _VERSION_TAIL.match(text, d.end, s1)
        if tail is None:
            continue
        written = d.canonical or text[d.start:d.end]
        base = _base_of(written)
        known = known_name(base)
        base_key = known[1] if known and known[0] == _DATASET else concept_key(base)
        probe = f"{base} {tail.group(1)}"
        edition = edition_after(probe, len(base))
        key = edition.key(base_key) if edition is not None else base_key
        canonical = edition.canonical(base) if edition is not None and edition.names_edition else base
        out.append(Candidate(tail.start(1), tail.end(1), _DATASET, key, 0.6, COMPONENT, canonical=canonical))
    return out


def _base_of(written: str) -> str:
    """The name without the qualifiers after it: "SQuAD v1.1" -> "SQuAD", "PASCAL VOC 2012"
    -> "PASCAL VOC"."""
    for i, char in enumerate(written):
        if char == " ":
            edition = edition_after(written, i)
            if edition is not None and edition.end == len(written):
                return written[:i]
    return written


def slash_lists(text: str, cands: list[Candidate]) -> list[list[Candidate]]:
    """Runs of two or more candidates (sorted by start) joined by "/" ("IWSLT14/WMT14")."""
    runs: list[list[Candidate]] = []
    for c in cands:
        if runs and _SLASH.fullmatch(text, runs[-1][-1].end, c.start):
            runs[-1].append(c)
        else:
            runs.append([c])
    return [r for r in runs if len(r) > 1]


def number_groups(text: str, found: list, joiner: re.Pattern = _PURE_JOIN) -> list[list[int]]:
    """Indices of `found` (results of a sentence, in order) in runs whose numbers are joined
    by "/", "," or "and" only ("85.2 / 75.0 / 60.3", "2.6% and 1.0%")."""
    groups: list[list[int]] = []
    for i, f in enumerate(found):
        if groups and joiner.fullmatch(text, found[groups[-1][-1]].number.end, f.number.start):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def pair_slash_lists(text: str, found: list, metrics: list[Candidate], datasets: list[Candidate], s1: int) -> list:
    """A group of k numbers joined by "/" takes, in order, a "/" list of k metrics or
    datasets written after it in its clause ("0.4/0.6 BLEU on IWSLT14/WMT14") or before it
    ("ROUGE-1/2/L of 45.1/21.9/41.8", "top-1 accuracy on ImageNet / ImageNet-V2 of 85.2 / 75.0")."""
    out = list(found)
    for group in number_groups(text, out, _SLASH):
        if len(group) < 2:
            continue
        first, last = out[group[0]].number, out[group[-1]].number
        clause_end = min([i for i in (text.find(";", last.end, s1), text.find(". ", last.end, s1)) if i >= 0], default=s1)
        for field, cands in (("metric", metrics), ("dataset", datasets)):
            runs = [r for r in slash_lists(text, cands) if len(r) == len(group)]
            after = [r for r in runs if last.end <= r[0].start < clause_end and r[0].start - last.end <= 80]
            before = [r for r in runs if r[-1].end <= first.start and first.start - r[-1].end <= 120]
            run = after[0] if after else before[-1] if before else None
            if run is not None:
                for i, c in zip(group, run):
                    out[i] = replace(out[i], **{field: c})
    return out


def mirror_groups(text: str, found: list) -> list:
    """A baseline's numbers after "against", "compared with", "vs." or a bracket take, in
    order, the metrics and datasets of as many results before them ("31.4% ... and 7.52,
    against 24.9% and 7.10"); so do the margins after "outperforming X by" / "improving over
    X by" when the results before them are of their unit and name different datasets or
    metrics, and the margins name no dataset of their own ("53.2 AP on COCO and 41.0 AP on
    LVIS, outperforming DINO by 1.2 and 2.3 AP")."""
    out = list(found)
    for group in number_groups(text, out):
        prev = list(range(group[0] - len(group), group[0]))
        if len(group) < 2 or not prev or prev[0] < 0:
            continue
        gap = text[out[prev[-1]].number.end:out[group[0]].number.start]
        if ";" in gap or not (_MIRROR_CUE.search(gap) or _margins_mirror(gap, [out[i] for i in prev], [out[j] for j in group])):
            continue
        for i, j in zip(prev, group):
            out[j] = replace(out[j], metric=out[i].metric or out[j].metric, dataset=out[i].dataset or out[j].dataset)
    return out


_MARGIN_CUE = re.compile(r"\b(?:outperform\w*|surpass\w*|improv\w*|exceed\w*|beat\w*|over)\b[^;()]*\bby\s+(?:up to\s+|about\s+)?$",
                         re.IGNORECASE)


def _margins_mirror(gap: str, prev: list, group: list) -> bool:
    """The margins of a group mirror the results before them (see :func:`mirror_groups`)."""
    if not _MARGIN_CUE.search(gap) or any(not _same_family(p.number.unit, g.number.unit) for p, g in zip(prev, group)):
        return False
    if any(g.dataset is not None and g.dataset.start > group[0].number.start for g in group):
        return False
    return len({p.dataset.key if p.dataset else None for p in prev}) == len(prev) or \
        len({p.metric.key if p.metric else None for p in prev}) == len(prev)


def _same_family(a: str | None, b: str | None) -> bool:
    return a == b or (a in _QUALITY_UNITS and b in _QUALITY_UNITS)


_GAP_OVER_DATASETS = re.compile(
    r"\s*(?:score\s*)?(?:(?:on|in|for|across)\s+(?:the\s+)?D(?:\s*(?:/|,|and)\s*D)*(?:\s+(?:set|dataset|benchmark|split|test set))?\s*)?,?"
    r"\s*(?:(?:rises|rose|drops|dropped|falls|fell|increases|increased|decreases|decreased|improves|improved|goes|went"
    r"|grows|grew|stays|remains|is|was|are|were|reaches|reached|reduces|reduced)\s+)?"
    r"(?:of|:|=|by|to|from|is|was)?\s*(?:only\s+|just\s+|up to\s+|about\s+|over\s+|~|≈)?")


def _masked(text: str, start: int, end: int, datasets: list[Candidate]) -> str:
    """text[start:end] with each dataset span inside it written "D"."""
    out, position = [], start
    for d in datasets:
        if start <= d.start and d.end <= end and d.start >= position:
            out += [text[position:d.start], "D"]
            position = d.end
    return "".join(out) + text[position:end]


def measured_over(text: str, metric_end: int, number_start: int, datasets: list[Candidate]) -> bool:
    """The words between a metric and a number after it say the number is its value, across
    the datasets it is measured on: "pass@1 on HumanEval from 48.8", "AP rises to 60.3",
    "top-1 accuracy on ImageNet / ImageNet-V2 of 85.2"."""
    return number_start - metric_end <= 120 and \
        _GAP_OVER_DATASETS.fullmatch(_masked(text, metric_end, number_start, datasets)) is not None


_RESULT_VERB = re.compile(r"\b(?:achiev|obtain|reach|scor|attain|averag|get|yield|record|deliver)\w*\s+(?:an?\s+)?(?:(?:average|overall|mean)\s+)?"
                          r"(?:score\s+of\s+)?$",
                          re.IGNORECASE)
# the margin of a gain stated with "by" ("improves the SAM by a large margin, i.e., up to 15.1")
_MARGIN_OF_GAIN = re.compile(r"\b(?:improv|outperform|surpass|boost|exceed|beat)\w*\b[^.;]{0,60}\bby\b[^.;\d]{0,40}$",
                             re.IGNORECASE)
_ABBREVIATED = re.compile(r"(?<=\b[ie])\.(?=[eg]\.)|(?<=\b[ie]\.[eg])\.")  # the dots of "i.e." and "e.g."
SIBLING_SPAN = 150  # characters a sibling result may stand after the result it follows


def decimal_result(text: str, number: Number, kept: list[Number], names: list[tuple[int, int]]) -> bool:
    """A decimal without unit or metric is a result after a result verb or as the margin of
    a gain ("improves X by a large margin, i.e., up to 15.1"), or within
    SIBLING_SPAN characters of a kept result of its sentence with no ";" between."""
    if "." not in number.text or any(s <= number.start < e for s, e in names):
        return False
    if _RESULT_VERB.search(text, max(0, number.start - 40), number.start) or \
            _MARGIN_OF_GAIN.search(_ABBREVIATED.sub("_", text[max(0, number.start - 110):number.start])):
        return True
    return bool(kept) and number.start - kept[-1].end <= SIBLING_SPAN and ";" not in text[kept[-1].end:number.start]


def carry_metrics(found: list, is_efficiency) -> list:
    """A result without a metric takes the metric of the previous result of its sentence
    when their units are of one family (scores: none, %, pp, points; else the same unit) and
    an efficiency claim takes only an efficiency metric (`is_efficiency(candidate)`); it
    takes that result's dataset too unless one is named after that result ("a pass@1 of
    67.1% on HumanEval and 61.5% on MBPP"; "a GLUE score of 91.0, 0.9 above X")."""
    out = list(found)
    for i, f in enumerate(out):
        if f.metric is not None or not i:
            continue
        prev = next((p for p in reversed(out[:i]) if p.metric is not None), None)
        if prev is None or not _same_family(prev.number.unit, f.number.unit):
            continue
        if (f.kind == "EfficiencyResult") != is_efficiency(prev.metric):
            continue
        own = f.dataset is not None and f.dataset.start > prev.number.start  # named after the previous result
        out[i] = replace(f, metric=prev.metric, dataset=f.dataset if own or prev.dataset is None else prev.dataset)
    return out


def dataset_naming(text: str, metric: Candidate | None, datasets: list[Candidate]) -> Candidate | None:
    """The dataset written right before a metric, which names what it is measured on
    ("ImageNet top-1 accuracy of 84.3%", "GSM8K accuracy from 35.4%", "GLUE score of 91.0").

    >>> t = "raises GSM8K accuracy to 61.2%"
    >>> dataset_naming(t, Candidate(13, 21, "Metric", "accuracy", 0.9, "g"), [Candidate(7, 12, "Dataset", "gsm8k", 0.9, "g")]).key
    'gsm8k'
    """
    if metric is None:
        return None
    return next((d for d in datasets if d.end <= metric.start and not text[d.end:metric.start].strip()), None)


def carry_datasets(found: list, previous: dict[str, Candidate]) -> list:
    """Results of a sentence that names no dataset take the dataset the previous sentence
    with results measured the same metric on ("... 49.6 AP on COCO test-dev. With a Swin-L
    backbone the AP rises to 60.3."): `previous` maps metric keys to datasets."""
    return [replace(f, dataset=previous[f.metric.key]) if f.dataset is None and f.metric is not None
            and f.metric.key in previous else f for f in found]


def coordinated_kinds(text: str, found: list) -> list:
    """Numbers of one unit in a list closed by "and", "or" or "/" ("by 2.6% and 1.0%", "by
    3.2, 4.0 and 3.3 points") make one claim: each takes the first's kind."""
    out = list(found)
    for group in number_groups(text, out):
        last_join = text[out[group[-2]].number.end:out[group[-1]].number.start] if len(group) > 1 else ""
        if not _LIST_END.search(last_join):
            continue  # "91.0, 0.9 above X": no "and" closes the list, so two claims
        head = out[group[0]]
        # one unit written after the last number is the list's: "by 3.2, 4.0 and 3.3 points"
        shared = all(out[i].number.num_end == out[i].number.end for i in group[:-1])
        for i in group[1:]:
            n = out[i].number
            if n.unit == head.number.unit or shared:
                out[i] = replace(out[i], kind=head.kind)
    return out


_LIST_END = re.compile(r"\band\b|\bor\b|/")


__all__ = ["benchmark_name", "carry_datasets", "carry_metrics", "coordinated_kinds", "dataset_naming", "decimal_result", "measured_over", "known_name", "mirror_groups", "number_groups", "pair_slash_lists",
           "score_metrics", "slash_datasets", "slash_lists", "slash_metrics", "slot_datasets", "tidy_candidates"]
