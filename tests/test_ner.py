"""kg_ner and its place in the pipeline: decoding, the span suggester, the shipped model,
the model-against-rules overlap policy of kg_resolve, and the proposal rules it relies on."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
import spacy

from kg.errors import InputError
from kg.extract import COMPONENTS, create_pipeline, doc_text, extract_papers
from kg.extract.abbreviations import find_abbreviations
from kg.extract.candidates import Candidate
from kg.extract.ner import MODEL_DIR, build_phrase_suggester, decode, load_model, names_material, phrase_spans, span_candidates, token_flags
from kg.extract.ner import _precise_enough as precise_enough
from kg.extract.proposals import find_proposals
from kg.extract.resolve import MODEL, agreement, merge_model
from kg.records import ConceptType, Paper, Role

TEXT = (
    "We train a hierarchical attention encoder with a convolutional neural network (CNN) "
    "on the Penn Treebank corpus and report BLEU score."
)


@pytest.fixture(scope="module")
def full():
    return create_pipeline()


def paper(title: str, abstract: str) -> Paper:
    return Paper(key="t", title=title, abstract=abstract, sources=("t",))


# --- pipeline layout ---------------------------------------------------------------------


def test_fast_pipeline_is_rules_only_and_model_runs_before_resolve(full) -> None:
    assert tuple(create_pipeline(fast=True).pipe_names) == COMPONENTS
    names = full.pipe_names
    assert "kg_ner" in names and names.index("kg_ner") == names.index("kg_resolve") - 1


def test_missing_model_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="make train"):
        load_model(tmp_path, spacy.blank("en").vocab)


# --- decoding ----------------------------------------------------------------------------


def test_decode_takes_most_probable_non_overlapping_spans() -> None:
    indices = numpy.array([[0, 2], [1, 3], [3, 4], [4, 6]])
    scores = numpy.array([[.6, .1, .3], [.2, .7, .1], [.55, .2, .25], [.1, .2, .7]])
    assert decode(indices, scores, ["A", "B"]) == [(1, 3, "B", 0.7), (3, 4, "A", 0.55)]
    assert decode(indices, scores, ["A", "B"], threshold=0.65) == [(1, 3, "B", 0.7)]
    assert decode(numpy.zeros((0, 2)), numpy.zeros((0, 3)), ["A", "B"]) == []


def test_span_candidates_map_types_and_drop_others() -> None:
    text = "BLEU score on WSJ text, this approach"
    found = span_candidates(text, [(0, 10, "Metric", 0.91), (14, 22, "Material", 0.6), (24, 37, "Generic", 0.99),
                                   (14, 17, "OtherScientificTerm", 0.9)])
    assert [(c.label, text[c.start:c.end], c.key, c.confidence, c.component) for c in found] == [
        ("Metric", "BLEU score", "bleu-score", 0.91, MODEL), ("Dataset", "WSJ text", "wsj-text", 0.6, MODEL)]



def test_model_datasets_must_name_something_or_be_data() -> None:
    keep = ["CIFAR-10", "MS MARCO", "parallel corpora", "face images", "Japanese", "broadcast news speech", "Alpaca dataset"]
    drop = ["inductive bias", "transformers", "multiple experts", "Lion", "deep"]
    assert [s for s in keep if precise_enough("Dataset", s)] == keep
    assert [s for s in drop if precise_enough("Dataset", s)] == []


def test_model_metrics_must_be_measures_or_names() -> None:
    keep = ["BLEU score", "top-1 accuracy", "time complexity", "inference latency", "F1"]
    drop = ["expressive power", "generalization ability", "attention", "GPU", "CNN"]
    assert [s for s in keep if precise_enough("Metric", s)] == keep
    assert [s for s in drop if precise_enough("Metric", s)] == []
    assert precise_enough("Method", "expressive power") and precise_enough("Task", "inductive bias")


def test_material_heads_use_the_head_noun_not_any_word() -> None:
    assert names_material("images of faces") is False  # head "faces": not listed
    assert names_material("image segmentation") is False  # a task, whose first word is data
    assert names_material("English") and names_material("English-Chinese bitexts")
    assert not names_material("Chinese word segmentation")  # a language only as the head


# --- the span suggester --------------------------------------------------------------------


def test_phrase_spans_respect_boundaries_and_breaks() -> None:
    first = numpy.array([1, 0, 1, 1])
    last = numpy.array([1, 0, 1, 1])
    breaks = numpy.array([0, 0, 1, 0])
    assert phrase_spans(first, last, breaks, 4).tolist() == [[0, 1], [2, 3], [2, 4], [3, 4]]
    assert phrase_spans(first, last, breaks, 1).tolist() == [[0, 1], [2, 3], [3, 4]]


def test_token_flags() -> None:
    doc = spacy.blank("en")("the on-line corpus (CNNs) of AS is good.")
    words = [t.text for t in doc]
    first, last, breaks = token_flags(doc)
    starts = {w for w, ok in zip(words, first) if ok}
    ends = {w for w, ok in zip(words, last) if ok}
    assert "the" not in starts and "of" not in starts and "on" in starts  # "on-line" opens a compound
    assert {"corpus", ")", "AS", "good"} <= ends and "(" not in ends and "the" not in ends
    assert [w for w, b in zip(words, breaks) if b] == ["is", "."]


def test_suggester_covers_noun_phrases_not_everything() -> None:
    nlp = spacy.blank("en")
    doc = nlp("We apply statistical machine translation to the Europarl corpus.")
    ragged = build_phrase_suggester(max_length=10)([doc])
    spans = {doc[s:e].text for s, e in ragged.dataXd.tolist()}
    assert {"statistical machine translation", "Europarl corpus", "translation"} <= spans
    assert not any(s.startswith("the ") or s.endswith(" to") or "." in s for s in spans)
    assert int(ragged.lengths[0]) == len(ragged.dataXd)


# --- the shipped model ---------------------------------------------------------------------


def test_shipped_model_is_small_and_loads_offline() -> None:
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert (MODEL_DIR / "config.cfg").is_file() and size < 25 * 2**20
    nlp = spacy.blank("en")
    model = load_model(MODEL_DIR, nlp.vocab)
    assert model.vocab is nlp.vocab and model.pipe_names[0] == "tok2vec"


def test_model_adds_scored_candidates(full) -> None:
    (extracted,) = extract_papers([paper("", TEXT)], full)
    model = [m for m in extracted.mentions if m.component == MODEL]
    assert model, "the model finds something in a plain ML sentence"
    assert all(0 < m.confidence <= 1 and m.label in {t.value for t in ConceptType} for m in model)
    assert all(TEXT[m.start:m.end] == m.text for m in extracted.mentions)


def test_min_confidence_drops_low_model_mentions(full) -> None:
    (everything,) = extract_papers([paper("", TEXT)], full)
    (confident,) = extract_papers([paper("", TEXT)], full, min_confidence=0.99)
    assert all(m.confidence >= 0.99 for m in confident.mentions)
    assert len(confident.mentions) <= len(everything.mentions)


def test_model_works_through_nlp_pipe_batches(full) -> None:
    texts = [doc_text(paper("T", TEXT)), doc_text(paper("", "")), doc_text(paper("Another", TEXT[:40]))]
    docs = list(full.pipe(texts, batch_size=2))
    assert len(docs) == 3 and docs[1]._.kg_candidates == []


# --- overlap policy (kg_resolve) -------------------------------------------------------------


def cand(text: str, phrase: str, label: str, component: str, confidence: float = 0.9, nth: int = 0, **kw) -> Candidate:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    from kg.normalize import concept_key

    return Candidate(start, start + len(phrase), label, kw.pop("key", concept_key(phrase)), confidence, component, **kw)


def spans(text: str, cands: list[Candidate]) -> list[tuple[str, str, str, str]]:
    return sorted((text[c.start:c.end], c.label, c.key, c.component) for c in cands)


def test_model_span_alone_is_kept() -> None:
    text = "we use lexical affinity models here"
    out = merge_model(text, [cand(text, "lexical affinity models", "Method", MODEL, 0.7)])
    assert spans(text, out) == [("lexical affinity models", "Method", "lexical-affinity-model", MODEL)]


def test_same_span_merges_into_the_rule() -> None:
    text = "scores on Penn Treebank and with supervised learning"
    out = merge_model(text, [
        cand(text, "Penn Treebank", "Dataset", "gazetteer", 0.9), cand(text, "Penn Treebank", "Method", MODEL, 0.6),
        cand(text, "supervised learning", "Task", "gazetteer", 0.9), cand(text, "supervised learning", "Method", MODEL, 0.8),
    ])
    # a known name keeps its curated type, whatever the model says
    assert spans(text, out) == [("Penn Treebank", "Dataset", "penn-treebank", "gazetteer"),
                                ("supervised learning", "Task", "supervised-learning", "gazetteer")]
    assert {c.confidence for c in out} == {agreement(0.9, 0.6), agreement(0.9, 0.8)}


def test_model_decides_method_or_task_for_a_pattern_guess() -> None:
    text = "we study Neural Topic Segmentation here"
    out = merge_model(text, [cand(text, "Neural Topic Segmentation", "Task", "patterns:titlecase-headed", 0.6),
                             cand(text, "Neural Topic Segmentation", "Method", MODEL, 0.8)])
    assert spans(text, out) == [("Neural Topic Segmentation", "Method", "neural-topic-segmentation", "patterns:titlecase-headed")]


def test_model_span_absorbs_known_name_and_keeps_its_key() -> None:
    text = "trained on the EUROPARL corpus, scored by BLEU score"
    out = merge_model(text, [
        cand(text, "EUROPARL", "Dataset", "gazetteer", key="europarl"), cand(text, "EUROPARL corpus", "Dataset", MODEL, 0.7),
        cand(text, "BLEU", "Metric", "gazetteer", key="bleu", canonical="BLEU"), cand(text, "BLEU score", "Metric", MODEL, 0.8),
    ])
    assert spans(text, out) == [("BLEU score", "Metric", "bleu", MODEL), ("EUROPARL corpus", "Dataset", "europarl", MODEL)]
    assert {c.canonical for c in out} == {"EUROPARL", "BLEU"}


def test_known_dataset_or_metric_with_words_before_keeps_its_key_a_method_does_not() -> None:
    text = "on long-tailed CIFAR100 with validation accuracy, a graph Transformer"
    out = merge_model(text, [
        cand(text, "CIFAR100", "Dataset", "gazetteer", key="cifar-100", canonical="CIFAR-100"),
        cand(text, "long-tailed CIFAR100", "Dataset", MODEL, 0.8),
        cand(text, "accuracy", "Metric", "gazetteer", canonical="accuracy"), cand(text, "validation accuracy", "Metric", MODEL, 0.8),
        cand(text, "Transformer", "Method", "gazetteer", canonical="Transformer"), cand(text, "graph Transformer", "Method", MODEL, 0.8),
    ])
    assert spans(text, out) == [("graph Transformer", "Method", "graph-transformer", MODEL),
                                ("long-tailed CIFAR100", "Dataset", "cifar-100", MODEL),
                                ("validation accuracy", "Metric", "accuracy", MODEL)]


def test_a_known_owner_in_the_possessive_stays_its_own_mention() -> None:
    text = "Shampoo's computational efficiency and Bikel's parser"
    out = merge_model(text, [
        cand(text, "Shampoo", "Method", "gazetteer"), cand(text, "Shampoo's computational efficiency", "Metric", MODEL, 0.7),
        cand(text, "Bikel's parser", "Method", MODEL, 0.8),  # no known name: SciERC's span as it is
    ])
    assert spans(text, out) == [("Bikel's parser", "Method", "bikel-s-parser", MODEL),
                                ("Shampoo", "Method", "shampoo", "gazetteer"),
                                ("computational efficiency", "Metric", "computational-efficiency", MODEL)]


def test_model_span_absorbs_acronym_pair_and_method_inside() -> None:
    text = "a statistical machine translation (SMT) system and OCR accuracy"
    out = merge_model(text, [
        cand(text, "machine translation", "Task", "gazetteer"),
        cand(text, "statistical machine translation", "Task", "abbreviation", 0.75, key="smt-lf"),
        cand(text, "SMT", "Task", "abbreviation", 0.8, key="smt-lf"),
        cand(text, "statistical machine translation (SMT) system", "Method", MODEL, 0.6),
        cand(text, "OCR", "Task", "gazetteer"), cand(text, "accuracy", "Metric", "gazetteer"),
        cand(text, "OCR accuracy", "Metric", MODEL, 0.7),
    ])
    assert spans(text, out) == [("OCR accuracy", "Metric", "ocr-accuracy", MODEL),
                                ("statistical machine translation (SMT) system", "Method",
                                 "statistical-machine-translation-smt-system", MODEL)]


def test_acronym_pair_plus_generic_head_keeps_the_long_form_key() -> None:
    text = "the convolutional neural networks (CNNs) model"
    out = merge_model(text, [
        cand(text, "convolutional neural networks", "Method", "abbreviation", key="cnn-lf"),
        cand(text, "CNNs", "Method", "abbreviation", key="cnn-lf", canonical="convolutional neural networks"),
        cand(text, "convolutional neural networks (CNNs) model", "Method", MODEL, 0.9),
    ])
    assert [(c.key, c.component) for c in out] == [("cnn-lf", MODEL)]


def test_rules_win_other_overlaps() -> None:
    text = "see https://github.com/a/b for ImageNet classification and Penn Treebank data"
    out = merge_model(text, [
        cand(text, "https://github.com/a/b", "Repository", "code_links", 0.99),
        cand(text, "github", "Method", MODEL, 0.9),  # inside a URL
        cand(text, "ImageNet", "Dataset", "gazetteer"),
        cand(text, "ImageNet classification", "Task", MODEL, 0.9),  # a known dataset inside another type
        cand(text, "Penn Treebank", "Dataset", "gazetteer"),
        cand(text, "Treebank data", "Dataset", MODEL, 0.9),  # partial overlap
    ])
    assert MODEL not in {c.component for c in out} and len(out) == 3


def test_proposal_is_absorbed_only_with_generic_words() -> None:
    text = "we propose KAZE features and FooNet-based detectors"
    out = merge_model(text, [
        cand(text, "KAZE", "Method", "proposals", 0.8, role=Role.PROPOSES), cand(text, "KAZE features", "Method", MODEL, 0.7),
        cand(text, "FooNet", "Method", "proposals", 0.8, role=Role.PROPOSES), cand(text, "FooNet-based detectors", "Method", MODEL, 0.7),
    ])
    assert spans(text, out) == [("FooNet", "Method", "foonet", "proposals"), ("KAZE features", "Method", "kaze", MODEL)]


# --- proposals the roles rely on ------------------------------------------------------------


def proposed(title: str, abstract: str) -> list[tuple[str, str]]:
    text = title + "\n\n" + abstract
    return [(text[s:e], t.value) for s, e, t in find_proposals(text, len(title) + 2, find_abbreviations(text))]


@pytest.mark.parametrize(("abstract", "expected"), [
    ("We first introduce Bayesian Point-wise Optimization (BPO) to learn a model.", [("Bayesian Point-wise Optimization", "Method")]),
    ("We introduce the concept of scalable neural network kernels (SNNKs), the replacements of feedforward layers (FFLs).",
     [("scalable neural network kernels", "Method")]),
    ("We propose the Weight Distribution Loss (WD-Loss) and Group Guidance Loss (GG-Loss) to bridge the gap.",
     [("Weight Distribution Loss", "Method"), ("Group Guidance Loss", "Method")]),
    ("We call this architecture a Pointer Net (Ptr-Net).", [("Pointer Net", "Method")]),
    ("We propose an attack method based on feature alignment, called FOA-Attack, to improve transfer.", [("FOA-Attack", "Method")]),
    ("The result is our method, General RL Optimizers (GROOVE).", [("General RL Optimizers", "Method")]),
    ("We introduce a new benchmark named LongBench for long contexts.", [("LongBench", "Dataset")]),
])
def test_find_proposals(abstract: str, expected: list) -> None:
    assert proposed("A Title", abstract) == expected


def test_title_phrase_is_proposed_when_the_abstract_names_nothing() -> None:
    abstract = "In this paper, we propose a novel model that unifies three approaches."
    assert proposed("Generative Dual Adversarial Network for Zero-shot Learning", abstract) == [
        ("Generative Dual Adversarial Network", "Method")]
    assert proposed("Information-Theoretic Generalization Bounds for Deep Networks", abstract) == []
    assert proposed("Generative Dual Adversarial Network for Zero-shot Learning", "We study bounds.") == []


def test_absorbed_proposal_keeps_its_role() -> None:
    from kg.extract.resolve import resolve

    text = "We propose KAZE features. KAZE features are fast."
    out = resolve(text, [cand(text, "KAZE", "Method", "proposals", 0.8, role=Role.PROPOSES),
                         cand(text, "KAZE features", "Method", MODEL, 0.7),
                         cand(text, "KAZE features", "Method", MODEL, 0.6, nth=1)], [])
    assert [(text[c.start:c.end], c.key, c.role) for c in out] == [
        ("KAZE features", "kaze", Role.PROPOSES), ("KAZE features", "kaze", Role.PROPOSES)]


def test_named_proposal_takes_the_defined_long_form() -> None:
    abstract = ("Thus we present first-order flatness, a measure which bounds it, and a novel training procedure "
                "named Gradient norm Aware Minimization (GAM).")
    assert proposed("T", abstract) == [("Gradient norm Aware Minimization", "Method")]
    assert proposed("AEM: Attention Entropy Maximization", "This paper proposes a regularization: "
                    "Attention Entropy Maximization (AEM).") == [("AEM", "Method"), ("Attention Entropy Maximization", "Method")]


def test_known_name_right_after_we_propose_is_proposed() -> None:
    from kg.extract import extract_papers as run

    abstract = "In this paper, we propose Sophia, a simple optimizer. Sophia beats Adam."
    (e,) = run([paper("Sophia: A Scalable Optimizer", abstract)], create_pipeline(fast=True))
    roles = {(m.text, m.role) for m in e.mentions if m.label == "Method"}
    assert ("Sophia", Role.PROPOSES) in roles and ("Adam", Role.USES) in roles


def test_url_keeps_acronyms_inside_it_out() -> None:
    text = "Test-time prompt tuning (TPT) works. Project page: https://azshue.github.io/TPT."
    url = cand(text, "https://azshue.github.io/TPT", "Repository", "code_links", 0.9)
    sf = cand(text, "TPT", "Method", "abbreviation", 0.7, nth=1)
    out = merge_model(text, [url, sf, cand(text, "TPT", "Method", MODEL, 0.95, nth=1)])
    assert url in out and sf in out and len(out) == 2  # no boost from the model inside the URL
    from kg.extract.ner import spread
    assert spread(text, [(25, 28, "Method", 0.9)]) == [(25, 28, "Method", 0.9)]


def test_phrases_of_generic_words_are_no_concepts_a_rule_may_guess() -> None:
    from kg.extract.generic import is_generic
    from kg.extract.resolve import select

    assert [k for k in ["downstream-task", "pre-trained-model", "machine-learning-model", "neural-network", "task"]
            if not is_generic(k)] == []
    assert [k for k in ["feature-learning", "graph-neural-network", "image-classification", "adversarial-training"]
            if is_generic(k)] == []
    text = "a downstream task and image classification with our method and a pre-trained model"
    kept = select([cand(text, "downstream task", "Task", "patterns:task-head"), cand(text, "image classification", "Task", MODEL),
                   cand(text, "our method", "Method", MODEL), cand(text, "pre-trained model", "Method", MODEL)])
    # the model learnt from SciERC when such words name a concept; a listed term never does
    assert [text[c.start:c.end] for c in kept] == ["image classification", "pre-trained model"]


def test_dataset_span_around_several_known_datasets_gives_way() -> None:
    text = "on MNIST and CIFAR10 datasets and the CIFAR10 training set"
    out = merge_model(text, [
        cand(text, "MNIST", "Dataset", "gazetteer"), cand(text, "CIFAR10", "Dataset", "gazetteer", key="cifar-10"),
        cand(text, "CIFAR10", "Dataset", "gazetteer", nth=1, key="cifar-10"),
        cand(text, "MNIST and CIFAR10 datasets", "Dataset", MODEL, 0.8),
        cand(text, "CIFAR10 training set", "Dataset", MODEL, 0.8),
    ])
    assert spans(text, out) == [("CIFAR10", "Dataset", "cifar-10", "gazetteer"), ("CIFAR10 training set", "Dataset", "cifar-10", MODEL),
                                ("MNIST", "Dataset", "mnist", "gazetteer")]


def test_gerund_with_an_object_is_no_model_concept() -> None:
    text = "boosting those methods, while boosting improves weak learners"
    found = span_candidates(text, [(0, 8, "Method", 0.8), (30, 38, "Method", 0.8)])
    assert [(c.start, c.key) for c in found] == [(30, "boosting")]


def test_a_list_of_names_gives_way_to_the_names() -> None:
    text = "we train with SGD/Adam/LAMB and OCR accuracy"
    out = merge_model(text, [
        cand(text, "SGD", "Method", "gazetteer"), cand(text, "Adam", "Method", "gazetteer"),
        cand(text, "LAMB", "Method", "gazetteer"), cand(text, "SGD/Adam/LAMB", "Method", MODEL, 0.7),
        cand(text, "OCR", "Task", "gazetteer"), cand(text, "accuracy", "Metric", "gazetteer"),
        cand(text, "OCR accuracy", "Metric", MODEL, 0.7),
    ])
    assert spans(text, out) == [("Adam", "Method", "adam", "gazetteer"), ("LAMB", "Method", "lamb", "gazetteer"),
                                ("OCR accuracy", "Metric", "ocr-accuracy", MODEL), ("SGD", "Method", "sgd", "gazetteer")]


def test_a_list_with_a_name_found_twice_still_splits() -> None:
    text = "tuned with SAM/Adam/LAMB"
    out = merge_model(text, [
        cand(text, "SAM", "Method", "gazetteer"), cand(text, "SAM", "Method", "abbreviation", 0.7, key="sam"),
        cand(text, "Adam", "Method", "gazetteer"), cand(text, "LAMB", "Method", "gazetteer"),
        cand(text, "SAM/Adam/LAMB", "Method", MODEL, 0.7),
    ])
    assert MODEL not in {c.component for c in out}


@pytest.mark.parametrize("phrase, name, key", [
    ("the Adam optimizer", "Adam", "adam"),
    ("an SVM classifier", "SVM", "support-vector-machine"),
])
def test_a_known_method_written_with_its_kind_noun_is_that_method(phrase: str, name: str, key: str) -> None:
    start = phrase.index(name)
    known = Candidate(start, start + len(name), "Method", key, 0.9, "gazetteer")
    span = Candidate(phrase.index(" ") + 1, len(phrase), "Method", "x", 0.8, MODEL)
    (merged,) = merge_model(phrase, [known, span])
    assert (merged.start, merged.end, merged.key) == (span.start, span.end, key)


def test_a_method_with_other_words_stays_its_own_concept() -> None:
    phrase = "a graph Transformer"
    known = Candidate(8, 19, "Method", "transformer", 0.9, "gazetteer")
    (merged,) = merge_model(phrase, [known, Candidate(2, 19, "Method", "graph-transformer", 0.8, MODEL)])
    assert merged.key == "graph-transformer"
