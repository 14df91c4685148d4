"""Readers, one per input format, looked up by name or detected from the file name.

Every reader is a function ``read(path, report, source) -> Iterator[Paper]`` that
streams papers, raises :class:`kg.errors.InputError` when a whole file is unusable and
hands record-level problems to the :class:`IngestReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.ingest import arxiv_xml, bibtex, csvfile, hf_daily, jsonl, openalex, s2
from kg.ingest._common import IngestReport
from kg.normalize import title_key
from kg.records import Paper

Reader = Callable[[Path, IngestReport, str], Iterator[Paper]]

READERS: dict[str, Reader] = {
    hf_daily.NAME: hf_daily.read,
    jsonl.NAME: jsonl.read,
    csvfile.NAME: csvfile.read,
    bibtex.NAME: bibtex.read,
    openalex.NAME: openalex.read,
    s2.NAME: s2.read,
    arxiv_xml.NAME: arxiv_xml.read,
}
# OpenAlex and Semantic Scholar records come as .json/.jsonl too: the jsonl reader tells them by their keys.
_BY_SUFFIX = {".txt": hf_daily.NAME, ".jsonl": jsonl.NAME, ".ndjson": jsonl.NAME, ".json": jsonl.NAME,
              ".csv": csvfile.NAME, ".tsv": csvfile.NAME, ".bib": bibtex.NAME, ".xml": arxiv_xml.NAME,
              ".atom": arxiv_xml.NAME}


def reader_for(path: Path, format_name: str | None = None) -> Reader:
    """The reader named `format_name`, or the one the file's suffix implies."""
    name = format_name or _BY_SUFFIX.get(path.suffix.lower())
    if name is None:
        raise InputError(path, f"cannot tell the format from the suffix {path.suffix!r}; pass --format ({', '.join(READERS)})")
    try:
        return READERS[name]
    except KeyError:
        raise UsageError(f"unknown input format {name!r}; known: {', '.join(READERS)}") from None


def bundled_corpus() -> list[Path]:
    """The Hugging Face daily-papers pages shipped with kg."""
    folder = resources.files("kg") / "data" / "seeds"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory stands for the readable files directly inside it. A folder
    that cannot be listed, and broken or looping links in it, are kept as paths so that
    reading them reports the problem with the file's name."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                files.extend(sorted(p for p in path.iterdir() if _readable_entry(p)))
            except OSError:
                files.append(path)  # unlistable: reading it says why
        else:
            files.append(path)
    return files


def source_name(path: Path) -> str:
    """How a file is recorded as a source: bundled files by their corpus-relative name."""
    if path.parent.name == "seeds" and path.parent.parent.name == "data":
        return f"seeds/{path.name}"
    return str(path)


def read_papers(paths: Iterable[Path], report: IngestReport, format_name: str | None = None) -> Iterator[Paper]:
    """Stream the papers of every file; a file that cannot be read at all is reported
    (or raises, in strict mode) and the others go on."""
    for path in paths:
        report.files += 1
        try:
            reader = reader_for(path, format_name)
            for paper in reader(path, report, source_name(path)):
                report.records += 1
                yield paper
        except InputError as error:
            report.skip(error)


class Deduplicator:
    """Lets the first occurrence of each paper through and remembers the later ones.

    Two records are the same paper when they share an arXiv id, or when they share a
    normalized title and at most one of them has an arXiv id (a title-only record and an
    arXiv record of the same paper meet). Two arXiv ids are two papers even under one title
    ("A Survey of X" is written more than once). The same id under two different titles
    (a retitled version) is one paper, with a warning naming both titles, given to `report`
    when there is one and kept in `warnings` in any case.
    """

    def __init__(self, report: IngestReport | None = None) -> None:
        self._by_arxiv: dict[str, str] = {}
        self._by_title: dict[str, str] = {}
        self._arxiv_of: dict[str, str] = {}  # canonical key -> the arXiv id it stands for
        self._title_of: dict[str, str] = {}  # canonical key -> its title
        self._report = report
        self.duplicates: list[tuple[str, Paper]] = []
        self.warnings: list[InputError] = []

    def canonical(self, paper: Paper) -> str | None:
        """The key of the paper already seen that `paper` is, or None when it is new."""
        if paper.arxiv_id and paper.arxiv_id in self._by_arxiv:
            return self._by_arxiv[paper.arxiv_id]
        known = self._by_title.get(title_key(paper.title))
        if known is not None and paper.arxiv_id and self._arxiv_of.get(known, paper.arxiv_id) != paper.arxiv_id:
            return None  # same title, another arXiv id: another paper
        return known

    def unique(self, papers: Iterable[Paper]) -> Iterator[Paper]:
        for paper in papers:
            known = self.canonical(paper)
            if known is None:
                if paper.arxiv_id:
                    self._by_arxiv[paper.arxiv_id] = paper.key
                    self._arxiv_of[paper.key] = paper.arxiv_id
                self._by_title.setdefault(title_key(paper.title), paper.key)
                self._title_of[paper.key] = paper.title
                yield paper
                continue
            self.duplicates.append((known, paper))
            if paper.arxiv_id:
                self._by_arxiv.setdefault(paper.arxiv_id, known)
                self._arxiv_of.setdefault(known, paper.arxiv_id)
                if title_key(paper.title) != title_key(self._title_of[known]):
                    self._warn(paper, f"arXiv:{paper.arxiv_id} is also titled {paper.title!r}; merged into "
                                      f"{self._title_of[known]!r}")
            self._by_title.setdefault(title_key(paper.title), known)

    def _warn(self, paper: Paper, message: str) -> None:
        error = InputError(paper.sources[0] if paper.sources else "?", message, paper.line,
                           kind="one arXiv id with two titles")
        self.warnings.append(error)
        if self._report is not None:
            self._report.warn(error)


def _readable_entry(path: Path) -> bool:
    """A folder entry to read: a file with a known suffix, or a symbolic link with one whose
    target is missing or loops (reading it reports why, instead of dropping it silently)."""
    if path.suffix.lower() not in _BY_SUFFIX:
        return False
    if path.is_symlink():
        return not path.is_dir()
    return path.is_file()


__all__ = ["READERS", "Deduplicator", "IngestReport", "bundled_corpus", "expand_inputs", "read_papers", "reader_for"]
