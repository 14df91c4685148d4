"""Hand-annotated recent ML abstracts, scored beside SciERC (`kg eval`, splits "ml" and "ml-fresh").

kg/eval/data/ml_sample.jsonl holds 20 abstracts of the bundled corpus (Hugging Face daily
papers, 2023-2024), each with its Task, Method, Metric and Dataset spans, annotated by
SciERC's guidelines (see data/README.md). SciERC's abstracts are AI papers up to 2017;
this sample tells how the extractor carries over to the papers kg is built for. The
sample's abstracts are never used in training, not even as unlabeled text for the teacher.

kg/eval/data/ml_fresh.jsonl (split "ml-fresh") holds 30 abstracts written for kg in the
style of 2024-2026 arXiv papers, annotated the same way (without evaluative premodifiers
such as "novel"); it is only scored, never read for errors, so it stays a held-out set.
"""

from __future__ import annotations

import json
from importlib import resources

from kg.errors import InputError
from kg.eval.scierc import GoldDoc, GoldSpan

SPLIT = "ml"
FRESH_SPLIT = "ml-fresh"
FILES = {SPLIT: "ml_sample.jsonl", FRESH_SPLIT: "ml_fresh.jsonl"}  # split -> file in kg/eval/data
_LABELS = frozenset({"Task", "Method", "Metric", "Dataset"})


def parse_sample(text: str, source: str = "ml_sample.jsonl") -> list[GoldDoc]:
    """Rows of {"id", "title", "abstract", "spans": [[start, end, label], ...]} as gold docs.

    >>> row = '{"id": "a", "title": "T", "abstract": "We use BERT.", "spans": [[7, 11, "Method"]]}'
    >>> parse_sample(row)[0].spans
    (GoldSpan(start=7, end=11, label='Method', text='BERT'),)
    """
    docs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            key, abstract = row["id"], row["abstract"]
            spans = tuple(GoldSpan(s, e, label, abstract[s:e]) for s, e, label in row["spans"])
            for span in spans:
                if span.label not in _LABELS or not 0 <= span.start < span.end <= len(abstract):
                    raise ValueError(f"bad span {[span.start, span.end, span.label]}")
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(source, f"not an annotated abstract: {error}", line=number) from None
        docs.append(GoldDoc(key, abstract, tuple(sorted(spans, key=lambda s: (s.start, s.end)))))
    return docs


def _shipped(split: str) -> str:
    """The text of a shipped split's file."""
    return (resources.files("kg.eval") / "data" / FILES[split]).read_text(encoding="utf-8")


def read_sample(split: str = SPLIT) -> list[GoldDoc]:
    """A shipped split: the sample ("ml") or the fresh held-out abstracts ("ml-fresh")."""
    return parse_sample(_shipped(split), FILES[split])


def read_titles(split: str = SPLIT) -> dict[str, str]:
    """Id -> title of a shipped split's abstracts (the gold docs carry none; a build needs them)."""
    return {row["id"]: row["title"] for row in map(json.loads, filter(str.strip, _shipped(split).splitlines()))}
