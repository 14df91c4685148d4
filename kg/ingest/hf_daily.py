"""Reader for the text of Hugging Face "daily papers" pages.

A page is a sequence of title lines each followed by its abstract, with or without blank
lines between them, plus page chrome ("Get trending papers in your email inbox!",
"Subscribe" -- once glued to the first title --, "new", "byAK and the research community",
date lines such as "Mar 13"). Which lines are titles is decided by `kg.ingest.layout` over
each run of lines between chrome; a close call is warned about with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest import layout
from kg.ingest._common import IngestReport, make_paper, read_lines
from kg.records import Paper

NAME = "hf-daily"

_CHROME = re.compile(
    r"^(?:new|subscribe|get trending papers in your email inbox(?: once a day)?!?"
    r"|by ?ak and the research community|submitted by .*|daily papers"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}(?:, \d{4})?)$",
    re.IGNORECASE,
)
# "SubscribeGeneralized Sum Pooling", "SubscribemPLUG-Owl"; not "Subscriber Behaviour".
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9]|[a-z]+[A-Z])")


def is_chrome(line: str) -> bool:
    return bool(_CHROME.match(line))


def looks_like_abstract(line: str) -> bool:
    """Whether a line, seen alone, is abstract text rather than a title (the layout model
    decides with its neighbours; this is its one-line view).

    >>> looks_like_abstract("LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs")
    False
    """
    return layout.paragraph_cost(line) < layout.title_cost(line)


# A run of lines longer than this is labelled in pieces, cut before a clear title after a
# clear abstract, so a page without chrome never sits in memory whole.
MAX_SECTION = 2000


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    section: list[layout.Unit] = []
    gap = True
    for number, raw in read_lines(path, report):
        line = _GLUED_SUBSCRIBE.sub("", raw.strip())
        if not line:
            gap = True
            continue
        if is_chrome(line):
            yield from _papers(section, path, report, source)
            section, gap = [], True
            continue
        section.append(layout.Unit(number, line, gap))
        gap = False
        if len(section) >= MAX_SECTION:
            cut = _safe_cut(section)
            yield from _papers(section[:cut], path, report, source)
            section = section[cut:]
    yield from _papers(section, path, report, source)


def _safe_cut(units: list[layout.Unit]) -> int:
    """Where to cut a long run: before the last line that looks like a title, after one that
    looks like abstract text (the end when there is none)."""
    for i in range(len(units) - 1, 0, -1):
        if looks_like_abstract(units[i - 1].text) and not looks_like_abstract(units[i].text):
            return i
    return len(units)


def _papers(units: list[layout.Unit], path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    title: list[layout.Unit] = []
    paragraphs: list[str] = []
    orphan_text = False

    def finish() -> Iterator[Paper]:
        if not title:
            return
        heading = " ".join(u.text for u in title)
        if not paragraphs:
            report.skip(InputError(path, f"title without an abstract: {heading[:80]!r}", title[0].line))
            return
        try:
            yield make_paper(path, title[0].line, heading, " ".join(paragraphs), source=source, report=report)
        except InputError as error:
            report.skip(error)

    for unit, (label, margin) in zip(units, layout.label_units(units)):
        if label is layout.Label.TITLE:
            yield from finish()
            title, paragraphs, orphan_text = [unit], [], False
        elif label is layout.Label.TITLE_CONTINUATION:
            title.append(unit)
        elif not title:
            if not orphan_text:
                report.skip(InputError(path, "abstract without a title", unit.line))
            orphan_text = True
            continue
        else:
            paragraphs.append(unit.text)
        if margin < layout.GUESS_MARGIN:
            report.warn(InputError(path, _guess(label, unit, title, len(paragraphs)), unit.line,
                                   kind="title/abstract split guessed"))
    yield from finish()


def _guess(label: layout.Label, unit: layout.Unit, title: list[layout.Unit], paragraphs: int) -> str:
    snippet = unit.text if len(unit.text) <= 60 else unit.text[:57] + "..."
    heading = " ".join(u.text for u in title)
    heading = heading if len(heading) <= 60 else heading[:57] + "..."
    if label is layout.Label.TITLE:
        return f"title/abstract split guessed: {snippet!r} read as the title of a new paper"
    if label is layout.Label.TITLE_CONTINUATION:
        return f"title/abstract split guessed: {snippet!r} read as the second line of the title {heading!r}"
    which = "the abstract" if paragraphs == 1 else "more of the abstract"
    return f"title/abstract split guessed: {snippet!r} read as {which} of {heading!r}"
