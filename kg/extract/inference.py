"""The shipped model's forward pass, computed as spaCy computes it, with less work.

``kg_ner`` runs a spaCy ``tok2vec`` (embedding stage, then CNN encoder) and a
``spancat_singlelabel`` whose reducer concatenates each span's last, first, mean and max
token vectors and feeds them to a maxout layer, a layer norm and a softmax. Two parts of
that repeat work, and this module removes the repetition without changing the function:

* The embedding stage reads only the token's own attributes (its hashed NORM, PREFIX,
  SUFFIX and SHAPE and its static vector), so a word's embedding is the same wherever it
  occurs. :class:`TokenEmbedder` computes it once per distinct attribute tuple and keeps
  it; an abstract's words are mostly seen before.
* The maxout layer is linear before its max: its weights split into four blocks, one per
  reduced vector. The blocks for the last and first vectors are applied to each token
  once and gathered per span; only the span's max and mean vectors, found by sliding
  windows over the tokens (:func:`span_max_mean`), are multiplied per span
  (:func:`span_scores`). spaCy's ``extract_spans`` instead copies every span's tokens,
  building its index list in a Python loop.

The results equal spaCy's to float32 rounding (tests/test_inference.py compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Ragged

# The reducer this module reimplements, as thinc names it, in concatenation order.
REDUCER = "reduce_last|reduce_first|reduce_mean|reduce_max"
_LAYERNORM_EPSILON = 1e-8  # thinc's LayerNorm adds it to the variance


def span_max_mean(vectors: numpy.ndarray, starts: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
    """Row i: the elementwise max, then the mean, of ``vectors[starts[i]:starts[i] + lengths[i]]``,
    side by side; the sums run in token order, as thinc's ``reduce_mean`` adds them.

    >>> v = numpy.array([[1., 5.], [3., 2.], [2., 5.]])
    >>> span_max_mean(v, numpy.array([0, 1, 0]), numpy.array([2, 2, 3])).tolist()
    [[3.0, 5.0, 2.0, 3.5], [3.0, 5.0, 2.5, 3.5], [3.0, 5.0, 2.0, 4.0]]
    """
    width = vectors.shape[1]
    out = numpy.empty((len(starts), 2 * width), dtype=vectors.dtype)
    high, total = vectors, vectors  # row j: max and sum of vectors[j:j + length]
    for length in range(1, int(lengths.max(initial=0)) + 1):
        if length > 1:
            high = numpy.maximum(high[:-1], vectors[length - 1:])
            total = total[:-1] + vectors[length - 1:]
        chosen = numpy.flatnonzero(lengths == length)
        out[chosen, :width] = high[starts[chosen]]
        out[chosen, width:] = total[starts[chosen]] / vectors.dtype.type(length)
    return out


def layer_norm(x: numpy.ndarray, gain: numpy.ndarray, bias: numpy.ndarray) -> numpy.ndarray:
    """thinc's LayerNorm: each row scaled to zero mean and unit variance, then `gain`, `bias`."""
    mean = x.mean(axis=1, keepdims=True)
    variance = x.var(axis=1, keepdims=True) + _LAYERNORM_EPSILON
    return (x - mean) * variance ** -0.5 * gain + bias


def softmax(x: numpy.ndarray) -> numpy.ndarray:
    """Row-wise softmax.

    >>> softmax(numpy.array([[0., 0.], [1., 1.]])).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    exp = numpy.exp(x - x.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class SpanScorer:
    """The weights of spancat's layers after its tok2vec: a maxout layer over the reduced
    span vectors, split into the blocks applied per token (`token_w`: for the last and
    first vectors, side by side) and those applied per span (`span_w`: for the max and
    mean vectors, stacked), their outputs piece-major (piece 0 of every hidden unit, then
    piece 1, ...); a layer norm; the softmax over labels."""

    token_w: numpy.ndarray
    span_w: numpy.ndarray
    maxout_b: numpy.ndarray
    pieces: int
    norm_gain: numpy.ndarray
    norm_bias: numpy.ndarray
    softmax_w: numpy.ndarray
    softmax_b: numpy.ndarray

    @classmethod
    def from_model(cls, model: Model) -> SpanScorer:
        """The weights of a ``spacy.SpanCategorizer.v1`` model with a mean-max reducer;
        ValueError for any other layout, which this module does not reimplement."""
        # SpanCategorizer.v1 is chain(tok2vec, extract_spans, reducer, scorer): only the
        # last two are read, so a maxout inside the tok2vec cannot be taken for the reducer's.
        reducer, soft = (model.layers[-2], model.layers[-1]) if len(model.layers) >= 2 else (model, model)
        layers = {node.name: node for node in reducer.walk()}
        if REDUCER not in layers or not {"maxout", "layernorm"} <= layers.keys() or soft.name != "softmax":
            raise ValueError(f"not a span categorizer with the {REDUCER} reducer: {model.name}")
        if soft.attrs.get("softmax_temperature", 1.0) != 1.0 or not soft.attrs.get("softmax_normalize", True):
            raise ValueError("the span categorizer's softmax is not a plain normalized softmax")
        maxout, norm = layers["maxout"], layers["layernorm"]
        hidden, pieces, width = maxout.get_dim("nO"), maxout.get_dim("nP"), maxout.get_dim("nI")
        if width % 4:
            raise ValueError(f"maxout input of {width} is not four reduced vectors")
        size = width // 4
        # thinc's W is (hidden, pieces, input), the input being the reducer's last, first,
        # mean and max vectors; here (input block, size, pieces * hidden).
        weights = maxout.get_param("W").transpose(2, 1, 0).reshape(4, size, pieces * hidden)
        last, first, mean, high = weights
        return cls(numpy.ascontiguousarray(numpy.concatenate([last, first], axis=1)),
                   numpy.ascontiguousarray(numpy.concatenate([high, mean])),
                   numpy.ascontiguousarray(maxout.get_param("b").T.reshape(-1)), pieces,
                   norm.get_param("G"), norm.get_param("b"), numpy.ascontiguousarray(soft.get_param("W").T),
                   soft.get_param("b"))

    def __call__(self, tokens: numpy.ndarray, spans: numpy.ndarray) -> numpy.ndarray:
        """Label probabilities of each (start, end) token span of the token vectors `tokens`
        (spans of several docs index one stacked array; none is empty)."""
        return span_scores(self, tokens, spans)


def span_scores(scorer: SpanScorer, tokens: numpy.ndarray, spans: numpy.ndarray) -> numpy.ndarray:
    """spancat's output for `spans` over `tokens`: maxout([last; first; mean; max]), layer
    norm, softmax; the maxout's blocks for the last and first vectors are applied per token."""
    if not len(spans):
        return numpy.zeros((0, scorer.softmax_w.shape[1]), dtype="float32")
    starts, ends = spans[:, 0], spans[:, 1]
    last, first = numpy.split(tokens @ scorer.token_w, 2, axis=1)
    pre = span_max_mean(tokens, starts, ends - starts) @ scorer.span_w
    pre += last[ends - 1]
    pre += first[starts]
    pre += scorer.maxout_b
    pieces = numpy.split(pre, scorer.pieces, axis=1)
    hidden = pieces[0]
    for piece in pieces[1:]:
        numpy.maximum(hidden, piece, out=hidden)
    normed = layer_norm(hidden, scorer.norm_gain, scorer.norm_bias)
    return softmax(normed @ scorer.softmax_w + scorer.softmax_b)


class TokenEmbedder:
    """The tok2vec's embedding stage, computed once per distinct tuple of the attributes
    it reads (a token's ORTH and NORM determine its hashed features and static vector),
    for at most `capacity` tuples before starting afresh."""

    def __init__(self, embed: Model, capacity: int = 200_000):  # 200,000 rows of 128 floats: 100 MB
        self.embed = embed
        self.capacity = capacity
        self.rows: dict[tuple[int, int], int] = {}
        self._table = numpy.zeros((1024, embed.get_dim("nO")), dtype="float32")  # grows by doubling

    @property
    def table(self) -> numpy.ndarray:
        """The embeddings computed so far, one row per key in `rows`."""
        return self._table[: len(self.rows)]

    def __call__(self, docs: Sequence[Doc]) -> list[numpy.ndarray]:
        keys = numpy.concatenate([doc.to_array([ORTH, NORM]) for doc in docs]).astype("uint64")
        distinct, inverse = numpy.unique(keys, axis=0, return_inverse=True)
        distinct = [(int(o), int(n)) for o, n in distinct.tolist()]
        new = [key for key in distinct if key not in self.rows]
        if len(self.rows) + len(new) > self.capacity:
            self.rows.clear()
            new = distinct
        if new:
            self._add(docs[0], new)
        found = self._table[[self.rows[key] for key in distinct]][inverse.reshape(-1)]
        return numpy.split(found, numpy.cumsum([len(doc) for doc in docs])[:-1])

    def _add(self, like: Doc, keys: list[tuple[int, int]]) -> None:
        strings = like.vocab.strings
        doc = Doc(like.vocab, words=[strings[orth] for orth, _ in keys], spaces=[False] * len(keys))
        for token, (_, norm) in zip(doc, keys):
            token.norm_ = strings[norm]
        vectors = self.embed.predict([doc])[0]
        start, end = len(self.rows), len(self.rows) + len(keys)
        if end > len(self._table):
            grown = numpy.zeros((max(end, 2 * len(self._table)), self._table.shape[1]), dtype="float32")
            grown[:start] = self._table[:start]
            self._table = grown
        self._table[start:end] = vectors
        self.rows.update((key, start + i) for i, key in enumerate(keys))


class SpanModel:
    """One shipped pipeline's ``tok2vec`` and span categorizer, run as above: call it with
    docs and the (start, end) token spans `suggest` (the span categorizer's suggester)
    gives for them, one array per doc as a Ragged."""

    def __init__(self, nlp: Language):
        tok2vec = nlp.get_pipe("tok2vec").model
        spancat = next(pipe for name, pipe in nlp.pipeline if name.startswith("spancat"))
        if not (tok2vec.has_ref("embed") and tok2vec.has_ref("encode")):
            raise ValueError(f"not a spacy.Tok2Vec model with embed and encode layers: {tok2vec.name}")
        self.embed = TokenEmbedder(tok2vec.get_ref("embed"))
        self.encode = tok2vec.get_ref("encode")
        self.scorer = SpanScorer.from_model(spancat.model)
        self.labels = tuple(spancat.labels)
        self.suggest = spancat.suggester

    def __call__(self, docs: Sequence[Doc], spans: Ragged) -> numpy.ndarray:
        """Label probabilities of each span, in the order of ``spans.dataXd``."""
        tokens = numpy.concatenate(self.encode.predict(self.embed(docs)))
        return self.scorer(tokens, stacked_spans(docs, spans))


def stacked_spans(docs: Sequence[Doc], spans: Ragged) -> numpy.ndarray:
    """Each doc's (start, end) token spans, offset to index the docs' tokens stacked.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> docs = [nlp.make_doc("a b c"), nlp.make_doc("d e")]
    >>> spans = Ragged(numpy.array([[0, 1], [1, 3], [0, 2]]), numpy.array([2, 1]))
    >>> stacked_spans(docs, spans).tolist()
    [[0, 1], [1, 3], [3, 5]]
    """
    starts = numpy.cumsum([0] + [len(doc) for doc in docs])[:-1]
    return numpy.asarray(spans.dataXd) + numpy.repeat(starts, numpy.asarray(spans.lengths))[:, None]
