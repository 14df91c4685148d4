"""The bundled corpus, end to end: facts a reader can check in kg/data/seeds/*.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import BuildOptions, build
from kg.rdf.query import run_query, solutions_table
from kg.rdf.write import open_store

SEEDS = Path(__file__).resolve().parents[1] / "kg" / "data" / "seeds"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    graph, summary = build(BuildOptions(out_dir=out))
    return graph, summary, out


def papers(graph):
    return {a["title"]: a for _, a in graph.nodes(data=True) if a["kind"] == "paper"}


def test_bundled_corpus_is_the_seed_files():
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"
    if shared.is_dir():
        assert sorted(p.read_bytes() for p in shared.glob("*.txt")) == sorted(p.read_bytes() for p in SEEDS.glob("*.txt"))


def test_counts(built):
    graph, summary, out = built
    assert summary.files == 5
    assert summary.records == 445  # entries on the five pages
    assert summary.papers == 407  # distinct papers
    assert summary.merged == 38
    assert summary.skipped == 0
    for name in ("graph.ttl", "graph.nt", "graph.html"):
        assert (out / name).stat().st_size > 0
    assert (out / "store").is_dir()


def test_duplicate_paper_has_every_source(built):
    graph, _, _ = built
    paper = papers(graph)["Towards Exact Computation of Inductive Bias"]
    assert paper["sources"] == (
        "seeds/000_274c48aae5e01f95.txt",
        "seeds/002_3304936232099191.txt",
        "seeds/003_1e2235affac03b04.txt",
        "seeds/004_953b7070b53dec32.txt",
    )


def test_glued_subscribe_is_not_part_of_the_title(built):
    titles = papers(built[0])
    assert "Generalized Sum Pooling for Metric Learning" in titles
    assert not [t for t in titles if t.startswith("Subscribe")]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/xuke225/EQ-Net",  # written EQ-Net.git{https://github.com/xuke225/EQ-Net}.
        "https://github.com/sinatayebati/vlm-uncertainty",  # written {https://...vlm-uncertainty}.
        "https://github.com/Nandan91/entropy-guided-attention-llm",  # written ...llm{entropy-guided-llm}.
        "https://github.com/Facico/Dynamic-Logit-Fusion",  # written ...Fusion.)
        "https://github.com/PaulAlbert31/LSA",  # written without a scheme
    ],
)
def test_repository_urls_are_cleaned(built, url):
    graph = built[0]
    node = graph.nodes[f"repo:{url}"]
    assert node["is_code_host"] and node["host"] == "github.com"


def test_project_pages_are_not_code_hosts(built):
    node = built[0].nodes["repo:https://azshue.github.io/TPT"]
    assert node["is_code_host"] is False


def test_abbreviation_pair_is_one_concept(built):
    graph = built[0]
    node = graph.nodes["concept:Method:sharpness-aware-minimization"]
    assert node["label"].lower() == "sharpness-aware minimization"
    assert "SAM" in node["alt_labels"]
    # The Gradient Norm Aware Minimization paper defines SAM and uses it bare afterwards.
    paper = papers(graph)["Gradient Norm Aware Minimization Seeks First-Order Flatness and Improves Generalization"]
    sam = [m for m in paper["mentions"] if m.key == "sharpness-aware-minimization"]
    # the definition is one mention; later bare uses are mentions of the same concept
    assert {m.text for m in sam} >= {"sharpness-aware minimization (SAM)", "SAM"}
    assert "sharpness-aware minimization" not in {m.text for m in sam}


def test_proposed_method(built):
    graph = built[0]
    paper = "paper:title:lapp layer adaptive progressive pruning for compressing cnns from scratch"
    edge = graph.edges[paper, "concept:Method:layer-adaptive-progressive-pruning"]
    assert edge["relation"] == "proposesMethod"
    assert "LAPP" in graph.nodes["concept:Method:layer-adaptive-progressive-pruning"]["alt_labels"]


def test_mentions_point_at_their_text(built):
    for attrs in papers(built[0]).values():
        for m in attrs["mentions"]:
            assert attrs[m.field.value][m.start:m.end] == m.text


def test_sparql_answer_for_a_known_paper(built):
    out = built[2]
    store = open_store(out / "graph.ttl", out / "store")
    results = run_query(store, """
        SELECT ?url WHERE {
          ?paper dcterms:title "RetroMAE: Pre-Training Retrieval-oriented Language Models Via Masked Auto-Encoder" ;
                 kg:hasCode/schema:codeRepository ?url .
        }""")
    assert solutions_table(results)[1] == [["https://github.com/staoxiao/RetroMAE"]]


def test_two_builds_are_byte_identical(built, tmp_path):
    out = built[2]
    build(BuildOptions(out_dir=tmp_path))
    for name in ("graph.ttl", "graph.nt", "graph.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
