"""Reader for arXiv's XML: the Atom feeds of its search API (`<feed><entry>…`) and OAI-PMH
harvests (`<OAI-PMH><ListRecords><record>…`) in the `arXiv` or `oai_dc` metadata format. The
kind is told by the elements found, so one reader takes either.

XML is parsed by defusedxml with DTDs, entity declarations and external references refused (a
"billion laughs" or an external entity in an untrusted file is an error, not a memory or file
leak), streamed: each record is handed on and dropped once its end tag is read.

An Atom entry keeps `<id>` (the arXiv id), `<title>`, `<summary>`, `<published>` (its first
version), `<author><name>`, `<category term>`, `<arxiv:doi>`. An OAI `arXiv` record keeps `id`,
`title`, `abstract`, `created` (first version), `authors/author` (forenames keyname suffix),
`categories`, `doi`; an `oai_dc` record `dc:identifier`, `dc:title`, the first
`dc:description`, the first `dc:date`, `dc:creator` ("Last, First") and `dc:subject`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from kg.errors import InputError
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, normalize_doi
from kg.ingest.decode import binary_kind
from kg.records import Paper

NAME = "arxiv-xml"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_ATOM = "{http://arxiv.org/schemas/atom}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"
DC = "{http://purl.org/dc/elements/1.1/}"
_RECORDS = (f"{ATOM}entry", f"{OAI}record")
_CHUNK = 64 * 1024


class _Target:
    """An ElementTree parser target that builds one record element at a time (with the line it
    opened on) and forgets it once handed over, so a harvest of any size streams."""

    def __init__(self, line_of) -> None:
        self._line_of = line_of
        self._stack: list[Element] = []
        self.root: str | None = None
        self.done: list[tuple[int, Element]] = []
        self.errors: list[tuple[int, str]] = []
        self._starts: list[int] = []

    def start(self, tag: str, attrib: dict) -> None:
        if self.root is None:
            self.root = tag
        if self._stack or tag in _RECORDS:
            element = Element(tag, attrib)
            if self._stack:
                self._stack[-1].append(element)
            self._stack.append(element)
            self._starts.append(self._line_of())
        elif tag == f"{OAI}error":
            self.errors.append((self._line_of(), attrib.get("code", "")))

    def end(self, tag: str) -> None:
        if self._stack:
            element, line = self._stack.pop(), self._starts.pop()
            if not self._stack:
                self.done.append((line, element))

    def data(self, text: str) -> None:
        if self._stack:
            element = self._stack[-1]
            if len(element):
                element[-1].tail = (element[-1].tail or "") + text
            else:
                element.text = (element.text or "") + text

    def close(self) -> None:
        return None


def records(path: Path) -> Iterator[tuple[int, Element] | InputError]:
    """(line, element) of each `<entry>`/`<record>` in the file, then an InputError when the XML
    breaks off (records before the break are kept). Raises InputError when the file is not
    usable at all: empty, binary, or declaring a DTD or entities."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    parser = None
    target = _Target(lambda: parser.parser.CurrentLineNumber if parser is not None else 0)
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        with path.open("rb") as handle:
            head = handle.read(_CHUNK)
            if not head.strip():
                raise InputError(path, "empty file")
            if (kind := binary_kind(head)) and not head.lstrip().startswith(b"<"):
                raise InputError(path, f"binary file ({kind}), not text", kind="binary file")
            chunk = head
            while chunk:
                parser.feed(chunk)
                yield from _drain(target, path)
                chunk = handle.read(_CHUNK)
            parser.close()
            yield from _drain(target, path)
    except DefusedXmlException as exc:
        raise InputError(path, f"XML declaring a DTD or entities is refused ({type(exc).__name__}): "
                         "untrusted input", _line(parser), kind="XML with a DTD refused") from None
    except ParseError as exc:
        yield from _drain(target, path)
        line = exc.position[0] if exc.position else None
        yield InputError(path, f"malformed XML: {exc}; the rest of the file is not read", line, kind="malformed XML")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}", kind="unreadable file") from None
    if target.root is not None and target.root not in (f"{ATOM}feed", f"{OAI}OAI-PMH", *_RECORDS):
        yield InputError(path, f"not an arXiv Atom feed or OAI-PMH response (root element <{_local(target.root)}>)",
                         1, kind="unknown XML")


def _drain(target: _Target, path: Path) -> Iterator[tuple[int, Element] | InputError]:
    done, target.done = target.done, []
    yield from done
    errors, target.errors = target.errors, []
    for line, code in errors:
        yield InputError(path, f"OAI-PMH error {code!r}", line, kind="OAI-PMH error")


def _line(parser) -> int | None:
    try:
        return parser.parser.CurrentLineNumber
    except AttributeError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def paper_from_atom(entry: Element, path: Path, line: int, source: str, report: IngestReport) -> Paper:
    """A paper from an Atom `<entry>` of arXiv's API; its error entries are refused."""
    raw_id = _text(entry.find(f"{ATOM}id"))
    if "/api/errors" in raw_id:
        raise InputError(path, f"arXiv API error: {_text(entry.find(f'{ATOM}summary'))[:200]}", line,
                         kind="arXiv API error")
    arxiv = normalize_arxiv_id(raw_id)
    doi = normalize_doi(_text(entry.find(f"{ARXIV_ATOM}doi")))
    link = next((a.get("href") for a in entry.findall(f"{ATOM}link") if a.get("rel", "alternate") == "alternate"), None)
    primary = entry.find(f"{ARXIV_ATOM}primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [c.get("term") for c in entry.findall(f"{ATOM}category")]
    return make_paper(
        path, line, _text(entry.find(f"{ATOM}title")), _text(entry.find(f"{ATOM}summary")), source=source,
        arxiv_id=arxiv,
        identifier=doi,
        issued=_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated")) or None,
        authors=tuple(_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")),
        url=link if arxiv is None else None,
        categories=_unique(terms),
        report=report,
    )


def paper_from_oai(record: Element, path: Path, line: int, source: str, report: IngestReport) -> Paper:
    """A paper from an OAI-PMH `<record>` in the arXiv or oai_dc format; a deleted record
    (no metadata) and one in another format are refused."""
    header = record.find(f"{OAI}header")
    if header is not None and header.get("status") == "deleted":
        raise InputError(path, f"deleted record {_text(header.find(f'{OAI}identifier'))!r}", line, kind="deleted OAI record")
    metadata = record.find(f"{OAI}metadata")
    arxiv_meta = metadata.find(f"{ARXIV_OAI}arXiv") if metadata is not None else None
    dc = metadata.find("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc") if metadata is not None else None
    if arxiv_meta is not None:
        return _from_arxiv_format(arxiv_meta, path, line, source, report)
    if dc is not None:
        return _from_dublin_core(dc, path, line, source, report)
    raise InputError(path, "OAI record without arXiv or oai_dc metadata", line, kind="unknown OAI metadata")


def _from_arxiv_format(meta: Element, path: Path, line: int, source: str, report: IngestReport) -> Paper:
    authors = []
    for author in meta.findall(f"{ARXIV_OAI}authors/{ARXIV_OAI}author"):
        parts = (_text(author.find(f"{ARXIV_OAI}{p}")) for p in ("forenames", "keyname", "suffix"))
        authors.append(" ".join(p for p in parts if p))
    return make_paper(
        path, line, _text(meta.find(f"{ARXIV_OAI}title")), _text(meta.find(f"{ARXIV_OAI}abstract")), source=source,
        arxiv_id=normalize_arxiv_id(_text(meta.find(f"{ARXIV_OAI}id"))),
        identifier=normalize_doi(_text(meta.find(f"{ARXIV_OAI}doi"))),
        issued=_text(meta.find(f"{ARXIV_OAI}created")) or None,
        authors=tuple(authors),
        categories=_unique(_text(meta.find(f"{ARXIV_OAI}categories")).split()),
        report=report,
    )


def _from_dublin_core(dc: Element, path: Path, line: int, source: str, report: IngestReport) -> Paper:
    identifiers = [_text(i) for i in dc.findall(f"{DC}identifier")]
    arxiv = next((a for a in map(normalize_arxiv_id, identifiers) if a), None)
    doi = next((d for d in map(normalize_doi, identifiers) if d), None)
    dates = [_text(d) for d in dc.findall(f"{DC}date") if _text(d)]
    creators = []
    for creator in dc.findall(f"{DC}creator"):
        last, _, first = _text(creator).partition(",")
        creators.append(f"{first.strip()} {last.strip()}".strip())
    descriptions = [_text(d) for d in dc.findall(f"{DC}description")]
    abstract = next((d for d in descriptions if d and not d.startswith("Comment:")), "")
    return make_paper(
        path, line, _text(dc.find(f"{DC}title")), abstract, source=source,
        arxiv_id=arxiv,
        identifier=doi,
        issued=min(dates) if dates else None,
        authors=tuple(creators),
        url=next((i for i in identifiers if i.startswith(("http://", "https://"))), None) if not arxiv else None,
        categories=_unique(_text(s) for s in dc.findall(f"{DC}subject")),
        report=report,
    )


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """Every record of an arXiv Atom feed or OAI-PMH response."""
    for item in records(path):
        if isinstance(item, InputError):
            report.skip(item)
            continue
        line, element = item
        convert = paper_from_atom if element.tag == f"{ATOM}entry" else paper_from_oai
        try:
            yield convert(element, path, line, source, report)
        except InputError as error:
            report.skip(error)
