"""kg.rdf.nt (N-Triples written as text, as Oxigraph writes them) and the store filled from
the file while it is written (kg.rdf.write.StreamingLoad)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import Interrupted
from kg.rdf.export import graph_ntriples, graph_triples
from kg.rdf.nt import escape, iri, literal, to_oxigraph, typed, write_ntriples
from kg.rdf.write import StreamingLoad, write_rdf
from tests.test_standard_vocab import graph_of

XSD_INT = iri("http://www.w3.org/2001/XMLSchema#integer")


def _oxigraph_line(subject: str, obj: ox.Literal) -> str:
    return ox.serialize([ox.Triple(ox.NamedNode(subject), ox.NamedNode("http://x/p"), obj)],
                        format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


@pytest.mark.parametrize("start", range(0, 0x110000, 0x10000))
def test_every_code_point_is_escaped_as_oxigraph_escapes_it(start):
    """One plane at a time (surrogates cannot be in a str that is encoded)."""
    text = "".join(chr(c) for c in range(start, start + 0x10000) if not 0xD800 <= c < 0xE000)
    ours = f"<http://x/s> <http://x/p> {literal(text)} .\n"
    assert ours == _oxigraph_line("http://x/s", ox.Literal(text))
    typed_ours = f"<http://x/s> <http://x/p> {typed(text[:300], XSD_INT)} .\n"
    assert typed_ours == _oxigraph_line("http://x/s", ox.Literal(text[:300], datatype=ox.NamedNode(XSD_INT[1:-1])))


def test_an_xsd_string_is_written_plain_as_oxigraph_writes_it():
    string = "http://www.w3.org/2001/XMLSchema#string"
    assert f"<http://x/s> <http://x/p> {typed('a', iri(string))} .\n" == _oxigraph_line(
        "http://x/s", ox.Literal("a", datatype=ox.NamedNode(string)))


def test_escape_leaves_plain_text_alone():
    text = "Plain text, ümlauts and emoji \U0001F600 need no escape."
    assert escape(text) is text


def test_written_file_is_what_oxigraph_writes_from_the_same_triples(tmp_path):
    """The graph of test_standard_vocab holds hostile text (quotes, backslashes, controls,
    U+2028, astral characters) in titles, abstracts, authors, categories and mentions."""
    graph = graph_of()
    ours = write_rdf(graph, tmp_path, ["ntriples"], created="2024-01-01")["ntriples"].read_bytes()
    theirs = ox.serialize(to_oxigraph(graph_ntriples(graph, created="2024-01-01")), format=ox.RdfFormat.N_TRIPLES)
    assert ours == theirs and ours.count(b"\n") > 100
    assert [str(t) for t in graph_triples(graph, created="2024-01-01")] == [
        str(t) for t in ox.parse(ours, format=ox.RdfFormat.N_TRIPLES)]


def test_to_oxigraph_streams_across_its_batches():
    triples = ((iri(f"http://x/s{i}"), iri("http://x/p"), literal(f"v{i} \"q\"")) for i in range(10_001))
    parsed = list(to_oxigraph(triples))
    assert len(parsed) == 10_001 and parsed[-1].object.value == 'v10000 "q"'


def test_write_ntriples_reports_each_flushed_block(tmp_path):
    path = tmp_path / "g.nt"
    seen: list[tuple[int, int]] = []
    with path.open("wb") as out:
        def flushed(offset: int, lines: int) -> None:
            assert path.stat().st_size == offset  # on disk before it is reported
            seen.append((offset, lines))

        count = write_ntriples(((iri(f"http://x/s{i}"), iri("http://x/p"), literal("é")) for i in range(1000)), out,
                               batch=64, flushed=flushed)
    assert count == 1000 == sum(lines for _, lines in seen)
    assert seen[-1][0] == path.stat().st_size and [lines for _, lines in seen][:-1] == [64] * 15


def _triples(n: int):
    return ((iri(f"http://x/s{i % 97}"), iri(f"http://x/p{i % 5}"), literal(str(i))) for i in range(n))


def test_the_store_fills_while_the_file_is_written(tmp_path):
    nt = tmp_path / "g.nt"
    loading = StreamingLoad(tmp_path / "store", threading.Event(), chunk_lines=300)
    with nt.open("wb") as out:
        write_ntriples(_triples(5000), out, batch=128, flushed=lambda offset, lines: loading.feed(nt, offset, lines))
    loading.finish()
    assert loading.result() == 5000
    store = ox.Store.read_only(str(tmp_path / "store"))
    expected = ox.Store()
    expected.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    assert {str(q) for q in store} == {str(q) for q in expected}


def test_nothing_fed_is_an_empty_store(tmp_path):
    loading = StreamingLoad(tmp_path / "store", threading.Event())
    loading.finish()
    assert loading.result() == 0 and (tmp_path / "store").is_dir()


def test_a_stopped_streaming_load_publishes_nothing(tmp_path):
    nt = tmp_path / "g.nt"
    stop = threading.Event()
    loading = StreamingLoad(tmp_path / "store", stop, chunk_lines=100)
    with nt.open("wb") as out:
        write_ntriples(_triples(1000), out, batch=100, flushed=lambda offset, lines: loading.feed(nt, offset, lines))
    stop.set()  # the writer failed or Ctrl-C: finish() is never called
    with pytest.raises(Interrupted):
        loading.result()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.nt"]


def test_a_failing_load_is_the_callers_error_and_never_blocks_the_writer(tmp_path, monkeypatch):
    def disk_full(self, store, chunk):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(StreamingLoad, "_load", disk_full)
    nt = tmp_path / "g.nt"
    loading = StreamingLoad(tmp_path / "store", threading.Event(), chunk_lines=10)
    with nt.open("wb") as out:
        write_ntriples(_triples(2000), out, batch=10, flushed=lambda offset, lines: loading.feed(nt, offset, lines))
    loading.finish()
    with pytest.raises(OSError, match="No space"):
        loading.result()
    assert not (tmp_path / "store").exists()
