"""What the extraction components leave on a Doc, and how components read shared data.

Components add :class:`Candidate` records (character offsets into ``doc.text``) to
``doc._.kg_candidates``; the resolver turns the survivors into mentions. The abbreviation
detector leaves its pairs on ``doc._.kg_abbreviations``.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

from kg.records import Role


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    key: str
    confidence: float
    component: str
    role: Role = Role.USES
    canonical: str | None = None  # the concept's full name, when the text is an acronym or alias

    @property
    def length(self) -> int:
        return self.end - self.start


class Occupied:
    """Character spans taken, for greedy overlap resolution: :meth:`take` takes a span
    unless it overlaps one taken (starts before its end and ends after its start; touching
    is no overlap). While the spans taken are disjoint and not empty, kept in order, that
    test is one binary search; otherwise it looks at each.

    >>> occupied = Occupied([(4, 8)])
    >>> [occupied.take(*span) for span in [(0, 4), (7, 9), (2, 6), (8, 10)]]
    [True, False, False, True]
    """

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        """Start with `spans` taken, whether or not they overlap."""
        ordered = sorted(spans)
        self.starts: list[int] = [start for start, _ in ordered]
        self.ends: list[int] = [end for _, end in ordered]
        # no two spans taken overlap and none is empty: then both lists are sorted
        self.disjoint = all(s < e for s, e in ordered) and all(e <= s for e, s in zip(self.ends, self.starts[1:]))

    def overlaps(self, start: int, end: int) -> bool:
        """[start, end) overlaps a span taken."""
        if self.disjoint and start < end:
            # of the spans that start before `end`, the last one ends furthest
            i = bisect_left(self.starts, end)
            return i > 0 and self.ends[i - 1] > start
        return any(end > s and start < e for s, e in zip(self.starts, self.ends))

    def take(self, start: int, end: int) -> bool:
        """Mark [start, end) taken and say True, unless it overlaps a span taken."""
        if self.overlaps(start, end):
            return False
        self.disjoint = self.disjoint and start < end
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


def ensure_extensions() -> None:
    """Register the Doc attributes kg's components use (idempotent, called by factories)."""
    for name in ("kg_candidates", "kg_abbreviations"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def candidates(doc: Doc) -> list[Candidate]:
    """The doc's candidate list (created empty on first use); every component asks."""
    extensions = doc._  # spaCy builds this accessor anew on each ``doc._``: once here
    found = extensions.kg_candidates
    if found is None:
        found = extensions.kg_candidates = []
    return found


@cache
def load_jsonl(name: str) -> tuple[dict, ...]:
    """Rows of a data file shipped in kg/extract/data/ (read once per process)."""
    text = (resources.files("kg.extract") / "data" / name).read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


@cache
def head_labels() -> dict[str, str]:
    """Head noun -> concept type, e.g. "network" -> "Method" (data/heads.jsonl)."""
    return {row["head"]: row["label"] for row in load_jsonl("heads.jsonl")}


FIELD_SEPARATOR = "\n\n"  # a Doc's text is the title, this separator, then the abstract


def text_of(doc: Doc) -> str:
    """``doc.text``, computed once: spaCy rebuilds it from the tokens on every access."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def abstract_start(text: str) -> int:
    """Offset in a doc's text where the abstract begins (0 for a doc without a title)."""
    cut = text.find(FIELD_SEPARATOR)
    return cut + len(FIELD_SEPARATOR) if cut >= 0 else 0


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


def on_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not is_word_char(before) and not is_word_char(after)
