"""What every reader shares: safe line-by-line decoding, the skip report, paper construction."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.normalize import title_key
from kg.records import Paper
from kg.text import clean_text, is_web_url

_SNIFF_BYTES = 8192
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_ARXIV_IN_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", re.IGNORECASE)


@dataclass
class IngestReport:
    """Counts what was read and what was skipped, and why. With `strict`, a skip raises."""

    strict: bool = False
    files: int = 0
    records: int = 0
    skipped: list[InputError] = field(default_factory=list)

    def skip(self, error: InputError) -> None:
        if self.strict:
            raise error
        self.skipped.append(error)

    def skip_reasons(self) -> Counter[str]:
        return Counter(e.kind for e in self.skipped)


def read_lines(path: Path, report: IngestReport) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) of a text file, streaming.

    Raises InputError for a missing, empty or binary file; an undecodable line is skipped
    through the report (or raises in strict mode). UTF-8 with or without BOM and UTF-16
    with BOM are accepted.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            if not head.strip():
                raise InputError(path, "empty file")
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from _utf16_lines(path)
                return
            if b"\x00" in head:
                raise InputError(path, "binary file (NUL bytes), not text")
            handle.seek(0)
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    yield number, raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError as exc:
                    report.skip(InputError(path, f"not UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}", number))
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None


def _utf16_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open(encoding="utf-16", newline=None) as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"bad UTF-16: {exc.reason}") from None


def normalize_arxiv_id(value: str | None) -> str | None:
    """'arXiv:2301.00001v2' or an arxiv.org URL -> '2301.00001'; None when not an arXiv id.

    >>> normalize_arxiv_id("arXiv:2301.00001v2"), normalize_arxiv_id("https://arxiv.org/abs/hep-th/9901001")
    ('2301.00001', 'hep-th/9901001')
    """
    if not value:
        return None
    text = str(value).strip()
    url = _ARXIV_IN_URL.search(text)
    if url:
        text = url.group(1)
    text = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE)
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def make_paper(
    path: Path,
    line: int,
    title: str,
    abstract: str,
    *,
    source: str,
    arxiv_id: str | None = None,
    identifier: str | None = None,
    issued: str | None = None,
    authors: tuple[str, ...] = (),
    url: str | None = None,
    categories: tuple[str, ...] = (),
) -> Paper:
    """Clean the text and give the paper its identity; raises InputError when title or
    abstract is empty after cleaning."""
    title = clean_text(title or "")
    abstract = clean_text(abstract or "")
    if not title:
        raise InputError(path, "record without a title", line)
    if not abstract:
        raise InputError(path, "record without an abstract", line)
    arxiv = normalize_arxiv_id(arxiv_id)
    key = f"arxiv:{arxiv}" if arxiv else f"title:{title_key(title)}"
    return Paper(
        key=key,
        title=title,
        abstract=abstract,
        sources=(source,),
        arxiv_id=arxiv,
        identifier=identifier or (f"arXiv:{arxiv}" if arxiv else None),
        issued=issued or None,
        authors=tuple(a for a in (clean_text(a) for a in authors) if a),
        url=url if url and is_web_url(url) else (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        categories=categories,
        line=line,
    )
