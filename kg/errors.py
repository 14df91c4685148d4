"""One exception hierarchy for kg; the CLI maps each class to an exit code."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

# Characters that could end a message line or restyle a terminal: C0/C1 controls, DEL,
# Unicode line/paragraph separators and the bidirectional overrides that reorder text.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """`text` with every control character escaped (`\\n`, `\\x1b`, `\\u202e`), so a file name
    or any other untrusted text fits on one message line and cannot forge another line or
    send terminal escapes. Bytes that were not valid in the file system's encoding (lone
    surrogates from `os.fsdecode`) show as `\\xNN`, and printing never fails on them.

    Backslashes are left alone, which makes the escaping idempotent: a message escaped
    twice (once where it is built, once where it is printed) reads the same.

    >>> printable("a\\nkg: error: forged\\x1b[31m")
    'a\\\\nkg: error: forged\\\\x1b[31m'
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the raw byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)  # other non-printables (format marks, spaces) cannot break a line
    return "".join(out)


def shown(path: str | os.PathLike) -> str:
    """A path as messages print it: escaped by `printable`. Every warning or error that
    names a file goes through this."""
    return printable(os.fspath(path))


class KgError(Exception):
    """Base class of every error kg raises on purpose."""

    exit_code = 1


class UsageError(KgError):
    """The caller asked for something that does not exist (unknown format, query, option)."""

    exit_code = 2


class InputError(KgError):
    """A bad input file or record; names the file and, where known, the line."""

    exit_code = 3

    def __init__(self, path: str | Path, message: str, line: int | None = None, kind: str | None = None):
        self.path = str(path)
        self.line = line
        self.reason = message
        # What the run summary counts skips by: the message up to its details.
        self.kind = kind or message.split(":")[0]
        where = f"{shown(self.path)}:{line}" if line is not None else shown(self.path)
        super().__init__(f"{where}: {message}")


class QueryError(KgError):
    """A SPARQL query that does not parse or cannot run."""

    exit_code = 4


class OutputError(KgError):
    """An output could not be written (the output folder is unusable, a disk is full)."""

    exit_code = 5


class OutputBusy(OutputError):
    """Another build holds the output folder's lock: two builds into one folder would mix."""


class NoPapers(KgError):
    """The inputs yielded no paper; the build stops before it touches the output folder,
    so a typo or an empty file cannot replace a good graph with an empty one. Same exit
    code as a bad input. Carries the skip warnings, which the CLI prints before the error."""

    exit_code = 3

    def __init__(self, message: str, warnings: tuple[str, ...] = ()):
        super().__init__(message)
        self.warnings = warnings


class Interrupted(KgError):
    """The user stopped the run (SIGINT or SIGTERM); the message says what was replaced."""

    exit_code = 130


class ValidationFailed(KgError):
    """The graph does not conform to the SHACL shapes or uses undeclared terms."""

    exit_code = 6


class ServeError(KgError):
    """The SPARQL server could not be started or stopped."""

    exit_code = 7
