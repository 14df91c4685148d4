"""Reader for the text of Hugging Face "daily papers" pages.

A page is a sequence of title lines each followed by its abstract, with or without blank
lines between them, plus page chrome ("Get trending papers in your email inbox!",
"Subscribe" -- once glued to the first title --, "new", "byAK and the research community",
date lines such as "Mar 13").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
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
_SENTENCE_END = re.compile(r"[.!?)\]]$")


def is_chrome(line: str) -> bool:
    return bool(_CHROME.match(line))


def looks_like_abstract(line: str) -> bool:
    """Abstracts are long prose; titles are short and rarely end a sentence.

    >>> looks_like_abstract("LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs")
    False
    """
    if len(line) >= 300:
        return True
    return len(line) >= 120 and bool(_SENTENCE_END.search(line)) and ". " in line


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    title: tuple[int, str] | None = None
    paragraphs: list[str] = []

    def finish() -> Iterator[Paper]:
        if title is None:
            return
        if not paragraphs:
            report.skip(InputError(path, f"title without an abstract: {title[1][:80]!r}", title[0]))
            return
        try:
            yield make_paper(path, title[0], title[1], " ".join(paragraphs), source=source)
        except InputError as error:
            report.skip(error)

    for number, raw in read_lines(path, report):
        line = _GLUED_SUBSCRIBE.sub("", raw.strip())
        if not line or is_chrome(line):
            continue
        if looks_like_abstract(line):
            if title is None:
                report.skip(InputError(path, "abstract without a title", number))
            else:
                paragraphs.append(line)
            continue
        yield from finish()
        title, paragraphs = (number, line), []
    yield from finish()
