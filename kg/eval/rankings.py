"""Precision of the top of each ranking, as a researcher would judge it.

``data/rankings_judged.jsonl`` holds hand judgements of the labels that the top 30 of the
named rankings (most-used-datasets, most-used-methods, most-addressed-tasks,
most-reported-metrics) showed on the bundled corpus, before and after issue 16: each is
``named`` (a specific method, dataset, metric or task), ``kind`` (a class of things:
"image dataset", "optimizer") or ``wrong`` (not a concept of that type), with a reason.
:func:`score_rankings` runs the rankings over a build's store and reports, per ranking,
how many of the top 30 are named, kinds, wrong or not judged yet; precision is named over
judged. Run it on a build: ``python -m kg.eval.rankings OUT``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

RANKINGS = ("most-used-datasets", "most-used-methods", "most-addressed-tasks", "most-reported-metrics")
TOP = 30


def label_fold(label: str) -> str:
    """Labels compared ignoring case, hyphens and spaces."""
    return re.sub(r"[\s\-]+", "", label.lower())


@cache
def judgements() -> dict[str, dict[str, tuple[str, str]]]:
    """ranking -> folded label -> (judgement, reason)."""
    text = (resources.files("kg.eval") / "data" / "rankings_judged.jsonl").read_text(encoding="utf-8")
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            out.setdefault(row["ranking"], {})[label_fold(row["label"])] = (row["judgement"], row["reason"])
    return out


@dataclass(frozen=True)
class RankingScore:
    ranking: str
    labels: tuple[str, ...]  # the top labels, in order
    named: int
    kind: int
    wrong: int
    unjudged: tuple[str, ...]

    @property
    def precision(self) -> float:
        judged = self.named + self.kind + self.wrong
        return self.named / judged if judged else 0.0


def score_labels(ranking: str, labels: list[str], top: int = TOP) -> RankingScore:
    """Score the first `top` labels of `ranking` against the judgements."""
    table = judgements().get(ranking, {})
    counts = {"named": 0, "kind": 0, "wrong": 0}
    unjudged = []
    for label in labels[:top]:
        judged = table.get(label_fold(label))
        if judged:
            counts[judged[0]] += 1
        else:
            unjudged.append(label)
    return RankingScore(ranking, tuple(labels[:top]), counts["named"], counts["kind"], counts["wrong"], tuple(unjudged))


def ranking_labels(store, ranking: str) -> list[str]:
    """The labels of a named ranking over `store`, in its order (first column)."""
    from kg.rdf.query import run_named

    results = run_named(store, ranking)
    first = results.variables[0]
    return [row[first].value for row in results]


def score_rankings(store, top: int = TOP) -> list[RankingScore]:
    """Every judged ranking of `store` (a pyoxigraph Store of a build) scored."""
    return [score_labels(name, ranking_labels(store, name), top) for name in RANKINGS]


def format_scores(scores: list[RankingScore]) -> str:
    lines = [f"{'ranking':<24} {'named':>5} {'kind':>5} {'wrong':>5} {'unjudged':>8} {'precision':>9}"]
    for s in scores:
        lines.append(f"{s.ranking:<24} {s.named:>5} {s.kind:>5} {s.wrong:>5} {len(s.unjudged):>8} {s.precision:>9.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from kg.rdf.write import open_store

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "outputs")
    store = open_store(out / "graph.nt", None)
    scores = score_rankings(store)
    print(format_scores(scores))
    for s in scores:
        if s.unjudged:
            print(f"{s.ranking}: not judged yet: {', '.join(s.unjudged)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
