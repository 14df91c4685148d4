"""RDF serializations chosen by name through one lookup, and the persistent Oxigraph store
(also usable through rdflib's API: `rdflib_graph`)."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.atomic import atomic_directory, atomic_path
from kg.errors import Interrupted, OutputError, UsageError
from kg.rdf.export import graph_ntriples, graph_triples
from kg.rdf.namespace import PREFIXES, RESOURCE_BASE
from kg.rdf.nt import write_ntriples


@dataclass(frozen=True)
class RdfFormat:
    name: str
    oxigraph: ox.RdfFormat
    suffix: str


RDF_FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", ox.RdfFormat.TURTLE, ".ttl"),
        RdfFormat("ntriples", ox.RdfFormat.N_TRIPLES, ".nt"),
        RdfFormat("jsonld", ox.RdfFormat.JSON_LD, ".jsonld"),
        RdfFormat("rdfxml", ox.RdfFormat.RDF_XML, ".rdf"),
    )
}
_ALIASES = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "xml": "rdfxml"}


def rdf_format(name: str) -> RdfFormat:
    """The RDF format called `name` (or one of its usual aliases: ttl, nt, json-ld, xml)."""
    key = _ALIASES.get(name.lower(), name.lower())
    try:
        return RDF_FORMATS[key]
    except KeyError:
        raise UsageError(f"unknown RDF format {name!r}; known: {', '.join(RDF_FORMATS)}") from None


def format_for_file(path: Path) -> RdfFormat:
    for fmt in RDF_FORMATS.values():
        if path.suffix.lower() == fmt.suffix:
            return fmt
    raise UsageError(f"cannot tell the RDF format of {path} from its suffix")


def write_rdf(
    graph: nx.DiGraph, out_dir: Path, formats: Iterable[str], base: str = RESOURCE_BASE, created: str | None = None,
    *, annotations: bool = True, on_ntriples: Callable[[Path], None] | None = None,
    ntriples_sink: Callable[[Path, int, int], None] | None = None,
) -> dict[str, Path]:
    """Write the graph as `out_dir/graph<suffix>` in each format (the VoID description dated
    `created`; without `annotations`, no Web Annotation selectors); returns the paths.
    `on_ntriples(path)` is called once the N-Triples file is complete, before the other
    formats are written; `ntriples_sink(path, offset, lines)` is told each time a block of
    `lines` more lines is on disk, the file at `path` then holding `offset` bytes (kg.build
    fills the store from the file while it is written, :class:`StreamingLoad`).

    The triples are generated once when N-Triples is among the formats: it is written
    first, and the other formats are serialized from it as Oxigraph reads it back (in the
    same order, so each file is byte for byte what generating the triples again would give),
    which costs a fraction of generating them in Python again."""
    requested = list(dict.fromkeys(rdf_format(name).name for name in formats))
    chosen = list(requested)
    if "ntriples" in chosen:  # the source of the others: first
        chosen.remove("ntriples")
        chosen.insert(0, "ntriples")
    written: dict[str, Path] = {}
    for name in chosen:
        fmt = RDF_FORMATS[name]
        target = out_dir / f"graph{fmt.suffix}"
        with atomic_path(target) as temp:
            prefixes = PREFIXES if fmt.name in ("turtle", "rdfxml") else None
            if fmt.name == "ntriples":
                with open(temp, "wb") as out:
                    report = None if ntriples_sink is None else functools.partial(ntriples_sink, temp)
                    write_ntriples(graph_ntriples(graph, base, created=created, annotations=annotations), out,
                                   flushed=report)
            else:
                if "ntriples" in written:
                    triples = ox.parse(path=str(written["ntriples"]), format=ox.RdfFormat.N_TRIPLES)
                else:
                    triples = graph_triples(graph, base, created=created, annotations=annotations)
                ox.serialize(triples, str(temp), fmt.oxigraph, prefixes=prefixes)
        written[fmt.name] = target
        if fmt.name == "ntriples" and on_ntriples is not None:
            on_ntriples(target)
    return {name: written[name] for name in requested}


def count_triples(graph: nx.DiGraph, base: str = RESOURCE_BASE, created: str | None = None, *,
                  annotations: bool = True) -> int:
    return sum(1 for _ in graph_ntriples(graph, base, created=created, annotations=annotations))


# Triples per call of Oxigraph's bulk loader when a store is filled from N-Triples. One
# call over a whole file holds up to about 1.7 GB however big the file (its batches, on
# two threads); calls of 500,000 lines hold about 0.6 GB, for a somewhat slower load.
# Measured on 6M lines of a 300k-paper graph: 500,000 lines a call, 44 s (57 CPU-s, 0.6 GB);
# 2,000,000, 25 s (41 CPU-s, 1.7 GB). Taking 2,000,000 once the build only waits for the
# store saved 18 s of a 100k build (592 s) and added 0.9 GiB to its peak: not worth it.
BULK_LOAD_LINES = 500_000


class StreamingLoad:
    """A new Oxigraph store at `store_dir`, bulk-loaded in a thread from an N-Triples file
    while it is being written: the writer reports each block of whole lines it has
    flushed (:meth:`feed`, the `ntriples_sink` of :func:`write_rdf`) and the loader reads
    behind it, `chunk_lines` lines or more per call of Oxigraph's loader (about 0.6 GB of
    loader memory, :data:`BULK_LOAD_LINES`). Neither waits for the other until
    :meth:`result`: the writer goes on to the other formats and the viewer while the
    loader catches up, and nothing but the chunk being loaded is held in memory.
    Oxigraph's loader releases the GIL, so the two run on two cores.

    Only for N-Triples without blank nodes (Oxigraph names a blank node afresh in each
    call; kg's exports mint IRIs for every node). :meth:`finish` says the file is
    complete; :meth:`result` waits and returns the store's size or raises the loader's
    error. Once `stop` is set the loader gives up before its next chunk with Interrupted
    and `store_dir` is left as it was; :meth:`wait` waits for that."""

    def __init__(self, store_dir: Path, stop: threading.Event, chunk_lines: int = BULK_LOAD_LINES) -> None:
        self.chunk_lines = chunk_lines
        self.seconds = 0.0  # how long the loader ran, once it has ended
        self._stop = stop
        self._changed = threading.Condition()
        self._fd: int | None = None
        self._blocks: list[tuple[int, int]] = []  # (end offset, lines) of the blocks not yet taken
        self._finished = False
        self._size: int | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(store_dir,), name="kg-store-load", daemon=True)
        self._thread.start()

    def feed(self, path: Path, offset: int, lines: int) -> None:
        """The file at `path` now holds `offset` bytes of whole lines, `lines` more than
        at the last call."""
        with self._changed:
            if not self._thread.is_alive():  # the loader ended (an error, stopped): result() says why
                return
            if self._fd is None:  # opened here, before the writer renames it into place
                self._fd = os.open(path, os.O_RDONLY)
            self._blocks.append((offset, lines))
            self._changed.notify()

    def finish(self) -> None:
        """The file is complete: the loader loads what is left and closes the store."""
        with self._changed:
            self._finished = True
            self._changed.notify()

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> int:
        self.wait()
        if self._error is not None:
            raise self._error
        assert self._size is not None
        return self._size

    def _next(self, start: int) -> tuple[int, int] | None:
        """The byte range of the next chunk from `start`, once `chunk_lines` lines are
        there or the file is complete; None at its end."""
        with self._changed:
            while True:
                _check(self._stop)
                lines = 0
                for i, (end, n) in enumerate(self._blocks):
                    lines += n
                    if lines >= self.chunk_lines:
                        del self._blocks[: i + 1]
                        return start, end
                if self._finished:
                    end = self._blocks[-1][0] if self._blocks else start
                    self._blocks.clear()
                    return (start, end) if end > start else None
                self._changed.wait(timeout=0.1)

    def _load(self, store: ox.Store, chunk: bytes) -> None:
        store.bulk_load(input=chunk, format=ox.RdfFormat.N_TRIPLES)

    def _run(self, store_dir: Path) -> None:
        started = time.perf_counter()
        try:
            span = self._next(0)  # no store is made before there is something to load (or stop)
            with atomic_directory(store_dir) as temp:
                store = ox.Store(str(temp))
                while span is not None:
                    start, end = span
                    self._load(store, os.pread(self._fd, end - start, start))
                    span = self._next(end)
                store.flush()
                self._size = len(store)
                del store  # release the RocksDB lock before the directory is moved into place
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc
        finally:
            self.seconds = time.perf_counter() - started
            if self._fd is not None:
                os.close(self._fd)


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise Interrupted("the store load was stopped; the store was not replaced")


def open_store(graph_file: Path | None, store_dir: Path | None) -> ox.Store:
    """The persistent store when it exists, else an in-memory store loaded from `graph_file`.

    `OUT/store` is a link through `OUT/.current` (kg.outdir): it is resolved once here, so
    a build published while the store is being opened cannot hand it files of two builds."""
    if store_dir is not None:
        store_dir = Path(os.path.realpath(store_dir))
    if store_dir is not None and (store_dir / "CURRENT").exists():
        return ox.Store.read_only(str(store_dir))
    if graph_file is None or not graph_file.exists():
        raise UsageError(f"no graph to query: {graph_file} does not exist (run `kg build` first)")
    store = ox.Store()
    store.bulk_load(path=str(graph_file), format=format_for_file(graph_file).oxigraph)
    return store


def rdflib_graph(store_dir: Path, read_only: bool = True):
    """The Oxigraph store at `store_dir` as an rdflib Graph (through oxrdflib).

    Read-only by default, which takes no lock, so it can be open while `kg query` or
    `kg serve` read the same store; `read_only=False` opens it with store="Oxigraph".
    Close it with `graph.close()` to release the store. SPARQL runs in Oxigraph: a variable
    bound through `initBindings` must be in the SELECT projection (SEP-0007).
    """
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if not (Path(store_dir) / "CURRENT").exists():
        raise UsageError(f"no Oxigraph store at {store_dir} (run `kg build` first)")
    try:
        if read_only:
            graph = Graph(store=OxigraphStore(store=ox.Store.read_only(str(store_dir))),
                          identifier=DATASET_DEFAULT_GRAPH_ID)
        else:
            graph = Graph(store="Oxigraph", identifier=DATASET_DEFAULT_GRAPH_ID)
            graph.open(str(store_dir))
    except OSError as exc:
        raise OutputError(f"cannot open the store at {store_dir}: {exc}") from None
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph
