"""The field-sized benchmark's corpora (kg.scalebench): the added papers are new papers."""

from __future__ import annotations

import json

from kg.benchcorpus import records
from kg.scalebench import write_corpora


def _ids(path):
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the corpus's bad records
        if isinstance(record, dict) and isinstance(record.get("id"), str) and record.get("abstract"):
            ids.append(record["id"])
    return ids


def test_the_extra_papers_continue_the_stream(tmp_path):
    base, more = write_corpora(tmp_path, 400, 100)
    lines = base.read_text(encoding="utf-8").splitlines() + more.read_text(encoding="utf-8").splitlines()
    assert lines == list(records(500))  # one stream, cut in two
    new = set(_ids(more)) - set(_ids(base))
    assert len(new) > 80  # mostly new papers; a few are later versions of earlier ones


def test_corpora_are_written_once(tmp_path):
    base, more = write_corpora(tmp_path, 50)
    assert more is None
    stamp = base.stat().st_mtime_ns
    assert write_corpora(tmp_path, 50)[0].stat().st_mtime_ns == stamp
