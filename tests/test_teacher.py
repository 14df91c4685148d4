"""The torch-free parts of training/teacher.py and the teacher's labels in make_docbins."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import Span

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def teacher():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "training"))  # as when run as a script: make_docbins beside it
        spec = importlib.util.spec_from_file_location("kg_training_teacher", ROOT / "training" / "teacher.py")
        module = importlib.util.module_from_spec(spec)
        patch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
        spec.loader.exec_module(module)
        yield module


def test_piece_chunks_keep_words_whole_and_cut_after_full_stops(teacher) -> None:
    words = ["A", "b", ".", "C", "d", "."]
    pieces = [[10], [11, 12], [13], [14], [15, 16], [17]]
    chunks = teacher.piece_chunks(pieces, 1, 2, words, limit=5)
    # the first pass is long (4 pieces > 0.7 * 5) after "."; each word's pieces stay together
    assert [(ids, owner.tolist()) for ids, owner in chunks] == [
        ([1, 10, 11, 12, 13, 2], [0, 1, 1, 2]), ([1, 14, 15, 16, 17, 2], [0, 1, 1, 2])]
    assert sum(len(ids) - 2 for ids, _ in teacher.piece_chunks([[5]] * 1200, 1, 2)) == 1200
    assert all(len(ids) <= teacher.MAX_PIECES + 2 for ids, _ in teacher.piece_chunks([[5]] * 1200, 1, 2))


def test_abstracts_mark_gold_spans_and_no_concept(teacher) -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("We train BERT on MNIST data.")
    doc.spans["sc"] = [Span(doc, 2, 3, label="Method"), Span(doc, 4, 6, label="Dataset")]
    (item,) = teacher.abstracts([doc], labelled=True)
    targets = {(int(s), int(e)): int(t) for (s, e), t in zip(item.spans, item.targets)}
    assert targets[2, 3] == teacher.LABELS.index("Method") and targets[4, 6] == teacher.LABELS.index("Dataset")
    assert targets[4, 5] == len(teacher.LABELS)  # "MNIST" alone: no concept
    assert item.gold == ((2, 3, "Method"), (4, 6, "Dataset"))


def test_teacher_labels_round_trip_into_training_docs(teacher, tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    (item,) = teacher.abstracts([nlp.make_doc("Adam beats SGD on ImageNet-1k.")], labelled=False)
    probs = numpy.zeros((len(item.spans), len(teacher.LABELS) + 1), dtype="float32")
    probs[:, -1] = 1.0
    wanted = {(0, 1): "Method", (4, 5): "Dataset"}
    for i, (s, e) in enumerate(item.spans.tolist()):
        if (s, e) in wanted:
            probs[i] = 0
            probs[i, teacher.LABELS.index(wanted[s, e])] = 0.8
            probs[i, -1] = 0.2
    rows = teacher.label_rows([item], [probs])
    assert rows == [{"text": item.text, "spans": [[0, 4, "Method"], [18, 29, "Dataset"]],
                     "soft": [[0, 4, "Method", 0.8], [18, 29, "Dataset", 0.8]]}]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    make_docbins = sys.modules["make_docbins"]
    (doc,) = make_docbins.teacher_docs(nlp, path)
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [("Adam", "Method"), ("ImageNet-1k", "Dataset")]
    # the soft labels ride along in token offsets, for kg_spancat
    assert doc.user_data["kg_soft_targets"] == [[0, 1, "Method", 0.8], [4, 5, "Dataset", 0.8]]
    path.write_text(json.dumps({"text": "Adam beats SGD.", "spans": [], "soft": [[0, 3, "Method", 0.4]]}) + "\n",
                    encoding="utf-8")
    with pytest.raises(SystemExit, match="soft label is off the tokens"):
        make_docbins.teacher_docs(nlp, path)
    path.write_text(json.dumps({"text": "Adam beats SGD.", "spans": [[1, 4, "Method"]]}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="off the tokens"):
        make_docbins.teacher_docs(nlp, path)


def test_the_ml_sample_never_reaches_training(teacher) -> None:
    from kg.eval.ml_sample import read_sample

    texts = sys.modules["make_docbins"].unlabeled_texts()
    sample = [doc.text for doc in read_sample()]
    assert len(texts) == 407 - len(sample)
    assert not any(abstract in text for abstract in sample for text in texts)

