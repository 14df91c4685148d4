"""Reader for OpenAlex works (https://docs.openalex.org/api-entities/works), one JSON object a
line, an array, or a saved API response (`{"meta": ..., "results": [...]}`).

A work keeps: `title` (or `display_name`), the abstract rebuilt from `abstract_inverted_index`
(OpenAlex ships abstracts only as word -> positions), `doi` (the identifier, as a bare DOI),
`publication_date` (or `publication_year`), `authorships[].author.display_name` in order, the
arXiv id from `ids.arxiv` or an arxiv.org location, the landing page as its link, and the names
of its `topics` (else its top-level `concepts`) as categories.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest import jsondoc
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, normalize_doi
from kg.ingest._fields import optional, required_text, type_name
from kg.records import Paper

NAME = "openalex"
# Concepts are a tree (level 0: "Computer science", level 1: "Machine learning", ...); deeper
# levels are noisy tags, so only the top two become categories.
MAX_CONCEPT_LEVEL = 1


def rebuild_abstract(index: object, path: Path, line: int) -> str:
    """The text of an inverted index ({word: [positions]}), words in position order; raises
    InputError when the value is not such a map. Sorting (position, word) pairs rather than
    filling a list keeps a hostile position (10**12) from allocating memory.

    >>> rebuild_abstract({"We": [0], "study": [1], "SAM.": [3], "sharpness": [2]}, Path("x"), 1)
    'We study sharpness SAM.'
    """
    if not isinstance(index, dict):
        raise InputError(path, f"'abstract_inverted_index' is {type_name(index)}, not an object", line,
                         kind="field of the wrong type")
    pairs: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0
                                                      for p in positions):
            raise InputError(path, f"'abstract_inverted_index' maps {str(word)[:40]!r} to {type_name(positions)}, "
                             "not a list of positions", line, kind="field of the wrong type")
        pairs.extend((position, word) for position in positions)
    return " ".join(word for _, word in sorted(pairs))


def paper_from_work(record: dict, path: Path, line: int, source: str, report: IngestReport | None = None) -> Paper:
    """A paper from an OpenAlex work; raises InputError when it has no title or no abstract
    (OpenAlex leaves `abstract_inverted_index` null for many works)."""

    def opt(*names: str, types: tuple[type, ...] = (str,), within: dict | None = None, where: str = "") -> object:
        return optional(record if within is None else within, *names, types=types, path=path, line=line,
                        report=report, where=where)

    title = required_text(record, "title", "display_name", what="title", path=path, line=line)
    if record.get("abstract_inverted_index") in (None, {}):
        raise InputError(path, "record without an abstract", line)
    abstract = rebuild_abstract(record["abstract_inverted_index"], path, line)
    ids = opt("ids", types=(dict,)) or {}
    doi = normalize_doi(opt("doi")) or normalize_doi(opt("doi", within=ids, where="ids."))
    location = opt("primary_location", types=(dict,)) or {}
    landing = opt("landing_page_url", within=location, where="primary_location.")
    arxiv = normalize_arxiv_id(opt("arxiv", within=ids, where="ids.")) or (normalize_arxiv_id(landing) if landing else None)
    issued = opt("publication_date") or opt("publication_year", types=(int, str))
    return make_paper(
        path, line, title, abstract, source=source,
        arxiv_id=arxiv,
        identifier=doi or (None if arxiv else opt("id")),
        issued=str(issued) if issued is not None else None,
        authors=_authors(opt("authorships", types=(list,))),
        url=landing or (f"https://doi.org/{doi}" if doi else None),
        categories=_categories(record),
        report=report,
    )


def _authors(authorships: object) -> tuple[str, ...]:
    names = []
    for item in authorships or ():
        author = item.get("author") if isinstance(item, dict) else None
        name = author.get("display_name") if isinstance(author, dict) else None
        if not isinstance(name, str) and isinstance(item, dict):
            name = item.get("raw_author_name")
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(names)


def _categories(record: dict) -> tuple[str, ...]:
    """Topic names, or (for works from before topics) the top levels of the concept tree."""
    topics = record.get("topics")
    if isinstance(topics, list) and topics:
        names = [t.get("display_name") for t in topics if isinstance(t, dict)]
    else:
        concepts = record.get("concepts")
        names = [c.get("display_name") for c in concepts or () if isinstance(c, dict)
                 and isinstance(c.get("level"), int) and c["level"] <= MAX_CONCEPT_LEVEL] if isinstance(concepts, list) else []
    return tuple(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """Every record of the file read as an OpenAlex work."""
    yield from jsondoc.read_with(paper_from_work, path, report, source)
