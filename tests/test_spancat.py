"""kg_spancat: spaCy's single-label span categorizer, plus a teacher's soft targets."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import fix_random_seed
from thinc.types import Ragged

from kg.extract.spancat import SOFT_TARGETS, soft_target_rows

LABELS = ["Dataset", "Method"]


def test_soft_targets_fill_the_rest_with_no_concept() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["Adam", "on", "MNIST"])
    suggested = numpy.array([[0, 1], [0, 3], [2, 3]])
    assert soft_target_rows(doc, suggested, LABELS) is None  # no soft targets: gold labels as usual
    doc.user_data[SOFT_TARGETS] = [[0, 1, "Method", 0.7], [0, 1, "Dataset", 0.1], [2, 3, "Dataset", 0.9],
                                   [1, 2, "Method", 0.9],  # not a suggested span: ignored
                                   [2, 3, "Generic", 0.05]]  # a label the model lacks: "no concept"
    target = soft_target_rows(doc, suggested, LABELS)
    assert numpy.allclose(target, [[0.1, 0.7, 0.2], [0, 0, 1], [0.9, 0, 0.1]])


@pytest.fixture()
def spancat():
    fix_random_seed(0)
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("kg_spancat", config={"negative_weight": 0.5,
                                              "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": [1]}})
    doc = nlp.make_doc("Adam on MNIST")
    doc.spans["sc"] = [Span(doc, 0, 1, "Method"), Span(doc, 2, 3, "Dataset")]
    nlp.initialize(lambda: [Example(nlp.make_doc(doc.text), doc)])
    return nlp, pipe


def _loss(nlp, pipe, reference: Doc):
    example = Example(nlp.make_doc(reference.text), reference)
    spans = pipe.suggester([example.predicted], ops=pipe.model.ops)
    scores = pipe.model.predict(([example.predicted], spans))
    return spans, scores, pipe.get_loss([example], (spans, scores))


def test_without_soft_targets_the_loss_is_spacys(spancat) -> None:
    nlp, pipe = spancat
    reference = nlp.make_doc("Adam on MNIST")
    reference.spans["sc"] = [Span(reference, 0, 1, "Method")]
    spans, scores, (loss, d_scores) = _loss(nlp, pipe, reference)
    base_loss, base_d = super(type(pipe), pipe).get_loss([Example(nlp.make_doc(reference.text), reference)], (spans, scores))
    assert loss == pytest.approx(base_loss) and numpy.allclose(d_scores, base_d)


def test_soft_targets_give_the_cross_entropy_gradient(spancat) -> None:
    nlp, pipe = spancat
    reference = nlp.make_doc("Adam on MNIST")
    reference.spans["sc"] = [Span(reference, 0, 1, "Method")]  # the hard label gives way to the soft ones
    reference.user_data[SOFT_TARGETS] = [[0, 1, "Method", 0.6], [0, 1, "Dataset", 0.3], [2, 3, "Dataset", 0.4]]
    spans, scores, (loss, d_scores) = _loss(nlp, pipe, reference)
    column = {label: i for i, label in enumerate(pipe.labels)}
    target = numpy.zeros(scores.shape)
    target[:, -1] = 1.0
    target[0, column["Method"]], target[0, column["Dataset"]], target[0, -1] = 0.6, 0.3, 0.1
    target[2, column["Dataset"]], target[2, -1] = 0.4, 0.6
    weight = numpy.array([1.0, 0.5, 0.5])[:, None]  # spans the teacher thought no concept weigh 0.5
    assert isinstance(spans, Ragged) and spans.dataXd.tolist() == [[0, 1], [1, 2], [2, 3]]
    assert numpy.allclose(d_scores, (scores - target) * weight)
    assert loss == pytest.approx(float((d_scores**2).sum()))


def test_a_trained_kg_spancat_loads_as_an_ordinary_pipeline(spancat, tmp_path) -> None:
    nlp, _ = spancat
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert loaded.get_pipe("kg_spancat").labels == nlp.get_pipe("kg_spancat").labels
