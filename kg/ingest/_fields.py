"""Reading fields of untrusted JSON records: the first present of several names, and type
checks that drop an optional field of the wrong type with a warning instead of the record.

Shared by the JSON readers (plain/arXiv records, OpenAlex works, Semantic Scholar papers), so
that a wrong type is said the same way whichever source the record came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError

if TYPE_CHECKING:
    from kg.ingest._common import IngestReport

WANTED = {str: "a string", int: "an integer", list: "a list", dict: "an object"}
_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
               float: "a decimal number", type(None): "null"}


def type_name(value: object) -> str:
    """How a JSON value's type is named in warnings ('a list', 'a number', ...)."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def first(record: dict, *names: str) -> tuple[str | None, object]:
    """(name, value) of the first of `names` that `record` holds with a non-empty value."""
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return name, value
    return None, None


def optional(record: dict, *names: str, types: tuple[type, ...] = (str,), path: Path, line: int,
             report: IngestReport | None, where: str = "") -> object:
    """The first of `names` present in `record` when its type is one of `types`; a value of
    another type is dropped (None) with a warning: the record stays, the field does not."""
    name, value = first(record, *names)
    if value is None or isinstance(value, types) and not isinstance(value, bool):
        return value
    if report is not None:
        wanted = " or ".join(WANTED[t] for t in types)
        report.warn(InputError(path, f"{where}{name!r} is {type_name(value)}, not {wanted}; ignored", line,
                               kind="field of the wrong type"))
    return None


def required_text(record: dict, *names: str, what: str, path: Path, line: int) -> str:
    """The title or abstract: the first of `names`, which must be a string; raises InputError
    naming what is missing or mistyped (the record is skipped)."""
    name, value = first(record, *names)
    if value is None:
        raise InputError(path, f"record without {'an' if what[0] in 'aeiou' else 'a'} {what}", line)
    if not isinstance(value, str):
        raise InputError(path, f"{name!r} is {type_name(value)}, not a string", line, kind="field of the wrong type")
    return value
