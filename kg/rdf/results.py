"""SPARQL results as bytes: content negotiation (SPARQL 1.1 Protocol) and a size cap.

The endpoint answers only once a result is complete: a query that fails or runs out of
time half-way must get an error status, never a 200 with a truncated body. So results are
serialized into memory first, up to a cap; beyond it the client gets a clear error
instead of an unbounded buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

# media type -> serializer, in the order offered when the client accepts anything
SOLUTION_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
# types whose bodies are text: the charset is said
_TEXT = {"text/csv", "text/tab-separated-values", "text/turtle", "text/plain", "application/n-triples"}


class ResultTooLarge(Exception):
    """The serialized result passed the cap."""


class CappedBuffer:
    """A write-only byte buffer that raises ResultTooLarge past `limit` bytes."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise ResultTooLarge(self.size)
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media range, q) pairs, best first; stable for equal q.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    """
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((position, media, q))
    ranges.sort(key=lambda r: (-r[2], r[0]))
    return [(media, q) for _, media, q in ranges]


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the Accept header prefers (the first offered when it is
    absent), or None when nothing offered is acceptable (HTTP 406).

    >>> negotiate("text/csv", list(SOLUTION_TYPES))
    'text/csv'
    >>> negotiate("text/*;q=0.9, application/sparql-results+xml", list(SOLUTION_TYPES))
    'application/sparql-results+xml'
    >>> negotiate("image/png", list(SOLUTION_TYPES)) is None
    True
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    for media, q in ranges:
        if q <= 0:
            continue
        if media in offered:
            return media
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            kind = media[:-1]
            for candidate in offered:
                if candidate.startswith(kind):
                    return candidate
    return None


@dataclass(frozen=True)
class Serialized:
    """A complete response body and its media type."""

    media_type: str
    body: bytes

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.media_type in _TEXT else "")


class NotAcceptable(Exception):
    """No serialization of this kind of result is acceptable to the client."""

    def __init__(self, offered: list[str]):
        super().__init__("none of the result types the server offers is acceptable: " + ", ".join(offered))


def serialize(results, accept: str | None, limit: int | None) -> Serialized:
    """Serialize a pyoxigraph query result (solutions, boolean or triples) the client's way.

    Evaluation is lazy: errors of the query itself surface here (as RuntimeError/OSError).
    """
    graph = isinstance(results, ox.QueryTriples)
    offered = list(GRAPH_TYPES) if graph else list(SOLUTION_TYPES)
    media = negotiate(accept, offered)
    if media is None:
        raise NotAcceptable(offered)
    buffer = CappedBuffer(limit)
    if graph:
        ox.serialize(results, buffer, GRAPH_TYPES[media])
    else:
        results.serialize(buffer, SOLUTION_TYPES[media])
    return Serialized(media, buffer.getvalue())


__all__ = ["GRAPH_TYPES", "SOLUTION_TYPES", "CappedBuffer", "NotAcceptable", "ResultTooLarge", "Serialized",
           "negotiate", "parse_accept", "serialize"]
