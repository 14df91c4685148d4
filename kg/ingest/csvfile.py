"""Reader for CSV (or TSV) files with `title` and `abstract` columns.

Other columns are kept where the vocabulary has a place: id/arxiv_id, url, date, authors
(separated by ";" or "," ), categories.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest._common import IngestReport, read_lines
from kg.ingest.jsonl import paper_from_record
from kg.records import Paper

NAME = "csv"
REQUIRED = ("title", "abstract")


# csv's default cap on a field (131,072 characters) would refuse a long abstract as a malformed
# row and misread the lines after it; make_paper cuts overlong text with a warning instead.
FIELD_LIMIT = 16 * 1024 * 1024


def read(path: Path, report: IngestReport, source: str) -> Iterator[Paper]:
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    numbered = read_lines(path, report)
    line_of_row: list[int] = []

    def lines() -> Iterator[str]:
        for number, text in numbered:
            line_of_row.append(number)
            yield text + "\n"

    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(lines(), delimiter=delimiter)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise InputError(path, f"unreadable CSV header: {exc}", 1) from None
    columns = {name.strip().lower(): name for name in header or () if name}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(columns) or "none"
        raise InputError(path, f"CSV without the column(s) {', '.join(missing)} (columns found: {found})", 1,
                         kind="CSV without the needed columns")
    while True:
        first_line = len(line_of_row)  # index of the row's first physical line
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.skip(InputError(path, f"malformed CSV: {exc}", line_of_row[-1] if line_of_row else None))
            continue
        number = line_of_row[first_line] if first_line < len(line_of_row) else reader.line_num
        record = {key.strip().lower(): value for key, value in row.items() if isinstance(key, str)}
        authors = record.get("authors")
        if authors and ";" in authors:
            record["authors"] = [a for a in authors.split(";")]
        try:
            yield paper_from_record(record, path, number, source, report)
        except InputError as error:
            report.skip(error)
