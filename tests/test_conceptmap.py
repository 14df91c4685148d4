"""The concept map in Python (kg.viz.conceptmap, maplayout, mapdata): counts, association
strength, thinning, communities, layout and evidence, on the dated fixture corpus of
tests/fixtures/viz/map_fixture.py. No browser."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import random
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from kg.viz import write_html
from kg.viz.conceptmap import (
    association_strength,
    communities,
    concept_map,
    cooccurrences,
    evidence,
    join_communities,
    paper_year,
    sentence_around,
    thin_edges,
)
from kg.viz.mapdata import map_payload
from kg.viz.maplayout import map_layout, pack_discs, radius, separate
from kg.viz.model import rank_nodes

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "map_fixture.py"
_spec = importlib.util.spec_from_file_location("kg_viz_map_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture)


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return fixture.map_graph()


@pytest.fixture(scope="module")
def cmap(graph):
    return concept_map(graph)


def _shuffled(graph: nx.DiGraph, seed: int) -> nx.DiGraph:
    """The same graph, its nodes and edges inserted in another order."""
    rng = random.Random(seed)
    nodes, edges = list(graph.nodes(data=True)), list(graph.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    out = nx.DiGraph()
    out.add_nodes_from(nodes)
    out.add_edges_from(edges)
    return out


# ---- the fixture is what the browser tests assume ------------------------------------------------


def test_fixture_has_dates_categories_kinds_aliases_and_broader(graph):
    papers = [a for _, a in graph.nodes(data=True) if a["kind"] == "paper"]
    assert len(papers) == len(fixture.PAPERS)
    assert {paper_year(a) for a in papers} == {2021, 2022, 2023, 2024}
    assert all(a["categories"] for a in papers)
    assert graph.nodes[fixture.KIND]["generic"] is True
    assert not any(graph.nodes[n]["generic"] for members in fixture.TOPICS.values() for n in members)
    assert "GCN" in graph.nodes[fixture.ALIASED]["alt_labels"]
    assert graph.nodes[fixture.NARROWER]["broader"] == (fixture.BROADER,)
    assert {paper_year(graph.nodes[p]) for p in fixture.papers_of(graph, fixture.NEW)} == {2024}
    assert graph.nodes[fixture.HOSTILE]["label"] == fixture.HOSTILE_CONCEPT
    assert graph.nodes["paper:g5"]["title"] == fixture.HOSTILE_TITLE


# ---- counts and association strength --------------------------------------------------------------


def test_concepts_are_counted_by_their_papers(graph, cmap):
    assert [c.node for c in cmap.concepts] == sorted(
        (n for n, a in graph.nodes(data=True) if a["kind"] == "concept"),
        key=lambda n: (-len(fixture.papers_of(graph, n)), graph.nodes[n]["label"].casefold(), n))
    for c in cmap.concepts:
        papers = fixture.papers_of(graph, c.node)
        assert c.papers == len(papers)
        assert dict(c.years) == Counter(fixture.paper_year(graph, p) for p in papers)
        assert c.kind == (c.node == fixture.KIND)
        assert c.label == graph.nodes[c.node]["label"]
    assert cmap.paper_years == tuple(fixture.paper_year(graph, p) for p in cmap.papers)


def test_paper_year():
    assert paper_year({"issued": "2024-05-01"}) == 2024
    assert paper_year({"issued": "1999"}) == 1999
    assert paper_year({"issued": "May 2024"}) is None
    assert paper_year({"issued": None}) is None


def test_association_strength_is_observed_over_expected():
    assert association_strength(10, 20, 50, 1000) == pytest.approx(1000 * 10 / (20 * 50))
    assert association_strength(2, 4, 5, 10) == association_strength(2, 5, 4, 10)  # symmetric
    assert association_strength(2, 4, 5, 10) == pytest.approx(1.0)  # independent: 4/10 * 5/10 * 10 = 2 together
    hub, rare = association_strength(5, 50, 5, 100), association_strength(5, 10, 5, 100)
    assert rare > hub  # the same co-occurrence with a big hub counts for less


def test_cooccurrences_count_papers_using_both(graph, cmap):
    counts = cooccurrences(cmap.paper_concepts)
    for (i, j), together in counts.items():
        assert i < j
        a, b = cmap.concepts[i].node, cmap.concepts[j].node
        assert together == len(set(fixture.papers_of(graph, a)) & set(fixture.papers_of(graph, b)))
    assert cooccurrences([[2, 1, 1], [1, 2]]) == Counter({(1, 2): 2})  # duplicates and order do not matter


def test_map_edges_carry_counts_strength_and_years(graph, cmap):
    total = sum(1 for cs in cmap.paper_concepts if cs)
    assert total == len(fixture.PAPERS)
    for e in cmap.edges:
        assert e.source < e.target
        a, b = cmap.concepts[e.source], cmap.concepts[e.target]
        both = set(fixture.papers_of(graph, a.node)) & set(fixture.papers_of(graph, b.node))
        assert e.count == len(both)
        assert e.strength == pytest.approx(total * len(both) / (a.papers * b.papers), abs=1e-4)
        assert dict(e.years) == Counter(fixture.paper_year(graph, p) for p in both)
    assert list(cmap.edges) == sorted(cmap.edges, key=lambda e: (e.source, e.target))


# ---- thinning --------------------------------------------------------------------------------------


def _random_pairs(seed: int, n: int = 14, papers: int = 60):
    rng = random.Random(seed)
    paper_concepts = [rng.sample(range(n), rng.randint(1, 5)) for _ in range(papers)]
    pairs = cooccurrences(paper_concepts)
    counts = [sum(1 for cs in paper_concepts if i in cs) for i in range(n)]
    return pairs, counts, papers


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("per_node", [1, 2, 4])
def test_thinning_keeps_each_nodes_strongest(seed, per_node):
    pairs, counts, total = _random_pairs(seed)
    kept = thin_edges(pairs, counts, total, per_node=per_node)
    kept_pairs = {(i, j) for i, j, _, _ in kept}
    assert [(i, j) for i, j, _, _ in kept] == sorted(kept_pairs)
    strength = {pair: association_strength(c, counts[pair[0]], counts[pair[1]], total) for pair, c in pairs.items()}
    for node in range(len(counts)):
        mine = sorted(((-strength[p], -pairs[p], p[0] + p[1] - node) for p in pairs if node in p))
        for _s, _c, other in mine[:per_node]:  # its strongest are kept
            assert (min(node, other), max(node, other)) in kept_pairs
    for i, j in kept_pairs:  # and every kept edge is among the strongest of one of its ends
        ranks = []
        for node in (i, j):
            mine = sorted(((-strength[p], -pairs[p], p[0] + p[1] - node) for p in pairs if node in p))
            ranks.append([o for _s, _c, o in mine].index(j if node == i else i))
        assert min(ranks) < per_node
    for i, j, count, s in kept:
        assert count == pairs[i, j] and s == round(strength[i, j], 4)


def test_thinning_respects_min_count():
    pairs = Counter({(0, 1): 3, (0, 2): 1, (1, 2): 2})
    kept = thin_edges(pairs, [5, 4, 3], 10, per_node=5, min_count=2)
    assert [(i, j) for i, j, _, _ in kept] == [(0, 1), (1, 2)]
    assert thin_edges(pairs, [5, 4, 3], 10, per_node=5, min_count=4) == []


def test_map_thinning_keeps_named_concepts_linked(cmap):
    """Each named concept keeps its strongest named neighbour, whatever the kinds do."""
    pairs = cooccurrences(cmap.paper_concepts)
    edges = {(e.source, e.target) for e in cmap.edges}
    total = len(cmap.papers)
    for i, c in enumerate(cmap.concepts):
        if c.kind:
            continue
        named = [(association_strength(n, cmap.concepts[a].papers, cmap.concepts[b].papers, total), n, (a, b))
                 for (a, b), n in pairs.items() if i in (a, b) and not cmap.concepts[a].kind and not cmap.concepts[b].kind]
        if named:
            assert max(named)[2] in edges, c.label


# ---- communities -----------------------------------------------------------------------------------


def test_communities_are_the_topics(cmap):
    index = {c.node: i for i, c in enumerate(cmap.concepts)}
    found = {topic: {cmap.concepts[index[n]].community for n in members} for topic, members in fixture.TOPICS.items()}
    assert all(len(groups) == 1 for groups in found.values()), found
    assert len({g for groups in found.values() for g in groups}) == len(fixture.TOPICS)
    assert [c.size for c in cmap.communities] == sorted((len(m) for m in fixture.TOPICS.values()), reverse=True)
    for g, com in enumerate(cmap.communities):
        members = [i for i, c in enumerate(cmap.concepts) if c.community == g and c.core]
        assert com.top == tuple(sorted(members, key=lambda i: (-cmap.concepts[i].papers, i))[:3])
    assert len({c.color for c in cmap.communities}) == len(cmap.communities)
    kind = cmap.concepts[index[fixture.KIND]]
    assert not kind.core and kind.community >= 0  # a kind joins its strongest neighbour's community


def test_communities_do_not_depend_on_edge_order():
    edges = [(0, 1, 3.0), (1, 2, 2.5), (0, 2, 2.0), (3, 4, 3.0), (4, 5, 2.0), (3, 5, 1.5), (2, 3, 0.2), (6, 7, 1.0)]
    want = communities(9, edges)
    for seed in range(6):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        assert communities(9, shuffled) == want
    assert want[:2] == [[0, 1, 2], [3, 4, 5]]
    assert [8] in want  # isolated: its own community
    assert [len(c) for c in want] == sorted((len(c) for c in want), reverse=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_concept_map_does_not_depend_on_insertion_order(graph, cmap, seed):
    assert concept_map(_shuffled(graph, seed)) == cmap
    assert concept_map(fixture.map_graph(order=-1)) == cmap


def test_a_bigger_noisy_map_is_deterministic():
    """200 Zipf-popular concepts with no clean topics: Louvain's ties and the layout's
    spring start would show any unseeded randomness."""
    from kg.viz.bench import synthetic_graph

    graph = synthetic_graph(800, seed=3)
    first = concept_map(graph)
    assert len(first.communities) >= 5
    assert concept_map(graph) == first
    assert concept_map(_shuffled(graph, 5)) == first


def test_join_communities():
    groups = [0, -1, -1, 1, -1]
    edges = [(0, 1, 1, 2.0), (1, 3, 1, 5.0), (1, 2, 1, 1.0)]
    join_communities(groups, edges, order=[2, 1, 4])  # 2 waits a round for 1
    assert groups == [0, 1, 1, 1, -1]  # 1 joins its strongest neighbour's; 4 has none
    chain = [0, -1, -1, -1, -1]
    join_communities(chain, [(0, 1, 1, 1.0), (1, 2, 1, 1.0), (2, 3, 1, 1.0), (3, 4, 1, 1.0)], order=[4, 3, 2, 1], rounds=2)
    assert chain == [0, 0, 0, -1, -1]  # one step along the chain per round


# ---- layout ----------------------------------------------------------------------------------------


def _distance(a, b) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def test_layout_keeps_communities_together(cmap):
    named = [c for c in cmap.concepts if c.core]
    inside = [_distance(a, b) for a, b in itertools.combinations(named, 2) if a.community == b.community]
    between = [_distance(a, b) for a, b in itertools.combinations(named, 2) if a.community != b.community]
    assert sum(inside) / len(inside) < 0.5 * sum(between) / len(between)
    centre = {g: (sum(c.x for c in named if c.community == g) / sum(1 for c in named if c.community == g),
                  sum(c.y for c in named if c.community == g) / sum(1 for c in named if c.community == g))
              for g in range(len(cmap.communities))}
    for c in named:  # each member is nearer its own community's centre than any other's
        own = math.dist((c.x, c.y), centre[c.community])
        assert all(own < math.dist((c.x, c.y), centre[g]) for g in centre if g != c.community), c.label


def test_layout_leaves_no_disc_on_another(cmap):
    for a, b in itertools.combinations(cmap.concepts, 2):
        assert _distance(a, b) >= radius(a.papers) + radius(b.papers) - 0.2, (a.label, b.label)


def test_layout_separates_a_dense_community():
    papers = [1 + (i * 7) % 23 for i in range(40)]
    edges = [(i, j, 1.0 + ((i + j) % 5)) for i, j in itertools.combinations(range(40), 2)]
    pos = map_layout(40, edges, [list(range(40))], papers, seed=0)
    for i, j in itertools.combinations(range(40), 2):
        assert math.dist(pos[i], pos[j]) >= radius(papers[i]) + radius(papers[j]) - 0.2, (i, j)


def test_concepts_outside_the_core_overlap_nothing():
    """Kinds and one-paper concepts placed around their anchors (or on the outer ring) take
    free spots: a small disc under a big one could never be clicked."""
    rng = random.Random(4)
    core = list(range(20))
    papers = [rng.randint(5, 150) for _ in core] + [rng.choice([1, 1, 1, 2, 40, 120]) for _ in range(220)]
    edges = [(i, j, rng.random() + 0.5) for i, j in itertools.combinations(core, 2) if rng.random() < 0.3]
    edges += [(rng.choice(core[:4]), i, rng.random() * 4) for i in range(20, 200)]  # crowding a few anchors
    edges += [(i, i + 1, 1.0) for i in range(200, 240, 2)]  # pairs with no placed neighbour: the ring
    pos = map_layout(240, edges, [core[:10], core[10:]], papers, seed=0)
    for i, j in itertools.combinations(range(240), 2):
        assert math.dist(pos[i], pos[j]) >= radius(papers[i]) + radius(papers[j]) - 0.2, (i, j)


def test_concepts_outside_the_core_sit_by_their_strongest_neighbour(cmap):
    kind = next(c for c in cmap.concepts if c.node == fixture.KIND)
    i = cmap.concepts.index(kind)
    strongest = max((e for e in cmap.edges if i in (e.source, e.target)), key=lambda e: (e.strength, -min(e.source, e.target)))
    anchor = cmap.concepts[strongest.target if strongest.source == i else strongest.source]
    gap = _distance(kind, anchor) - radius(kind.papers) - radius(anchor.papers)
    assert gap < 4 * (radius(kind.papers) + 6.0)  # beside it (a few turns of its spiral), not on a ring outside


def test_layout_is_deterministic_and_seeded(cmap):
    n = len(cmap.concepts)
    edges = [(e.source, e.target, e.strength) for e in cmap.edges]
    groups = [[i for i, c in enumerate(cmap.concepts) if c.community == g and c.core] for g in range(len(cmap.communities))]
    papers = [c.papers for c in cmap.concepts]
    first = map_layout(n, edges, groups, papers, seed=0)
    assert map_layout(n, edges, groups, papers, seed=0) == first
    assert map_layout(n, list(reversed(edges)), [list(reversed(g)) for g in groups], papers, seed=0) == first
    assert map_layout(n, edges, groups, papers, seed=1) != first
    assert first == [(c.x, c.y) for c in cmap.concepts]


def test_separate_and_pack_discs():
    import numpy as np

    xy = separate(np.zeros((4, 2)), np.array([5.0, 5.0, 10.0, 3.0]), iterations=200, gap=2.0)
    for i, j in itertools.combinations(range(4), 2):  # coincident centres pushed apart
        assert math.dist(xy[i], xy[j]) >= [5, 5, 10, 3][i] + [5, 5, 10, 3][j] + 2.0 - 0.5
    centres = pack_discs(np.zeros((3, 2)), np.array([30.0, 20.0, 10.0]), gap=4.0)
    assert tuple(centres[0]) == (0.0, 0.0)
    for i, j in itertools.combinations(range(3), 2):
        assert math.dist(centres[i], centres[j]) >= [30, 20, 10][i] + [30, 20, 10][j] + 4.0


# ---- evidence ------------------------------------------------------------------------------------


def test_sentence_around():
    text = "We train it. ResNet-50 wins on ImageNet. Done."
    assert sentence_around(text, 13, 22) == ("ResNet-50 wins on ImageNet.", 0, 9)
    assert sentence_around(text, 0, 2) == ("We train it.", 0, 2)
    assert sentence_around(text, 41, 45) == ("Done.", 0, 4)
    long = "Intro. " + "word " * 100 + "ResNet here " + "word " * 100 + "end. Next."
    start = long.index("ResNet")
    sentence, s, e = sentence_around(long, start, start + 6, limit=80)
    assert sentence[s:e] == "ResNet"
    assert sentence.startswith("\u2026") and sentence.endswith("\u2026") and len(sentence) <= 82


def test_evidence_sentences_mark_their_concept(graph, cmap):
    rows = evidence(graph, cmap, per_concept=2)
    assert len(rows) == len(cmap.concepts)
    for c, found in zip(cmap.concepts, rows):
        assert 1 <= len(found) <= 2
        assert len({p for p, *_ in found}) == len(found)  # different papers
        forms = {graph.nodes[c.node]["label"], *graph.nodes[c.node]["alt_labels"]}
        for p, sentence, start, end in found:
            assert c.node in graph.successors(cmap.papers[p])
            assert sentence[start:end] in forms
            assert sentence in graph.nodes[cmap.papers[p]]["abstract"] or sentence in graph.nodes[cmap.papers[p]]["title"]


def test_payload_offsets_are_utf16_and_text_stays_raw(graph, cmap):
    builder_graph = fixture.map_graph()
    extra = fixture.extracted("astral", "2024-03-03", ("cs.CV",), "Astral",
                              ["On the \U0001d49f-split we test ResNet-50 on ImageNet."])
    from kg.graph import GraphBuilder

    builder = GraphBuilder()
    builder.add(extra)
    small = builder.build()
    small_map = concept_map(small)
    order = rank_nodes(small, 400)
    payload = map_payload(small, small_map, {n: i for i, n in enumerate(order)})
    c = [x.node for x in small_map.concepts].index(fixture.NARROWER)
    (row,) = payload["concepts"]["evidence"][c]
    sentence16 = row[1].encode("utf-16-le")
    assert sentence16[2 * row[2]:2 * row[3]].decode("utf-16-le") == "ResNet-50"
    assert payload["years"] == [2024, 2024] and payload["categories"] == ["cs.CV"]
    # the fixture's payload keeps hostile text as text (escaping is script_json's job)
    full = map_payload(builder_graph, cmap, {n: i for i, n in enumerate(rank_nodes(builder_graph, 400))})
    hostile = [x.node for x in cmap.concepts].index(fixture.HOSTILE)
    assert any(fixture.HOSTILE_CONCEPT in r[1] for r in full["concepts"]["evidence"][hostile])
    assert full["categories"] == sorted({c for _, a in graph.nodes(data=True) if a["kind"] == "paper" for c in a["categories"]})
    assert full["years"] == [2021, 2024]
    assert full["defaults"]["minPapers"] == min(x.papers for x in cmap.concepts if x.core)
    assert full["concepts"]["broader"][[x.node for x in cmap.concepts].index(fixture.NARROWER)] == \
        [x.node for x in cmap.concepts].index(fixture.BROADER)
    assert json.loads(json.dumps(full)) == full


# ---- the page --------------------------------------------------------------------------------------


def test_same_graph_same_page_bytes(tmp_path):
    a, b, c = tmp_path / "a.html", tmp_path / "b.html", tmp_path / "c.html"
    write_html(fixture.map_graph(), a, title="map")
    write_html(fixture.map_graph(order=-1), b, title="map")
    write_html(_shuffled(fixture.map_graph(), 7), c, title="map")
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert "<script>window.__xss" not in text and "<b>\"Q&A\"" not in text  # hostile text only as escaped JSON
