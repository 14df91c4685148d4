"""Reader for JSON Lines: arXiv-metadata records and plain {title, abstract, ...} records.

arXiv metadata (the Kaggle arxiv-metadata-oai snapshot) has `id`, `title`, `abstract`,
`authors` (a string) or `authors_parsed`, `categories`, `update_date`, `versions`, `doi`.
Plain records may carry `id`/`arxiv_id`, `url`, `date`/`published`, `authors` (list or string).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, read_lines
from kg.records import Paper

NAME = "jsonl"

_AUTHOR_SPLIT = re.compile(r",\s*|\s+and\s+")


def split_authors(value) -> tuple[str, ...]:
    """Authors as a list, an arXiv string ("A, B and C") or arXiv's authors_parsed."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(a.strip() for a in _AUTHOR_SPLIT.split(value) if a.strip())
    names = []
    for item in value:
        if isinstance(item, (list, tuple)):  # authors_parsed: [last, first, suffix]
            last, first = (list(item) + ["", ""])[:2]
            names.append(" ".join(p for p in (first, last) if p).strip())
        elif isinstance(item, dict):
            names.append(str(item.get("name", "")).strip())
        else:
            names.append(str(item).strip())
    return tuple(n for n in names if n)


def _first(record: dict, *names: str):
    for name in names:
        value = record.get(name)
        if value not in (None, "", []):
            return value
    return None


def paper_from_record(record: dict, path: Path, line: int, source: str) -> Paper:
    title = _first(record, "title")
    abstract = _first(record, "abstract", "summary")
    if not isinstance(title, str) or not isinstance(abstract, str):
        raise InputError(path, "record without a string 'title' and 'abstract'", line)
    raw_id = _first(record, "arxiv_id", "id", "paper_id")
    arxiv = normalize_arxiv_id(str(raw_id)) if raw_id else None
    url = _first(record, "url", "link", "pdf_url")
    if not arxiv and isinstance(url, str):
        arxiv = normalize_arxiv_id(url)
    categories = _first(record, "categories")
    if isinstance(categories, str):
        categories = categories.split()
    issued = _first(record, "published", "date", "update_date", "issued")
    authors = split_authors(_first(record, "authors_parsed", "authors"))
    return make_paper(
        path, line, title, abstract, source=source,
        arxiv_id=arxiv,
        identifier=str(_first(record, "doi") or raw_id) if (record.get("doi") or raw_id) else None,
        issued=str(issued)[:10] if issued else None,
        authors=authors,
        url=url if isinstance(url, str) else None,
        categories=tuple(str(c) for c in categories or ()),
    )


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    for number, line in read_lines(path, report):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(InputError(path, f"malformed JSON: {exc.msg} at column {exc.colno}", number))
            continue
        if not isinstance(record, dict):
            report.skip(InputError(path, "JSON value is not an object", number))
            continue
        try:
            yield paper_from_record(record, path, number, source)
        except InputError as error:
            report.skip(error)
