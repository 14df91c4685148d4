"""One exception hierarchy for kg; the CLI maps each class to an exit code."""

from __future__ import annotations

from pathlib import Path


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
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class QueryError(KgError):
    """A SPARQL query that does not parse or cannot run."""

    exit_code = 4


class OutputError(KgError):
    """An output could not be written."""

    exit_code = 5


class ValidationFailed(KgError):
    """The graph does not conform to the SHACL shapes or uses undeclared terms."""

    exit_code = 6


class ServeError(KgError):
    """The SPARQL server could not be started or stopped."""

    exit_code = 7
