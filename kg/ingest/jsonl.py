"""Reader for JSON Lines: arXiv-metadata records and plain {title, abstract, ...} records.

arXiv metadata (the Kaggle arxiv-metadata-oai snapshot) has `id`, `title`, `abstract`,
`authors` (a string) or `authors_parsed`, `categories`, `update_date`, `versions`, `doi`.
Plain records may carry `id`/`arxiv_id`, `url`, `date`/`published`, `authors` (list or string).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest import jsondoc
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, read_lines
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


def _first(record: dict, *names: str):
    for name in names:
        value = record.get(name)
        if value not in (None, "", []):
            return name, value
    return None, None


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a decimal number"}
    return names.get(type(value), type(value).__name__)


def paper_from_record(record: dict, path: Path, line: int, source: str, report: IngestReport | None = None) -> Paper:
    """A paper from a JSON object or CSV row; raises InputError when it has no usable title or
    abstract. Optional fields of the wrong type are dropped with a warning through `report`."""

    def field(*names: str, types: tuple[type, ...] = (str,)):
        name, value = _first(record, *names)
        if value is None or isinstance(value, types) and not isinstance(value, bool):
            return value
        if report is not None:
            wanted = " or ".join(_WANTED[t] for t in types)
            report.warn(InputError(path, f"{name!r} is {_type_name(value)}, not {wanted}; ignored", line,
                                   kind="field of the wrong type"))
        return None

    for required, names in (("title", ("title",)), ("abstract", ("abstract", "summary"))):
        name, value = _first(record, *names)
        if value is None:
            raise InputError(path, f"record without {'an' if required == 'abstract' else 'a'} {required}", line)
        if not isinstance(value, str):
            raise InputError(path, f"{name!r} is {_type_name(value)}, not a string", line, kind="field of the wrong type")
    title, abstract = _first(record, "title")[1], _first(record, "abstract", "summary")[1]
    raw_id = field("arxiv_id", "id", "paper_id", types=(str, int))
    raw_id = str(raw_id) if raw_id is not None else None
    arxiv = normalize_arxiv_id(raw_id) if raw_id else None
    url = field("url", "link", "pdf_url")
    if not arxiv and url:
        arxiv = normalize_arxiv_id(url)
    categories = field("categories", types=(str, list))
    if isinstance(categories, str):
        categories = categories.split()
    issued = field("published", "date", "update_date", "issued", types=(str, int))
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


_WANTED = {str: "a string", int: "an integer", list: "a list"}


def records(value: object, path: Path, line: int, report: IngestReport) -> Iterator[dict]:
    """The records a JSON value holds: itself when an object, the objects of an array."""
    if isinstance(value, dict):
        yield value
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value, start=1):
            if isinstance(item, dict):
                yield item
            else:
                report.skip(InputError(path, f"JSON array element {index} is {_type_name(item)}, not an object", line,
                                       kind="JSON value is not an object"))
    else:
        report.skip(InputError(path, "JSON value is not an object", line))


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """JSON Lines, one record a line; or a whole JSON document (an array of records,
    pretty-printed or not), streamed record by record."""
    lines = read_lines(path, report)
    first = next(((n, t) for n, t in lines if t.strip()), None)
    if first is None:
        return
    values: Iterator[tuple[int, object]]
    if jsondoc.looks_like_document(first[1], path.suffix.lower()):
        values = jsondoc.values(itertools.chain([first], lines), path, report)
    else:
        values = _json_lines(itertools.chain([first], lines), path, report)
    for number, value in values:
        for record in records(value, path, number, report):
            try:
                yield paper_from_record(record, path, number, source, report)
            except InputError as error:
                report.skip(error)


def _json_lines(lines: Iterator[tuple[int, str]], path: Path, report: IngestReport) -> Iterator[tuple[int, object]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(InputError(path, f"malformed JSON: {exc.msg} at column {exc.colno}", number))
        except RecursionError:
            report.skip(InputError(path, "malformed JSON: nested too deeply", number))
