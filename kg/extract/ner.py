"""Component `kg_ner`: the span categorizer trained on SciERC (shipped in kg/extract/model/).

The model (training/ner.cfg, ``make train``) is a spaCy pipeline of a CNN ``tok2vec``
and a ``kg_spancat`` (spaCy's single-label span categorizer, trained on the teacher's
probabilities as well: kg.extract.spancat); the tok2vec reads hash embeddings of each word and static
word vectors distilled from a sentence encoder (training/vectors.py), which the model's
vocabulary carries. It shares the kg pipeline's vocabulary and runs on its tokens.
The suggester (:mod:`kg.extract.suggester`) proposes noun-phrase-like token spans, the model
gives each a probability per type (and of being no concept), and :func:`decode` keeps the most
probable non-overlapping spans whose best type reaches ``threshold``; :func:`spread`
marks the other occurrences of those phrases in the abstract. Each becomes a
:class:`~kg.extract.candidates.Candidate` whose confidence is that probability. SciERC
types map to kg's (Material is trained as Dataset); Generic and OtherScientificTerm
spans are decoded -- they block overlapping spans -- then dropped. Overlaps with the rule
components are settled by ``kg_resolve``. Model datasets and metrics must pass
:func:`_precise_enough`: on new abstracts those are the model's weakest types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch, registry
from spacy.vocab import Vocab
from thinc.api import NumpyOps

from kg.errors import InputError
from kg.extract.generic import word_list
from kg.extract.candidates import Candidate, Occupied, candidates, ensure_extensions, load_jsonl, on_word_boundary, text_of
from kg.extract.inference import SpanModel
from kg.extract.spancat import make_kg_spancat  # noqa: F401 (registers the model's factory, kg_spancat)
from kg.extract.suggester import build_phrase_suggester, phrase_spans, token_flags  # noqa: F401 (re-exported)
from kg.extract.patterns import head_label, is_distinctive
from kg.normalize import concept_key, singular
from kg.types import TYPE_NAMES, scierc_labels

COMPONENT = "model"
MODEL_DIR = Path(__file__).parent / "model"
# The model is trained with kg's names (SciERC Material is Dataset); SciERC's own also map.
KG_TYPES = {**{t: t for t in TYPE_NAMES}, **scierc_labels()}
# A span is kept from this probability of its best type. The F1-optimal threshold of a
# calibrated classifier is half the F1 it reaches (Lipton et al., 2014, "Thresholding
# Classifiers to Maximize F1 Score"): about 0.3 here; SciERC dev preferred 0.4 to 0.3 and
# 0.5 for each seed tried, as a lower bar also lets weak spans block better ones.
THRESHOLD = 0.4
# Spans of up to 10 tokens are suggested in training; at run time 8 keep the same scores
# (SciERC dev and test within 0.003) at 7% more abstracts per second.
SUGGEST_MAX_LENGTH = 8
SPANS_KEY = "sc"
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def load_model(path: Path, vocab: Vocab) -> Language:
    """The shipped pipeline (tok2vec + spancat), sharing `vocab`; never touches the network.
    Its span categorizer scores the spans :func:`build_phrase_suggester` proposes, up to
    ``SUGGEST_MAX_LENGTH`` tokens.

    Its layers multiply matrices with numpy's BLAS rather than thinc's bundled BLIS, which
    runs at a third of the speed on the CPUs measured here (same results to 1e-5).
    """
    if not (path / "config.cfg").is_file():
        raise InputError(path, "no trained model here: run `make train`, or build with --fast")
    model = spacy.load(path, vocab=vocab)
    for name, pipe in model.pipeline:
        if name.startswith("spancat"):
            pipe.suggester = build_phrase_suggester(max_length=SUGGEST_MAX_LENGTH)
    ops = numpy_ops()
    for _, pipe in model.pipeline:
        for node in getattr(pipe, "model", None).walk() if hasattr(pipe, "model") else ():
            node.ops = ops
    return model


@cache
def numpy_ops() -> NumpyOps:
    """thinc's numpy backend with numpy's BLAS (see :func:`load_model`)."""
    return NumpyOps(use_blis=False)


def decode(indices: numpy.ndarray, scores: numpy.ndarray, labels: Sequence[str], threshold: float = THRESHOLD,
           ) -> list[tuple[int, int, str, float]]:
    """(start, end, label, probability) token spans: each suggested span's most probable
    label (the last score column, "no concept", never wins), kept when its probability
    reaches `threshold`, taken most probable first, skipping spans that overlap a kept one.

    >>> decode(numpy.array([[0, 2], [1, 3], [3, 4]]), numpy.array([[.6, .1, .3], [.2, .7, .1], [.55, .2, .25]]), ["A", "B"])
    [(1, 3, 'B', 0.7), (3, 4, 'A', 0.55)]
    """
    return decode_batch(indices, scores, [len(indices)], labels, threshold)[0]


def decode_batch(indices: numpy.ndarray, scores: numpy.ndarray, lengths: Sequence[int], labels: Sequence[str],
                 threshold: float = THRESHOLD) -> list[list[tuple[int, int, str, float]]]:
    """:func:`decode` for each doc of a batch, in one pass: the rows of `indices` and
    `scores` are the docs' suggested spans, doc after doc, `lengths[i]` of them for doc i.

    >>> decode_batch(numpy.array([[0, 2], [1, 3], [0, 1]]), numpy.array([[.6, .1, .3], [.2, .7, .1], [.55, .2, .25]]),
    ...              [2, 1], ["A", "B"])
    [[(1, 3, 'B', 0.7)], [(0, 1, 'A', 0.55)]]
    """
    found: list[list[tuple[int, int, str, float]]] = [[] for _ in lengths]
    if not len(indices):
        return found
    probs = scores[:, : len(labels)]
    best = probs.argmax(axis=1)
    prob = probs[numpy.arange(len(best)), best]
    doc_of = numpy.repeat(numpy.arange(len(lengths)), lengths)
    passing = numpy.flatnonzero(prob >= threshold)  # ascending, so stable sorts keep ties in this order
    order = passing[numpy.argsort(-prob[passing], kind="stable")]
    order = order[numpy.argsort(doc_of[order], kind="stable")]  # doc by doc, each most probable first
    current, occupied = -1, Occupied()
    for doc, start, end, label, p in zip(doc_of[order].tolist(), indices[order, 0].tolist(), indices[order, 1].tolist(),
                                         best[order].tolist(), prob[order].tolist()):
        if doc != current:
            current, occupied = doc, Occupied()  # the tokens this doc's kept spans cover
        if occupied.take(start, end):
            found[doc].append((start, end, labels[label], round(p, 3)))
    return [sorted(spans) for spans in found]


def spread(text: str, spans: list[tuple[int, int, str, float]], factor: float = 0.9) -> list[tuple[int, int, str, float]]:
    """One sense per discourse: other whole-word occurrences of a phrase the model marked
    (three characters or more) get its most probable label, at `factor` of its
    probability, where they overlap no marked span.

    >>> spread("SMT helps. We tune SMT.", [(0, 3, "Method", 0.8)])
    [(0, 3, 'Method', 0.8), (19, 22, 'Method', 0.72)]
    """
    best: dict[str, tuple[str, float]] = {}
    for start, end, label, p in sorted(spans, key=lambda s: -s[3]):
        if label in KG_TYPES and end - start >= 3:
            best.setdefault(text[start:end], (label, p))
    taken = Occupied((s, e) for s, e, _, _ in spans)
    added = []
    for phrase, (label, p) in best.items():
        for start in _occurrences(text, phrase):
            if taken.take(start, start + len(phrase)):
                added.append((start, start + len(phrase), label, round(p * factor, 3)))
    return spans + added


def _occurrences(text: str, phrase: str) -> Iterator[int]:
    """Starts of `phrase` in `text` as a whole word, not glued to a word, a hyphen or (a URL
    path) a slash before it: a plain scan, as one regex per phrase would cost a compile
    per abstract.

    >>> list(_occurrences("SMT, pre-SMT, SMTs, /SMT and SMT.", "SMT"))
    [0, 29]
    """
    size = len(phrase)
    start = text.find(phrase)
    while start >= 0:
        end = start + size
        # as \w, "_" is a word character; a hyphen glues words; a slash before is a URL path
        glued = text[start - 1:start] in ("_", "/", "-") or text[end:end + 1] in ("_", "-")
        if on_word_boundary(text, start, end) and not glued:
            yield start
            start = text.find(phrase, end)
        else:
            start = text.find(phrase, start + 1)


@cache
def span_heads(kind: str) -> frozenset[str]:
    """Words of one kind in data/model_span_heads.jsonl: head nouns of data and materials
    ("material": "corpus", "image", "speech"), of measurable qualities ("measure":
    "complexity", "latency"), and names of natural languages ("language": "Turkish")."""
    return frozenset(row["head"] for row in load_jsonl("model_span_heads.jsonl") if row["kind"] == kind)


def _has_head(span: str, kind: str) -> bool:
    """The phrase's last word, or last two ("point cloud"), is a listed head of `kind`."""
    words = re.findall(r"[^\W_]+", span.lower())
    heads = span_heads(kind)
    return bool(words) and (words[-1] in heads or singular(words[-1]) in heads
                            or " ".join(words[-2:-1] + [singular(words[-1])]) in heads)


def names_material(span: str) -> bool:
    """The phrase denotes data or a material by its head noun, or is a language: what
    SciERC calls Material ("parallel corpora", "face images", "English-Chinese").

    >>> [names_material(s) for s in ["parallel corpora", "face images", "Japanese", "point clouds", "English-Chinese"]]
    [True, True, True, True, True]
    >>> [names_material(s) for s in ["inductive bias", "transformers", "Chinese word segmentation", "Latin hypercube sampling"]]
    [False, False, False, False]
    """
    words = re.findall(r"[^\W_]+", span)
    return _has_head(span, "material") or (bool(words) and words[-1] in span_heads("language"))


def _precise_enough(label: str, span: str) -> bool:
    """Datasets and metrics are where the model strays furthest on new abstracts ("inductive
    bias" as a dataset): a model span of those types stays only when it names something
    ("CIFAR-10") or its head noun says what it is ("parallel corpora", "face images";
    "BLEU score", "time complexity"). SciERC counts generic materials ("images") as
    Material, so they stay too.

    >>> [_precise_enough("Dataset", s) for s in ["face images", "inductive bias", "MS MARCO", "CIFAR-10"]]
    [True, False, True, True]
    >>> [_precise_enough("Metric", s) for s in ["expressive power", "BLEU score", "top-1 accuracy", "GPU", "time complexity"]]
    [False, True, True, False, True]
    """
    if label == "Dataset":
        return is_distinctive(span) or names_material(span)
    if label == "Metric":
        return head_label(span) == "Metric" or _has_head(span, "measure") or is_distinctive(span)
    return True


_GERUND_OBJECT = re.compile(r"\s+(?:the|a|an|this|these|those|its|their|our|his|her|such|both|all)\b", re.IGNORECASE)


def is_verb_use(text: str, start: int, end: int) -> bool:
    """A lone -ing word followed by a determiner is a verb taking an object, not a concept:
    "boosting those methods", "pruning the network" (but "boosting improves ...").

    >>> text = "boosting those methods; boosting improves trees"
    >>> [is_verb_use(text, 0, 8), is_verb_use(text, 24, 32)]
    [True, False]
    """
    word = text[start:end]
    return word.isalpha() and word.lower().endswith("ing") and bool(_GERUND_OBJECT.match(text, end))


@cache
def _empty_heads() -> dict[str, frozenset[str]]:
    """Head words that add nothing to a concept of that type: "regression problem" is
    regression (the ``empty_heads`` row of concept_words.jsonl)."""
    return {label: frozenset(words) for label, words in word_list("empty_heads").items()}


def without_generic_head(key: str, label: str | None) -> str:
    """The key without a head word its type makes redundant, so "the regression problem"
    and "regression" meet; kept when nothing, or only one letter, would be left.

    >>> [without_generic_head(k, l) for k, l in [("regression-problem", "Task"), ("pruning-method", "Method"),
    ...  ("nlp-task", "Task"), ("problem", "Task"), ("generative-model", "Method")]]
    ['regression', 'pruning', 'nlp', 'problem', 'generative-model']
    """
    head, _, rest = key.rpartition("-")
    return head if head and len(head) > 1 and rest in _empty_heads().get(label or "", ()) else key


def span_candidates(text: str, spans: Iterable[tuple[int, int, str, float]]) -> list[Candidate]:
    """Candidates for (start char, end char, model label, probability) spans; spans of
    types kg does not keep are dropped; a parenthesised acronym is not part of the key.

    >>> [(c.label, c.key, c.confidence) for c in span_candidates("a BLEU score (BS)", [(2, 17, "Metric", 0.8), (0, 1, "Generic", 1.0)])]
    [('Metric', 'bleu-score', 0.8)]
    """
    found = (span_candidate(text, start, end, label, probability) for start, end, label, probability in spans)
    return [cand for cand in found if cand is not None]


def span_candidate(text: str, start: int, end: int, label: str, probability: float) -> Candidate | None:
    """The candidate for one model span, or None when kg keeps no such span: a type kg
    does not keep, a dataset or metric not :func:`_precise_enough`, a verb."""
    kg_label = KG_TYPES.get(label)
    if kg_label is None:
        return None
    key = span_key(text[start:end], kg_label)
    if key and not is_verb_use(text, start, end):
        return Candidate(start, end, kg_label, key, round(min(max(probability, 0.0), 1.0), 3), COMPONENT)
    return None


# Distinct model span texts met in a build, far fewer than the spans (a phrase recurs
# across abstracts and :func:`spread` repeats it within one): the most recent are kept.
SPAN_KEY_CACHE = 1 << 16


@lru_cache(maxsize=SPAN_KEY_CACHE)
def span_key(span: str, label: str) -> str:
    """The key of a model span written `span` of kg type `label`, or "" when kg keeps no
    such span wherever it stands (nothing left of the key, or not :func:`_precise_enough`).

    >>> [span_key("concrete Gaussian Mixture (GM)", "Method"), span_key("inductive bias", "Dataset")]
    ['concrete-gaussian-mixture', '']
    """
    # "concrete Gaussian Mixture (GM)" is the concept "concrete Gaussian Mixture"
    key = without_generic_head(concept_key(_PARENTHESES.sub("", span) or span), label)
    return key if key and _precise_enough(label, span) else ""


class ModelMatcher:
    """Runs the shipped tok2vec and span categorizer (:class:`~kg.extract.inference.SpanModel`)
    on batches of docs; with several models (an ensemble), their probabilities for the same
    suggested spans are averaged."""

    def __init__(self, models: Sequence[Language], threshold: float = THRESHOLD):
        self.members = [SpanModel(m) for m in models]
        self.labels = list(self.members[0].labels)
        if any(list(member.labels) != self.labels for member in self.members):
            raise InputError(MODEL_DIR, "the ensemble's models have different labels")
        self.threshold = threshold

    def __call__(self, doc: Doc) -> Doc:
        self.annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            self.annotate(batch)
            yield from batch

    def annotate(self, docs: list[Doc]) -> None:
        todo = [doc for doc in docs if len(doc)]
        if not todo:
            return
        indices = self.members[0].suggest(todo, ops=numpy_ops())
        lengths = indices.lengths.tolist()
        if not sum(lengths):
            return
        spans = numpy.asarray(indices.dataXd)
        scores = sum(member(todo, indices) for member in self.members) / len(self.members)
        for doc, found in zip(todo, decode_batch(spans, scores, lengths, self.labels, self.threshold)):
            text = text_of(doc)
            candidates(doc).extend(span_candidates(text, spread(text, char_spans(doc, found))))


def char_spans(doc: Doc, spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """Token spans (start, end, label, probability) as character spans of the doc's text.

    >>> doc = spacy.blank("en")("We use BLEU scores.")
    >>> char_spans(doc, [(2, 4, "Metric", 0.8)])
    [(7, 18, 'Metric', 0.8)]
    """
    if not spans:
        return []
    offsets = doc.to_array([IDX, LENGTH]).tolist()  # once per doc: a Token per span costs more
    return [(offsets[s][0], offsets[e - 1][0] + offsets[e - 1][1], label, p) for s, e, label, p in spans]


def model_dirs(path: Path) -> list[Path]:
    """The model folder itself, or (an ensemble) its sub-folders that hold a model."""
    if (path / "config.cfg").is_file():
        return [path]
    members = sorted(p for p in path.iterdir() if (p / "config.cfg").is_file()) if path.is_dir() else []
    if not members:
        raise InputError(path, "no trained model here: run `make train`, or build with --fast")
    return members


@Language.factory("kg_ner", default_config={"path": None, "threshold": THRESHOLD})
def make_model_matcher(nlp: Language, name: str, path: str | None, threshold: float) -> ModelMatcher:
    ensure_extensions()
    return ModelMatcher([load_model(p, nlp.vocab) for p in model_dirs(Path(path) if path else MODEL_DIR)], threshold)


# --- training support: the scorer training/ner.cfg selects the best model with ---------


def _spans(doc: Doc, key: str | None) -> set[tuple[int, int, str]]:
    spans = doc.ents if key is None else doc.spans.get(key, [])
    return {(s.start_char, s.end_char, KG_TYPES[s.label_]) for s in spans if s.label_ in KG_TYPES}


def _span_counts(examples: Iterable[Example], key: str | None = None) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {label: [0, 0, 0] for label in set(KG_TYPES.values())}
    for eg in examples:
        pred, gold = _spans(eg.predicted, key), _spans(eg.reference, key)
        for label, row in counts.items():
            p, g = {s for s in pred if s[2] == label}, {s for s in gold if s[2] == label}
            row[0] += len(p & g)
            row[1] += len(p)
            row[2] += len(g)
    return counts


def _prf(matched: int, predicted: int, gold: int) -> dict[str, float]:
    p = matched / predicted if predicted else 0.0
    r = matched / gold if gold else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}


@registry.scorers("kg.scierc_scorer.v1")
def make_scierc_scorer(spans_key: str | None = None):
    """Exact-span P/R/F of the four kg types only (``kg_f``), to pick the best model;
    entities, or the spans under `spans_key`."""

    def score(examples: Iterable[Example], **_) -> dict:
        counts = _span_counts(examples, spans_key)
        total = _prf(*(sum(row[i] for row in counts.values()) for i in range(3)))
        return {"kg_p": total["p"], "kg_r": total["r"], "kg_f": total["f"],
                "kg_per_type": {label: _prf(*row) for label, row in counts.items()}}

    return score
