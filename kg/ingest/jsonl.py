"""Reader for JSON Lines: arXiv-metadata records and plain {title, abstract, ...} records.

arXiv metadata (the Kaggle arxiv-metadata-oai snapshot) has `id`, `title`, `abstract`,
`authors` (a string) or `authors_parsed`, `categories`, `update_date`, `versions`, `doi`; a
paper's date is its first version's (`versions[0].created`), `update_date` only without it.
Plain records may carry `id`/`arxiv_id`, `url`, `date`/`published`, `authors` (list or string).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest import jsondoc, openalex, s2
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id
from kg.ingest._fields import optional, required_text
from kg.ingest.jsondoc import records  # noqa: F401  (kept importable from here)
from kg.records import Paper

NAME = "jsonl"

_AUTHOR_SPLIT = re.compile(r",\s*|\s+and\s+")


def split_authors(value) -> tuple[str, ...]:
    """Authors as a list, an arXiv string ("A, B and C") or arXiv's authors_parsed; items of
    other types (numbers, nulls) are not names and are left out."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(a.strip() for a in _AUTHOR_SPLIT.split(value) if a.strip())
    names = []
    for item in value:
        if isinstance(item, (list, tuple)):  # authors_parsed: [last, first, suffix]
            last, first = (list(item) + ["", ""])[:2]
            names.append(" ".join(p for p in (first, last) if isinstance(p, str) and p).strip())
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"].strip())
        elif isinstance(item, str):
            names.append(item.strip())
    return tuple(n for n in names if n)


def paper_from_record(record: dict, path: Path, line: int, source: str, report: IngestReport | None = None) -> Paper:
    """A paper from a JSON object or CSV row; raises InputError when it has no usable title or
    abstract. Optional fields of the wrong type are dropped with a warning through `report`."""

    def field(*names: str, types: tuple[type, ...] = (str,)):
        return optional(record, *names, types=types, path=path, line=line, report=report)

    title = required_text(record, "title", what="title", path=path, line=line)
    abstract = required_text(record, "abstract", "summary", what="abstract", path=path, line=line)
    raw_id = field("arxiv_id", "id", "paper_id", types=(str, int))
    raw_id = str(raw_id) if raw_id is not None else None
    arxiv = normalize_arxiv_id(raw_id) if raw_id else None
    url = field("url", "link", "pdf_url")
    if not arxiv and url:
        arxiv = normalize_arxiv_id(url)
    categories = field("categories", types=(str, list))
    if isinstance(categories, str):
        categories = categories.split()
    issued = field("published", "date", types=(str, int))
    if issued is None:
        issued = first_version_date(record.get("versions"))
    if issued is None:
        issued = field("update_date", "issued", types=(str, int))
    authors = field("authors_parsed", "authors", types=(str, list))
    doi = field("doi")
    identifier = doi or raw_id
    return make_paper(
        path, line, title, abstract, source=source,
        arxiv_id=arxiv,
        identifier=identifier,
        issued=str(issued) if issued is not None else None,
        authors=split_authors(authors),
        url=url,
        categories=tuple(str(c) for c in categories or () if isinstance(c, (str, int))),
        report=report,
    )


def first_version_date(versions: object) -> str | None:
    """The date of an arXiv record's first version (`versions[0].created`, RFC 2822): when the
    paper appeared, where `update_date` is its last revision."""
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        if isinstance(created, str) and created.strip():
            return created
    return None


def paper_from_any(record: dict, path: Path, line: int, source: str, report: IngestReport | None = None) -> Paper:
    """A paper from a JSON object of any known source, told by its keys: an OpenAlex work has
    `abstract_inverted_index`, a Semantic Scholar paper `paperId`; anything else is an arXiv
    metadata or plain record."""
    if "abstract_inverted_index" in record:
        return openalex.paper_from_work(record, path, line, source, report)
    if "paperId" in record:
        return s2.paper_from_s2(record, path, line, source, report)
    return paper_from_record(record, path, line, source, report)


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """JSON Lines, one record a line; or a whole JSON document (an array of records,
    pretty-printed or not), streamed record by record. Each record is read by the reader its
    keys call for (OpenAlex, Semantic Scholar, arXiv or plain)."""
    yield from jsondoc.read_with(paper_from_any, path, report, source)
