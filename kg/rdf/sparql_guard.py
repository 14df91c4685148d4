"""Refuse SPARQL that makes the query engine fetch from other hosts (SERVICE), by lexing.

Oxigraph (pyoxigraph and its server alike) executes `SERVICE <url> { ... }` by sending the
sub-query to `url` and reading the answer: anyone who can send a query to `kg serve` could
make this machine talk to any host it can reach (server-side request forgery). Neither
pyoxigraph nor Oxigraph offers a switch to disable SERVICE, and pyoxigraph does not expose
its parsed algebra. rdflib's parser does, but it parses a different language (no
SPARQL 1.2, no LATERAL) and is slow, so its verdict on a query Oxigraph will run is not
authoritative. What is authoritative is the lexical grammar: Oxigraph can only evaluate a
SERVICE clause whose keyword appears as a token outside strings, comments and IRIs. So this
module is a SPARQL lexer (strings in all four quote styles with escapes, comments, IRIREFs,
variables, language tags, blank-node labels, prefixed names) and refuses a query with any
word token that *starts* with `service` (case-insensitive): Oxigraph's parser matches the
keyword without a word boundary, so `SERVICESILENT<...>` and `SERVICEex:name` are SERVICE
clauses too (checked against pyoxigraph 0.5). The price is refusing a prefix declared as
`service:` or `services:`; the message says so.

`\\uXXXX` escapes: SPARQL 1.1 allows them anywhere, processed before parsing; Oxigraph does
not unescape outside strings, other engines do. The text is lexed both as written and
unescaped, and refused if either view holds the keyword, so the check holds whichever way
the engine reads it.

Other outbound fetches: `FROM <iri>` and `FROM NAMED <iri>` name graphs of the store in
Oxigraph, which never dereferences them (a test checks that no request leaves); `LOAD` is
an update, which `kg query` and `kg serve` never run (and are refused here too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import QueryError

# One alternative per token class, tried in this order at each position.
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
                |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'
                |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7-\uffff]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[\w.\-\u00b7-\uffff]*)
    | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<word>[A-Za-z_\u00c0-\uffff][\w.\-\u00b7-\uffff]*(?::(?:[\w.\-:%\u00b7-\uffff]|\\.)*)?
              |:(?:[\w.\-:%\u00b7-\uffff]|\\.)*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# word-token prefix -> what the engine would fetch
OUTBOUND_KEYWORDS = {
    "service": "SERVICE (a federated sub-query sent to another endpoint)",
    "load": "LOAD (an update that fetches a document)",
}


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token; kinds: comment, string, iri, var, langtag, bnode,
    number, word (keywords and prefixed names), other (punctuation, operators).

    >>> [t for t in tokens('SELECT ?s { ?s <http://x> "SERVICE" } # SERVICE') if t[0] != "space"]
    [('word', 'SELECT'), ('var', '?s'), ('other', '{'), ('var', '?s'), ('iri', '<http://x>'), ('string', '"SERVICE"'), ('other', '}'), ('comment', '# SERVICE')]
    """
    for match in _TOKEN.finditer(text):
        yield match.lastgroup or "other", match.group()


def unescape_codepoints(text: str) -> str:
    r"""The query with SPARQL's `\u`/`\U` codepoint escapes replaced (SPARQL 1.1 §19.2).

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _ESCAPE.sub(replace, text)


def outbound_operations(text: str) -> list[str]:
    """What in `text` would make the engine fetch from another host (empty when nothing).

    >>> outbound_operations("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }")
    ['SERVICE (a federated sub-query sent to another endpoint)']
    >>> outbound_operations('SELECT ?service { ?service <http://x/SERVICE> "SERVICE" } # SERVICE')
    []
    >>> outbound_operations("SELECT * { SERVICESILENT<http://evil.example/>{ ?s ?p ?o } }")[0][:7]
    'SERVICE'
    """
    found: list[str] = []
    views = [text]
    unescaped = unescape_codepoints(text)
    if unescaped != text:
        views.append(unescaped)
    for view in views:
        for kind, value in tokens(view):
            if kind != "word":
                continue
            lowered = value.lower()
            for keyword, meaning in OUTBOUND_KEYWORDS.items():
                if lowered.startswith(keyword) and meaning not in found:
                    found.append(meaning)
    return found


def check_no_outbound(text: str, allow_service: bool = False, hint: str = "") -> None:
    """QueryError when the query would fetch from another host, unless allowed.

    `hint` says how to allow it (the CLI's `--allow-service`; the server offers none).
    """
    if allow_service:
        return
    found = outbound_operations(text)
    if found:
        raise QueryError(
            f"refused: the query uses {', '.join(found)}, which would make this machine send requests to "
            f"other hosts (a prefix named service... counts too){hint}"
        )


__all__ = ["OUTBOUND_KEYWORDS", "check_no_outbound", "outbound_operations", "tokens", "unescape_codepoints"]
