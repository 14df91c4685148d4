"""A hand-annotated sample of recent ML abstracts, scored beside SciERC (`kg eval`, split "ml").

kg/eval/data/ml_sample.jsonl holds 20 abstracts of the bundled corpus (Hugging Face daily
papers, 2023-2024), each with its Task, Method, Metric and Dataset spans, annotated by
SciERC's guidelines (see data/README.md). SciERC's abstracts are AI papers up to 2017;
this sample tells how the extractor carries over to the papers kg is built for. The
sample's abstracts are never used in training, not even as unlabeled text for the teacher.
"""

from __future__ import annotations

import json
from importlib import resources

from kg.errors import InputError
from kg.eval.scierc import GoldDoc, GoldSpan

SPLIT = "ml"
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


def read_sample() -> list[GoldDoc]:
    """The shipped sample."""
    return parse_sample((resources.files("kg.eval") / "data" / "ml_sample.jsonl").read_text(encoding="utf-8"))
