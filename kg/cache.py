"""The extraction cache: each paper's extraction kept on disk, so that a build over the same
inputs plus new files extracts only the new or changed papers.

Where and what
--------------
``OUT/.cache/extract.sqlite`` (SQLite, WAL), beside the published builds and never part of
them: a failed or interrupted build keeps what it extracted (the next one resumes), and
publishing a build does not touch it. Only the build holding OUT's lock writes it.

* key: SHA-256 of the extraction version and of what extraction reads of a paper, its
  title and abstract (:func:`paper_key`). Everything else of a paper (its sources, ids,
  dates) comes from the current input, never from the cache.
* extraction version (:func:`extraction_version`): kg's version, the Python source of
  kg.extract and of every kg module it imports, the rules and gazetteers in
  kg/extract/data, the model files in kg/extract/model (not with ``fast``, which does not
  use them), the spaCy, thinc and numpy versions, ``fast`` and ``min_confidence``. Any
  change gives new keys: old entries are never read again, and are pruned.
* value: the paper's mentions, repositories and results as compact JSON arrays (field
  values in declaration order; enums by value, decimals as strings), zlib-compressed.
  JSON, not pickle: a cache file is data, and reading it can run no code.

Size policy: every entry a build reads or writes is stamped with that build's number; at
the end of a successful build, entries it did not use are deleted (:meth:`prune`), so the
cache holds what the latest build used, and the file's free pages are returned
(incremental vacuum). A damaged cache file is a warning: it is removed, and the build
extracts what it cannot read.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sqlite3
import types
import typing
import zlib
from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from kg.errors import shown
from kg.records import ExtractedPaper, Mention, Paper, Repository, Result

CACHE_DIR = ".cache"
CACHE_FILE = "extract.sqlite"
SCHEMA = "1"  # the table layout; a file of another layout is emptied
_VARIABLES = 500  # keys per SELECT ... IN (...)
_KG = Path(__file__).resolve().parent
_RECORDS = (Mention, Repository, Result)


def cache_path(out_dir: str | os.PathLike) -> Path:
    """Where the build into `out_dir` keeps its extraction cache."""
    return Path(out_dir) / CACHE_DIR / CACHE_FILE


# --- keys ---------------------------------------------------------------------------------


def extraction_version(fast: bool, min_confidence: float) -> bytes:
    """A digest of everything an extraction depends on besides the paper (see the module
    docstring). Reads about 25 MB of model files (tens of milliseconds)."""
    from kg import __version__

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("kg", __version__.encode())
    add("options", json.dumps([bool(fast), float(min_confidence)]).encode())
    add("records", repr([(c.__name__, [(f.name, str(f.type)) for f in fields(c)]) for c in _RECORDS]).encode())
    for package in ("spacy", "thinc", "numpy"):
        try:
            add(package, metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            add(package, b"")
    folders = [_KG / "extract" / "data"] + ([] if fast else [_KG / "extract" / "model"])
    files = sorted({*extraction_sources(), *(p for f in folders for p in f.rglob("*") if p.is_file())})
    for path in files:
        add(path.relative_to(_KG).as_posix(), path.read_bytes())
    return digest.digest()


def extraction_sources() -> list[Path]:
    """The Python files extraction runs: kg/extract/*.py and every kg module they import,
    found by reading their import statements (transitively)."""
    todo = sorted((_KG / "extract").rglob("*.py"))
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            tree = ast.parse(path.read_bytes())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name == "kg" or name.startswith("kg."):
                    todo.extend(_module_file(name))
    return sorted(seen)


def _module_file(name: str) -> list[Path]:
    parts = name.split(".")[1:]
    base = _KG.joinpath(*parts) if parts else _KG
    candidates = [base.with_suffix(".py"), base / "__init__.py"] if parts else [base / "__init__.py"]
    return [p for p in candidates if p.is_file()]


def paper_key(version: bytes, paper: Paper) -> bytes:
    """The cache key of a paper: what extraction reads of it, under one extraction version."""
    text = json.dumps([paper.title, paper.abstract], ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(version + b"\0" + text).digest()


# --- values ---------------------------------------------------------------------------------


def _converter(hint: Any) -> Callable[[Any], Any] | None:
    """How a JSON value becomes a field of type `hint` again (Optional[...] allowed); None
    when it is one already (str, int, float, bool: JSON keeps their types). An enum's
    member is looked up by value (a KeyError for another value)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        inner = _converter(args[0])
        return None if inner is None else (lambda v: None if v is None else inner(v))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {member.value: member for member in hint}.__getitem__
    if hint is Decimal:
        return Decimal
    if typing.get_origin(hint) is tuple or hint is tuple:
        return tuple
    return None


_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in _RECORDS}
# per record type: (position, converter) of each field JSON does not give back as it was
_CONVERTERS = {cls: tuple((i, c) for i, f in enumerate(fields(cls))
                          if (c := _converter(typing.get_type_hints(cls)[f.name])) is not None) for cls in _RECORDS}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _row(record: Any) -> list:
    """A record's field values in declaration order, as JSON values."""
    return [v if v.__class__ in _AS_IS else _plain(v) for v in map(record.__getattribute__, _FIELDS[type(record)])]


_AS_IS = frozenset({str, int, float, bool, type(None)})  # exactly these types: a str enum is converted


def encode(extracted: ExtractedPaper) -> bytes:
    """A paper's mentions, repositories and results as compressed JSON (its paper is not kept)."""
    parts = [[_row(r) for r in records] for records in (extracted.mentions, extracted.repositories, extracted.results)]
    return zlib.compress(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def decode(data: bytes, paper: Paper) -> ExtractedPaper:
    """The ExtractedPaper `encode` kept, for `paper` (from the current input). Raises
    ValueError (or TypeError, KeyError, zlib.error) on a value it cannot read."""
    mentions, repositories, results = json.loads(zlib.decompress(data).decode("utf-8", "surrogatepass"))

    def rebuild(cls: type, rows: list) -> tuple:
        width, converters = len(_FIELDS[cls]), _CONVERTERS[cls]
        records = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"a cached {cls.__name__} has the wrong number of fields")
            for i, convert in converters:
                row[i] = convert(row[i])
            records.append(cls(*row))
        return tuple(records)

    return ExtractedPaper(paper, rebuild(Mention, mentions), rebuild(Repository, repositories),
                          rebuild(Result, results))


# --- the store ------------------------------------------------------------------------------


class ExtractionCache:
    """The cache of one build, opened under OUT's lock. Every method swallows SQLite errors:
    a damaged file becomes a warning (in `warnings`), is removed, and the build goes on
    without it. Counts what the build reused (`hits`) and stored (`stored`)."""

    def __init__(self, path: Path, version: bytes):
        self.path = Path(path)
        self.version = version
        self.warnings: list[str] = []
        self.hits = self.stored = self.unreadable = 0
        self.build = 0
        self._db: sqlite3.Connection | None = None
        self._broken = False
        if self.path.exists():
            self._open()

    @classmethod
    def for_build(cls, out_dir: str | os.PathLike, fast: bool, min_confidence: float) -> ExtractionCache:
        return cls(cache_path(out_dir), extraction_version(fast, min_confidence))

    # opening -----------------------------------------------------------------------

    def _open(self) -> None:
        try:
            self._connect()
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._close_db()
            self._warn(f"the extraction cache {shown(self.path)} is damaged ({_reason(exc)}); "
                       "it was removed and its papers are extracted again")
            self._remove()
            try:
                self._connect()
            except (sqlite3.Error, OSError) as again:
                self._fail(again)

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None)
        self._db = db
        db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # only takes effect on a new file
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None or row[0] != SCHEMA:
            db.execute("DROP TABLE IF EXISTS extraction")
            db.execute("DELETE FROM meta")
            db.execute("INSERT INTO meta VALUES ('schema', ?), ('build', '0')", (SCHEMA,))
        db.execute("CREATE TABLE IF NOT EXISTS extraction (key BLOB PRIMARY KEY, value BLOB NOT NULL, "
                   "build INTEGER NOT NULL) WITHOUT ROWID")
        row = db.execute("SELECT value FROM meta WHERE name = 'build'").fetchone()
        self.build = int(row[0]) + 1 if row and str(row[0]).isdigit() else 1
        db.execute("INSERT OR REPLACE INTO meta VALUES ('build', ?)", (str(self.build),))
        db.execute("COMMIT")

    # use -------------------------------------------------------------------------------

    def lookup(self, papers: list[Paper]) -> list[tuple[bytes, ExtractedPaper | None]]:
        """(key, cached extraction or None) for each paper; hits are stamped as used."""
        keys = [paper_key(self.version, p) for p in papers]
        if self._db is None:
            return [(k, None) for k in keys]
        try:
            rows: dict[bytes, bytes] = {}
            distinct = sorted(set(keys))
            for start in range(0, len(distinct), _VARIABLES):  # older SQLite allows 999 variables
                part = distinct[start:start + _VARIABLES]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, value FROM extraction WHERE key IN ({marks})"
                found = dict(self._db.execute(query, part).fetchall())
                if found:  # one statement: one transaction
                    self._db.execute(f"UPDATE extraction SET build = ? WHERE key IN ({','.join('?' * len(found))})",
                                     [self.build, *found])
                rows.update(found)
        except sqlite3.Error as exc:
            self._fail(exc)
            return [(k, None) for k in keys]
        found: list[tuple[bytes, ExtractedPaper | None]] = []
        for key, paper in zip(keys, papers):
            value = rows.get(key)
            hit = None
            if value is not None:
                try:
                    hit = decode(value, paper)
                except (ValueError, TypeError, KeyError, zlib.error):
                    self.unreadable += 1  # extracted again, and the entry overwritten
            self.hits += hit is not None
            found.append((key, hit))
        return found

    def store(self, items: list[tuple[bytes, ExtractedPaper]]) -> None:
        """Keep these extractions (one transaction: committed, so a later failure keeps them)."""
        if self._broken:
            return
        if self._db is None:
            try:
                self._connect()
            except (sqlite3.Error, OSError) as exc:
                self._fail(exc)
                return
        try:
            rows = [(key, encode(e), self.build) for key, e in items]
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
            self.stored += len(items)
        except sqlite3.Error as exc:
            self._fail(exc)

    def prune(self) -> int:
        """After a successful build: delete the entries it did not use; returns how many."""
        if self._db is None:
            return 0
        try:
            removed = self._db.execute("DELETE FROM extraction WHERE build < ?", (self.build,)).rowcount
            if removed:
                self._db.execute("PRAGMA incremental_vacuum")
            return removed
        except sqlite3.Error as exc:
            self._fail(exc)
            return 0

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass
        self._close_db()
        if self._broken:
            self._remove()

    # failures --------------------------------------------------------------------------

    def _fail(self, exc: BaseException) -> None:
        if not self._broken:
            self._warn(f"the extraction cache {shown(self.path)} failed ({_reason(exc)}); "
                       "this build goes on without it and the file is removed")
        self._broken = True
        self._close_db()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    def _close_db(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text


__all__ = ["CACHE_DIR", "CACHE_FILE", "ExtractionCache", "cache_path", "decode", "encode", "extraction_sources",
           "extraction_version", "paper_key"]
