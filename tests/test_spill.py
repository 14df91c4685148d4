"""Papers' heavy attributes live in a spill file (kg.spill), and the store is bulk-loaded in
chunks (kg.rdf.write): both must be invisible in what a build gives."""

from __future__ import annotations

import os
import pickle

import networkx as nx
import pytest

from kg.graph import GraphBuilder
from kg.records import ExtractedPaper, Field, Mention, Paper
from kg.spill import MIN_SPILL_BYTES, SPILLED, PackedAttrs, SpillFile, SpillGraph, SpilledAttrs, plain_graph


def _paper(i: int, words: int = 40) -> ExtractedPaper:
    abstract = "We train BERT on SQuAD. " + "More words here. " * words
    paper = Paper(key=f"t:p{i}", title=f"Paper {i}", abstract=abstract, sources=("a.jsonl",), authors=("A. Author", "B. Author"))
    mentions = (Mention(Field.ABSTRACT, 9, 13, "BERT", "Method", "bert", 0.9, "gazetteer"),
                Mention(Field.ABSTRACT, 17, 22, "SQuAD", "Dataset", "squad", 0.9, "gazetteer"))
    return ExtractedPaper(paper, mentions)


def test_attrs_behave_as_a_dict(tmp_path):
    attrs = SpilledAttrs(SpillFile(tmp_path))
    attrs.update(kind="paper", abstract="x" * 500, mentions=(), title="T")
    assert dict(attrs) == {"kind": "paper", "abstract": "x" * 500, "mentions": (), "title": "T"}
    assert set(attrs.in_memory()) == {"kind", "mentions", "title"}  # small values are not worth a trip to disk
    attrs["abstract"] = "short"
    assert attrs.in_memory()["abstract"] == "short" and attrs["abstract"] == "short"
    attrs["abstract"] = "y" * 500
    assert "abstract" not in attrs.in_memory() and attrs.get("abstract") == "y" * 500
    del attrs["abstract"]
    assert "abstract" not in attrs and len(attrs) == 3 and attrs.get("abstract") is None
    with pytest.raises(KeyError):
        del attrs["abstract"]
    assert attrs == {"kind": "paper", "mentions": (), "title": "T"}
    assert pickle.loads(pickle.dumps(attrs)) == {"kind": "paper", "mentions": (), "title": "T"}


def test_only_the_heavy_attributes_spill(tmp_path):
    attrs = SpilledAttrs(SpillFile(tmp_path))
    attrs["label"] = "z" * (10 * MIN_SPILL_BYTES)
    attrs["mentions"] = tuple(range(200))
    assert "label" in attrs.in_memory() and "mentions" not in attrs.in_memory()
    assert SPILLED >= {"abstract", "mentions", "results", "authors"}


def test_the_spill_file_is_never_seen_in_its_folder(tmp_path):
    graph = SpillGraph(directory=tmp_path)
    graph.add_node("p", kind="paper", abstract="a" * 1000)
    assert graph.spill.size > 1000
    assert os.listdir(tmp_path) == []  # created unlinked: gone with the process, even on a kill
    assert graph.nodes["p"]["abstract"] == "a" * 1000


def test_a_built_graph_holds_no_paper_text_in_memory(tmp_path):
    builder = GraphBuilder(spill_dir=tmp_path)
    for i in range(5):
        builder.add(_paper(i))
    graph = builder.build()
    papers = [a for _, a in graph.nodes(data=True) if a["kind"] == "paper"]
    assert len(papers) == 5
    for attrs in papers:
        assert isinstance(attrs, PackedAttrs)
        assert attrs.in_memory() == {"kind": "paper"}  # the rest, title and keys too, is on disk
        assert [m.text for m in attrs["mentions"]] == ["BERT", "SQuAD"]
        assert attrs["authors"] == ("A. Author", "B. Author")


def test_copies_and_pickles_are_plain_graphs_with_every_value(tmp_path):
    builder = GraphBuilder(spill_dir=tmp_path)
    builder.add(_paper(1))
    graph = builder.build()
    for other in (graph.copy(), pickle.loads(pickle.dumps(graph)), plain_graph(graph)):
        assert type(other) is nx.DiGraph
        assert all(type(a) is dict for _, a in other.nodes(data=True))
        assert nx.utils.graphs_equal(graph, other)
    graph.close()


def test_the_same_triples_as_a_plain_graph(tmp_path):
    from kg.rdf.export import graph_triples

    builder = GraphBuilder(spill_dir=tmp_path)
    for i in range(3):
        builder.add(_paper(i))
    graph = builder.build()
    spilled = list(graph_triples(graph, created="2025-01-01"))
    assert spilled == list(graph_triples(plain_graph(graph), created="2025-01-01"))
    assert any("SQuAD" in str(t) for t in spilled)


def test_kg_exports_have_no_blank_nodes(tmp_path):
    """Chunked loading is exact only without blank nodes: kg's own N-Triples have none."""
    from kg.rdf.write import write_rdf

    builder = GraphBuilder(spill_dir=tmp_path)
    builder.add(_paper(1))
    written = write_rdf(builder.build(), tmp_path, ["ntriples"], created="2025-01-01")
    text = written["ntriples"].read_text(encoding="utf-8")
    assert text and not any(line.startswith("_:") or " _:" in line for line in text.splitlines())


def test_verbose_build_says_how_long_each_step_took(tmp_path):
    from kg.build import BuildOptions, build

    corpus = tmp_path / "papers.jsonl"
    corpus.write_text('{"id": "2401.00001", "title": "BERT on SQuAD", "abstract": "We fine-tune BERT on SQuAD and report F1."}\n',
                      encoding="utf-8")
    _, summary = build(BuildOptions(inputs=[corpus], out_dir=tmp_path / "out", fast=True, workers=1))
    assert list(summary.phases) == ["read and extract", "corpus decisions", "rdf", "viewer",
                                    "store (beside rdf and viewer)", "waiting for the store", "change report"]
    assert all(seconds >= 0 for seconds in summary.phases.values())


def test_attrs_keep_their_insertion_order_as_a_dict_does(tmp_path):
    graph, plain = SpillGraph(directory=tmp_path, packed=()), nx.DiGraph()
    for g in (graph, plain):
        g.add_node("p", abstract="a" * 500, kind="paper", mentions=(), title="T")
        g.nodes["p"]["mentions"] = tuple(range(200))  # now spilled: keeps its place
        g.nodes["p"]["abstract"] = "short"  # now in memory: keeps its place
    assert list(graph.nodes["p"]) == list(plain.nodes["p"]) == ["abstract", "kind", "mentions", "title"]
    assert list(graph.nodes["p"].items()) == list(plain.nodes["p"].items())
    assert list(graph.copy().nodes["p"]) == list(plain.nodes["p"])


def test_writes_do_not_depend_on_the_descriptors_offset(tmp_path):
    """A descriptor's offset is shared (a dup, a fork): records are written at their place."""
    spill = SpillFile(tmp_path)
    first = spill.put("a" * 500)
    os.lseek(spill._fd, 0, os.SEEK_SET)
    second = spill.put("b" * 500)
    assert second[0] == first[1] and spill.get(first) == "a" * 500 and spill.get(second) == "b" * 500


def test_a_closed_spill_file_is_never_read_through_a_reused_descriptor(tmp_path):
    graph = SpillGraph(directory=tmp_path)
    graph.add_node("p", kind="paper", abstract="a" * 1000)
    attrs = graph.nodes["p"]
    graph.close()
    graph.close()  # a second close does nothing
    other = tmp_path / "other"
    other.write_bytes(pickle.dumps("b" * 1000) * 2)
    with other.open("rb"):  # likely handed the spill file's old descriptor number
        with pytest.raises(ValueError, match="closed"):
            attrs["abstract"]
        with pytest.raises(ValueError, match="closed"):
            attrs["abstract"] = "c" * 1000
    assert attrs["kind"] == "paper"


def test_a_dropped_graph_closes_its_file_without_a_warning(tmp_path):
    import gc
    import warnings

    gc.collect()  # other tests' garbage first: its warnings are not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = SpillGraph(directory=tmp_path)
        graph.add_node("p", kind="paper", abstract="a" * 1000)
        fd = graph.spill._fd
        del graph
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning) and f"name={fd} " in str(w.message)]
    with pytest.raises(OSError):
        os.fstat(fd)  # closed (unless reused meanwhile, which this test does not do)


def test_threads_read_while_one_writes(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    spill = SpillFile(tmp_path)
    refs = [spill.put(str(i) * 200) for i in range(200)]

    def read(i: int) -> bool:
        return spill.get(refs[i]) == str(i) * 200

    with ThreadPoolExecutor(4) as pool:
        reads = pool.map(read, range(200))
        more = [spill.put(str(-i) * 200) for i in range(200)]
        assert all(reads)
    assert [spill.get(r) for r in more] == [str(-i) * 200 for i in range(200)]


def _rich_paper(i: int) -> ExtractedPaper:
    abstract = f"We train BERT on SQuAD with Adam for QA in study {i}. " + "More words here. " * 40
    names = [("BERT", "Method", "bert"), ("SQuAD", "Dataset", "squad"), ("Adam", "Method", "adam"),
             ("QA", "Task", "qa")]
    mentions = tuple(Mention(Field.ABSTRACT, abstract.index(text), abstract.index(text) + len(text), text, label, key,
                             0.9, "gazetteer") for text, label, key in names)
    paper = Paper(key=f"t:p{i}", title=f"Paper {i}", abstract=abstract, sources=("a.jsonl",),
                  authors=tuple(f"Author Number {n}" for n in range(8)))
    return ExtractedPaper(paper, mentions)


def _counting_reads(monkeypatch) -> list:
    reads: list = []
    get = SpillFile.get
    monkeypatch.setattr(SpillFile, "get", lambda self, ref: reads.append(ref) or get(self, ref))
    return reads


def test_the_viewer_reads_each_spilled_attribute_once_per_paper(tmp_path, monkeypatch):
    from kg.viz.conceptmap import concept_map, evidence
    from kg.viz.model import PAPER, node_payload

    builder = GraphBuilder(spill_dir=tmp_path)
    for i in range(6):
        builder.add(_rich_paper(i))
    graph = builder.build()
    papers = [n for n, a in graph.nodes(data=True) if a["kind"] == "paper"]
    index = {n: i for i, n in enumerate(graph.nodes)}
    expected = {p: plain_graph(graph).nodes[p] for p in papers}
    reads = _counting_reads(monkeypatch)
    for paper in papers:
        attrs = graph.nodes[paper]
        reads.clear()
        attrs.copy()  # every attribute once: the record, then abstract, authors and mentions
        spilled = len(reads)
        assert spilled >= 4
        reads.clear()
        _label, _tip, details = node_payload(paper, attrs, PAPER, graph.degree(paper), index)
        assert len(reads) <= spilled and details["abstract"] == expected[paper]["abstract"]
        assert len(details["marks"]) == 4
    cmap = concept_map(graph, core_min_papers=1)
    reads.clear()
    sentences = evidence(graph, cmap)
    assert len(reads) <= 3 * len(papers)  # a paper's record, mentions and abstract, not its abstract per concept
    assert sum(map(len, sentences)) >= 4


def test_a_full_disk_is_one_output_error(tmp_path, monkeypatch):
    import errno

    from kg.errors import OutputError

    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    graph = SpillGraph(directory=tmp_path)
    graph.add_node("a", kind="paper", abstract="a" * 1000)
    monkeypatch.setattr(os, "pwrite", full)
    with pytest.raises(OutputError, match="No space left on device"):
        graph.add_node("b", kind="paper", abstract="b" * 1000)
    monkeypatch.undo()
    assert graph.nodes["a"]["abstract"] == "a" * 1000
    graph.add_node("c", kind="paper", abstract="c" * 1000)  # the failed record left no gap or overlap
    assert graph.nodes["c"]["abstract"] == "c" * 1000 and graph.nodes["a"]["abstract"] == "a" * 1000
