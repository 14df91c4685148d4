"""Paper records on disk, not in memory: the graph's heavy attributes spilled to a file.

A paper node's abstract, authors, mentions and results are most of what a build holds
(about 6 KB a paper against 0.3 KB for its title, dates and keys), and each is read a few
times at most: by the corpus-level decisions that rewrite mentions of folded concepts, by
the RDF writer, the viewer and the change report, one paper at a time. So a
:class:`SpillGraph` keeps them in an append-only file and only their offsets in memory,
like Dask's spill to disk (``zict.File`` behind ``zict.Buffer``): a paper's record costs
the build about 0.3 KB of memory whatever its size, and the file is read back a record at
a time with ``pread``.

The file is created already unlinked (``tempfile.TemporaryFile``) in the folder given,
the build's staging folder on the output's file system, not a possibly memory-backed
``/tmp``: the kernel frees it when the graph goes, on an interrupt or a kill too, and it
never shows in the output folder. Node attributes stay a mapping (:class:`SpilledAttrs`),
so code written for a plain networkx graph reads and writes them unchanged:

>>> g = SpillGraph()
>>> g.add_node("paper:x", kind="paper", title="X", abstract="We use BERT." * 20)
>>> attrs = g.nodes["paper:x"]
>>> attrs["abstract"][:12], "abstract" in attrs.in_memory()
('We use BERT.', False)
>>> attrs["abstract"] = "Short."
>>> dict(attrs) == {"kind": "paper", "title": "X", "abstract": "Short."}
True

A copy or a pickle of the graph is a plain ``nx.DiGraph`` holding every value, so it
outlives the spill file.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Iterator, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

# The attributes worth a trip to disk: the paper's texts and evidence.
SPILLED = frozenset({"abstract", "authors", "mentions", "results"})
# Values smaller than this (bytes pickled) stay in memory: an offset costs about as much.
MIN_SPILL_BYTES = 96


class SpillFile:
    """An append-only file of pickled values, read back by (offset, length)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = directory
        self._file = None  # opened by the first put: graphs that spill nothing make no file
        self._fd = -1
        self._end = 0
        self._lock = threading.Lock()

    def put(self, value: Any) -> tuple[int, int] | None:
        """Store `value`; its reference, or None when it is too small to be worth one."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) < MIN_SPILL_BYTES:
            return None
        with self._lock:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="kg-spill-", dir=self.directory, buffering=0)
                self._fd = self._file.fileno()
            offset = self._end
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(self._fd, view):]
            self._end += len(data)
        return offset, len(data)

    def get(self, ref: tuple[int, int]) -> Any:
        offset, length = ref
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(f"spill file truncated: {len(data)} of {length} bytes at {offset}")
        return pickle.loads(data)

    @property
    def size(self) -> int:
        """Bytes written so far (rewritten values leave their old bytes behind)."""
        return self._end

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class SpilledAttrs(MutableMapping):
    """A node's attributes: the :data:`SPILLED` ones in the spill file, the rest here."""

    __slots__ = ("_spill", "_here", "_refs")

    def __init__(self, spill: SpillFile) -> None:
        self._spill = spill
        self._here: dict[str, Any] = {}
        self._refs: dict[str, tuple[int, int]] = {}

    def __getitem__(self, key: str) -> Any:
        ref = self._refs.get(key)
        if ref is not None:
            return self._spill.get(ref)
        return self._here[key]

    def __setitem__(self, key: str, value: Any) -> None:
        ref = self._spill.put(value) if key in SPILLED else None
        if ref is None:
            self._refs.pop(key, None)
            self._here[key] = value
        else:
            self._here.pop(key, None)
            self._refs[key] = ref

    def __delitem__(self, key: str) -> None:
        if self._refs.pop(key, None) is None:
            del self._here[key]

    def __contains__(self, key: object) -> bool:
        return key in self._here or key in self._refs

    def __iter__(self) -> Iterator[str]:
        yield from self._here
        yield from self._refs

    def __len__(self) -> int:
        return len(self._here) + len(self._refs)

    def copy(self) -> dict[str, Any]:
        """Every attribute, read back: a plain dict (what networkx's copies ask for)."""
        return dict(self.items())

    def in_memory(self) -> dict[str, Any]:
        """The attributes held in memory (the others are in the spill file)."""
        return dict(self._here)

    def __reduce__(self):
        return dict, (self.copy(),)

    def __repr__(self) -> str:
        return f"SpilledAttrs({self.copy()!r})"


class SpillGraph(nx.DiGraph):
    """A DiGraph whose nodes' heavy attributes live in a :class:`SpillFile` in `directory`
    (the system's temporary folder when None)."""

    def __init__(self, incoming_graph_data=None, directory: str | Path | None = None, **attr) -> None:
        self.spill = SpillFile(directory)
        self.node_attr_dict_factory = partial(SpilledAttrs, self.spill)
        super().__init__(incoming_graph_data, **attr)

    def copy(self, as_view: bool = False) -> nx.DiGraph:
        """A plain DiGraph with every attribute in memory (or networkx's view)."""
        if as_view:
            return super().copy(as_view=True)
        return plain_graph(self)

    def __reduce__(self):
        return _plain_graph_of, (dict(self.graph), [(n, d.copy()) for n, d in self.nodes(data=True)],
                                 [(u, v, dict(d)) for u, v, d in self.edges(data=True)])

    def close(self) -> None:
        """Free the spill file now: the graph's spilled attributes are gone with it."""
        self.spill.close()


def plain_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """`graph` as a plain networkx DiGraph, every attribute read into memory."""
    return _plain_graph_of(graph.graph, ((n, dict(d.items())) for n, d in graph.nodes(data=True)),
                           ((u, v, dict(d)) for u, v, d in graph.edges(data=True)))


def _plain_graph_of(attrs, nodes, edges) -> nx.DiGraph:
    plain = nx.DiGraph()
    plain.graph.update(attrs)
    plain.add_nodes_from(nodes)
    plain.add_edges_from(edges)
    return plain


__all__ = ["SPILLED", "SpillFile", "SpillGraph", "SpilledAttrs", "plain_graph"]
