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
from kg.ingest import csvfile, hf_daily, jsonl
from kg.ingest._common import IngestReport
from kg.normalize import title_key
from kg.records import Paper

Reader = Callable[[Path, IngestReport, str], Iterator[Paper]]

READERS: dict[str, Reader] = {
    hf_daily.NAME: hf_daily.read,
    jsonl.NAME: jsonl.read,
    csvfile.NAME: csvfile.read,
}
_BY_SUFFIX = {".txt": hf_daily.NAME, ".jsonl": jsonl.NAME, ".ndjson": jsonl.NAME, ".json": jsonl.NAME,
              ".csv": csvfile.NAME, ".tsv": csvfile.NAME}


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
    """Files as given; a directory stands for the readable files directly inside it."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _BY_SUFFIX))
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

    Two records are the same paper when they share an arXiv id or a normalized title, so a
    title-only record and an arXiv record of the same paper meet.
    """

    def __init__(self) -> None:
        self._by_arxiv: dict[str, str] = {}
        self._by_title: dict[str, str] = {}
        self.duplicates: list[tuple[str, Paper]] = []

    def canonical(self, paper: Paper) -> str | None:
        if paper.arxiv_id and paper.arxiv_id in self._by_arxiv:
            return self._by_arxiv[paper.arxiv_id]
        return self._by_title.get(title_key(paper.title))

    def unique(self, papers: Iterable[Paper]) -> Iterator[Paper]:
        for paper in papers:
            known = self.canonical(paper)
            if known is not None:
                self.duplicates.append((known, paper))
                if paper.arxiv_id:
                    self._by_arxiv.setdefault(paper.arxiv_id, known)
                self._by_title.setdefault(title_key(paper.title), known)
                continue
            if paper.arxiv_id:
                self._by_arxiv[paper.arxiv_id] = paper.key
            self._by_title[title_key(paper.title)] = paper.key
            yield paper


__all__ = ["READERS", "Deduplicator", "IngestReport", "bundled_corpus", "expand_inputs", "read_papers", "reader_for"]
