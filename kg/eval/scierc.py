"""SciERC (Luan et al., EMNLP 2018) as plain text with character-offset gold spans.

Each line of ``{train,dev,test}.json`` is one abstract: ``sentences`` (token lists) and
``ner`` (per sentence, ``[start, end, TYPE]`` with document-level token indices, end
inclusive). :func:`detokenize` turns the tokens back into ordinary text (no space before
``,`` or ``)``, ``-LRB-`` -> ``(``), the text the extractor sees in ``kg eval`` and the
model is trained on, and :func:`read_split` gives each abstract's gold spans in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.types import scierc_labels

# SciERC type -> kg type; Generic and OtherScientificTerm are not concepts of the graph.
KG_LABELS = scierc_labels()  # kg.types: SciERC's Material is a Dataset
ALL_LABELS = {**KG_LABELS, "OtherScientificTerm": "OtherScientificTerm", "Generic": "Generic"}
SPLITS = ("train", "dev", "test")

_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}
_NO_SPACE_BEFORE = {",", ".", ":", ";", "?", "!", ")", "]", "}", "%", "'s", "n't", "'"}
_NO_SPACE_AFTER = {"(", "[", "{"}


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class GoldDoc:
    key: str
    text: str
    spans: tuple[GoldSpan, ...]


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text of a token list and each token's (start, end) in it.

    >>> detokenize(["A", "-LRB-", "B", "-RRB-", "is", "n't", "C", ",", "D", "."])[0]
    "A (B) isn't C, D."
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    previous = None
    for raw in tokens:
        token = _BRACKETS.get(raw, raw)
        if previous is not None and token not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
            parts.append(" ")
            position += 1
        parts.append(token)
        offsets.append((position, position + len(token)))
        position += len(token)
        previous = token
    return "".join(parts), offsets


def parse_document(row: dict, labels: dict[str, str] = KG_LABELS) -> GoldDoc:
    """One SciERC record as text and gold spans of the types in `labels` (renamed)."""
    tokens = [token for sentence in row["sentences"] for token in sentence]
    text, offsets = detokenize(tokens)
    spans = []
    for sentence in row["ner"]:
        for first, last, label in sentence:
            if label in labels:
                start, end = offsets[first][0], offsets[last][1]
                spans.append(GoldSpan(start, end, labels[label], text[start:end]))
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    return GoldDoc(row.get("doc_key", ""), text, tuple(dict.fromkeys(spans)))


def read_split(path: str | Path, labels: dict[str, str] = KG_LABELS) -> Iterator[GoldDoc]:
    """The abstracts of one SciERC file, in file order."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise InputError(path, f"cannot read SciERC split: {error.strerror}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield parse_document(json.loads(line), labels)
            except (ValueError, KeyError, IndexError, TypeError) as error:
                raise InputError(path, f"not a SciERC record: {error}", line=number) from None


def default_data_dir() -> Path:
    """data/scierc of the working directory, else of the kg checkout."""
    here = Path("data/scierc")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "data" / "scierc"
