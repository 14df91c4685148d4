"""Reader for Semantic Scholar papers (the Graph API's paper objects,
https://api.semanticscholar.org/api-docs/graph), one JSON object a line, an array, or a saved
search response (`{"total": ..., "data": [...]}`).

A paper keeps: `title`, `abstract`, the arXiv id and DOI from `externalIds`, `publicationDate`
(or `year`), `authors[].name` in order, `url`, and `fieldsOfStudy` (or the categories of
`s2FieldsOfStudy`) as categories. Its `paperId` is the identifier when it has no DOI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.ingest import jsondoc
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, normalize_doi
from kg.ingest._fields import optional, required_text
from kg.records import Paper

NAME = "s2"


def paper_from_s2(record: dict, path: Path, line: int, source: str, report: IngestReport | None = None) -> Paper:
    """A paper from a Semantic Scholar paper object; raises InputError when it has no title
    or abstract (the API gives `"abstract": null` for many papers)."""

    def opt(*names: str, types: tuple[type, ...] = (str,), within: dict | None = None, where: str = "") -> object:
        return optional(record if within is None else within, *names, types=types, path=path, line=line,
                        report=report, where=where)

    title = required_text(record, "title", what="title", path=path, line=line)
    abstract = required_text(record, "abstract", what="abstract", path=path, line=line)
    external = opt("externalIds", types=(dict,)) or {}
    arxiv = normalize_arxiv_id(opt("ArXiv", within=external, where="externalIds."))
    doi = normalize_doi(opt("DOI", within=external, where="externalIds."))
    paper_id = opt("paperId")
    issued = opt("publicationDate") or opt("year", types=(int, str))
    return make_paper(
        path, line, title, abstract, source=source,
        arxiv_id=arxiv,
        identifier=doi or (None if arxiv else (f"s2:{paper_id}" if paper_id else None)),
        issued=str(issued) if issued is not None else None,
        authors=tuple(a["name"].strip() for a in opt("authors", types=(list,)) or ()
                      if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()),
        url=opt("url"),
        categories=_fields_of_study(record),
        report=report,
    )


def _fields_of_study(record: dict) -> tuple[str, ...]:
    names = record.get("fieldsOfStudy")
    if not isinstance(names, list) or not names:
        s2_fields = record.get("s2FieldsOfStudy")
        names = [f.get("category") for f in s2_fields if isinstance(f, dict)] if isinstance(s2_fields, list) else []
    return tuple(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """Every record of the file read as a Semantic Scholar paper."""
    yield from jsondoc.read_with(paper_from_s2, path, report, source)
