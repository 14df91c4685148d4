"""Pairing several results with several metrics and datasets when the sentence has no
"respectively" (issue 15, kg.extract.result_pairing): parallel lists in order, "X on A and
Y on B", a number with a bracketed improvement, baselines' margins mirroring the results
before them, benchmarks the model tagged as methods. The sentences are written for these
tests; the candidates are built by hand, so the rules are tested without the model."""

from __future__ import annotations

import pytest

from kg.extract import create_pipeline, extract_papers
from kg.extract.candidates import Candidate
from kg.extract.numbers import ABSOLUTE, IMPROVEMENT
from kg.extract.result_links import benchmark_name, known_name
from kg.extract.result_pairing import benchmark_methods, bracket_companions, coordinated_runs, result_lists
from kg.extract.results import find_results
from kg.records import Paper, Role

M, D, X = "Metric", "Dataset", "Method"


def spans(text: str, *names: tuple[str, str]) -> list[Candidate]:
    """Candidates for (phrase, label) pairs, each at its next occurrence after the previous one's start."""
    out, position = [], 0
    for phrase, label in names:
        start = text.index(phrase, position)
        out.append(Candidate(start, start + len(phrase), label, phrase.lower().replace(" ", "-"), 0.9, "gazetteer"))
        position = start + 1
    return out


def links(text: str, cands: list[Candidate]) -> list[tuple]:
    found, _ = find_results(text, cands)
    return [(f.number.text, f.metric.key if f.metric else None, f.dataset.key if f.dataset else None) for f in found]


def kinds(text: str, cands: list[Candidate]) -> list[str]:
    return [f.kind for f in find_results(text, cands)[0]]


# ---------------------------------------------------------------------------
# Parallel lists of numbers and datasets or metrics, in order
# ---------------------------------------------------------------------------


def test_numbers_and_datasets_pair_in_order_without_respectively():
    t = "Our model achieves 85.1% and 78.3% accuracy on CIFAR-100 and ImageNet."
    c = spans(t, ("accuracy", M), ("CIFAR-100", D), ("ImageNet", D))
    assert links(t, c) == [("85.1%", "accuracy", "cifar-100"), ("78.3%", "accuracy", "imagenet")]


def test_three_numbers_three_datasets_and_a_metric_after_the_list():
    t = "It obtains 79.3, 81.2, and 77.5 F1 on Amazon, Yelp and IMDb."
    c = spans(t, ("F1", M), ("Amazon", D), ("Yelp", D), ("IMDb", D))
    assert links(t, c) == [("79.3", "f1", "amazon"), ("81.2", "f1", "yelp"), ("77.5", "f1", "imdb")]


def test_improvements_pair_with_datasets_too():
    t = "Our approach improves mAP by 3.1 and 2.4 points on COCO and LVIS."
    c = spans(t, ("mAP", M), ("COCO", D), ("LVIS", D))
    assert links(t, c) == [("3.1", "map", "coco"), ("2.4 points", "map", "lvis")]
    assert kinds(t, c) == [IMPROVEMENT, IMPROVEMENT]


def test_datasets_introduced_before_the_list():
    t = "On HellaSwag and ARC-Challenge, our model scores 85.3 and 61.2 accuracy."
    c = spans(t, ("HellaSwag", D), ("ARC-Challenge", D), ("accuracy", M))
    assert links(t, c) == [("85.3", "accuracy", "hellaswag"), ("61.2", "accuracy", "arc-challenge")]


def test_datasets_a_model_was_trained_on_are_not_where_it_is_measured():
    t = "Pre-trained on Books and Wiki, it reaches 12.1 and 10.4 perplexity."
    c = spans(t, ("Books", D), ("Wiki", D), ("perplexity", M))
    assert [d for _, _, d in links(t, c)] == ["wiki", "wiki"]  # not Books then Wiki


def test_metrics_listed_before_their_values_pair_in_order():
    t = "We obtain PSNR and SSIM of 33.2 dB and 0.945 on Set5."
    c = spans(t, ("PSNR", M), ("SSIM", M), ("Set5", D))
    assert links(t, c) == [("33.2 dB", "psnr", "set5"), ("0.945", "ssim", "set5")]


def test_a_list_with_one_dataset_shares_it_and_keeps_its_metrics():
    t = "SwinX achieves 54.2 box AP and 46.8 mask AP on COCO."
    c = spans(t, ("SwinX", X), ("box AP", M), ("mask AP", M), ("COCO", D))
    assert links(t, c) == [("54.2", "box-ap", "coco"), ("46.8", "mask-ap", "coco")]


def test_counts_that_differ_pair_nothing_new():
    t = "It reaches 85.1% and 78.3% accuracy on CIFAR-10, CIFAR-100 and STL-10."
    c = spans(t, ("accuracy", M), ("CIFAR-10", D), ("CIFAR-100", D), ("STL-10", D))
    assert [d for _, _, d in links(t, c)] == ["cifar-10", "cifar-10"]


def test_a_comma_alone_closes_no_list():
    """"On Cityscapes, UniQ achieves ...": the name after the comma is the subject, not a second benchmark."""
    t = "On Cityscapes, UniQ achieves 67.2 PQ and 83.7 mIoU, and on COCO it reaches 56.1 PQ."
    c = spans(t, ("Cityscapes", D), ("UniQ", D), ("PQ", M), ("mIoU", M), ("COCO", D), ("PQ", M))
    assert links(t, c) == [("67.2", "pq", "cityscapes"), ("83.7", "miou", "cityscapes"), ("56.1", "pq", "coco")]
    assert coordinated_runs(t, [x for x in c if x.label == D]) == []


def test_a_modifier_between_listed_numbers():
    t = "We reach 88.3% zero-shot and 91.1% fine-tuning accuracy on ImageNet."
    c = spans(t, ("accuracy", M), ("ImageNet", D))
    assert links(t, c) == [("88.3%", "accuracy", "imagenet"), ("91.1%", "accuracy", "imagenet")]


# ---------------------------------------------------------------------------
# "X on A and Y on B", and a metric named after the results
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "We obtain 82.1 mIoU on Cityscapes and 47.3 on ADE20K.",
    "We obtain 82.1 mIoU on Cityscapes and 47.3 mIoU on ADE20K, while running at 30 FPS.",
    "On Cityscapes we obtain 82.1 mIoU, and on ADE20K 47.3.",
])
def test_each_number_on_its_own_dataset(text):
    names = [("mIoU", M), ("Cityscapes", D), ("ADE20K", D)] if text.startswith("We") else [("Cityscapes", D), ("mIoU", M), ("ADE20K", D)]
    if "47.3 mIoU" in text:
        names = [("mIoU", M), ("Cityscapes", D), ("mIoU", M), ("ADE20K", D)]
    got = links(text, spans(text, *names))
    assert got[:2] == [("82.1", "miou", "cityscapes"), ("47.3", "miou", "ade20k")]


def test_a_metric_named_after_the_results_in_terms_of():
    t = "It achieves 82.1 on Cityscapes and 47.3 on ADE20K in terms of mIoU."
    c = spans(t, ("Cityscapes", D), ("ADE20K", D), ("mIoU", M))
    assert links(t, c) == [("82.1", "miou", "cityscapes"), ("47.3", "miou", "ade20k")]


# ---------------------------------------------------------------------------
# A number with its improvement in brackets: two results of different kinds
# ---------------------------------------------------------------------------


def test_a_bracketed_improvement_is_a_second_result_about_the_same_thing():
    t = "It reaches a top-1 accuracy of 80.1% (+1.2%) on ImageNet."
    c = spans(t, ("top-1 accuracy", M), ("ImageNet", D))
    assert links(t, c) == [("80.1%", "top-1-accuracy", "imagenet"), ("+1.2%", "top-1-accuracy", "imagenet")]
    assert kinds(t, c) == [ABSOLUTE, IMPROVEMENT]


def test_the_head_takes_the_dataset_written_after_the_bracket():
    t = "ViT-L achieves 88.5% top-1 (1.1% higher than DeiT-B) on ImageNet-1K."
    c = spans(t, ("ViT-L", X), ("top-1", M), ("DeiT-B", X), ("ImageNet-1K", D))
    assert links(t, c) == [("88.5%", "top-1", "imagenet-1k"), ("1.1%", "top-1", "imagenet-1k")]
    assert kinds(t, c) == [ABSOLUTE, IMPROVEMENT]


def test_an_arrow_marks_an_improvement():
    t = "Our model attains 81.2 mAP (↑2.1) on COCO."
    c = spans(t, ("mAP", M), ("COCO", D))
    assert links(t, c) == [("81.2", "map", "coco"), ("2.1", "map", "coco")]
    assert kinds(t, c) == [ABSOLUTE, IMPROVEMENT]


def test_pairs_of_score_and_improvement_pair_with_datasets():
    t = "Our model achieves 85.1% top-1 accuracy (+2.3%) and 40.2 mIoU (+1.5) on ImageNet and ADE20K."
    c = spans(t, ("top-1 accuracy", M), ("mIoU", M), ("ImageNet", D), ("ADE20K", D))
    assert links(t, c) == [("85.1%", "top-1-accuracy", "imagenet"), ("+2.3%", "top-1-accuracy", "imagenet"),
                           ("40.2", "miou", "ade20k"), ("+1.5", "miou", "ade20k")]
    assert kinds(t, c) == [ABSOLUTE, IMPROVEMENT, ABSOLUTE, IMPROVEMENT]


def test_a_bracket_with_its_own_metric_keeps_it_and_a_comparison_is_no_companion():
    t = "It achieves 45.2 AP (50.1 AP50) on COCO."
    c = spans(t, ("AP", M), ("AP50", M), ("COCO", D))
    assert links(t, c) == [("45.2", "ap", "coco"), ("50.1", "ap50", "coco")]
    t = "It scores 71.0 on MMLU (68.9 vs. 63.1 for the base model)."
    found, _ = find_results(t, spans(t, ("MMLU", D)))
    assert bracket_companions(t, found) == {}


def test_companions_ride_with_their_head_in_a_list():
    t = "It gets 85.1% (+2.3%) and 40.2% (+1.5%) accuracy."
    found, _ = find_results(t, spans(t, ("accuracy", M)))
    companions = bracket_companions(t, found)
    assert companions == {1: 0, 3: 2}
    assert result_lists(t, found, [], companions) == [[0, 2]]


# ---------------------------------------------------------------------------
# Margins mirroring the results before them
# ---------------------------------------------------------------------------


def test_margins_after_outperforming_take_the_datasets_in_order():
    t = "It achieves 53.2 AP on COCO and 41.0 AP on LVIS, outperforming DINO by 1.2 and 2.3 AP."
    c = spans(t, ("AP", M), ("COCO", D), ("AP", M), ("LVIS", D), ("DINO", X), ("AP", M))
    assert links(t, c)[2:] == [("1.2", "ap", "coco"), ("2.3", "ap", "lvis")]


def test_margins_with_their_own_datasets_keep_them():
    t = "It achieves 53.2 AP and 41.0 AP, improving over DINO by 1.2 and 2.3 AP on LVIS and Objects365."
    c = spans(t, ("AP", M), ("AP", M), ("DINO", X), ("AP", M), ("LVIS", D), ("Objects365", D))
    assert links(t, c)[2:] == [("1.2", "ap", "lvis"), ("2.3", "ap", "objects365")]


# ---------------------------------------------------------------------------
# Benchmarks named in brackets and benchmarks the model tagged as methods
# ---------------------------------------------------------------------------


def test_a_decimal_in_brackets_after_a_benchmark_is_its_score():
    t = "Our model outperforms Llama-2 on MMLU (68.9 vs. 63.1) and GSM8K (57.1 vs. 54.4)."
    c = spans(t, ("Llama-2", X), ("MMLU", D), ("GSM8K", D))
    assert links(t, c) == [("68.9", None, "mmlu"), ("63.1", None, "mmlu"), ("57.1", None, "gsm8k"), ("54.4", None, "gsm8k")]
    found, _ = find_results(t, c)
    assert [f.method.key if f.method else None for f in found] == [None, "llama-2", None, "llama-2"]


def relabelled(text: str, cands: list[Candidate]) -> list[tuple[str, str]]:
    return [(text[c.start:c.end], c.label) for c in benchmark_methods(text, cands, known_name, benchmark_name)]


def test_a_method_where_a_benchmark_goes_becomes_a_dataset_everywhere():
    t = "Lion saves up to 5x the compute on JFT. JFT has noisy labels."
    c = spans(t, ("Lion", X), ("JFT", X), ("JFT", X))
    assert relabelled(t, c) == [("Lion", X), ("JFT", D), ("JFT", D)]
    t = "Similarly in ImageNet we gain 1%. On CIFAR, we reach 15% higher FLOPs reduction."
    assert relabelled(t, spans(t, ("CIFAR", X))) == [("CIFAR", D)]
    t = "It saves 3x the compute on JFT-300M."  # reads like a model's size, but the gazetteer lists a dataset
    assert relabelled(t, spans(t, ("JFT-300M", X))) == [("JFT-300M", D)]


@pytest.mark.parametrize("text,name", [
    ("It gets a 2.1x speedup on BERT.", "BERT"),  # the gazetteer knows a method
    ("It gets a 2.1x speedup on LLaMA-2-7B.", "LLaMA-2-7B"),  # a model's size
    ("It gets a 2.1x speedup on ViT-B/16.", "ViT-B/16"),  # a patch size
    ("It gets a 2.1x speedup on A100 GPUs.", "A100"),  # hardware
    ("We build on FlashGraph and release it.", "FlashGraph"),  # no result before it
])
def test_methods_that_stay_methods(text, name):
    assert relabelled(text, spans(text, (name, X))) == [(name, X)]


def test_the_proposed_method_stays_a_method():
    t = "It reaches 2.1x on FooBench."
    c = [Candidate(t.index("FooBench"), t.index("FooBench") + 8, X, "foobench", 0.9, "model", Role.PROPOSES)]
    assert relabelled(t, c) == [("FooBench", X)]


# ---------------------------------------------------------------------------
# Through the pipeline (rules only), as a build sees them
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    return create_pipeline(fast=True)


def test_pipeline_pairs_parallel_lists(nlp):
    abstract = ("Our model achieves 85.1% and 78.3% accuracy on CIFAR-100 and ImageNet. "
                "It reaches a top-1 accuracy of 80.1% (+1.2%) on ImageNet.")
    paper = Paper(key="title:p", title="P", abstract=abstract, sources=("t",))
    results = next(extract_papers([paper], nlp)).results
    assert [(r.text, r.kind.value, r.metric, r.dataset) for r in results] == [
        ("85.1%", ABSOLUTE, "accuracy", "cifar-100"), ("78.3%", ABSOLUTE, "accuracy", "imagenet"),
        ("80.1%", ABSOLUTE, "top-1-accuracy", "imagenet"), ("+1.2%", IMPROVEMENT, "top-1-accuracy", "imagenet")]
