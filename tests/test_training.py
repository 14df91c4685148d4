"""The pure parts of training/vectors.py (the encoder itself needs `make train`'s extras)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def vectors():
    spec = importlib.util.spec_from_file_location("kg_training_vectors", ROOT / "training" / "vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pca_keeps_the_main_axes_with_fixed_signs(vectors) -> None:
    rng = numpy.random.default_rng(0)
    table = rng.normal(size=(200, 3)) @ numpy.diag([10.0, 3.0, 0.1]) @ numpy.linalg.qr(rng.normal(size=(3, 3)))[0]
    reduced = vectors.pca(table, 2)
    assert reduced.shape == (200, 2) and reduced.dtype == numpy.float32
    assert numpy.allclose(reduced.mean(0), 0, atol=1e-4)
    assert reduced[:, 0].var() > reduced[:, 1].var() > 1.0  # the two big axes, the big one first
    assert numpy.allclose(vectors.pca(-table, 2), -reduced, atol=1e-4)  # axes signs fixed, not left to the SVD


def test_corpus_words_are_lowercase_tokens_with_letters(vectors) -> None:
    counts = vectors.corpus_words(["BERT beats LSTMs by 3.5 points (p < 0.01).", "bert"])
    assert counts["bert"] == 2 and counts["lstms"] == 1
    assert "3.5" not in counts and "(" not in counts and "<" not in counts


def test_mini_bert_attends_only_to_unmasked_positions(vectors) -> None:
    rng = numpy.random.default_rng(1)
    width, heads, vocab = 8, 2, 11
    bert = vectors.MiniBert.__new__(vectors.MiniBert)
    bert.layers, bert.heads, bert.eps = 1, heads, 1e-12
    shapes = {"embeddings.word_embeddings.weight": (vocab, width), "embeddings.position_embeddings.weight": (16, width),
              "embeddings.token_type_embeddings.weight": (2, width)}
    p = "encoder.layer.0."
    for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
        shapes[p + name + ".weight"], shapes[p + name + ".bias"] = (width, width), (width,)
    shapes[p + "intermediate.dense.weight"], shapes[p + "intermediate.dense.bias"] = (4 * width, width), (4 * width,)
    shapes[p + "output.dense.weight"], shapes[p + "output.dense.bias"] = (width, 4 * width), (width,)
    for norm in ("embeddings.LayerNorm", p + "attention.output.LayerNorm", p + "output.LayerNorm"):
        shapes[norm + ".weight"], shapes[norm + ".bias"] = (width,), (width,)
    bert.w = {k: rng.normal(size=s).astype("float32") for k, s in shapes.items()}
    ids = numpy.array([[1, 5, 2, 0], [1, 5, 2, 9]])
    mask = numpy.array([[1, 1, 1, 0], [1, 1, 1, 0]], dtype=bool)
    out = bert(ids, mask)
    assert out.shape == (2, 4, width)
    assert numpy.allclose(out[0, :3], out[1, :3], atol=1e-5)  # what is masked out changes nothing
