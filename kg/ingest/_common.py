"""What every reader shares: the report of skipped records and warnings, paper construction
(cleaning, identity, the policies for overlong text, bad dates and lone surrogates)."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ingest.decode import read_lines
from kg.normalize import title_key
from kg.records import Paper
from kg.text import clean_text, has_surrogates, is_web_url

_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_ARXIV_IN_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", re.IGNORECASE)

# spaCy refuses texts over nlp.max_length (1,000,000 characters) and real abstracts are under
# 5,000; a longer field is a whole paper or a concatenation, cut where a sentence ends.
MAX_ABSTRACT = 100_000
MAX_TITLE = 2_000
MAX_AUTHOR = 300


@dataclass
class IngestReport:
    """What was read, skipped and warned about, each with its file and line.

    `skipped` holds records (or files) that were left out; `warnings` holds problems that
    were repaired or guessed around while the record was kept (an encoding guess, a cut
    abstract, a dropped date). With `strict`, either raises at once.
    """

    strict: bool = False
    files: int = 0
    records: int = 0
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)

    def skip(self, error: InputError) -> None:
        if self.strict:
            raise error
        self.skipped.append(error)

    def warn(self, error: InputError) -> None:
        """A record was kept despite `error`; strict mode makes it fatal all the same."""
        if self.strict:
            raise error
        self.warnings.append(error)

    def skip_reasons(self) -> Counter[str]:
        return Counter(e.kind for e in self.skipped)

    def warning_reasons(self) -> Counter[str]:
        return Counter(e.kind for e in self.warnings)


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


_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def normalize_doi(value: object) -> str | None:
    """'https://doi.org/10.1000/XYZ', 'doi:10.1000/xyz' or '10.1000/xyz' -> '10.1000/xyz'
    (DOIs are case-insensitive; lower case makes one paper one DOI); None when not a DOI.

    >>> normalize_doi("https://doi.org/10.48550/arXiv.1706.03762"), normalize_doi("not a doi")
    ('10.48550/arxiv.1706.03762', None)
    """
    if not isinstance(value, str):
        return None
    match = _DOI.match(value.strip())
    return match.group(1).lower() if match else None


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
    report: IngestReport | None = None,
) -> Paper:
    """Clean the text and give the paper its identity; raises InputError when title or
    abstract is empty after cleaning. Repairs (lone surrogates dropped, an overlong field cut,
    a date that is not one dropped) are warned about through `report` when one is given."""

    def warn(message: str, kind: str) -> None:
        if report is not None:
            report.warn(InputError(path, message, line, kind=kind))

    broken = [name for name, value in (("title", title), ("abstract", abstract), ("authors", " ".join(authors)),
                                       ("identifier", identifier or ""), ("date", issued or ""), ("url", url or ""))
              if value and has_surrogates(value)]
    if broken:
        warn(f"lone surrogate characters (not Unicode text) removed from the {', '.join(broken)}", "lone surrogates removed")
        identifier, issued, url = (_drop_surrogates(v) for v in (identifier, issued, url))
        categories = tuple(_drop_surrogates(c) or "" for c in categories)
    title = clean_text(title or "")
    abstract = clean_text(abstract or "")
    if not title:
        raise InputError(path, "record without a title", line)
    if not abstract:
        raise InputError(path, "record without an abstract", line)
    if len(title) > MAX_TITLE:
        warn(f"title of {len(title):,} characters cut to {MAX_TITLE:,}", "overlong text cut")
        title = truncate_text(title, MAX_TITLE)
    if len(abstract) > MAX_ABSTRACT:
        warn(f"abstract of {len(abstract):,} characters cut to {MAX_ABSTRACT:,} at a sentence end", "overlong text cut")
        abstract = truncate_text(abstract, MAX_ABSTRACT)
    date = parse_date(issued) if issued else None
    if issued and date is None:
        warn(f"not a date: {str(issued)[:40]!r}; the paper is kept without one", "not a date")
    arxiv = normalize_arxiv_id(arxiv_id)
    key = f"arxiv:{arxiv}" if arxiv else f"title:{title_key(title)}"
    return Paper(
        key=key,
        title=title,
        abstract=abstract,
        sources=(source,),
        arxiv_id=arxiv,
        identifier=identifier or (f"arXiv:{arxiv}" if arxiv else None),
        issued=date,
        authors=tuple(a for a in (truncate_text(clean_text(a), MAX_AUTHOR) for a in authors) if a),
        url=url if url and is_web_url(url) else (f"https://arxiv.org/abs/{arxiv}" if arxiv else None),
        categories=categories,
        line=line,
    )


def _drop_surrogates(value: str | None) -> str | None:
    return value.encode("utf-8", "ignore").decode("utf-8") if value else value


_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s)")


def truncate_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters: after the last sentence end in the second
    half of the allowance, else at the last word boundary, else hard.

    >>> truncate_text("One two. Three four five.", 14), truncate_text("alpha beta gamma", 12)
    ('One two.', 'alpha beta')
    """
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() >= limit // 2]
    if ends:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ", limit // 2)
    return (head[:space] if space > 0 else text[:limit]).rstrip()


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ]\d{2}:\d{2})")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def parse_date(value: object) -> str | None:
    """An ISO date ('YYYY-MM-DD') from a record's date field, or None when it is not a real
    date: ISO dates and timestamps, RFC 2822 dates (arXiv's version dates), 'YYYY-MM' and
    'YYYY' are read; '2023-13-45' and 'yesterday' are not dates.

    >>> parse_date("2023-01-05T12:00:00Z"), parse_date("Mon, 2 Apr 2007 19:18:42 GMT"), parse_date("2023-13-45")
    ('2023-01-05', '2007-04-02', None)
    """
    text = str(value).strip()
    try:
        if match := _ISO_DATE.match(text):
            return dt.date(*map(int, match.groups())).isoformat()
        if match := _YEAR_MONTH.match(text):  # kept at the precision given
            year, month = int(match.group(1)), int(match.group(2) or 1)
            dt.date(year, month, 1)
            return text if 1000 <= year <= 9999 else None
        parsed = email.utils.parsedate_tz(text)
        if parsed and parsed[0] >= 1000:
            return dt.date(*parsed[:3]).isoformat()
    except (ValueError, OverflowError):
        return None
    return None


__all__ = ["IngestReport", "make_paper", "normalize_arxiv_id", "normalize_doi", "parse_date", "read_lines", "truncate_text"]
