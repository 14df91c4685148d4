"""Streaming the records of a JSON document that is not JSON Lines: a (pretty-printed) array
of records, ``[{...}, {...}]``, or objects one after another over several lines.

The document is read a few lines at a time and each record decoded as soon as it is complete,
so an array of a million records never sits in memory whole. A record that is malformed is
reported with its line; reading resumes at the next line that opens a record at the same
indentation (pretty-printed files), or stops with one warning when there is none.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.ingest._fields import type_name as _type_name
from kg.ingest.decode import read_lines

if TYPE_CHECKING:
    from kg.ingest._common import IngestReport
    from kg.records import Paper

    Converter = Callable[[dict, Path, int, str, "IngestReport | None"], Paper]

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"
_AT_EOF = "the file ends inside this record"


def looks_like_document(first_line: str, suffix: str) -> bool:
    """Whether a file whose first non-blank line is `first_line` is one JSON document rather
    than JSON Lines: that line is not a JSON value by itself, and it opens an array or object
    on a line of its own (or the file is a .json file)."""
    text = first_line.strip()
    if not text.startswith(("[", "{")):
        return False
    try:
        json.loads(text)
        return False
    except (json.JSONDecodeError, RecursionError):
        return suffix == ".json" or text in ("[", "{", "[{")


class _Buffer:
    """Text of consecutive lines, with the line and column of its first character."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.text = ""
        self.pos = 0
        self.line = 1  # of text[0]
        self.col = 0  # of text[0], 0-based
        self.exhausted = False
        self.last_line = 0  # the number of the last line read
        self._mark = (0, 1, 0)  # (index, line, 0-based column) of the last `where`

    def more(self, count: int = 1) -> bool:
        """Append up to `count` lines; False at the end of the input."""
        added = 0
        for number, line in self._lines:
            if not self.text:
                self.line, self.col = number, 0
                self._mark = (0, number, 0)
            self.text += line + "\n"
            self.last_line = number
            added += 1
            if added >= count:
                break
        else:
            self.exhausted = True
        return added > 0

    def where(self, index: int) -> tuple[int, int]:
        """(line, 1-based column) of text[index]; counted on from the last answer, so that
        walking through a one-line array of a million records stays linear."""
        mark, line, col = self._mark if self._mark[0] <= index else (0, self.line, self.col)
        newlines = self.text.count("\n", mark, index)
        if newlines:
            line, col = line + newlines, 0
            mark = self.text.rfind("\n", mark, index) + 1
        self._mark = (index, line, col + index - mark)
        return line, col + index - mark + 1

    def skip_space(self) -> bool:
        """Move past white space, reading on as needed; False at the end of the input."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return True
            self.trim()
            if not self.more():
                return False

    def trim(self) -> None:
        """Forget the text before `pos` (amortized: only once it is most of the buffer)."""
        if self.pos and self.pos * 2 >= len(self.text):
            self.line, column = self.where(self.pos)
            self.col = column - 1
            self.text, self.pos = self.text[self.pos:], 0
            self._mark = (0, self.line, self.col)

    def lines_after(self, index: int) -> Iterator[tuple[int, str]]:
        """The complete lines after the one holding text[index], then the input's."""
        line, _ = self.where(index)
        rest = self.text[self.text.find("\n", index) + 1:] if "\n" in self.text[index:] else ""
        for offset, text in enumerate(rest.split("\n")[:-1], start=1):
            yield line + offset, text
        yield from self._lines


def values(lines: Iterator[tuple[int, str]], path: Path, report: IngestReport) -> Iterator[tuple[int, object]]:
    """(line, value) of each record of the document: the elements of a top-level array, or
    each top-level value. Malformed records are reported and skipped."""
    buf = _Buffer(lines)
    in_array = False
    while buf.skip_space():
        char = buf.text[buf.pos]
        if not in_array and char == "[":
            in_array, buf.pos = True, buf.pos + 1
            continue
        if in_array and char in ",]":
            in_array, buf.pos = char == ",", buf.pos + 1
            continue
        start = buf.pos
        line, column = buf.where(start)
        decoded = _decode(buf, start, line)
        if isinstance(decoded, str):
            resumed = _resync(buf, start, column - 1)
            tail = "" if resumed or decoded == _AT_EOF else "; the rest of the file is not read"
            report.skip(InputError(path, f"malformed JSON: {decoded}{tail}", line, kind="malformed JSON"))
            if not resumed:
                return
            continue
        value, buf.pos = decoded
        buf.trim()
        yield line, value
    if in_array:
        report.skip(InputError(path, "JSON array not closed at the end of the file", buf.last_line, kind="malformed JSON"))


def _decode(buf: _Buffer, start: int, line: int) -> tuple[object, int] | str:
    """The value that opens at text[start] and where it ends, reading on while it is
    incomplete; or what is wrong with it."""
    while True:
        try:
            return _DECODER.raw_decode(buf.text, start)
        except RecursionError:
            return "nested too deeply"
        except json.JSONDecodeError as exc:
            at_end = exc.pos >= len(buf.text.rstrip())
            if at_end and buf.more(max(1, buf.text.count("\n", start))):  # doubling: linear in the record
                continue
            if at_end:
                return _AT_EOF
            at_line, at_column = buf.where(exc.pos)
            return f"{exc.msg} at column {at_column}" if at_line == line else f"{exc.msg} at line {at_line} column {at_column}"


def _resync(buf: _Buffer, start: int, indent: int) -> bool:
    """Move the buffer to the next line that opens a record at column `indent` (the failed
    record's), when the failed record opened its line; False when there is none."""
    line_start = buf.text.rfind("\n", 0, start) + 1
    opened_line = not buf.text[line_start:start].strip() and (line_start > 0 or buf.col == 0)
    if not opened_line:
        return False
    for number, text in buf.lines_after(start):
        stripped = text.lstrip(" \t")
        if len(text) - len(stripped) == indent and stripped.startswith("{"):
            buf.text, buf.pos, buf.line, buf.col = text + "\n", 0, number, 0
            buf._mark = (0, number, 0)
            return True
    return False


# API responses saved whole wrap their records: OpenAlex lists in "results", Semantic
# Scholar's search and bulk endpoints in "data".
_WRAPPERS = ("results", "data")


def records(value: object, path: Path, line: int, report: IngestReport) -> Iterator[dict]:
    """The records a JSON value holds: itself when an object, the objects of an array, or the
    records of a saved API response (an object with no title whose `results` or `data` is a
    list of objects)."""
    if isinstance(value, dict):
        wrapped = next((value[k] for k in _WRAPPERS if isinstance(value.get(k), list)), None)
        if wrapped is not None and "title" not in value and any(isinstance(item, dict) for item in wrapped):
            value = wrapped
        else:
            yield value
            return
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value, start=1):
            if isinstance(item, dict):
                yield item
            else:
                report.skip(InputError(path, f"JSON array element {index} is {_type_name(item)}, not an object", line,
                                       kind="JSON value is not an object"))
    else:
        report.skip(InputError(path, "JSON value is not an object", line))


def json_values(path: Path, report: IngestReport) -> Iterator[tuple[int, object]]:
    """(line, value) of every top-level value of a JSON Lines file or of a JSON document."""
    lines = read_lines(path, report)
    head = next(((n, t) for n, t in lines if t.strip()), None)
    if head is None:
        return
    if looks_like_document(head[1], path.suffix.lower()):
        yield from values(itertools.chain([head], lines), path, report)
    else:
        yield from _json_lines(itertools.chain([head], lines), path, report)


def read_with(convert: Converter, path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    """The papers `convert` makes of each record of a JSON (Lines) file; a record it refuses
    (InputError) is skipped and reported, and reading goes on."""
    for number, value in json_values(path, report):
        for record in records(value, path, number, report):
            try:
                yield convert(record, path, number, source, report)
            except InputError as error:
                report.skip(error)


def _json_lines(lines: Iterator[tuple[int, str]], path: Path, report: IngestReport) -> Iterator[tuple[int, object]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(InputError(path, f"malformed JSON: {exc.msg} at column {exc.colno}", number))
        except RecursionError:
            report.skip(InputError(path, "malformed JSON: nested too deeply", number))
