"""Scores of the result extractor (`kg_results`) on hand-annotated abstracts.

kg/eval/data/results_gold.jsonl holds the 230 abstracts of the bundled corpus that write a
digit -- 86 with a number with a unit or a decimal point, then the 144 others -- each split
once by a fixed hash of the paper key before it was run through the rules (guidelines:
data/RESULTS.md); "held-out" is only scored. kg/eval/data/results_leaderboard.jsonl
holds 62 leaderboard-style abstracts written for kg (invented methods, real benchmarks
and metrics), split by a fixed hash of their key before any system output was read into
"leaderboard" (errors read, rules improved) and "leaderboard-held" (only scored).
kg/eval/data/results_scierc.jsonl holds the 63 SciERC abstracts (AI papers up to 2017)
that write a number with a unit or a decimal point, all "scierc-held" (only scored). Each
abstract goes through :func:`kg.extract.extract_papers` as in a build (title and
abstract). Two scores:

* **number level** -- a predicted result is right when its value equals a gold result's
  and its span covers the gold number's first character (one to one): precision, recall
  and F1 of "the right number found as a result";
* **tuple level** -- over gold results with both a metric and a dataset: a prediction
  is right when its number matches and its metric and dataset name the gold's
  (:func:`same_concept`). Predictions with a metric and a dataset count, except those
  whose number matches a gold result that lacks one (the gold cannot judge them).

Kind accuracy (absolute, improvement, efficiency) over the matched numbers is reported too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from kg.errors import InputError
from kg.eval.scoring import Counts
from kg.normalize import concept_key
from kg.records import ExtractedPaper, Field, Paper, Result

SPLITS = ("dev", "held-out", "leaderboard", "leaderboard-held", "scierc-held", "fresh-held")
GOLD_FILES = ("results_gold.jsonl", "results_leaderboard.jsonl", "results_scierc.jsonl", "results_fresh.jsonl")
KINDS = ("AbsoluteResult", "Improvement", "EfficiencyResult")


@dataclass(frozen=True)
class GoldResult:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str | None
    kind: str
    metric: str | None
    dataset: str | None
    method: str | None


@dataclass(frozen=True)
class GoldAbstract:
    key: str
    split: str
    title: str
    abstract: str
    results: tuple[GoldResult, ...]


def parse_gold(text: str, source: str = "results_gold.jsonl") -> list[GoldAbstract]:
    """Rows of {"id", "split", "title", "abstract", "results": [{start, end, text, value,
    unit, kind, metric, dataset, method}, ...]}; a bad row raises InputError naming its line.

    >>> row = ('{"id": "a", "split": "dev", "title": "T", "abstract": "F1 of 9.5", "results": [{"start": 6, '
    ...        '"end": 9, "text": "9.5", "value": "9.5", "unit": null, "kind": "AbsoluteResult", '
    ...        '"metric": "F1", "dataset": null, "method": null}]}')
    >>> parse_gold(row)[0].results[0].value
    Decimal('9.5')
    """
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            abstract = row["abstract"]
            results = []
            for r in row["results"]:
                gold = GoldResult(int(r["start"]), int(r["end"]), r["text"], Decimal(r["value"]), r.get("unit"),
                                  r["kind"], r.get("metric"), r.get("dataset"), r.get("method"))
                if abstract[gold.start:gold.end] != gold.text or gold.kind not in KINDS:
                    raise ValueError(f"result {r} does not match the abstract or has an unknown kind")
                results.append(gold)
            if row["split"] not in SPLITS:
                raise ValueError(f"unknown split {row['split']!r}")
        except (ValueError, KeyError, TypeError, InvalidOperation) as error:
            raise InputError(source, f"not an annotated abstract: {error}", line=number) from None
        out.append(GoldAbstract(row["id"], row["split"], row["title"], abstract, tuple(results)))
    return out


def read_gold() -> list[GoldAbstract]:
    """The shipped annotations: the bundled corpus's abstracts, the leaderboard-style ones, SciERC's."""
    data = resources.files("kg.eval") / "data"
    return [g for name in GOLD_FILES for g in parse_gold((data / name).read_text(encoding="utf-8"), name)]


def _tokens(key: str) -> frozenset[str]:
    return frozenset(t for t in key.split("-") if t)


def same_concept(gold: str, names: Iterable[str]) -> bool:
    """The gold surface form names the predicted concept: equal concept keys, or the words
    of one key within the other's ("FID" and "zero-shot FID", "Alpaca" and "Alpaca dataset").

    >>> same_concept("Alpaca", ["alpaca-dataset"]), same_concept("BLEU-4", ["cider"])
    (True, False)
    """
    g = _tokens(concept_key(gold))
    return bool(g) and any(g == _tokens(n) or (_tokens(n) and (g <= _tokens(n) or _tokens(n) <= g)) for n in names)


def concept_names(extracted: ExtractedPaper) -> dict[tuple[str, str], set[str]]:
    """(label, key) -> the keys a concept goes by in the paper: its key, its mentions' texts
    and long forms."""
    names: dict[tuple[str, str], set[str]] = {}
    for m in extracted.mentions:
        found = names.setdefault((m.label, m.key), {m.key})
        found.add(concept_key(m.text))
        if m.long_form:
            found.add(concept_key(m.long_form))
    return names


def match_numbers(gold: Sequence[GoldResult], predicted: Sequence[Result]) -> list[tuple[GoldResult, Result]]:
    """One-to-one pairs of a gold and a predicted result with equal values whose predicted
    span covers the gold number's start."""
    pairs, used = [], set()
    for g in gold:
        for i, p in enumerate(predicted):
            if i not in used and p.value == g.value and p.start <= g.start < p.end:
                pairs.append((g, p))
                used.add(i)
                break
    return pairs


def score_abstracts(gold: Sequence[GoldAbstract], extracted: Sequence[ExtractedPaper]) -> dict:
    numbers, tuples = Counts(), Counts()
    kinds_right = matched_total = 0
    for doc, ex in zip(gold, extracted):
        predicted = [r for r in ex.results if r.field is Field.ABSTRACT]
        pairs = match_numbers(doc.results, predicted)
        numbers.add(len(pairs), len(predicted), len(doc.results))
        kinds_right += sum(g.kind == p.kind.value for g, p in pairs)
        matched_total += len(pairs)
        names = concept_names(ex)
        gold_of = {id(p): g for g, p in pairs}
        judged = [p for p in predicted if p.metric and p.dataset
                  and (id(p) not in gold_of or (gold_of[id(p)].metric and gold_of[id(p)].dataset))]
        right = sum(1 for g, p in pairs if g.metric and g.dataset and p.metric and p.dataset
                    and same_concept(g.metric, names.get(("Metric", p.metric), {p.metric}))
                    and same_concept(g.dataset, names.get(("Dataset", p.dataset), {p.dataset})))
        tuples.add(right, len(judged), sum(1 for g in doc.results if g.metric and g.dataset))
    return {"abstracts": len(gold), "numbers": numbers.as_dict(), "tuples": tuples.as_dict(),
            "kind_accuracy": round(kinds_right / matched_total, 3) if matched_total else 0.0}


def evaluate_results(nlp=None, min_confidence: float = 0.0, gold: Sequence[GoldAbstract] | None = None) -> dict:
    """Scores per split of the shipped annotations (or `gold`)."""
    from kg.extract import extract_papers  # spaCy loads only when scoring runs

    gold = read_gold() if gold is None else gold
    report = {}
    for split in SPLITS:
        docs = [g for g in gold if g.split == split]
        if not docs:
            continue
        papers = [Paper(key=g.key, title=g.title, abstract=g.abstract, sources=("results_gold",)) for g in docs]
        extracted = list(extract_papers(papers, nlp, min_confidence=min_confidence))
        report[split] = score_abstracts(docs, extracted)
    return report


def format_results(report: dict) -> list[str]:
    lines = []
    for split, r in report.items():
        n, t = r["numbers"], r["tuples"]
        lines.append(f"results ({split}, {r['abstracts']} abstracts): numbers P {n['p']:.3f} R {n['r']:.3f} "
                     f"F1 {n['f1']:.3f} ({n['gold']} gold); tuples (number+metric+dataset) P {t['p']:.3f} "
                     f"R {t['r']:.3f} F1 {t['f1']:.3f} ({t['gold']} gold); kind right for {r['kind_accuracy']:.3f}")
    return lines


__all__ = ["GoldAbstract", "GoldResult", "evaluate_results", "format_results", "parse_gold", "read_gold",
           "same_concept", "score_abstracts"]
