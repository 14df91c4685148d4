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
from collections.abc import Iterable, Iterator, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

from kg.adjacency import NO_PREDECESSORS, PackedLinks, Predecessors, RelationCodes
from kg.errors import OutputError, shown

# The attributes worth a trip to disk: the paper's texts and evidence.
SPILLED = frozenset({"abstract", "authors", "mentions", "results"})
# Values smaller than this (bytes pickled) stay in memory: an offset costs about as much.
MIN_SPILL_BYTES = 96


class SpillFile:
    """An append-only file of pickled values, read back by (offset, length).

    Writes are positioned (``pwrite`` at the file's end, under a lock) and reads are
    ``pread``: neither uses the descriptor's shared offset, so threads may read while one
    writes. The file is closed by :meth:`close` or when the last reference goes; a closed
    file's values can no longer be read (a ValueError, never another file's bytes)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = directory
        self._file = None  # opened by the first put: graphs that spill nothing make no file
        self._fd = -1
        self._end = 0
        self._closed = False
        self._lock = threading.Lock()
        self._last: tuple[int, Any] | None = None  # the record read last (record()), swapped whole

    def put(self, value: Any, always: bool = False) -> tuple[int, int] | None:
        """Store `value`; its reference, or None when it is too small to be worth one (unless
        `always`). A file that cannot be written (a full disk) is an OutputError."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) < MIN_SPILL_BYTES and not always:
            return None
        with self._lock:
            if self._closed:
                raise ValueError("the spill file is closed: its graph's papers can no longer change")
            try:
                if self._file is None:
                    self._file = tempfile.TemporaryFile(prefix="kg-spill-", dir=self.directory, buffering=0)
                    self._fd = self._file.fileno()
                offset = written = self._end
                view = memoryview(data)
                while view:  # a write may write less than asked
                    n = os.pwrite(self._fd, view, written)
                    view, written = view[n:], written + n
            except OSError as exc:
                where = shown(self.directory if self.directory is not None else tempfile.gettempdir())
                raise OutputError(f"cannot write the papers' spill file in {where}: {exc.strerror or exc}") from None
            self._end += len(data)
        return offset, len(data)

    def get(self, ref: tuple[int, int]) -> Any:
        """The value stored at `ref` (what :meth:`put` returned), read back from the file."""
        offset, length = ref
        if self._closed:  # its descriptor's number may be another file's by now
            raise ValueError("the spill file is closed: its graph's papers can no longer be read")
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(f"spill file truncated: {len(data)} of {length} bytes at {offset}")
        return pickle.loads(data)

    def record(self, ref: _Ref) -> Any:
        """The value at `ref`, kept until another record is read: a node's attributes are
        read a few at a time, each from the same record. The value must not be changed."""
        last = self._last
        if last is not None and last[0] == ref:
            return last[1]
        value = self.get(ref.place)
        self._last = (ref, value)
        return value

    @property
    def size(self) -> int:
        """Bytes written so far (rewritten values leave their old bytes behind)."""
        return self._end

    def close(self) -> None:
        """Close (and so free) the file; a second call does nothing."""
        with self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()
                self._file, self._fd = None, -1

    def __del__(self) -> None:
        # Close the file here, not in its own finalizer, which warns (ResourceWarning).
        if getattr(self, "_file", None) is not None:
            self._file.close()


class _Ref(int):
    """Where a spilled value is: its offset in the spill file and its length, in one int
    (offset << 32 | length): 32 bytes a reference, where a tuple and its two ints took
    about 120, for each of a paper's spilled attributes.

    >>> ref = _Ref.at((5_000_000_000, 1234))
    >>> ref.place
    (5000000000, 1234)
    """

    __slots__ = ()

    @classmethod
    def at(cls, place: tuple[int, int]) -> _Ref:
        offset, length = place
        if not 0 <= length < 1 << 32:
            raise ValueError(f"a spilled value of {length} bytes is too big")
        return cls(offset << 32 | length)

    @property
    def place(self) -> tuple[int, int]:
        return self >> 32, self & 0xFFFFFFFF


class SpilledAttrs(MutableMapping):
    """A node's attributes: the :data:`SPILLED` ones in the spill file, the rest here.

    One dict holds every attribute in its insertion order (as a plain node's dict does), a
    spilled one as its :class:`_Ref`; each read of a spilled attribute reads the file and
    unpickles it, so callers read such a value once per use, not once per loop step."""

    __slots__ = ("_spill", "_attrs")

    def __init__(self, spill: SpillFile) -> None:
        self._spill = spill
        self._attrs: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._attrs[key]
        return self._spill.get(value.place) if type(value) is _Ref else value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._attrs.get(key, default)
        return self._spill.get(value.place) if type(value) is _Ref else value

    def __setitem__(self, key: str, value: Any) -> None:
        ref = self._spill.put(value) if key in SPILLED else None
        self._attrs[key] = value if ref is None else _Ref.at(ref)

    def __delitem__(self, key: str) -> None:
        del self._attrs[key]

    def __contains__(self, key: object) -> bool:
        return key in self._attrs

    def __iter__(self) -> Iterator[str]:
        return iter(self._attrs)

    def __len__(self) -> int:
        return len(self._attrs)

    def copy(self) -> dict[str, Any]:
        """Every attribute, read back: a plain dict (what networkx's copies ask for)."""
        get = self._spill.get
        return {key: get(value.place) if type(value) is _Ref else value for key, value in self._attrs.items()}

    def in_memory(self) -> dict[str, Any]:
        """The attributes held in memory (the others are in the spill file)."""
        return {key: value for key, value in self._attrs.items() if type(value) is not _Ref}

    def __reduce__(self):
        return dict, (self.copy(),)

    def __repr__(self) -> str:
        return f"SpilledAttrs({self.copy()!r})"


class PackedAttrs(MutableMapping):
    """A packed node's attributes (a paper's): ``kind`` in memory, every other one in one
    record of the spill file, a dict in which each :data:`SPILLED` value worth it is a
    :class:`_Ref` to a record of its own (reading a title does not read the mentions).
    About 100 bytes of memory a node, where a :class:`SpilledAttrs` keeps its dict, its
    strings and a reference per spilled value (about 1.3 KB for a paper).

    A write stores the record anew (``update`` once for all its keys); each read reads it
    back, or takes it from the spill file's last record read. Keys iterate as ``kind``,
    then the others in the order they were first set: kg gives a paper's kind first.

    >>> attrs = PackedAttrs(SpillFile(), "paper")
    >>> attrs.update(title="X", abstract="We use BERT. " * 20, issued="2024-05-01")
    >>> attrs["title"], attrs["abstract"][:12], list(attrs), attrs.in_memory()
    ('X', 'We use BERT.', ['kind', 'title', 'abstract', 'issued'], {'kind': 'paper'})
    """

    __slots__ = ("_spill", "kind", "_ref")

    def __init__(self, spill: SpillFile, kind: Any) -> None:
        self._spill = spill
        self.kind = kind
        self._ref: _Ref | None = None  # None: no attribute but the kind

    def _record(self) -> dict[str, Any]:
        return {} if self._ref is None else self._spill.record(self._ref)

    def __getitem__(self, key: str) -> Any:
        if key == "kind":
            return self.kind
        value = self._record()[key]
        return self._spill.get(value.place) if type(value) is _Ref else value

    def get(self, key: str, default: Any = None) -> Any:
        if key == "kind":
            return self.kind
        value = self._record().get(key, default)
        return self._spill.get(value.place) if type(value) is _Ref else value

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, other: Any = (), /, **more: Any) -> None:
        values = dict(other, **more)
        if "kind" in values:
            self.kind = values.pop("kind")
        if not values:
            return
        record = dict(self._record())
        for key, value in values.items():
            ref = self._spill.put(value) if key in SPILLED else None
            record[key] = value if ref is None else _Ref.at(ref)
        self._ref = _Ref.at(self._spill.put(record, always=True))

    def __delitem__(self, key: str) -> None:
        if key == "kind":
            raise KeyError("a packed node keeps its kind")
        record = dict(self._record())
        del record[key]
        self._ref = _Ref.at(self._spill.put(record, always=True))

    def __contains__(self, key: object) -> bool:
        return key == "kind" or key in self._record()

    def __iter__(self) -> Iterator[str]:
        yield "kind"
        yield from list(self._record())

    def __len__(self) -> int:
        return 1 + len(self._record())

    def copy(self) -> dict[str, Any]:
        """Every attribute, read back: a plain dict."""
        get = self._spill.get
        values = {key: get(value.place) if type(value) is _Ref else value for key, value in self._record().items()}
        return {"kind": self.kind, **values}

    def in_memory(self) -> dict[str, Any]:
        """The attributes held in memory: the kind."""
        return {"kind": self.kind}

    def __reduce__(self):
        return dict, (self.copy(),)

    def __repr__(self) -> str:
        return f"PackedAttrs({self.copy()!r})"


_MISSING = object()


class EdgeAttrs(MutableMapping):
    """An edge's attributes in slots, not a dict: kg's edges all have a relation, a count
    and a confidence, and a paper has a dozen edges, each stored in both directions'
    adjacency. A 3-key dict costs about 110 bytes more than these slots (and, being a
    dict, more again as it grows), so a 100,000-paper graph holds about 150 MB less. Any
    other key goes to a dict made only then. Keys iterate as relation, count, confidence
    (those set), then the others in the order they were set: kg sets the three at once,
    in that order, so this is a dict's order.

    >>> e = EdgeAttrs()
    >>> e.update(relation="usesMethod", count=1, confidence=0.9)
    >>> e["count"] += 2; e["note"] = "x"
    >>> dict(e), "note" in e, len(e)
    ({'relation': 'usesMethod', 'count': 3, 'confidence': 0.9, 'note': 'x'}, True, 4)
    """

    __slots__ = ("relation", "count", "confidence", "_extra")
    _SLOTS = ("relation", "count", "confidence")

    def __init__(self) -> None:
        self.relation = self.count = self.confidence = _MISSING
        self._extra: dict[str, Any] | None = None

    def __getitem__(self, key: str) -> Any:
        if key in EdgeAttrs._SLOTS:
            value = getattr(self, key)
            if value is not _MISSING:
                return value
        elif self._extra is not None and key in self._extra:
            return self._extra[key]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in EdgeAttrs._SLOTS:
            setattr(self, key, value)
        else:
            if self._extra is None:
                self._extra = {}
            self._extra[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        if key in EdgeAttrs._SLOTS:
            setattr(self, key, _MISSING)
        else:
            del self._extra[key]

    def __contains__(self, key: object) -> bool:
        if key in EdgeAttrs._SLOTS:
            return getattr(self, key) is not _MISSING  # type: ignore[arg-type]
        return self._extra is not None and key in self._extra

    def __iter__(self) -> Iterator[str]:
        for key in EdgeAttrs._SLOTS:
            if getattr(self, key) is not _MISSING:
                yield key
        if self._extra:
            yield from list(self._extra)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, Any]:
        return dict(self)

    def __reduce__(self):
        return dict, (dict(self),)

    def __repr__(self) -> str:
        return f"EdgeAttrs({dict(self)!r})"


class SpillGraph(nx.DiGraph):
    """A DiGraph whose nodes' heavy attributes live in a :class:`SpillFile` in `directory`
    (the system's temporary folder when None), and whose nodes of the `packed` kinds
    (papers) are packed: their attributes are a :class:`PackedAttrs`, their out-links a
    :class:`kg.adjacency.PackedLinks`. Every node's in-links are a
    :class:`kg.adjacency.Predecessors`. All are mappings: networkx's views and algorithms
    read the graph as any other, and kg's code too, with one difference: a packed link's
    attributes are a view that does not outlive the link (copy them, then remove it).

    A node is packed when it is added with a packed kind (``add_node(n, kind="paper")``);
    edges added with ``add_edge`` or ``add_edges_from`` make their missing nodes plain."""

    def __init__(self, incoming_graph_data=None, directory: str | Path | None = None,
                 packed: Iterable[str] = ("paper",), **attr) -> None:
        self.spill = SpillFile(directory)
        self.packed_kinds = frozenset(packed)
        self.relation_codes = RelationCodes()
        self.node_attr_dict_factory = partial(SpilledAttrs, self.spill)
        self.edge_attr_dict_factory = EdgeAttrs
        super().__init__(incoming_graph_data, **attr)

    def add_node(self, node_for_adding, **attr) -> None:
        node = node_for_adding
        if node not in self._node:
            if node is None:
                raise ValueError("None cannot be a node")
            kind = attr.get("kind")
            if kind in self.packed_kinds:
                self._succ[node] = PackedLinks(self.relation_codes)
                self._pred[node] = NO_PREDECESSORS
                attrs = self._node[node] = PackedAttrs(self.spill, kind)
            else:
                self._succ[node] = self.adjlist_inner_dict_factory()
                self._pred[node] = Predecessors(self._succ, node)
                attrs = self._node[node] = self.node_attr_dict_factory()
            attrs.update(attr)
        elif attr:
            self._node[node].update(attr)
        nx._clear_cache(self)

    def add_nodes_from(self, nodes_for_adding, **attr) -> None:
        for item in nodes_for_adding:
            try:
                item in self._node  # a (node, attributes) pair is not hashable: its dict is not
                node, data = item, attr
            except TypeError:
                node, extra = item
                data = {**attr, **extra}
            self.add_node(node, **data)

    def add_edge(self, u_of_edge, v_of_edge, **attr) -> None:
        u, v = u_of_edge, v_of_edge
        for node in (u, v):
            if node not in self._node:
                self.add_node(node)
        links = self._succ[u]
        if v in links:
            links[v].update(attr)
        else:
            data = self.edge_attr_dict_factory()
            data.update(attr)
            links[v] = data
            sources = self._pred[v]
            if sources is NO_PREDECESSORS:
                sources = self._pred[v] = Predecessors(self._succ, v)
            sources.add(u)
        nx._clear_cache(self)

    def add_edges_from(self, ebunch_to_add, **attr) -> None:
        for edge in ebunch_to_add:
            if len(edge) == 3:
                u, v, data = edge
            elif len(edge) == 2:
                (u, v), data = edge, {}
            else:
                raise nx.NetworkXError(f"Edge tuple {edge} must be a 2-tuple or 3-tuple.")
            self.add_edge(u, v, **{**attr, **data})

    def copy(self, as_view: bool = False) -> nx.DiGraph:
        """A plain DiGraph with every attribute in memory (or networkx's view)."""
        if as_view:
            return super().copy(as_view=True)
        return plain_graph(self)

    def __reduce__(self):
        return _plain_graph_of, (dict(self.graph), [(n, d.copy()) for n, d in self.nodes(data=True)],
                                 [(u, v, dict(d)) for u, v, d in self.edges(data=True)])

    def close(self) -> None:
        """Free the spill file now: the graph's spilled attributes are gone with it (reading
        one is a ValueError)."""
        self.spill.close()


def plain_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """`graph` as a plain networkx DiGraph, every attribute read into memory."""
    return _plain_graph_of(graph.graph, ((n, d.copy()) for n, d in graph.nodes(data=True)),
                           ((u, v, dict(d)) for u, v, d in graph.edges(data=True)))


def _plain_graph_of(attrs, nodes, edges) -> nx.DiGraph:
    plain = nx.DiGraph()
    plain.graph.update(attrs)
    plain.add_nodes_from(nodes)
    plain.add_edges_from(edges)
    return plain


__all__ = ["SPILLED", "EdgeAttrs", "PackedAttrs", "SpillFile", "SpillGraph", "SpilledAttrs", "plain_graph"]
