"""Reader for BibTeX / BibLaTeX (.bib), as Zotero, Google Scholar and arXiv export it, parsed by
bibtexparser 2 (which keeps going past a broken entry and says where it was).

An entry keeps: `title`, `abstract`, `doi`, the arXiv id (`eprint` with `archivePrefix` or
`eprinttype` arXiv, or "arXiv:…" in `journal`/`note`/`url`), `author` split on top-level
" and " ("Last, First" turned to "First Last"), `date` or `year` + `month`, `url`, and
`keywords` plus arXiv's `primaryClass` as categories. LaTeX accents and protective braces are
removed here; kg.text does the rest of the cleaning.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest._common import IngestReport, make_paper, normalize_arxiv_id, normalize_doi
from kg.ingest.decode import read_lines
from kg.records import Paper
from kg.text import clean_text

NAME = "bibtex"

_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
# Accents kg.text does not know (it reads \' \` \^ \" \~ \c); combining marks.
_MORE_ACCENTS = {"v": "\u030c", "H": "\u030b", "u": "\u0306", "=": "\u0304", ".": "\u0307", "k": "\u0328",
                 "r": "\u030a"}
_MORE_ACCENT = re.compile(r"\\([vHukr](?=[{\s])|[=.])\s*\{?\s*([A-Za-z])\s*\}?")
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "l": "ł", "L": "Ł", "i": "i", "j": "j"}
_LETTER = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|[oOlLij])(?![A-Za-z])\s*(?:\{\})?")
_BRACE = re.compile(r"(?<!\\)[{}]")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE)
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")


def latex_to_text(value: str) -> str:
    """A BibTeX field's LaTeX as text: special letters and accents to Unicode, protective
    braces dropped (an escaped brace stays), then the cleaning every text gets.

    >>> latex_to_text(r"{BERT}: Pre-training of {D}eep Transformers by Ma\\v{c}i\\'{c} and G{\\"o}del")
    'BERT: Pre-training of Deep Transformers by Mačić and Gödel'
    """
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], value)
    text = _MORE_ACCENT.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _MORE_ACCENTS[m.group(1)]), text)
    text = clean_text(text)  # accents \' \" ..., \emph{}, \% ..., needing their braces
    return clean_text(_BRACE.sub("", text)).replace("\\{", "{").replace("\\}", "}")


def split_authors(value: str) -> tuple[str, ...]:
    """BibTeX's author list: split on " and " outside braces ("{Barnes and Noble}" is one
    name), "Last, First" and "Last, Jr, First" turned around, "others" left out.

    >>> split_authors(r"Devlin, Jacob and Ming-Wei Chang and {Barnes and Noble} and others")
    ('Jacob Devlin', 'Ming-Wei Chang', 'Barnes and Noble')
    """
    names, depth, start = [], 0, 0
    parts: list[str] = []
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(value[start:match.start()])
            start = match.end()
    parts.append(value[start:])
    for part in parts:
        pieces = [p.strip() for p in _split_top_commas(part)]
        if len(pieces) == 2:
            pieces = [pieces[1], pieces[0]]
        elif len(pieces) >= 3:
            pieces = [pieces[2], pieces[0], pieces[1]]
        name = latex_to_text(" ".join(p for p in pieces if p))
        if name and name.lower() != "others":
            names.append(name)
    return tuple(names)


def _split_top_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth <= 0:
            parts.append(text[start:index])
            start = index + 1
    return [*parts, text[start:]]


def entry_date(fields: dict[str, str]) -> str | None:
    """`date` (BibLaTeX), else `year` with `month` as a number or a name ("jan", "January", "3").

    >>> entry_date({"year": "2019", "month": "jun"}), entry_date({"date": "2023-01-05"}), entry_date({"year": "2020"})
    ('2019-06', '2023-01-05', '2020')
    """
    if fields.get("date"):
        return fields["date"].strip()
    year = fields.get("year", "").strip()
    if not year:
        return None
    month = fields.get("month", "").strip().strip(".").lower()
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year}-{number:02d}" if number else year


def arxiv_of(fields: dict[str, str]) -> str | None:
    """The arXiv id of an entry: `eprint` when the archive is arXiv (or the eprint looks like one),
    else an "arXiv:…" in the journal, note or URL (Google Scholar's "arXiv preprint arXiv:…")."""
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and archive in ("arxiv", ""):
        if found := normalize_arxiv_id(eprint):
            return found
    for name in ("journal", "journaltitle", "note", "howpublished", "url", "booktitle"):
        value = fields.get(name, "")
        if match := _ARXIV_IN_TEXT.search(value):
            return normalize_arxiv_id(match.group(1))
        if name == "url" and (found := normalize_arxiv_id(value)):
            return found
    return None


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """Every entry of a .bib file with a title and an abstract; entries the parser cannot read
    and entries whose key repeats an earlier one are skipped with their line."""
    import bibtexparser  # here, not at import: only .bib inputs pay for it

    text = "\n".join(line for _, line in read_lines(path, report))
    # Its log lines would repeat, without the file's name, what the report says: quiet them.
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "bibtexparser" or name.startswith("bibtexparser.")]
    before = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    try:
        library = bibtexparser.parse_string(text)
    finally:
        for logger, was in zip(loggers, before):
            logger.disabled = was
    problems = [(block.start_line + 1, block) for block in library.failed_blocks]
    for line, block in problems:
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            report.skip(InputError(path, f"duplicate entry key {block.key!r}; the first entry is kept", line,
                                   kind="duplicate BibTeX key"))
        else:
            report.skip(InputError(path, f"malformed BibTeX entry: {_first_line(block.raw)}", line,
                                   kind="malformed BibTeX entry"))
    for entry in library.entries:
        line = entry.start_line + 1
        try:
            yield _paper(entry, path, line, source, report)
        except InputError as error:
            report.skip(error)


def _paper(entry, path: Path, line: int, source: str, report: IngestReport) -> Paper:
    fields = {key.lower(): value for key, value in entry.fields_dict.items()}
    values: dict[str, str] = {}
    for name, field in fields.items():
        if isinstance(field.value, str):
            values[name] = field.value
    title, abstract = latex_to_text(values.get("title", "")), latex_to_text(values.get("abstract", ""))
    if not title:
        raise InputError(path, f"entry {entry.key!r} without a title", line, kind="record without a title")
    if not abstract:
        raise InputError(path, f"entry {entry.key!r} without an abstract", line, kind="record without an abstract")
    keywords = [latex_to_text(k) for k in _KEYWORD_SPLIT.split(values.get("keywords", ""))]
    primary = values.get("primaryclass", "").strip()
    doi = normalize_doi(values.get("doi", ""))
    url = values.get("url", "").strip() or None
    return make_paper(
        path, line, title, abstract, source=source,
        arxiv_id=arxiv_of(values),
        identifier=doi,
        issued=entry_date(values),
        authors=split_authors(values.get("author", "")),
        url=url or (f"https://doi.org/{doi}" if doi else None),
        categories=tuple(dict.fromkeys(c for c in (primary, *keywords) if c)),
        report=report,
    )


def _first_line(raw: str) -> str:
    head = raw.strip().splitlines()[0] if raw.strip() else ""
    return repr(head[:60])
