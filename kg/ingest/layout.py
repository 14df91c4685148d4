"""Which lines of a daily-papers page are titles and which are abstract text.

A page gives no markup, only lines. Looking at one line at a time (long prose is an abstract,
a short line a title) loses papers: a one-sentence abstract becomes a title, a short closing
paragraph ("Code is available at ...") becomes an invented paper, a long title with a full
stop is glued to the abstract before it. So the whole run of lines between two pieces of page
chrome is labelled at once, as the cheapest sequence of labels (Viterbi, min-sum):

* each line costs something as a title and as abstract text, by its look (`title_cost`,
  `paragraph_cost`: length, sentence ends, capitalised words, URLs);
* the layout costs something too: a title must be followed by abstract text (a title without
  one, or text without a title, costs `ORPHAN`), an abstract rarely has a second paragraph
  (`EXTRA_PARAGRAPH`), and where blank lines separate blocks, a new paper inside a block
  (`NO_BLANK_BEFORE_TITLE`) is unlikely while a line that continues a block is not a new
  paragraph, and a title can wrap onto a second line (`TITLE_CONTINUATION`).

The same costs, run forwards and backwards, say for each line how much worse the best
labelling with that line the other way round would be; when that margin is small the choice
was a guess, and the reader warns with the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class Label(IntEnum):
    TITLE = 0
    TITLE_CONTINUATION = 1  # a title's second line, in a layout with blank lines
    PARAGRAPH = 2  # abstract text


@dataclass(frozen=True)
class Unit:
    """One non-blank line of a page; `gap_before` when a blank line (or the section start) precedes it."""

    line: int
    text: str
    gap_before: bool


ORPHAN = 3.0
EXTRA_PARAGRAPH = 1.0
NO_BLANK_BEFORE_TITLE = 3.0
TITLE_CONTINUATION = 1.0
GUESS_MARGIN = 1.5  # a labelling less than this much cheaper than the other choice is a guess
_INF = float("inf")

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")
_SENTENCE_BREAK = re.compile(r"(\S+)([.!?])\s+[\"'“(]?[A-Z]")
_ABBREVIATIONS = frozenset("vs al etc e.g i.e cf fig figs eq eqs no dr mr ms st approx resp sec ref refs".split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MINOR_WORDS = frozenset(
    "a an and as at by for from in into is are of on or the to via vs with without over under versus its their".split()
)


def sentence_breaks(text: str, marks: str = ".!?") -> int:
    """How many sentence boundaries ending with one of `marks` `text` has inside it
    ("vs. Generative", "J. Smith" are none).

    >>> sentence_breaks("We propose SAM. It works. Revisiting Discriminative vs. Generative Classifiers")
    2
    """
    count = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if match.group(2) not in marks:
            continue
        word = match.group(1).lower().strip("(\"'")
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        count += 1
    return count


def capitalized_share(text: str) -> float | None:
    """The share of content words with a capital letter (Title Case is titles' mark); None
    when there are too few words to tell."""
    words = [w for w in _WORD.findall(_URL.sub(" ", text)) if w.lower() not in _MINOR_WORDS]
    if len(words) < 3:
        return None
    return sum(1 for w in words if any(c.isupper() for c in w)) / len(words)


def title_cost(text: str) -> float:
    """How unlike a title `text` is: 0 for a typical title.

    >>> title_cost("LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs from Scratch")
    0.0
    """
    size, cost = len(text), 0.0
    if size >= 300:
        cost += 6.0 + (2.0 if size >= 600 else 0.0)
    elif size >= 200:
        cost += 2.0
    elif size >= 150:
        cost += 0.5
    if text.endswith(".") and not text.endswith(("etc.", "al.")):
        cost += 2.0
    # "How to X? A Study of Y" is a common title; "We do X. It works." is prose.
    cost += 1.5 * min(sentence_breaks(text, "."), 2) + 0.5 * min(sentence_breaks(text, "!?"), 2)
    if _URL.search(text):
        cost += 4.0
    share = capitalized_share(text)
    if share is not None and share < 0.3 and size > 60:
        cost += 1.0
    return cost


def paragraph_cost(text: str) -> float:
    """How unlike abstract text `text` is: 0 for long prose.

    >>> paragraph_cost("Sharpness-Aware Minimization Revisited")
    4.5
    """
    size = len(text)
    if size >= 300:
        return 0.0
    cost = 1.5 if size < 40 else 1.0 if size < 150 else 0.5
    if not _ENDS_SENTENCE.search(text) and not _URL.search(text.rsplit(None, 1)[-1]):
        cost += 1.5
    share = capitalized_share(text)
    if share is not None and share >= 0.6 and not sentence_breaks(text):
        cost += 1.5
    return cost


def _emissions(units: Sequence[Unit], blank_layout: bool) -> list[tuple[float, float, float]]:
    """(title, title continuation, abstract text) costs of each unit. Where blank lines make
    blocks, a line read as abstract text is judged with the rest of its block: a wrapped
    paragraph's fragments ("deep networks. SAM seeks") are not prose alone."""
    rests = [u.text for u in units]
    if blank_layout:
        for i in range(len(units) - 2, -1, -1):
            if not units[i + 1].gap_before and len(rests[i]) < 300:
                rests[i] = f"{units[i].text} {rests[i + 1][:300]}"
    return [(title_cost(u.text), title_cost(u.text), paragraph_cost(rest)) for u, rest in zip(units, rests)]


def _transition(previous: Label | None, label: Label, unit: Unit, blank_layout: bool) -> float:
    """The cost of `label` on `unit` after `previous` (None at the start of a section)."""
    same_block = blank_layout and not unit.gap_before
    if previous is None:
        return {Label.TITLE: 0.0, Label.TITLE_CONTINUATION: _INF, Label.PARAGRAPH: ORPHAN}[label]
    if label is Label.TITLE_CONTINUATION:
        return TITLE_CONTINUATION if previous is not Label.PARAGRAPH and same_block else _INF
    if label is Label.TITLE:
        return (ORPHAN if previous is not Label.PARAGRAPH else 0.0) + (NO_BLANK_BEFORE_TITLE if same_block else 0.0)
    if previous is Label.PARAGRAPH:
        return 0.0 if same_block else EXTRA_PARAGRAPH
    return 0.0


def _end(label: Label) -> float:
    return ORPHAN if label is not Label.PARAGRAPH else 0.0


def uses_blank_lines(units: Sequence[Unit]) -> bool:
    """Whether blank lines structure this run of lines (rather than a stray one in a page
    without them): at least one in twenty line breaks is blank."""
    gaps = sum(1 for u in units[1:] if u.gap_before)
    return gaps > 0 and gaps >= 0.05 * (len(units) - 1)


def label_units(units: Sequence[Unit]) -> list[tuple[Label, float]]:
    """The cheapest labels of `units`, each with its margin: how much more the best labelling
    with that unit on the other side (title vs abstract text) would cost."""
    if not units:
        return []
    blank = uses_blank_lines(units)
    labels = list(Label)
    emissions = _emissions(units, blank)
    forward = [[_transition(None, s, units[0], blank) + emissions[0][s] for s in labels]]
    back: list[list[int]] = [[0, 0, 0]]
    for i in range(1, len(units)):
        row, pointers = [], []
        for s in labels:
            costs = [forward[i - 1][p] + _transition(Label(p), s, units[i], blank) for p in labels]
            best = min(range(3), key=costs.__getitem__)
            row.append(costs[best] + emissions[i][s])
            pointers.append(best)
        forward.append(row)
        back.append(pointers)
    backward = [[0.0] * 3 for _ in units]
    backward[-1] = [_end(s) for s in labels]
    for i in range(len(units) - 2, -1, -1):
        backward[i] = [
            min(_transition(s, Label(n), units[i + 1], blank) + emissions[i + 1][n] + backward[i + 1][n] for n in labels)
            for s in labels
        ]
    last = [forward[-1][s] + _end(s) for s in labels]
    state = min(range(3), key=last.__getitem__)
    path = [state]
    for i in range(len(units) - 1, 0, -1):
        state = back[i][state]
        path.append(state)
    path.reverse()
    result = []
    for i, state in enumerate(path):
        totals = [forward[i][s] + backward[i][s] for s in labels]
        chosen_title = state != Label.PARAGRAPH
        other = totals[Label.PARAGRAPH] if chosen_title else min(totals[Label.TITLE], totals[Label.TITLE_CONTINUATION])
        result.append((Label(state), other - totals[state]))
    return result
