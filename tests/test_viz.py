"""The HTML viewer without a browser: self-contained, deterministic, escaped, capped."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from kg.viz import ViewerStats, write_html
from kg.viz.bench import synthetic_graph
from kg.viz.model import node_type, paper_marks, rank_nodes, script_json

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "graph_fixture.py"
_spec = importlib.util.spec_from_file_location("kg_viz_graph_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture)

XSS_RAW = ("<script>window.__xss", "<img src=x onerror", "</script><script>")


class _Page(HTMLParser):
    """Tags with their attributes, and the text of every <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return fixture.fixture_graph()


@pytest.fixture(scope="module")
def page(graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("viz") / "graph.html"
    stats = write_html(graph, path, title="Test <graph>", max_nodes=40)
    text = path.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(text)
    return path, stats, text, parser


def payload(parser: _Page) -> dict:
    (data,) = [text for attrs, text in parser.scripts if attrs.get("type") == "application/json"]
    return json.loads(data)


def test_fixture_graph_shape(graph):
    kinds = [a["kind"] for _, a in graph.nodes(data=True)]
    assert kinds.count("paper") == 31
    assert {"concept", "repository"} <= set(kinds)


def test_file_is_self_contained(page):
    path, _stats, text, parser = page
    for tag, attrs in parser.tags:
        assert "src" not in attrs, (tag, attrs)
        if tag == "link":
            pytest.fail(f"external stylesheet or resource: {attrs}")
        for name in ("src", "href", "action", "data"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, attrs)
    assert not re.search(r"<script[^>]*\ssrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref\s*=", text, re.IGNORECASE)
    assert "@import" not in text
    code = [t for attrs, t in parser.scripts if "type" not in attrs]
    assert len(code) == 3 and "DataSet" in code[0] and "KgMap" in code[1] and "kgViewer" in code[2]  # vis-network, the map, the viewer
    assert path.stat().st_size > 400_000  # vis-network itself is inlined


def test_content_security_policy_allows_only_our_scripts(page):
    _path, _stats, _text, parser = page
    (csp,) = [a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    code = [t for attrs, t in parser.scripts if "type" not in attrs]
    assert {base64.b64encode(hashlib.sha256(c.encode()).digest()).decode() for c in code} == allowed
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp


def test_output_is_deterministic(graph, tmp_path):
    a = write_html(graph, tmp_path / "a.html", title="kg")
    b = write_html(graph, tmp_path / "b.html", title="kg")
    shuffled = nx.DiGraph()  # same graph, nodes and edges inserted in another order
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(graph.edges(data=True))))
    c = write_html(shuffled, tmp_path / "c.html", title="kg")
    assert a == b == c
    data = (tmp_path / "a.html").read_bytes()
    assert data == (tmp_path / "b.html").read_bytes() == (tmp_path / "c.html").read_bytes()
    write_html(graph, tmp_path / "d.html", title="kg", seed=1)
    assert (tmp_path / "d.html").read_bytes() != data  # the seed moves the layout


def test_untrusted_text_is_escaped(graph, tmp_path):
    path = tmp_path / "x.html"
    write_html(graph, path, title="</title><script>window.__xss=1</script>")
    text = path.read_text(encoding="utf-8")
    for raw in XSS_RAW:
        assert raw not in text
    assert "\u2028" not in text and "\u2029" not in text
    parser = _Page()
    parser.feed(text)
    data_block = [t for attrs, t in parser.scripts if attrs.get("type") == "application/json"][0]
    assert not set("<>&") & set(data_block)
    assert "&lt;/title&gt;&lt;script&gt;" in text  # the page title, HTML-escaped
    nodes = {n["key"]: n for n in payload(parser)["nodes"]}
    xss = nodes["paper:xss"]  # the text survives the round trip unchanged
    assert xss["name"] == fixture.XSS_TITLE
    assert xss["abstract"].startswith(fixture.XSS_ABSTRACT)
    assert nodes["repo:" + fixture.XSS_REPOSITORY].get("url") is None  # never a javascript: link
    assert nodes["paper:attention"]["url"] == "https://arxiv.org/abs/attention"


def test_script_json_escapes():
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_cap_and_stats(graph, page):
    path, stats, text, parser = page
    total = graph.number_of_nodes()
    order = rank_nodes(graph, 40)
    drawn = set(order[:40])
    assert stats == ViewerStats(total, 40, sum(1 for u, v in graph.edges if u in drawn and v in drawn), path.stat().st_size)
    assert f"Showing 40 of {total} nodes ({total - 40} hidden" in text
    data = payload(parser)
    assert data["meta"]["cap"] == 40 and data["meta"]["total"] == total
    assert [n["key"] for n in data["nodes"]] == [str(n) for n in order]  # ids are drawing ranks
    assert all("id" not in n and "label" not in n for n in data["nodes"])  # ids are positions; labels come from names
    degree = dict(graph.degree())
    hubs = sorted((n for n in graph if graph.nodes[n]["kind"] != "paper"), key=lambda n: (-degree[n], n))
    assert order[0] == hubs[0]  # the most connected concept comes first ...
    assert graph.has_edge(order[1], order[0])  # ... followed by its papers
    assert all(n["x"] is not None and n["y"] is not None for n in data["nodes"])
    assert [n["deg"] for n in data["nodes"]] == [degree[n] for n in order]  # the page sizes nodes by degree
    assert {n["group"] for n in data["nodes"]} == {"paper", "Method", "Dataset", "Metric", "Task", "repository"}
    assert data["options"]["physics"] == {"enabled": False}
    pairs = list(zip(data["edges"]["from"], data["edges"]["to"]))
    assert pairs == sorted(pairs) and len(pairs) == graph.number_of_edges()


def test_no_cap_when_graph_is_small(graph, tmp_path):
    stats = write_html(graph, tmp_path / "all.html")
    assert (stats.nodes_total, stats.nodes_drawn, stats.edges_drawn) == (73, 73, graph.number_of_edges())
    assert write_html(graph, tmp_path / "none.html", max_nodes=0).nodes_drawn == 0
    with pytest.raises(ValueError):
        write_html(graph, tmp_path / "bad.html", max_nodes=-1)


def test_empty_and_odd_graphs(tmp_path):
    assert write_html(nx.DiGraph(), tmp_path / "empty.html").nodes_drawn == 0
    odd = nx.DiGraph()
    odd.add_node(1)  # no attributes at all
    odd.add_node("paper:p", kind="paper", title="T \ud800 x", abstract=None, issued=20200101, mentions=())
    odd.add_edge("paper:p", 1)
    stats = write_html(odd, tmp_path / "odd.html")
    assert (stats.nodes_total, stats.edges_drawn) == (2, 1)
    nodes = payload(_feed((tmp_path / "odd.html").read_text(encoding="utf-8")))["nodes"]
    assert {n["group"] for n in nodes} == {"paper", "other"}
    assert [n["issued"] for n in nodes if n["group"] == "paper"] == ["20200101"]


def _feed(text: str) -> _Page:
    parser = _Page()
    parser.feed(text)
    return parser


def test_mentions_become_utf16_marks(graph):
    index = {n: i for i, n in enumerate(rank_nodes(graph, 400))}
    for node, attrs in graph.nodes(data=True):
        if node_type(attrs) != "paper":
            continue
        for field, start, end, mtype, target in paper_marks(attrs, index):
            text = attrs[("title", "abstract")[field]].encode("utf-16-le")
            surface = text[2 * start : 2 * end].decode("utf-16-le")
            assert surface.strip() == surface and surface
            assert mtype in {"Method", "Dataset", "Metric", "Task", "repository"}
            assert target >= 0
    astral = graph.nodes["paper:study-03"]
    marks = paper_marks(astral, index)
    abstract16 = astral["abstract"].encode("utf-16-le")
    assert "ResNet" in [abstract16[2 * s : 2 * e].decode("utf-16-le") for f, s, e, *_ in marks if f == 1]


def test_write_is_atomic(graph, tmp_path, monkeypatch):
    path = tmp_path / "out.html"
    path.write_text("old")

    def broken(_fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        write_html(graph, path)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.html"]  # no temporary file left behind
    monkeypatch.undo()
    stats = write_html(graph, path)
    assert path.stat().st_size == stats.bytes and os.listdir(tmp_path) == ["out.html"]


def test_large_graph_is_laid_out_quickly(tmp_path):
    graph = synthetic_graph(2_000, seed=3)
    assert graph.number_of_nodes() == 2_000
    stats = write_html(graph, tmp_path / "big.html", max_nodes=300)
    assert (stats.nodes_total, stats.nodes_drawn) == (2_000, 300)
    parser = _Page()
    parser.feed((tmp_path / "big.html").read_text(encoding="utf-8"))
    positions = {(n["x"], n["y"]) for n in payload(parser)["nodes"]}
    assert len(positions) > 1_900  # hidden nodes have their own places too


def test_generic_concepts_rank_after_named_ones() -> None:
    graph = nx.DiGraph()
    for i in range(3):
        graph.add_node(f"p{i}", kind="paper", title=f"P{i}")
        graph.add_edge(f"p{i}", "data")
    graph.add_edge("p0", "cifar")
    graph.add_node("data", kind="concept", ctype="Dataset", key="training-data", label="training data", generic=True)
    graph.add_node("cifar", kind="concept", ctype="Dataset", key="cifar-10", label="CIFAR-10", generic=False)
    order = rank_nodes(graph, 10)
    assert order.index("cifar") < order.index("data")  # though "training data" has more papers


_rspec = importlib.util.spec_from_file_location("kg_viz_results_fixture", FIXTURE.with_name("results_fixture.py"))
results_fixture = importlib.util.module_from_spec(_rspec)
_rspec.loader.exec_module(results_fixture)


def test_result_order_reads_like_a_leaderboard() -> None:
    from decimal import Decimal

    from kg.viz.model import result_order

    rows = [
        ("FID", True, "AbsoluteResult", None, Decimal("3.2"), 0),
        ("accuracy", False, "Improvement", "%", Decimal("2"), 1),
        (None, None, "AbsoluteResult", "%", Decimal("99"), 2),
        ("accuracy", False, "AbsoluteResult", "%", Decimal("91.1"), 3),
        ("FID", True, "AbsoluteResult", None, Decimal("2.9"), 4),
        ("Accuracy", False, "AbsoluteResult", "%", Decimal("92.5"), 5),
        ("accuracy", None, "EfficiencyResult", "x", Decimal("5"), 6),
    ]
    ordered = [r[5] for r in sorted(rows, key=lambda r: result_order(*r))]
    assert ordered == [5, 3, 1, 6, 4, 0, 2]  # metric, score before gain, best first (FID: lowest), no metric last


def test_results_reach_the_page_data() -> None:
    from kg.viz.model import dataset_results, node_payload, paper_results

    graph = results_fixture.results_graph()
    order = rank_nodes(graph, 100)
    index = {n: i for i, n in enumerate(order)}
    name = lambda i: graph.nodes[order[i]].get("label") or graph.nodes[order[i]].get("title")  # noqa: E731

    attrs = graph.nodes["paper:res-a"]
    marks = [m for m in paper_marks(attrs, index) if m[3] == "result"]
    assert [attrs["abstract"][m[1]:m[2]] for m in marks] == ["91.1%", "2%"]
    rows = paper_results(attrs, index)
    assert [r[3] for r in rows] == ["91.1%", "2%"]
    assert [(r[4], r[5], r[6]) for r in rows] == [("91.1", "%", "AbsoluteResult"), ("2", "%", "Improvement")]
    assert [name(i) for i in rows[0][7:]] == ["accuracy", "ImageNet", "ResNet"]

    on_imagenet = dataset_results(graph, index)["concept:Dataset:imagenet"]
    assert [r[3] for r in on_imagenet] == ["92.5%", "91.1%", "2%", "2.9", "3.2"]  # FID: lower is better
    assert [order[r[0]] for r in on_imagenet][:2] == ["paper:res-b", "paper:res-a"]

    kind = results_fixture.KIND
    _, tooltip, details = node_payload(kind, graph.nodes[kind], "Dataset", 1, index)
    assert details["isKind"] is True and "a kind" in tooltip
    _, _, named = node_payload("concept:Dataset:imagenet", graph.nodes["concept:Dataset:imagenet"], "Dataset", 4, index)
    assert "isKind" not in named


def test_results_page_keeps_hostile_labels_escaped(tmp_path):
    graph = results_fixture.results_graph()
    write_html(graph, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert results_fixture.HOSTILE_DATASET not in text
    parser = _feed(text)
    data = payload(parser)
    hostile = [n for n in data["nodes"] if n["key"] == "concept:Dataset:hostile"]
    assert hostile[0]["name"] == results_fixture.HOSTILE_DATASET  # the text survives, as JSON-escaped text
