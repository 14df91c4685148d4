"""A SpillGraph packs papers' attributes and links (kg.spill, kg.adjacency): whatever is done
to it, it must read exactly as a plain networkx DiGraph that had the same done to it."""

from __future__ import annotations

import pickle
import random

import networkx as nx
import pytest

from kg.adjacency import NO_PREDECESSORS, LinkAttrs, PackedLinks, Predecessors, RelationCodes, pack_link
from kg.spill import PackedAttrs, SpillGraph

RELATIONS = ("usesMethod", "proposesMethod", "usesDataset", "reportsMetric", "addressesTask", "hasCode")


def _state(g: nx.DiGraph):
    """Everything networkx lets a reader see, in order."""
    return (
        [(n, dict(a)) for n, a in g.nodes(data=True)],
        [(u, v, dict(d)) for u, v, d in g.edges(data=True)],
        {n: [(u, dict(d)) for u, _, d in g.in_edges(n, data=True)] for n in g},
        {n: list(g.predecessors(n)) for n in g},
        dict(g.degree()), dict(g.in_degree()), dict(g.out_degree()),
    )


def _random_ops(seed: int, steps: int = 400):
    rng = random.Random(seed)
    papers = [f"paper:t:p{i}" for i in range(25)]
    concepts = [f"concept:Method:m{i}" for i in range(12)]
    for _ in range(steps):
        op = rng.random()
        if op < 0.15:
            p = rng.choice(papers)
            yield "add_node", (p,), {"kind": "paper", "title": f"T {p}", "abstract": "x" * rng.randrange(1, 400),
                                     "issued": rng.choice([None, "2024-01-02"])}
        elif op < 0.25:
            c = rng.choice(concepts)
            yield "add_node", (c,), {"kind": "concept", "ctype": "Method", "key": c[-3:]}
        elif op < 0.55:
            attrs = {"relation": rng.choice(RELATIONS), "count": rng.randrange(1, 5), "confidence": rng.random()}
            if rng.random() < 0.1:  # attributes that do not pack: kept as they are
                attrs = rng.choice([{"relation": "usesMethod"}, {**attrs, "confidence": 1}, {**attrs, "note": "n"}])
            yield "add_edge", (rng.choice(papers), rng.choice(concepts)), attrs
        elif op < 0.6:
            yield "add_edge", (rng.choice(concepts), rng.choice(concepts)), {"relation": "broader"}
        elif op < 0.75:
            yield "remove_edge", (), {}
        elif op < 0.8:
            yield "remove_node", (rng.choice(papers + concepts),), {}
        elif op < 0.95:
            yield "set_edge", (rng.choice(["count", "confidence", "relation", "extra"]), rng.randrange(10)), {}
        else:
            yield "set_node", (rng.choice(["title", "mentions", "sources"]), "v" * rng.randrange(1, 300)), {}


def _apply(g: nx.DiGraph, ops, rng: random.Random) -> None:
    for name, args, attrs in ops:
        if name in ("add_node", "add_edge"):
            getattr(g, name)(*args, **attrs)
        elif name == "remove_edge" and g.number_of_edges():
            g.remove_edge(*sorted(g.edges)[rng.randrange(g.number_of_edges())])
        elif name == "remove_node" and args[0] in g:
            g.remove_node(args[0])
        elif name == "set_edge" and g.number_of_edges():
            u, v = sorted(g.edges)[rng.randrange(g.number_of_edges())]
            key, value = args
            g.edges[u, v][key] = {"count": value, "confidence": value / 10, "relation": RELATIONS[value % 6]}.get(key, value)
        elif name == "set_node" and g.number_of_nodes():
            node = sorted(g.nodes)[rng.randrange(g.number_of_nodes())]
            g.nodes[node][args[0]] = args[1]


@pytest.mark.parametrize("seed", range(12))
def test_a_spill_graph_reads_as_a_plain_graph_after_any_changes(tmp_path, seed):
    spilled, plain = SpillGraph(directory=tmp_path), nx.DiGraph()
    ops = list(_random_ops(seed))
    _apply(spilled, ops, random.Random(seed))
    _apply(plain, ops, random.Random(seed))
    assert _state(spilled) == _state(plain)
    assert nx.utils.graphs_equal(spilled, plain)
    for copy in (spilled.copy(), pickle.loads(pickle.dumps(spilled))):  # in-links in the copy's order, as networkx's
        assert type(copy) is nx.DiGraph and _state(copy) == _state(plain.copy())


def test_papers_are_packed_and_other_nodes_are_not(tmp_path):
    g = SpillGraph(directory=tmp_path)
    g.add_node("paper:a", kind="paper", title="A")
    g.add_node("concept:Method:x", kind="concept", ctype="Method")
    g.add_edge("paper:a", "concept:Method:x", relation="usesMethod", count=2, confidence=0.75)
    assert isinstance(g.nodes["paper:a"], PackedAttrs) and isinstance(g.succ["paper:a"]._atlas, PackedLinks)
    assert g.pred["paper:a"]._atlas is NO_PREDECESSORS
    assert isinstance(g.pred["concept:Method:x"]._atlas, Predecessors)
    assert len(g.succ["paper:a"]._atlas.packed_bytes()) == 13
    view = g.edges["paper:a", "concept:Method:x"]
    assert isinstance(view, LinkAttrs) and view is not g.edges["paper:a", "concept:Method:x"]
    assert g.pred["concept:Method:x"]["paper:a"] == {"relation": "usesMethod", "count": 2, "confidence": 0.75}


def test_a_link_view_does_not_outlive_its_link(tmp_path):
    g = SpillGraph(directory=tmp_path)
    g.add_node("paper:a", kind="paper")
    g.add_edge("paper:a", "c", relation="usesMethod", count=1, confidence=0.5)
    view, copy = g.edges["paper:a", "c"], dict(g.edges["paper:a", "c"])
    g.remove_edge("paper:a", "c")
    assert copy["count"] == 1
    with pytest.raises(ValueError, match="copy its attributes"):
        view.get("count")  # not a silent None


def test_links_that_do_not_pack_are_kept_as_given():
    codes = RelationCodes()
    links = PackedLinks(codes)
    links["a"] = {"relation": "usesMethod", "count": 1, "confidence": 1}  # an int confidence stays an int
    links["b"] = {"relation": "usesMethod", "count": 2**40, "confidence": 0.5}
    assert type(links["a"]["confidence"]) is int and links["b"]["count"] == 2**40
    links["a"]["confidence"] = 0.25  # now it packs
    assert links.copy() == {"a": {"relation": "usesMethod", "count": 1, "confidence": 0.25},
                            "b": {"relation": "usesMethod", "count": 2**40, "confidence": 0.5}}
    for i in range(300):  # more relation names than a byte holds: the rest stay unpacked
        links[f"r{i}"] = {"relation": f"rel{i}", "count": 1, "confidence": 0.5}
    assert links[f"r{299}"]["relation"] == "rel299" and len(codes.names) == 255
    assert pack_link(codes, {"relation": "rel299", "count": 1, "confidence": 0.5}) is None


def test_a_packed_papers_attributes_are_one_record_on_disk(tmp_path):
    g = SpillGraph(directory=tmp_path)
    g.add_node("paper:a", kind="paper", title="A title", abstract="words " * 100, issued="2024-01-01")
    attrs = g.nodes["paper:a"]
    before = g.spill.size
    attrs.update(title="B", url="https://x.org")  # one record written for both
    assert attrs["title"] == "B" and attrs["abstract"] == "words " * 100
    assert list(attrs) == ["kind", "title", "abstract", "issued", "url"]
    assert g.spill.size - before < 200
    with pytest.raises(KeyError):
        del attrs["kind"]
    del attrs["url"]
    assert "url" not in attrs and attrs.get("url", 1) == 1
