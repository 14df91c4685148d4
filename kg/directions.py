"""Which way a metric goes: lower is better for error, perplexity, FID, WER, latency ...

Kept apart from :mod:`kg.extract` (which loads spaCy) so the graph and the RDF export can
ask without it. The words are data: kg/extract/data/metric_directions.jsonl.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

_WORD = re.compile(r"[a-z0-9@]+")


@cache
def directions() -> dict[str, bool]:
    """Normalized metric phrase -> lower is better (read once per process)."""
    text = (resources.files("kg") / "extract" / "data" / "metric_directions.jsonl").read_text(encoding="utf-8")
    rows = (json.loads(line) for line in text.splitlines() if line.strip())
    return {" ".join(_WORD.findall(_fold(row["word"]))): bool(row["lower_is_better"]) for row in rows}


def _fold(text: str) -> str:
    return text.lower().replace("é", "e")


def lower_is_better(*labels: str) -> bool | None:
    """Whether a metric goes down as results get better, by the longest phrase of the
    directions data written as whole words in any of its labels; None when unknown.

    >>> [lower_is_better(x) for x in ["top-1 error", "BLEU score", "attack success rate", "novelty"]]
    [True, False, False, None]
    >>> lower_is_better("Fréchet Inception Distance", "FID")
    True
    """
    best: tuple[int, bool] | None = None
    for label in labels:
        joined = f" {' '.join(_WORD.findall(_fold(label)))} "
        for phrase, lower in directions().items():
            if phrase and f" {phrase} " in joined and (best is None or len(phrase) > best[0]):
                best = (len(phrase), lower)
    return None if best is None else best[1]


__all__ = ["directions", "lower_is_better"]
