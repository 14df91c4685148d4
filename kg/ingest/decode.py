"""Input files to numbered lines of text: which files are text at all, in which encoding.

A file is refused as a whole only when it is not text (a known binary signature, or many
control bytes in its first 8 KB); everything else is read line by line, and a bad line
costs that line only:

* UTF-8 with or without BOM; UTF-16 with a BOM, or without one when the NUL bytes of its
  head fall on every other byte (ASCII-heavy UTF-16), which is said once as a warning;
* a line that is not UTF-8 and holds no UTF-8 sequence at all is Windows Latin-1 (cp1252),
  said once for the file at its first such line; a line that mixes valid UTF-8 with a stray
  invalid byte keeps its text with U+FFFD in place of the byte, and a warning;
* a line holding a NUL character is a bad record: skipped with its line number.
"""

from __future__ import annotations

import codecs
import errno
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kg.errors import InputError

if TYPE_CHECKING:
    from kg.ingest._common import IngestReport

SNIFF_BYTES = 8192
# Share of control bytes (C0 except tab, newlines and form feed; DEL) above which the head of
# a file is binary. Text has none or a handful; compressed or random data about 10%.
BINARY_SHARE = 0.05
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# Magic numbers of the binary files most likely to be handed over by mistake.
_SIGNATURES = (
    (b"%PDF-", "PDF"), (b"PK\x03\x04", "zip"), (b"\x1f\x8b", "gzip"), (b"\x89PNG", "PNG"), (b"GIF8", "GIF"),
    (b"\xff\xd8\xff", "JPEG"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"7z\xbc\xaf", "7z"),
    (b"SQLite format 3\x00", "SQLite"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"PAR1", "Parquet"), (b"\x7fELF", "ELF"),
)
# A UTF-8 multi-byte sequence: its presence in a line that still fails to decode means the
# line is UTF-8 with a damaged byte, not another encoding.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
CP1252 = "cp1252"


def control_share(head: bytes) -> float:
    """The share of control bytes in `head`: what tells binary data from text."""
    return sum(1 for byte in head if byte in _CONTROL_BYTES) / len(head) if head else 0.0


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the NUL bytes of `head` fall on every other byte,
    as they do in UTF-16 text that is mostly ASCII; else None.

    >>> utf16_without_bom("title,abstract".encode("utf-16-le")), utf16_without_bom(b"title,abstract")
    ('utf-16-le', None)
    """
    size = len(head) // 2 * 2
    if size < 4:
        return None
    even, odd = head[0:size:2], head[1:size:2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    for codec, zeros, others in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if zeros >= 0.3 and others <= 0.02:
            try:
                head[:size].decode(codec)
            except UnicodeDecodeError as exc:
                if exc.start < size - 4:  # a pair cut at the end of the head is fine
                    continue
            return codec
    return None


def binary_kind(head: bytes) -> str | None:
    """What kind of binary file `head` opens, or None for text."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    share = control_share(head)
    return f"{share:.0%} control bytes" if share > BINARY_SHARE else None


def read_lines(path: Path, report: IngestReport) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) of a text file, streaming, without its line ends.

    Raises InputError when the file cannot be read at all (missing, a directory, a symbolic
    link loop, empty, binary); problems of single lines go to the report.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            if not head.strip():
                raise InputError(path, "empty file")
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                lines = _utf16_lines(handle, "utf-16", path, report)
            elif codec := utf16_without_bom(head):
                report.warn(InputError(path, f"no byte-order mark; read as {codec.upper()} (NUL bytes on every other byte)",
                                       kind="encoding guessed"))
                lines = _utf16_lines(handle, codec, path, report)
            elif kind := binary_kind(head):
                raise InputError(path, f"binary file ({kind}), not text", kind="binary file")
            else:
                lines = _utf8_lines(handle, path, report)
            handle.seek(0)
            for number, text in lines:
                if "\x00" in text:
                    report.skip(InputError(path, f"NUL byte at column {text.index(chr(0)) + 1}", number,
                                           kind="line with a NUL byte"))
                    continue
                yield number, text
    except FileNotFoundError:
        raise InputError(path, "broken symbolic link" if path.is_symlink() else "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "symbolic link loop") from None
        raise InputError(path, f"cannot read: {exc.strerror or exc}", kind="unreadable file") from None


def _utf8_lines(handle: BinaryIO, path: Path, report: IngestReport) -> Iterator[tuple[int, str]]:
    cp1252_from: int | None = None
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        raw = raw.rstrip(b"\r\n")
        try:
            yield number, raw.decode("utf-8")
            continue
        except UnicodeDecodeError as exc:
            where = f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
        if _UTF8_SEQUENCE.search(raw):
            report.warn(InputError(path, f"invalid UTF-8 ({where}) replaced by U+FFFD", number, kind="invalid UTF-8 replaced"))
            yield number, raw.decode("utf-8", errors="replace")
            continue
        if cp1252_from is None:
            cp1252_from = number
            report.warn(InputError(path, f"not UTF-8 ({where}); read as cp1252 (Windows Latin-1) from this line on",
                                   number, kind="encoding guessed"))
        yield number, decode_cp1252(raw)


def decode_cp1252(raw: bytes) -> str:
    """cp1252, with the five bytes it leaves undefined read as Latin-1 (C1 controls, which
    cleaning removes), so every byte string decodes.

    >>> decode_cp1252(b"Fr\\xe9chet \\x93nets\\x94 \\x81")
    'Fréchet “nets” \\x81'
    """
    return "".join(
        chunk.decode(CP1252) if index % 2 == 0 else chunk.decode("latin-1")
        for index, chunk in enumerate(re.split(rb"([\x81\x8d\x8f\x90\x9d]+)", raw))
    )


def _utf16_lines(handle: BinaryIO, codec: str, path: Path, report: IngestReport) -> Iterator[tuple[int, str]]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=codec, errors="replace", newline=None)
    try:
        for number, line in enumerate(text, start=1):
            line = line.rstrip("\r\n")
            if number == 1:
                line = line.removeprefix("\ufeff")
            if "\ufffd" in line:
                report.warn(InputError(path, f"invalid {codec.upper()} replaced by U+FFFD", number,
                                       kind="invalid UTF-16 replaced"))
            yield number, line
    finally:
        text.detach()
