"""Opening the built store for queries, with one-line errors, and the query errors of
isolation (timeout, interrupt) that the CLI maps to exit codes.

RocksDB reports a damaged store as RuntimeError("Corruption: ...") or OSError, at open or
in the middle of a query; users should hear "rebuild it with `kg build`", not a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import Interrupted, QueryError, UsageError

REBUILD = "rebuild it with `kg build`"


class StoreError(QueryError):
    """The store exists but cannot be read (damaged, truncated, unreadable)."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped (exit code as timeout(1)'s)."""

    exit_code = 124


class QueryInterrupted(Interrupted):
    """The user stopped the query (Ctrl-C, SIGTERM); exit code 130, as a shell's for SIGINT."""


def store_failure(store_dir: Path | str, exc: BaseException) -> StoreError:
    """The one-line error for a store RocksDB cannot read."""
    detail = " ".join(str(exc).split())[:200]
    return StoreError(f"the store at {store_dir} cannot be read ({detail}); {REBUILD}")


def is_store_failure(exc: BaseException) -> bool:
    """Whether an error raised by a query is the store's fault rather than the query's."""
    text = str(exc)
    return any(marker in text for marker in ("Corruption", "IO error", "No such file", "Permission denied"))


def open_read_only(store_dir: Path) -> ox.Store:
    """The store at `store_dir`, read-only (no lock: several readers share it)."""
    store_dir = Path(store_dir)
    if not store_dir.is_dir():
        raise UsageError(f"no Oxigraph store at {store_dir} (run `kg build` first)")
    if not (store_dir / "CURRENT").exists():
        raise StoreError(f"{store_dir} is not a complete Oxigraph store (no CURRENT file); {REBUILD}")
    try:  # resolved once: OUT/store links to the published build (kg.outdir)
        return ox.Store.read_only(os.path.realpath(store_dir))
    except (OSError, RuntimeError, ValueError) as exc:
        raise store_failure(store_dir, exc) from None


def open_for_query(graph_file: Path | None, store_dir: Path | None) -> ox.Store:
    """As `kg.rdf.write.open_store` (the store when there is one, else the graph file in
    memory), with damaged stores and unreadable graph files as one-line errors."""
    from kg.rdf.write import format_for_file

    if store_dir is not None and Path(store_dir).is_dir() and any(Path(store_dir).iterdir()):
        return open_read_only(Path(store_dir))
    if store_dir is not None and Path(store_dir).is_symlink():  # a link to a build that is gone
        raise StoreError(f"{store_dir} points to a build that no longer exists; {REBUILD}")
    if graph_file is None or not Path(graph_file).exists():
        raise UsageError(f"no graph to query: {graph_file} does not exist (run `kg build` first)")
    store = ox.Store()
    try:
        store.bulk_load(path=str(graph_file), format=format_for_file(Path(graph_file)).oxigraph)
    except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise QueryError(f"cannot load {graph_file}: {detail}") from None
    return store


@dataclass(frozen=True)
class StoreIdentity:
    """What changes when `kg build` replaces the store directory (it renames a new one into
    place): the directory's inode and modification time."""

    device: int
    inode: int
    mtime_ns: int

    @classmethod
    def of(cls, store_dir: Path) -> StoreIdentity | None:
        try:
            st = os.stat(store_dir)
        except OSError:
            return None  # mid-rename or removed: keep serving what is open
        return cls(st.st_dev, st.st_ino, st.st_mtime_ns)

    @property
    def built(self) -> str:
        import datetime as dt

        return dt.datetime.fromtimestamp(self.mtime_ns / 1e9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["QueryInterrupted", "QueryTimeout", "StoreError", "StoreIdentity", "is_store_failure", "open_for_query",
           "open_read_only", "store_failure"]
