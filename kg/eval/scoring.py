"""Pure scoring functions: span precision / recall / F1 and paper-level concept sets.

A span is ``(start, end, label)``. Two matchings:

``exact``
    a predicted span is correct when a gold span has the same start, end and label.
``overlap``
    predicted and gold spans of the same label that share at least one character are
    paired one to one, largest shared part first; each pair counts once, so a gold span
    split into two predictions gives one hit and one false positive.

Paper-level scores compare, per abstract and type, the distinct concepts found (what the
graph links a paper to) with the gold ones; a found concept matches a gold one when any
of its names (its key, its mentions' normalized surface forms) is the gold concept's key.
Counts are summed over abstracts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Span = tuple[int, int, str]
MICRO = "micro"


@dataclass
class Counts:
    """Matched, predicted and gold totals for one type (or all, micro-averaged).
    `right` counts correct predictions when that differs from gold items matched."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0
    right: int | None = None

    def add(self, matched: int, predicted: int, gold: int, right: int | None = None) -> None:
        self.matched += matched
        self.predicted += predicted
        self.gold += gold
        if right is not None:
            self.right = (self.right or 0) + right

    @property
    def precision(self) -> float:
        right = self.matched if self.right is None else self.right
        return right / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        out = {"p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4),
               "matched": self.matched, "predicted": self.predicted, "gold": self.gold}
        if self.right is not None:
            out["right"] = self.right
        return out


def exact_matches(gold: Iterable[Span], predicted: Iterable[Span]) -> int:
    """How many predicted spans are gold spans (duplicates count once).

    >>> exact_matches([(0, 4, "Task"), (6, 9, "Method")], [(0, 4, "Task"), (6, 9, "Task")])
    1
    """
    return len(set(gold) & set(predicted))


def overlap_matches(gold: Iterable[Span], predicted: Iterable[Span]) -> int:
    """Size of a one-to-one pairing of same-label overlapping spans, largest overlap first.

    >>> overlap_matches([(0, 10, "Task")], [(0, 4, "Task"), (5, 10, "Task")])
    1
    >>> overlap_matches([(0, 10, "Task")], [(3, 12, "Method")])
    0
    """
    gold, predicted = sorted(set(gold)), sorted(set(predicted))
    pairs = []
    for gi, (gs, ge, gl) in enumerate(gold):
        for pi, (ps, pe, pl) in enumerate(predicted):
            shared = min(ge, pe) - max(gs, ps)
            if gl == pl and shared > 0:
                pairs.append((-shared, gi, pi))
    used_gold, used_pred = set(), set()
    for _, gi, pi in sorted(pairs):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    return len(used_gold)


MATCHERS = {"exact": exact_matches, "overlap": overlap_matches}


def score_spans(documents: Iterable[tuple[Sequence[Span], Sequence[Span]]], labels: Sequence[str],
                mode: str = "exact") -> dict[str, Counts]:
    """Counts per label and micro-averaged over (gold, predicted) span lists of documents.
    Spans of other labels are ignored."""
    matcher = MATCHERS[mode]
    counts = {label: Counts() for label in (*labels, MICRO)}
    for gold, predicted in documents:
        for label in labels:
            g = {s for s in gold if s[2] == label}
            p = {s for s in predicted if s[2] == label}
            matched = matcher(g, p)
            counts[label].add(matched, len(p), len(g))
            counts[MICRO].add(matched, len(p), len(g))
    return counts


def score_sets(documents: Iterable[tuple[Mapping[str, set[str]], Mapping[str, set[str]]]],
               labels: Sequence[str]) -> dict[str, Counts]:
    """Paper-level counts: per document, gold and predicted key sets by label.

    >>> c = score_sets([({"Task": {"mt"}}, {"Task": {"mt", "parsing"}})], ["Task"])
    >>> (c["Task"].matched, c["Task"].predicted, c["Task"].gold)
    (1, 2, 1)
    """
    counts = {label: Counts() for label in (*labels, MICRO)}
    for gold, predicted in documents:
        for label in labels:
            g, p = gold.get(label, set()), predicted.get(label, set())
            matched = len(g & p)
            counts[label].add(matched, len(p), len(g))
            counts[MICRO].add(matched, len(p), len(g))
    return counts


def score_concepts(documents: Iterable[tuple[Mapping[str, set[str]], Mapping[str, Sequence[frozenset[str]]]]],
                   labels: Sequence[str]) -> dict[str, Counts]:
    """Paper-level counts: per document, gold keys and found concepts (name sets) by label;
    a found concept is right when it names a gold key, a gold key is found when a concept
    names it.

    >>> c = score_concepts([({"Method": {"em", "svm"}}, {"Method": [frozenset({"expectation-maximization", "em"}), frozenset({"crf"})]})], ["Method"])
    >>> (c["Method"].matched, c["Method"].predicted, c["Method"].gold, c["Method"].precision)
    (1, 2, 2, 0.5)
    """
    counts = {label: Counts() for label in (*labels, MICRO)}
    for gold, found in documents:
        for label in labels:
            g, concepts = gold.get(label, set()), found.get(label, ())
            right = sum(1 for names in concepts if names & g)
            hit = len({k for names in concepts for k in names} & g)
            for c in (counts[label], counts[MICRO]):
                c.add(hit, len(concepts), len(g), right)
    return counts
