"""N-Triples terms as text: the export's triples are made of these strings and written as
lines, as Oxigraph would write them, at a fraction of the cost of building Oxigraph terms.

A term is its N-Triples form: ``<iri>``, ``"text"`` or ``"3"^^<datatype>``. A triple is a
tuple of three terms; :func:`ntriples_line` writes it. Literals are escaped exactly as
Oxigraph's serializer escapes them (tests/test_nt.py checks every code point), so a file
written from these terms is byte for byte the file Oxigraph writes from the same triples.
IRIs are not escaped: the export mints them from percent-encoded segments, and those made
from untrusted text go through :func:`checked_iri`, which Oxigraph validates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import pyoxigraph as ox

Triple = tuple[str, str, str]

# What Oxigraph's N-Triples serializer escapes: named escapes for these, \\uXXXX (upper-case
# hex) for the other C0 controls, DEL and the noncharacters U+FFFE and U+FFFF.
_NAMED = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f\ufffe\uffff]')


def _escape_char(match: re.Match) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04X}"


def escape(text: str) -> str:
    r"""`text` as the body of an N-Triples string literal.

    >>> escape('say "hi"\n\tC:\\ \x01')
    'say \\"hi\\"\\n\\tC:\\\\ \\u0001'
    """
    return _NEEDS_ESCAPE.sub(_escape_char, text) if _NEEDS_ESCAPE.search(text) else text


def iri(value: str) -> str:
    """The term of an IRI the caller made safe (not checked).

    >>> iri("http://x/a")
    '<http://x/a>'
    """
    return f"<{value}>"


def checked_iri(value: str) -> str:
    """The term of an IRI made from outside text: ValueError unless Oxigraph takes it."""
    return f"<{ox.NamedNode(value).value}>"


def iri_value(term: str) -> str:
    """The IRI of an IRI term.

    >>> iri_value("<http://x/a>")
    'http://x/a'
    """
    return term[1:-1]


def literal(value: str) -> str:
    """A plain (xsd:string) literal.

    >>> literal('a "b"')
    '"a \\\\"b\\\\""'
    """
    return f'"{escape(value)}"'


XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"


def typed(value: str, datatype: str) -> str:
    """A literal of the datatype whose term is `datatype` (an xsd:string is written plain,
    as Oxigraph writes it).

    >>> typed("3", "<http://www.w3.org/2001/XMLSchema#integer>"), typed("a", XSD_STRING)
    ('"3"^^<http://www.w3.org/2001/XMLSchema#integer>', '"a"')
    """
    if datatype == XSD_STRING:
        return literal(value)
    return f'"{escape(value)}"^^{datatype}'


def ntriples_line(triple: Triple) -> str:
    """One N-Triples line (with its newline)."""
    return f"{triple[0]} {triple[1]} {triple[2]} .\n"


def write_ntriples(triples: Iterable[Triple], out: BinaryIO, batch: int = 4096,
                   flushed: Callable[[int, int], None] | None = None) -> int:
    """Write `triples` as UTF-8 N-Triples lines to the binary file `out`; returns how many.
    With `flushed`, each block of `batch` lines is flushed to the file and then reported
    as `flushed(bytes written so far, lines in the block)` (kg.build fills the store from
    the file while it is written)."""
    count = 0
    size = 0
    lines: list[str] = []

    def write() -> None:
        nonlocal size
        data = "".join(lines).encode("utf-8")
        out.write(data)
        size += len(data)
        if flushed is not None and lines:
            out.flush()
            flushed(size, len(lines))

    for s, p, o in triples:
        lines.append(f"{s} {p} {o} .\n")
        if len(lines) >= batch:
            write()
            count += len(lines)
            lines.clear()
    write()
    return count + len(lines)


class _LineStream(io.RawIOBase):
    """The UTF-8 bytes of N-Triples lines, read on demand (Oxigraph's parser reads a file-like)."""

    def __init__(self, triples: Iterable[Triple], batch: int = 4096) -> None:
        self._triples = iter(triples)
        self._batch = batch
        self._buffer = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while self._offset >= len(self._buffer):
            lines = [ntriples_line(t) for _, t in zip(range(self._batch), self._triples)]
            if not lines:
                return 0
            self._buffer, self._offset = "".join(lines).encode("utf-8"), 0
        n = min(len(target), len(self._buffer) - self._offset)
        target[:n] = self._buffer[self._offset:self._offset + n]
        self._offset += n
        return n


def to_oxigraph(triples: Iterable[Triple]) -> Iterator[ox.Triple]:
    """The triples as Oxigraph terms, streamed (for callers that want Oxigraph's objects).

    >>> [str(t) for t in to_oxigraph([("<http://x/a>", "<http://x/p>", '"v"')])]
    ['<http://x/a> <http://x/p> "v"']
    """
    stream = io.BufferedReader(_LineStream(triples), buffer_size=1 << 16)
    return ox.parse(stream, format=ox.RdfFormat.N_TRIPLES)


__all__ = ["Triple", "checked_iri", "escape", "iri", "iri_value", "literal", "ntriples_line", "to_oxigraph", "typed",
           "write_ntriples"]
