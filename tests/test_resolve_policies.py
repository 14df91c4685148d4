"""The resolver's overlap policies (kg.extract.overlap), one by one, and their order."""

from __future__ import annotations

import inspect
import re

import pytest

from kg.extract import overlap
from kg.extract.candidates import Candidate
from kg.extract.overlap import (
    MODEL,
    POLICIES,
    Overlap,
    agreement,
    merge_model,
    settle,
)
from kg.normalize import concept_key
from kg.records import REPOSITORY


def cand(text: str, phrase: str, label: str, component: str, confidence: float = 0.9, nth: int = 0, **kw) -> Candidate:
    """A candidate over the `nth` occurrence of `phrase` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Candidate(start, start + len(phrase), label, kw.pop("key", concept_key(phrase)), confidence, component, **kw)


def spans(text: str, cands: list[Candidate]) -> list[tuple[str, str, str, str, float]]:
    return sorted((text[c.start:c.end], c.label, c.key, c.component, c.confidence) for c in cands)


def without(name: str) -> tuple:
    """The default policies but the one called `name`."""
    assert name in {p.__name__ for p in POLICIES}
    return tuple(p for p in POLICIES if p.__name__ != name)


def moved_before(first: str, second: str) -> tuple:
    """The default policies with `first` moved right before `second`."""
    order = [p for p in POLICIES if p.__name__ != first]
    at = [p.__name__ for p in order].index(second)
    return tuple(order[:at] + [getattr(overlap, first)] + order[at:])


def keep_as_is(text: str, model: Candidate, rules) -> Candidate:
    return model


def spread_nothing(text: str, kept: list[Candidate]) -> list[Candidate]:
    return kept


# --- one example per policy: (text, candidates) ----------------------------------------------

def owner_case():
    text = "Shampoo's computational efficiency"
    return text, [cand(text, "Shampoo", "Method", "gazetteer"), cand(text, text, "Metric", MODEL, 0.7)]


def url_case():
    text = "code at https://github.com/a/graph-learn now"
    url = "https://github.com/a/graph-learn"
    return text, [cand(text, url, REPOSITORY, "code_links", 0.95, key=url), cand(text, url, "Method", MODEL, 0.6)]


def alone_case():
    text = "we use lexical affinity models here"
    return text, [cand(text, "lexical affinity models", "Method", MODEL, 0.7)]


def same_case():
    text = "we study Neural Topic Segmentation here"
    return text, [cand(text, "Neural Topic Segmentation", "Task", "patterns:titlecase-headed", 0.6),
                  cand(text, "Neural Topic Segmentation", "Method", MODEL, 0.8)]


def foreign_case():
    text = "the BLEU score rose"
    return text, [cand(text, "BLEU score", "Metric", "gazetteer", key="bleu", canonical="BLEU"),
                  cand(text, "BLEU", "Metric", MODEL, 0.7)]


def definition_case():
    text = "we use sharpness-aware minimization (SAM) here"
    return text, [cand(text, "sharpness-aware minimization", "Method", "gazetteer", key="sam"),
                  cand(text, "SAM", "Method", "abbreviation", 0.8, key="sam"),
                  cand(text, "sharpness-aware minimization (SAM)", "Method", MODEL, 0.7)]


def extends_case():
    text = "trained on the EUROPARL corpus"
    return text, [cand(text, "EUROPARL", "Dataset", "gazetteer"), cand(text, "EUROPARL corpus", "Dataset", MODEL, 0.7)]


def known_names_case():
    text = "on MNIST and CIFAR10 datasets"
    return text, [cand(text, "MNIST", "Dataset", "gazetteer"), cand(text, "CIFAR10", "Dataset", "gazetteer"),
                  cand(text, "MNIST and CIFAR10 datasets", "Dataset", MODEL, 0.7)]


def list_case():
    text = "with SGD/Adam/LAMB we"
    return text, [cand(text, "SGD", "Method", "gazetteer"), cand(text, "Adam", "Method", "gazetteer"),
                  cand(text, "LAMB", "Method", "gazetteer"), cand(text, "SGD/Adam/LAMB", "Method", MODEL, 0.6)]


def replaces_case():
    text = "OCR accuracy"
    return text, [cand(text, "OCR", "Task", "gazetteer"), cand(text, "accuracy", "Metric", "gazetteer"),
                  cand(text, "OCR accuracy", "Metric", MODEL, 0.7)]


def spread_case():
    text = "KAZE features beat SIFT; KAZE features win"
    return text, [cand(text, "KAZE", "Method", "proposals"),
                  cand(text, "KAZE features", "Method", MODEL, 0.8), cand(text, "KAZE features", "Method", MODEL, 0.7, nth=1)]


CASES = {
    "url_wins": url_case, "model_alone_stays": alone_case, "same_span_agrees": same_case,
    "foreign_hit_wins": foreign_case, "definition_pair_stays": definition_case,
    "model_extends_name": extends_case, "known_names_stay_apart": known_names_case,
    "list_of_names_stays": list_case, "model_replaces_rules": replaces_case,
}


# --- each policy decides its case --------------------------------------------------------------

def test_owner_stays_apart() -> None:
    text, cands = owner_case()
    assert spans(text, merge_model(text, cands)) == [
        ("Shampoo", "Method", "shampoo", "gazetteer", 0.9),
        ("computational efficiency", "Metric", "computational-efficiency", MODEL, 0.7)]
    # without the trim the span swallows the owner
    assert spans(text, merge_model(text, cands, trim=keep_as_is)) == [
        (text, "Metric", concept_key(text), MODEL, 0.7)]


def test_url_wins() -> None:
    text, cands = url_case()
    assert merge_model(text, cands) == [cands[0]]  # the URL, its confidence not raised
    inside = cand(text, "graph-learn", "Method", MODEL, 0.8)
    assert merge_model(text, [cands[0], inside]) == [cands[0]]


def test_model_alone_stays() -> None:
    text, cands = alone_case()
    assert merge_model(text, cands) == cands


def test_same_span_agrees() -> None:
    text, cands = same_case()
    # a pattern's Method/Task guess gives way to the model's; the rule's component and key stay
    assert spans(text, merge_model(text, cands)) == [
        ("Neural Topic Segmentation", "Method", "neural-topic-segmentation", "patterns:titlecase-headed", agreement(0.6, 0.8))]
    text = "on statistical machine translation here"
    out = merge_model(text, [cand(text, "statistical machine translation", "Task", "gazetteer"),
                             cand(text, "machine translation", "Task", "gazetteer"),
                             cand(text, "statistical machine translation", "Method", MODEL, 0.5)])
    # a known name keeps its curated type; the hit inside it goes
    assert spans(text, out) == [("statistical machine translation", "Task", "statistical-machine-translation",
                                 "gazetteer", agreement(0.9, 0.5))]


def test_a_merge_is_seen_by_the_next_model_span() -> None:
    text, cands = same_case()
    out = merge_model(text, cands + [cands[1]])
    assert [c.confidence for c in out] == [agreement(agreement(0.6, 0.8), 0.8)]


def test_foreign_hit_wins() -> None:
    text, cands = foreign_case()
    assert merge_model(text, cands) == [cands[0]]  # partly outside the model span: the rule stays
    text = "ImageNet classification"
    rule = cand(text, "ImageNet", "Dataset", "gazetteer")
    assert merge_model(text, [rule, cand(text, text, "Task", MODEL, 0.8)]) == [rule]


def test_definition_pair_stays() -> None:
    text, cands = definition_case()
    assert merge_model(text, cands) == cands[:2]


def test_model_extends_name() -> None:
    text, cands = extends_case()
    out = merge_model(text, cands)
    assert spans(text, out) == [("EUROPARL corpus", "Dataset", "europarl", MODEL, agreement(0.7, 0.9))]
    assert out[0].canonical == "EUROPARL"


def test_known_names_stay_apart() -> None:
    text, cands = known_names_case()
    assert merge_model(text, cands) == cands[:2]
    # a method span around two known methods is no dataset span: it is not this policy's case
    case = Overlap.of(text, cands[2], [c for c in cands[:2]])
    assert overlap.known_names_stay_apart(case) is not None
    method = Candidate(cands[2].start, cands[2].end, "Method", "x", 0.7, MODEL)
    assert overlap.known_names_stay_apart(Overlap.of(text, method, cands[:2])) is None


def test_list_of_names_stays() -> None:
    text, cands = list_case()
    assert merge_model(text, cands) == cands[:3]


def test_model_replaces_rules() -> None:
    text, cands = replaces_case()
    assert merge_model(text, cands) == [cands[2]]


def test_phrase_takes_known_key() -> None:
    text, cands = spread_case()
    out = merge_model(text, cands)
    assert spans(text, out) == [("KAZE features", "Method", "kaze", MODEL, 0.7),
                                ("KAZE features", "Method", "kaze", MODEL, agreement(0.8, 0.9))]
    assert {c.canonical for c in out} == {"KAZE"}
    unspread = merge_model(text, cands, spread=spread_nothing)
    assert sorted(c.key for c in unspread) == ["kaze", "kaze-feature"]


def test_a_span_no_policy_settles_goes() -> None:
    text, cands = replaces_case()
    assert settle(Overlap.of(text, cands[2], cands[:2]), ()) == overlap.DROP_MODEL
    assert merge_model(text, cands, policies=()) == cands[:2]


# --- removing or reordering a policy changes what it decides --------------------------------

@pytest.mark.parametrize("name", sorted(CASES))
def test_removing_a_policy_changes_its_case(name: str) -> None:
    text, cands = CASES[name]()
    assert spans(text, merge_model(text, cands, policies=without(name))) != spans(text, merge_model(text, cands))


@pytest.mark.parametrize("first, second, case", [
    ("same_span_agrees", "url_wins", url_case),  # the URL's confidence would be raised
    ("foreign_hit_wins", "same_span_agrees", same_case),  # the rule would not learn the model's type
    ("model_extends_name", "definition_pair_stays", definition_case),  # the definition would be one span
    ("model_replaces_rules", "model_extends_name", extends_case),  # the known name's key would be lost
    ("model_replaces_rules", "known_names_stay_apart", known_names_case),
    ("model_replaces_rules", "list_of_names_stays", list_case),
])
def test_the_order_matters(first: str, second: str, case) -> None:
    text, cands = case()
    assert spans(text, merge_model(text, cands, policies=moved_before(first, second))) != spans(
        text, merge_model(text, cands))


def test_documented_order_is_the_default_order() -> None:
    documented = re.findall(r"^(\d+)\. \*\*`(\w+)`\*\*", overlap.__doc__, re.MULTILINE)
    defaults = inspect.signature(merge_model).parameters
    applied = [defaults["trim"].default, *POLICIES, defaults["spread"].default]
    assert [int(n) for n, _ in documented] == list(range(1, len(applied) + 1))
    assert [name for _, name in documented] == [f.__name__ for f in applied]
    for number, function in enumerate(applied, 1):  # each says which policy it is
        assert function.__doc__.startswith(f"Policy {number}:")
