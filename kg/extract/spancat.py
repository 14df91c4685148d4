"""``kg_spancat``: spaCy's single-label span categorizer that can also learn from a
teacher's probabilities (knowledge distillation: Hinton et al., 2015, "Distilling the
Knowledge in a Neural Network").

A training doc whose ``user_data[SOFT_TARGETS]`` holds ``[start token, end token,
label, probability]`` rows is learnt against those probabilities for its suggested spans,
instead of one-hot labels; a suggested span with no row is "no concept". Other docs
(SciERC's, with gold labels) are learnt as spaCy's ``spancat_singlelabel`` learns them.

Only training differs: prediction is spaCy's, and kg reads the trained layers with
:mod:`kg.extract.inference`. The teacher's labels of the bundled corpus carry such rows
(``training/teacher.py label``), so the span model learns how sure the teacher was, not
only its best guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy
from spacy.language import Language
from spacy.pipeline.spancat import DEFAULT_SPANCAT_SINGLELABEL_MODEL, SpanCategorizer
from spacy.tokens import Doc

SOFT_TARGETS = "kg_soft_targets"


def soft_target_rows(doc: Doc, suggested: numpy.ndarray, labels: Sequence[str]) -> numpy.ndarray | None:
    """The target distribution over ``labels`` plus "no concept" (last column) for each of
    ``suggested`` ((n, 2) token offsets), or None when ``doc`` carries no soft targets.

    >>> from spacy.vocab import Vocab
    >>> doc = Doc(Vocab(), words=["BLEU", "on", "WMT"])
    >>> doc.user_data[SOFT_TARGETS] = [[0, 1, "Metric", 0.8], [2, 3, "Dataset", 0.6]]
    >>> soft_target_rows(doc, numpy.array([[0, 1], [1, 2], [2, 3]]), ["Dataset", "Metric"]).astype(float).round(2).tolist()
    [[0.0, 0.8, 0.2], [0.0, 0.0, 1.0], [0.6, 0.0, 0.4]]
    """
    rows = doc.user_data.get(SOFT_TARGETS)
    if rows is None:
        return None
    column = {label: i for i, label in enumerate(labels)}
    index = {(int(start), int(end)): i for i, (start, end) in enumerate(suggested.tolist())}
    target = numpy.zeros((len(suggested), len(labels) + 1), dtype="float32")
    for start, end, label, probability in rows:
        i = index.get((start, end))
        if i is not None and label in column:
            target[i, column[label]] += probability
    # whatever the labels leave is "no concept" (the teacher's own, and its dropped labels')
    target[:, -1] = numpy.clip(1.0 - target[:, :-1].sum(1), 0.0, 1.0)
    return target


class DistilledSpanCategorizer(SpanCategorizer):
    """``spancat_singlelabel`` whose loss reads a doc's soft targets when it has them."""

    def get_loss(self, examples: Iterable, spans_scores) -> tuple[float, numpy.ndarray]:
        examples = list(examples)
        loss, d_scores = super().get_loss(examples, spans_scores)
        spans, scores = spans_scores
        lengths = self.model.ops.to_numpy(spans.lengths).tolist()
        data = self.model.ops.to_numpy(spans.data)
        negative_weight = float(self.cfg["negative_weight"])
        offset, changed = 0, False
        for eg, n in zip(examples, lengths):
            target = soft_target_rows(eg.reference, data[offset:offset + n], self.labels)
            if target is not None:
                rows = slice(offset, offset + n)
                # the gradient of cross-entropy against soft targets, through the softmax;
                # spans the teacher thought no concept weigh as spaCy weighs negatives
                weight = numpy.where(target[:, -1] >= 0.5, negative_weight, 1.0)[:, None]
                d_scores[rows] = (scores[rows] - self.model.ops.asarray(target)) * self.model.ops.asarray(weight)
                changed = True
            offset += n
        if changed:
            loss = float((d_scores**2).sum())
        return loss, d_scores


@Language.factory(
    "kg_spancat",
    assigns=["doc.spans"],
    default_config={
        "spans_key": "sc",
        "model": DEFAULT_SPANCAT_SINGLELABEL_MODEL,
        "negative_weight": 1.0,
        "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1, 2, 3]},
        "scorer": {"@scorers": "spacy.spancat_scorer.v1"},
        "allow_overlap": True,
    },
    default_score_weights={"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0},
)
def make_kg_spancat(nlp: Language, name: str, suggester, model, spans_key: str, negative_weight: float,
                    allow_overlap: bool, scorer) -> DistilledSpanCategorizer:
    return DistilledSpanCategorizer(
        nlp.vocab, model=model, suggester=suggester, name=name, spans_key=spans_key,
        negative_weight=negative_weight, allow_overlap=allow_overlap, max_positive=1,
        add_negative_label=True, threshold=None, scorer=scorer,
    )
