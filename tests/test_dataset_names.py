"""Benchmark names written with a year, version, split or language pair are one Dataset
mention each (kg.extract.editions, used by the gazetteer and the dataset-edition rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import create_pipeline, extract_papers
from kg.extract.editions import edition_after
from kg.ingest._common import make_paper


@pytest.fixture(scope="module")
def fast_nlp():
    return create_pipeline(fast=True)


def mentions(nlp, abstract: str) -> list[tuple[str, str, str]]:
    (extracted,) = extract_papers([make_paper(Path("t.jsonl"), 1, "A study", abstract, source="t.jsonl")], nlp)
    return [(m.text, m.label, m.key) for m in extracted.mentions]


@pytest.mark.parametrize(("name", "key"), [
    ("WMT 2014 English-German", "wmt-14-en-de"),
    ("WMT'14 En-De", "wmt-14-en-de"),
    ("WMT14 English-to-French", "wmt-14-en-fr"),
    ("WMT'16 en→de", "wmt-16-en-de"),
    ("PASCAL VOC 2012", "pascal-voc-2012"),
    ("VOC 2007 test", "voc-2007"),
    ("COCO 2017 val", "coco-2017"),
    ("MS COCO test-dev", "coco"),
    ("ImageNet-1k val", "imagenet"),
    ("SQuAD v1.1", "squad-1-1"),
    ("SQuAD 2.0", "squad-2-0"),
    ("IWSLT'14 De-En", "iwslt-14-de-en"),
    ("CoNLL-2003", "conll-2003"),
    ("LibriSpeech test-clean", "librispeech"),
    ("Cityscapes val", "cityscape"),
    ("NIST 2005 Chinese-English", "nist-2005-zh-en"),
])
def test_benchmark_edition_is_one_dataset_mention(fast_nlp, name: str, key: str) -> None:
    assert mentions(fast_nlp, f"We evaluate on {name} and report results.") == [(name, "Dataset", key)]


def test_year_and_version_make_a_benchmark_but_a_split_does_not(fast_nlp) -> None:
    found = mentions(fast_nlp, "We train on PASCAL VOC 2007 and test on PASCAL VOC 2012, COCO val and COCO.")
    assert [key for _, _, key in found] == ["pascal-voc-2007", "pascal-voc-2012", "coco", "coco"]


@pytest.mark.parametrize(("abstract", "expected"), [
    ("We released the code in 2014 for everyone.", []),
    ("In 2023 we saw gains.", []),
    ("We use ResNet-50 on images.", [("ResNet-50", "Method", "resnet-50")]),
    ("GPT-4 2023 release is strong.", [("GPT-4", "Method", "gpt-4")]),
    ("The Transformer 2017 paper matters.", [("Transformer", "Method", "transformer")]),
    ("Accepted at NeurIPS 2023 and ICML 2021.", []),
    ("The NLP 2020 survey.", []),
    # a split word before its noun belongs to the noun: the head rule makes "test set" part of the name
    ("We report the ImageNet test set results.", [("ImageNet test set", "Dataset", "imagenet")]),
    # a number reported against a dataset is no version
    ("It improves COCO 1.5 points.", [("COCO", "Dataset", "coco")]),
])
def test_not_an_edition(fast_nlp, abstract: str, expected: list) -> None:
    assert mentions(fast_nlp, abstract) == expected


def test_split_before_a_known_name_stays_out(fast_nlp) -> None:
    """The words after a dataset that start another known name are not its split or year."""
    found = mentions(fast_nlp, "We report CIFAR-10 test accuracy.")
    assert ("CIFAR-10", "Dataset", "cifar-10") in found


def test_edition_grammar() -> None:
    text = "X'98 val2017 English to German rest"
    edition = edition_after(text, 1)
    assert text[:edition.end] == "X'98 val2017 English to German"
    assert edition.key("x") == "x-1998-en-de"
    assert edition.canonical("X") == "X'98 English to German"
    assert edition_after("X is to", 1) is None
    assert not edition_after("X val", 1).names_edition
