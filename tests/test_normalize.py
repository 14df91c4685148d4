"""kg.normalize: the folding claims, IRI-safe slugs and deterministic labels."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from kg.normalize import concept_key, fold, preferred_label, singular, slug, strip_acronym_plural, title_key


@pytest.mark.parametrize(
    ("forms", "key"),
    [
        (["ResNet-18", "ResNet18", "resnet 18", "RESNET 18", "resnet_18"], "resnet-18"),
        (["GNNs", "GNN", "gnn"], "gnn"),
        (["LLMs", "LLM"], "llm"),
        (["Graph Neural Networks", "graph neural network", "Graph-Neural-Networks"], "graph-neural-network"),
        (["Vision Transformers", "vision transformer"], "vision-transformer"),
        (["Fréchet Inception Distance", "Frechet inception distance"], "frechet-inception-distance"),
        (["CIFAR-10", "CIFAR10", "cifar 10"], "cifar-10"),
        (["data sets", "data set"], "data-set"),
    ],
)
def test_concept_key_folds_variants(forms: list[str], key: str) -> None:
    assert {concept_key(f) for f in forms} == {key}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("queries", "query"),
        ("Batches", "batch"),
        ("class", "class"),
        ("Loss", "loss"),
        ("Analysis", "analysis"),
        ("Deep Metric Learning", "deep-metric-learning"),
        ("", ""),
        ("---", ""),
    ],
)
def test_concept_key_only_the_last_word_is_made_singular(text: str, key: str) -> None:
    assert concept_key(text) == key


def test_only_last_word_singular() -> None:
    assert concept_key("Graphs Networks") == "graphs-network"


@pytest.mark.parametrize(
    ("word", "one"),
    [("networks", "network"), ("queries", "query"), ("classes", "class"), ("loss", "loss"),
     ("analysis", "analysis"), ("llms", "llm"), ("gas", "gas"), ("boxes", "box"), ("basis", "basis")],
)
def test_singular(word: str, one: str) -> None:
    assert singular(word) == one


def test_concept_key_bias() -> None:
    assert concept_key("inductive bias") == "inductive-bias"


def test_strip_acronym_plural() -> None:
    assert [strip_acronym_plural(s) for s in ["GNNs", "LLMs", "ViTs", "GNN", "Transformers", "BOSS"]] == [
        "GNN", "LLM", "ViTs", "GNN", "Transformers", "BOSS"]


def test_fold_strips_accents() -> None:
    assert fold("Fréchet Gödel") == "Frechet Godel"


def test_title_key() -> None:
    assert title_key("LAPP: Layer  Adaptive Progressive-Pruning") == "lapp layer adaptive progressive pruning"
    assert title_key("lapp layer adaptive progressive pruning") == "lapp layer adaptive progressive pruning"
    assert title_key("Fréchet <b>x_y</b>") == "frechet b x y b"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("resnet-18", "resnet-18"),
        ("Fréchet Inception Distance", "frechet-inception-distance"),
        ("<script>alert('x')</script>", "script-alert-x-script"),
        ("a/b?c#d e%20f", "a-b-c-d-e-20f"),
        ("日本語", "x"),
        ("", "x"),
        ("--x--", "x"),
    ],
)
def test_slug(key: str, expected: str) -> None:
    assert slug(key) == expected


def test_slug_is_iri_safe_ascii_and_limited() -> None:
    hostile = "Ünïcödé ½ <>\"{}|\\^` \x00 \u200b 日本 " + "long " * 40
    for limit in (1, 10, 60, 80):
        out = slug(hostile, limit)
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", out), out
        assert len(out) <= limit
    assert slug("a" * 200) == "a" * 80
    assert slug("ab-cd", 3) == "ab"  # no trailing hyphen after truncation


def test_preferred_label_docstring() -> None:
    assert preferred_label(Counter({"GNNs": 3, "GNN": 3, "gnn": 1})) == "GNN"


def test_preferred_label_most_frequent_wins() -> None:
    assert preferred_label(Counter({"graph neural network": 5, "Graph Neural Network": 2})) == "graph neural network"


def test_preferred_label_capitalised_wins_a_tie() -> None:
    assert preferred_label(Counter({"sharpness-aware minimization": 1, "Sharpness-Aware Minimization": 1})) == (
        "Sharpness-Aware Minimization")


def test_preferred_label_is_deterministic_under_insertion_order() -> None:
    forms = {"GNNs": 2, "GNN": 2, "gnn": 1, "Gnn": 1}
    labels = {preferred_label(Counter(dict(p))) for p in itertools.permutations(forms.items())}
    assert labels == {"GNN"}
    ties = {"alpha": 1, "gamma": 1, "delta": 1}
    assert {preferred_label(Counter(dict(p))) for p in itertools.permutations(ties.items())} == {"alpha"}
