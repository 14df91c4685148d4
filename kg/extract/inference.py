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
  reduced vector. The blocks for the last, first and mean vectors are applied to each
  token once (the mean of projections is the projection of the mean, summed by prefix
  sums), so only the span's max vector is multiplied per span (:func:`span_scores`).
  spaCy's ``extract_spans`` also builds its token index list in a Python loop.

The results equal spaCy's to float32 rounding (tests/test_inference.py compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from spacy.attrs import NORM, ORTH
from spacy.tokens import Doc
from spacy.language import Language
from thinc.api import Model

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
        layers = {node.name: node for node in model.walk()}
        if REDUCER not in layers or not {"maxout", "layernorm", "softmax"} <= layers.keys():
            raise ValueError(f"not a span categorizer with the {REDUCER} reducer: {model.name}")
        maxout, norm, soft = layers["maxout"], layers["layernorm"], layers["softmax"]
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
        self.table = numpy.zeros((0, embed.get_dim("nO")), dtype="float32")

    def __call__(self, docs: Sequence[Doc]) -> list[numpy.ndarray]:
        keys = numpy.concatenate([doc.to_array([ORTH, NORM]) for doc in docs]).astype("uint64")
        distinct, inverse = numpy.unique(keys, axis=0, return_inverse=True)
        if len(self.rows) + len(distinct) > self.capacity:
            self.rows, self.table = {}, self.table[:0]
        new = [(int(o), int(n)) for o, n in distinct.tolist() if (int(o), int(n)) not in self.rows]
        if new:
            self._add(docs[0], new)
        found = self.table[[self.rows[(int(o), int(n))] for o, n in distinct.tolist()]][inverse.reshape(-1)]
        return numpy.split(found, numpy.cumsum([len(doc) for doc in docs])[:-1])

    def _add(self, like: Doc, keys: list[tuple[int, int]]) -> None:
        strings = like.vocab.strings
        doc = Doc(like.vocab, words=[strings[orth] for orth, _ in keys], spaces=[False] * len(keys))
        for token, (_, norm) in zip(doc, keys):
            token.norm_ = strings[norm]
        vectors = self.embed.predict([doc])[0]
        self.rows.update((key, len(self.table) + i) for i, key in enumerate(keys))
        self.table = numpy.concatenate([self.table, vectors])


class SpanModel:
    """One shipped pipeline's ``tok2vec`` and span categorizer, run as above: call it with
    docs and (start, end) token spans from `suggest` (the span categorizer's suggester),
    offset into the docs' tokens stacked."""

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

    def __call__(self, docs: Sequence[Doc], spans: numpy.ndarray) -> numpy.ndarray:
        tokens = numpy.concatenate(self.encode.predict(self.embed(docs)))
        return self.scorer(tokens, spans)
