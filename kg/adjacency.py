"""Compact adjacency for :class:`kg.spill.SpillGraph`: a paper's links packed into bytes,
and each node's in-links as a list of node ids.

A build's graph has a dozen links from each paper, and as networkx stores them (a dict of
attributes and a float per link, and an entry for the link in two adjacency dicts) they
cost about 2 KB a paper, most of the build's memory at field scale and growing with the
corpus (measured with tracemalloc on 30,000 generated papers). Here a link costs about
30 bytes:

- :class:`PackedLinks`, a packed node's out-links: the targets' node ids in a tuple (the
  graph's own strings, shared) and each link's relation, count and confidence in 13 bytes
  (:data:`LINK`; the relation as a code of the graph's :class:`RelationCodes`). A link
  whose attributes are not exactly those three, of those types, is kept as it is, in a
  dict beside them.
- :class:`Predecessors`, any node's in-links: the sources' node ids in a list, in the
  order the links were made. A link's attributes are kept once, with its source's
  out-links, and read from there. A packed node without in-links (a paper) shares
  :data:`NO_PREDECESSORS`.

Both are mappings, as networkx's inner adjacency dicts are, so networkx's views and
algorithms read them unchanged. A packed link's attributes are a :class:`LinkAttrs`, a
live view: a write goes into the packed bytes. Unlike a dict, it does not outlive its link:
read it (``dict(view)``) before removing the link.

>>> links = PackedLinks(RelationCodes())
>>> links["concept:Method:bert"] = {"relation": "usesMethod", "count": 1, "confidence": 0.9}
>>> view = links["concept:Method:bert"]
>>> view["count"] += 2
>>> dict(view), len(links.packed_bytes())
({'relation': 'usesMethod', 'count': 3, 'confidence': 0.9}, 13)
"""

from __future__ import annotations

import struct
from collections.abc import ItemsView, Iterator, Mapping, MutableMapping, ValuesView
from typing import Any

# One packed link: relation code, count, confidence (little-endian, no padding).
LINK = struct.Struct("<BId")
LOOSE = 255  # the code of a link kept unpacked, in PackedLinks._loose
KEYS = ("relation", "count", "confidence")


class RelationCodes:
    """Relation names and their one-byte codes, shared by one graph's packed links: codes
    are given in the order names are first seen, up to 255 names (a link with another
    name is kept unpacked).

    >>> codes = RelationCodes()
    >>> codes.code("usesMethod"), codes.code("usesDataset"), codes.code("usesMethod"), codes.names[1]
    (0, 1, 0, 'usesDataset')
    """

    __slots__ = ("names", "_codes")

    def __init__(self) -> None:
        self.names: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, name: str) -> int | None:
        code = self._codes.get(name)
        if code is None and len(self.names) < LOOSE:
            code = self._codes[name] = len(self.names)
            self.names.append(name)
        return code


def pack_link(codes: RelationCodes, attrs: Mapping[str, Any]) -> bytes | None:
    """`attrs` as 13 bytes, or None when they do not fit: keys other than relation, count
    and confidence (all three), or values other than a str, an int from 0 to 2**32 - 1
    and a float (an int confidence would come back a float).

    >>> pack_link(RelationCodes(), {"relation": "usesMethod", "count": 2, "confidence": 0.5}) is not None
    True
    >>> [pack_link(RelationCodes(), a) for a in ({"relation": "usesMethod"}, {"relation": "x", "count": 1, "confidence": 1})]
    [None, None]
    """
    if len(attrs) != 3:
        return None
    try:
        relation, count, confidence = attrs["relation"], attrs["count"], attrs["confidence"]
    except KeyError:
        return None
    if type(relation) is not str or type(count) is not int or type(confidence) is not float or not 0 <= count < 1 << 32:
        return None
    code = codes.code(relation)
    return None if code is None else LINK.pack(code, count, confidence)


class PackedLinks(MutableMapping):
    """A node's out-links: target node id -> :class:`LinkAttrs` (module docstring). Targets
    iterate in the order their links were made, as a dict's keys do."""

    __slots__ = ("_codes", "_targets", "_data", "_loose")

    def __init__(self, codes: RelationCodes) -> None:
        self._codes = codes
        self._targets: tuple[Any, ...] = ()
        self._data = b""
        self._loose: dict[Any, dict[str, Any]] | None = None  # links whose attributes do not pack

    def _index(self, target: Any) -> int:
        try:
            return self._targets.index(target)
        except ValueError:
            raise KeyError(target) from None

    def values_of(self, target: Any) -> dict[str, Any]:
        """The attributes of the link to `target`, as a new dict (KeyError: no such link)."""
        return self._values_at(self._index(target), target)

    def _values_at(self, i: int, target: Any) -> dict[str, Any]:
        code, count, confidence = LINK.unpack_from(self._data, i * LINK.size)
        if code == LOOSE:
            return dict(self._loose[target])
        return {"relation": self._codes.names[code], "count": count, "confidence": confidence}

    def __getitem__(self, target: Any) -> LinkAttrs:
        if target not in self._targets:
            raise KeyError(target)
        return LinkAttrs(self, target)

    def __setitem__(self, target: Any, attrs: Mapping[str, Any]) -> None:
        values = dict(attrs)
        packed = pack_link(self._codes, values)
        if packed is None:
            if self._loose is None:
                self._loose = {}
            self._loose[target] = values
            packed = LINK.pack(LOOSE, 0, 0.0)
        elif self._loose is not None:
            self._loose.pop(target, None)
        if target in self._targets:
            at = self._targets.index(target) * LINK.size
            self._data = self._data[:at] + packed + self._data[at + LINK.size:]
        else:
            self._targets += (target,)
            self._data += packed

    def __delitem__(self, target: Any) -> None:
        i = self._index(target)
        self._targets = self._targets[:i] + self._targets[i + 1:]
        self._data = self._data[:i * LINK.size] + self._data[(i + 1) * LINK.size:]
        if self._loose is not None:
            self._loose.pop(target, None)

    def __contains__(self, target: object) -> bool:
        return target in self._targets

    def __iter__(self) -> Iterator[Any]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def items(self) -> ItemsView:
        return _Items(self, lambda: ((t, LinkAttrs(self, t)) for t in self._targets))

    def values(self) -> ValuesView:
        return _Values(self, lambda: (LinkAttrs(self, t) for t in self._targets))

    def packed_bytes(self) -> bytes:
        """The packed links, :data:`LINK` after :data:`LINK` (unpacked ones as a placeholder)."""
        return self._data

    def copy(self) -> dict[Any, dict[str, Any]]:
        """A plain dict of plain dicts (what networkx's copies ask for)."""
        return {t: self._values_at(i, t) for i, t in enumerate(self._targets)}

    def __reduce__(self):
        return dict, (self.copy(),)

    def __repr__(self) -> str:
        return f"PackedLinks({self.copy()!r})"


class LinkAttrs(MutableMapping):
    """One packed link's attributes, read from and written to its :class:`PackedLinks`.
    Keys iterate as relation, count, confidence, as an :class:`kg.spill.EdgeAttrs`'s do.
    Once the link is removed, reading the view is a LookupError that ``get`` does not
    hide (a ValueError): copy it first."""

    __slots__ = ("_links", "_target")

    def __init__(self, links: PackedLinks, target: Any) -> None:
        self._links = links
        self._target = target

    def _values(self) -> dict[str, Any]:
        try:
            return self._links.values_of(self._target)
        except KeyError:
            raise ValueError(f"the link to {self._target!r} was removed; copy its attributes before removing it") from None

    def __getitem__(self, key: str) -> Any:
        return self._values()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._values().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        values = self._values()
        values[key] = value
        self._links[self._target] = _in_slot_order(values)

    def __delitem__(self, key: str) -> None:
        values = self._values()
        del values[key]
        self._links[self._target] = values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())

    def copy(self) -> dict[str, Any]:
        return self._values()

    def __reduce__(self):
        return dict, (self._values(),)

    def __repr__(self) -> str:
        return f"LinkAttrs({self._values()!r})"


def _in_slot_order(values: dict[str, Any]) -> dict[str, Any]:
    """relation, count and confidence first, as EdgeAttrs orders them, then the others."""
    ordered = {key: values[key] for key in KEYS if key in values}
    ordered.update((key, value) for key, value in values.items() if key not in ordered)
    return ordered


class Predecessors(MutableMapping):
    """A node's in-links: source node id -> the link's attributes, which live in the
    source's out-links (`succ`, the graph's outer adjacency). Setting a source only records
    it; its attributes are whatever the source's out-links hold."""

    __slots__ = ("_succ", "_node", "_sources")

    def __init__(self, succ: Mapping[Any, Mapping[Any, Any]], node: Any) -> None:
        self._succ = succ
        self._node = node
        self._sources: list[Any] = []

    def add(self, source: Any) -> None:
        """Record a new in-link from `source` (the caller knows it is new: no search)."""
        self._sources.append(source)

    def __getitem__(self, source: Any) -> Any:
        if source not in self._sources:
            raise KeyError(source)
        return self._succ[source][self._node]

    def __setitem__(self, source: Any, attrs: Any) -> None:
        if source not in self._sources:
            self._sources.append(source)

    def __delitem__(self, source: Any) -> None:
        try:
            self._sources.remove(source)
        except ValueError:
            raise KeyError(source) from None

    def __contains__(self, source: object) -> bool:
        return source in self._sources

    def __iter__(self) -> Iterator[Any]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def items(self) -> ItemsView:
        return _Items(self, lambda: ((s, self._succ[s][self._node]) for s in self._sources))

    def values(self) -> ValuesView:
        return _Values(self, lambda: (self._succ[s][self._node] for s in self._sources))

    def copy(self) -> dict[Any, Any]:
        return dict(self.items())

    def __reduce__(self):
        return dict, (self.copy(),)

    def __repr__(self) -> str:
        return f"Predecessors({list(self._sources)!r})"


class _NoPredecessors(Mapping):
    """The in-links of a packed node without any (a paper): one shared, empty, read-only
    mapping, 136 bytes a paper less than a :class:`Predecessors` of its own.
    :meth:`kg.spill.SpillGraph.add_edge` gives the node one at its first in-link."""

    __slots__ = ()

    def __getitem__(self, source: Any) -> Any:
        raise KeyError(source)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def copy(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return "NO_PREDECESSORS"


NO_PREDECESSORS = _NoPredecessors()


class _Items(ItemsView):
    """An items view iterating in one pass (the default looks each key up again)."""

    __slots__ = ("_pairs",)

    def __init__(self, mapping: Mapping, pairs) -> None:
        super().__init__(mapping)
        self._pairs = pairs

    def __iter__(self):
        return self._pairs()


class _Values(ValuesView):
    __slots__ = ("_each",)

    def __init__(self, mapping: Mapping, each) -> None:
        super().__init__(mapping)
        self._each = each

    def __iter__(self):
        return self._each()


__all__ = ["KEYS", "LINK", "LOOSE", "NO_PREDECESSORS", "LinkAttrs", "PackedLinks", "Predecessors", "RelationCodes", "pack_link"]
