"""kg.extract.inference: the model's forward pass equals spaCy's, on tiny hand-made
inputs and on the shipped model."""

from __future__ import annotations

import numpy
import pytest
import spacy
from thinc.api import LayerNorm, Linear

from kg.extract.inference import SpanModel, SpanScorer, TokenEmbedder, layer_norm, span_max_mean, span_scores
from kg.extract.ner import MODEL_DIR, load_model

TEXTS = [
    "We fine-tune BERT on SQuAD and report F1; the BERT baseline isn't robust.",
    "Hidden Markov models (HMMs) tag words.\n\nBERT again, in a second doc.",
    "x",
]


def test_span_max_mean_by_hand() -> None:
    v = numpy.array([[1, -2], [3, 4], [-5, 0], [2, 2]], dtype="float32")
    got = span_max_mean(v, numpy.array([0, 1, 3, 0]), numpy.array([1, 2, 1, 4]))
    assert got.tolist() == [[1, -2, 1, -2], [3, 4, -1, 2], [2, 2, 2, 2], [3, 4, 0.25, 1]]
    assert span_max_mean(v, numpy.zeros(0, dtype=int), numpy.zeros(0, dtype=int)).shape == (0, 4)


def test_layer_norm_matches_thinc() -> None:
    layer = LayerNorm(nI=5)
    layer.initialize()
    layer.set_param("G", numpy.array([1, 2, 3, 4, 5], dtype="float32"))
    layer.set_param("b", numpy.array([0, 1, 0, 1, 0], dtype="float32"))
    x = numpy.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    assert numpy.allclose(layer.predict(x), layer_norm(x, layer.get_param("G"), layer.get_param("b")), atol=1e-6)


@pytest.fixture(scope="module")
def shipped():
    nlp = spacy.blank("en")
    return nlp, load_model(MODEL_DIR, nlp.vocab)


def test_span_scores_equal_spacy_on_the_shipped_model(shipped) -> None:
    nlp, model = shipped
    docs = [nlp.make_doc(t) for t in TEXTS]
    tok2vec, spancat = model.get_pipe("tok2vec"), model.get_pipe("spancat_singlelabel")
    indices = spancat.suggester(docs, ops=spancat.model.ops)
    tok2vec.set_annotations(docs, tok2vec.predict(docs))
    expected = numpy.asarray(spancat.model.predict((docs, indices)))

    fast = SpanModel(model)
    got = fast(docs, indices)
    assert got.shape == expected.shape and len(got) > 20
    assert numpy.allclose(got, expected, atol=1e-5)
    assert numpy.allclose(got.sum(axis=1), 1, atol=1e-5)
    assert fast.labels == tuple(spancat.labels)


def test_embedding_cache_gives_the_embedding_stage_output(shipped) -> None:
    nlp, model = shipped
    embed = model.get_pipe("tok2vec").model.get_ref("embed")
    cache = TokenEmbedder(embed)
    first = [nlp.make_doc(t) for t in TEXTS]
    again = [nlp.make_doc(TEXTS[0] + " BERT BERT"), nlp.make_doc("unseen zyzzyva words")]
    for docs in (first, again):
        got = cache(docs)
        for g, e in zip(got, embed.predict(docs)):
            assert numpy.allclose(g, e, atol=1e-5)  # BLAS rounds by matrix shape
    # "BERT" is embedded once, however often it occurs
    assert len(cache.rows) == len(cache.table) < sum(len(d) for d in first + again)


def test_embedding_cache_keys_on_norm_too(shipped) -> None:
    """A token whose NORM differs from its word's (a tokenizer exception) is its own entry."""
    nlp, model = shipped
    embed = model.get_pipe("tok2vec").model.get_ref("embed")
    doc = nlp.make_doc("it isn't and n't")  # "n't" of "isn't" has the norm "not"
    cache = TokenEmbedder(embed)
    (got,), (expected,) = cache([doc]), embed.predict([doc])
    assert [t.norm_ for t in doc][2:] == ["not", "and", "n't"]
    assert numpy.allclose(got, expected, atol=1e-5) and not numpy.allclose(got[2], got[4])


def test_embedding_cache_starts_afresh_when_full_and_only_then(shipped) -> None:
    nlp, model = shipped
    embed = model.get_pipe("tok2vec").model.get_ref("embed")
    cache = TokenEmbedder(embed, capacity=8)
    cache([nlp.make_doc("one two three four five")])
    cache([nlp.make_doc("five four three")])  # all known: nothing to add, nothing dropped
    assert len(cache.rows) == len(cache.table) == 5
    doc = nlp.make_doc("six seven eight nine")
    (got,) = cache([doc])
    assert len(cache.rows) == 4 and numpy.allclose(got, embed.predict([doc])[0], atol=1e-5)
    many = nlp.make_doc(" ".join(f"w{i}" for i in range(3000)))  # grows the table past its first size
    (got,) = cache([many])
    assert numpy.allclose(got, embed.predict([many])[0], atol=1e-5)


def test_span_scorer_rejects_other_layouts() -> None:
    with pytest.raises(ValueError, match="reducer"):
        SpanScorer.from_model(Linear(2, 2))


def test_span_scores_of_no_spans(shipped) -> None:
    _, model = shipped
    scorer = SpanScorer.from_model(model.get_pipe("spancat_singlelabel").model)
    out = span_scores(scorer, numpy.zeros((3, 128), dtype="float32"), numpy.zeros((0, 2), dtype=int))
    assert out.shape == (0, len(model.get_pipe("spancat_singlelabel").labels) + 1)



def test_ner_in_batches_equals_ner_one_doc_at_a_time() -> None:
    from kg.extract import create_pipeline, extract_papers
    from kg.records import Paper

    papers = [Paper(key=str(i), title=t, abstract=a, sources=("t",)) for i, (t, a) in enumerate([
        ("BERT for parsing", "We fine-tune BERT on the Penn Treebank and report F1."),
        ("", ""),
        ("Hidden Markov models", "Hidden Markov models (HMMs) tag words; HMMs beat CRFs on CoNLL-2003."),
        ("x", "."),
        ("Graph networks", "A graph neural network classifies nodes of Cora with high accuracy."),
    ])]
    nlp = create_pipeline()
    batched = [e.mentions for e in extract_papers(papers, nlp)]
    single = [next(iter(extract_papers([p], nlp))).mentions for p in papers]
    assert batched == single and any(batched)


def test_span_scorer_rejects_a_softmax_with_temperature(shipped) -> None:
    _, model = shipped
    spancat = model.get_pipe("spancat_singlelabel").model
    soft = spancat.layers[-1]
    saved = soft.attrs["softmax_temperature"]
    try:
        soft.attrs["softmax_temperature"] = 2.0
        with pytest.raises(ValueError, match="softmax"):
            SpanScorer.from_model(spancat)
    finally:
        soft.attrs["softmax_temperature"] = saved
