"""Leaderboard phrasing of results (issue 15): what is not a result, kinds, and how numbers
pair with metrics and datasets in "x/y" lists, baselines' lists, continuations, benchmark
names no list knows and editions (kg.extract.numbers, kg.extract.results,
kg.extract.result_links, kg.extract.editions)."""

from __future__ import annotations

import pytest

from kg.extract import create_pipeline, extract_papers
from kg.extract.candidates import Candidate
from kg.extract.editions import edition_after
from kg.extract.numbers import ABSOLUTE, EFFICIENCY, IMPROVEMENT, find_numbers, join_ranges, non_result, result_kind
from kg.extract.result_links import slash_datasets, slash_metrics, slot_datasets, tidy_candidates
from kg.extract.results import find_results
from kg.records import Paper


def cand(text: str, phrase: str, label: str, key: str | None = None, nth: int = 0, **kw) -> Candidate:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Candidate(start, start + len(phrase), label, key or phrase.lower(), 0.9, "gazetteer", **kw)


def links(text: str, cands: list[Candidate]) -> list[tuple]:
    found, _ = find_results(text, cands)
    return [(f.number.text, f.metric.key if f.metric else None, f.dataset.key if f.dataset else None) for f in found]


def number(text: str, written: str):
    return next(n for n in join_ranges(text, find_numbers(text)) if n.text == written)


# ---------------------------------------------------------------------------
# What is not a result, and what is
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,written,reason", [
    ("an FID of 2.91 on FFHQ 256x256 and", "256", "size"),  # a resolution
    ("mIoU at 1024×2048 input", "1024×", "size"),
    ("and at 0 dB signal-to-noise ratio it keeps", "0 dB", "operating point"),  # "at" sets any unit
    ("under a latency budget of 5 ms on a CPU", "5 ms", "operating point"),
    ("At a tIoU threshold of 0.5, its mAP", "0.5", "operating point"),
    ("with a moderate ratio for encoder: 15~30%, and", "15", "operating point"),
    ("leading to ~20% overheads for the attention", "20%", "problem"),
    ("may lead to a 50.25% performance loss for", "50.25%", "problem"),
    ("uncovering highly sparse subnetworks (98%+) that", "98%", "operating point"),
    ("forgetting 50% (or more) of the training data", "50%", "operating point"),
    ("With 10% of COCO labeled, it reaches", "10%", "operating point"),
    ("a PSNR of 33.6 dB after 5 minutes of training", "5 minutes", "operating point"),
    ("Pruning 50% of the attention heads reduces", "50%", "operating point"),
    ("We observe that 60% of the errors stem from", "60%", "operating point"),
    ("has (1) a loss", "1", "enumeration"),
    ("the 1/3 split", "1", "fraction"),
])
def test_not_results(text, written, reason):
    assert non_result(text, number(text, written), False) == reason


@pytest.mark.parametrize("text,written,beside", [
    ("ahead of XGBoost (0.897). On", "0.897", True),  # a decimal in brackets is no enumeration
    ("an F1 of 93.2/89.1 on SQuAD", "93.2", True),  # decimals joined by "/" are a pair, not a fraction
    ("resulting in at least 3x cost reduction", "3x", False),  # "at least" is a quantifier, not "at"
    ("while running at 32 FPS on a V100", "32 FPS", False),  # a speed, not a setting
    ("Zap incurs only a 2% overhead", "2%", False),  # "only": a claim, not the problem addressed
])
def test_results_the_new_rules_leave(text, written, beside):
    assert non_result(text, number(text, written), beside) is None


def test_hyphenated_units():
    text = "a 1.8-point improvement and a 0.4-percentage-point gain"
    assert [(n.text, n.unit) for n in find_numbers(text)] == [("1.8-point", "points"), ("0.4-percentage-point", "pp")]


@pytest.mark.parametrize("text,written,kind", [
    ("improves top-1 accuracy from 81.3% to 82.5% while", "81.3%", ABSOLUTE),  # scores before and after
    ("improves top-1 accuracy from 81.3% to 82.5% while", "82.5%", ABSOLUTE),
    ("reduces storage from 57Gb to 8.2Gb while", "8.2Gb", EFFICIENCY),
    ("with a drop of only 0.4% top-1 accuracy", "0.4%", IMPROVEMENT),
    ("with linear probing, 3.5% above MAE under", "3.5%", IMPROVEMENT),
    ("It uses 38% fewer multiply-accumulate operations than X", "38%", EFFICIENCY),
    ("its latency is 4.8 ms on", "4.8 ms", EFFICIENCY),  # a cost unit is an efficiency claim
    ("running at 32 FPS on", "32 FPS", EFFICIENCY),
    ("brings about 5% and 6% improvements over", "5%", IMPROVEMENT),  # coordinated: the words after both
    ("a GLUE score of 91.0, 0.9 above X", "91.0", ABSOLUTE),  # a comma alone joins two claims
])
def test_kinds(text, written, kind):
    assert result_kind(text, number(text, written)) == kind


def test_coordinated_numbers_share_the_first_kind():
    text = "It outperforms ActionFormer by 2.6% and 1.0% respectively, and ERM by 3.2, 4.0 and 3.3 points."
    found, _ = find_results(text, [])
    assert [(f.number.text, f.kind) for f in found] == [
        ("2.6%", IMPROVEMENT), ("1.0%", IMPROVEMENT), ("3.2", IMPROVEMENT), ("4.0", IMPROVEMENT), ("3.3 points", IMPROVEMENT)]


# ---------------------------------------------------------------------------
# Benchmark editions: a number after a name is no version
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,covered", [
    ("X 61.2 HOTA", "X"),
    ("X 2019 English-Kazakh 13.2 BLEU", "X 2019 English-Kazakh"),
    ("X 2.0 and", "X 2.0"),
    ("X v1.1/v2.0", "X v1.1"),
    ("X 13.2 on", "X"),
])
def test_versions_are_one_digit_or_written_with_v(text, covered):
    edition = edition_after(text, 1)
    assert text[:edition.end if edition else 1] == covered


# ---------------------------------------------------------------------------
# Spans the model wrote with the number, and names no list knows
# ---------------------------------------------------------------------------


def test_tidy_candidates_frees_the_number_and_cuts_at_sentence_ends():
    text = "QueryMem sets 58.2 mIoU on ImageNet-1K. On video it wins. The 7B model scores 68.9 on MMLU."
    cands = [Candidate(14, 23, "Metric", "miou", 0.9, "model"), Candidate(27, 48, "Dataset", "x", 0.6, "model"),
             cand(text, "model scores", "Metric")]
    tidy = tidy_candidates(text, cands)
    assert [text[c.start:c.end] for c in tidy] == ["mIoU", "ImageNet-1K"]
    assert tidy[0].key == "miou" and tidy[1].key == "imagenet"  # the gazetteer's key for the cut name
    assert links(text, tidy)[0] == ("58.2", "miou", "imagenet")


def test_slot_datasets_after_on():
    text = "On MOT20 it gets 77.9 MOTA; 71.0% on Pitts30k, MSLS and Nordland; 40.1 on val2017 and on A100 GPUs."
    names = [text[c.start:c.end] for c in slot_datasets(text, 0, len(text), [])]
    assert names == ["MOT20", "Pitts30k", "MSLS", "Nordland"]
    assert slot_datasets("We reach 29.3 on English-German.", 0, 32, []) == []  # a language pair is no benchmark
    assert slot_datasets("It gains 2% on GPT-4 and 3% on ResNet-50.", 0, 41, []) == []  # known methods


def test_a_slot_dataset_becomes_a_mention_only_when_a_result_uses_it():
    nlp = create_pipeline(fast=True)
    paper = Paper("t:x", "T", "On Zorbix-7 the model obtains 77.9 MOTA. We test on Qlorp later.", ("t",))
    (extracted,) = extract_papers([paper], nlp)
    assert extracted.results[0].dataset == "zorbix-7"
    assert [m.text for m in extracted.mentions if m.label == "Dataset"] == ["Zorbix-7"]


def test_slash_lists_of_metrics_and_datasets():
    text = "ROUGE-1/2/L of 45.1/21.9/41.8, EM/F1 of 86.9/92.7 on SQuAD v1.1/v2.0"
    metrics = [cand(text, "ROUGE-1", "Metric", "rouge-1"), cand(text, "F1", "Metric", "f-1")]
    assert [(text[c.start:c.end], c.key) for c in slash_metrics(text, metrics, 0, len(text))] == [
        ("2", "rouge-2"), ("L", "rouge-l"), ("EM", "em")]
    squad = cand(text, "SQuAD v1.1", "Dataset", "squad-1-1", canonical="SQuAD v1.1")
    assert [c.key for c in slash_datasets(text, [squad], len(text))] == ["squad-2-0"]
    found = links(text, metrics + [squad])
    assert [(n, m) for n, m, _ in found] == [("45.1", "rouge-1"), ("21.9", "rouge-2"), ("41.8", "rouge-l"),
                                              ("86.9", "em"), ("92.7", "f-1")]


def test_pairs_over_slash_lists_of_datasets():
    text = "The model obtains an F1 of 93.2/89.1 on SQuAD v1.1/v2.0 and a WER of 2.3%/5.1% on LibriSpeech test-clean/test-other."
    cands = [cand(text, "F1", "Metric", "f-1"), cand(text, "SQuAD v1.1", "Dataset", "squad-1-1", canonical="SQuAD v1.1"),
             cand(text, "WER", "Metric", "wer"), cand(text, "LibriSpeech test-clean", "Dataset", "librispeech",
                                                      canonical="LibriSpeech")]
    assert links(text, cands) == [("93.2", "f-1", "squad-1-1"), ("89.1", "f-1", "squad-2-0"),
                                  ("2.3%", "wer", "librispeech"), ("5.1%", "wer", "librispeech")]


# ---------------------------------------------------------------------------
# Lists, baselines and continuations
# ---------------------------------------------------------------------------


def test_a_table_in_prose_and_the_baselines_list_against_it():
    text = "It scores top-1 accuracy on ImageNet / ImageNet-V2 / ImageNet-A of 85.2 / 75.0 / 60.3, against 84.1 / 73.6 / 52.1 for X."
    cands = [cand(text, "top-1 accuracy", "Metric"), cand(text, "ImageNet", "Dataset", "imagenet"),
             cand(text, "ImageNet-V2", "Dataset", "imagenet-v2"), cand(text, "ImageNet-A", "Dataset", "imagenet-a")]
    found = links(text, cands)
    assert [d for _, _, d in found] == ["imagenet", "imagenet-v2", "imagenet-a"] * 2
    assert {m for _, m, _ in found} == {"top-1 accuracy"}


def test_a_baselines_bracketed_numbers_mirror_the_results_before():
    text = "It reaches nDCG@10 of 71.2 and 68.9 on TREC DL 2019 and TREC DL 2020, respectively, ahead of monoT5 (69.5 and 67.3)."
    cands = [cand(text, "nDCG@10", "Metric", "ndcg"), cand(text, "TREC DL 2019", "Dataset", "trec-dl-2019"),
             cand(text, "TREC DL 2020", "Dataset", "trec-dl-2020")]
    assert links(text, cands) == [("71.2", "ndcg", "trec-dl-2019"), ("68.9", "ndcg", "trec-dl-2020"),
                                  ("69.5", "ndcg", "trec-dl-2019"), ("67.3", "ndcg", "trec-dl-2020")]


def test_continuations_take_the_previous_metric_and_the_dataset_named_after_them():
    text = ("It reaches a pass@1 of 67.1% on HumanEval and 61.5% on MBPP, 8.4 and 5.2 points above the base "
            "model, respectively. It has an FID of 2.91 on FFHQ and 4.02 on CelebA-HQ, compared to 5.6 for X.")
    cands = [cand(text, "pass@1", "Metric", "pass-k"), cand(text, "HumanEval", "Dataset"), cand(text, "MBPP", "Dataset"),
             cand(text, "FID", "Metric", "fid"), cand(text, "FFHQ", "Dataset"), cand(text, "CelebA-HQ", "Dataset")]
    assert links(text, cands) == [
        ("67.1%", "pass-k", "humaneval"), ("61.5%", "pass-k", "mbpp"), ("8.4", "pass-k", "humaneval"),
        ("5.2 points", "pass-k", "mbpp"), ("2.91", "fid", "ffhq"), ("4.02", "fid", "celeba-hq"), ("5.6", "fid", "celeba-hq")]


def test_no_metric_carried_across_units_of_cost():
    text = "It reaches 61.9% accuracy on LRA while being 5.7x faster."
    assert links(text, [cand(text, "accuracy", "Metric"), cand(text, "LRA", "Dataset")])[1][:2] == ("5.7x", None)


def test_a_new_coordinated_clause_opens_its_own_dataset():
    text = "On PG-19 it reaches a test perplexity of 33.2, below the 36.4 of X, and on WikiText-103 it obtains 17.9 perplexity."
    cands = [cand(text, "PG-19", "Dataset", "pg-19"), cand(text, "perplexity", "Metric"),
             cand(text, "WikiText-103", "Dataset", "wikitext-103"), cand(text, "perplexity", "Metric", nth=1)]
    assert [d for _, _, d in links(text, cands)] == ["pg-19", "pg-19", "wikitext-103"]


def test_from_to_across_the_dataset_and_result_verbs():
    text = "Reranking raises pass@1 on HumanEval from 48.8 to 62.2. On the STS-B test set alone it reaches 84.1."
    cands = [cand(text, "pass@1", "Metric", "pass-k"), cand(text, "HumanEval", "Dataset"), cand(text, "STS-B", "Dataset")]
    assert links(text, cands) == [("48.8", "pass-k", "humaneval"), ("62.2", "pass-k", "humaneval"), ("84.1", None, "sts-b")]


def test_a_dataset_written_before_its_metric_and_benchmark_scores():
    text = ("It raises GSM8K accuracy from 35.4% to 61.2% on average. It gets 92.6 on QQP, for an average GLUE "
            "score of 91.0, 0.9 above X.")
    cands = [cand(text, "GSM8K", "Dataset"), cand(text, "accuracy", "Metric"), cand(text, "GLUE", "Dataset"),
             cand(text, "QQP", "Dataset")]
    assert links(text, cands) == [("35.4%", "accuracy", "gsm8k"), ("61.2%", "accuracy", "gsm8k"),
                                  ("92.6", None, "qqp"), ("91.0", "glue-score", "glue"), ("0.9", "glue-score", "glue")]


def test_the_dataset_on_introduces_wins_and_the_next_sentence_continues_it():
    text = ("On PASCAL VOC 2007 with VOC 2012 as unlabeled data, it achieves 58.6 AP50. DynaDet obtains 49.6 AP on "
            "COCO. With a larger backbone the AP rises to 60.3.")
    cands = [cand(text, "PASCAL VOC 2007", "Dataset", "pascal-voc-2007"), cand(text, "VOC 2012", "Dataset", "voc-2012"),
             cand(text, "unlabeled data", "Dataset"), cand(text, "AP50", "Metric", "ap50"),
             cand(text, "AP", "Metric", "ap", nth=1), cand(text, "COCO", "Dataset"), cand(text, "AP", "Metric", "ap", nth=2)]
    assert links(text, cands) == [("58.6", "ap50", "pascal-voc-2007"), ("49.6", "ap", "coco"), ("60.3", "ap", "coco")]


def test_metrics_shared_over_a_list_and_a_vs_pair():
    text = "CLARA gets 0.393 CIDEr and 0.248 BLEU-4 on X-ray reports, and beats Y (72.0 vs. 48.1 pass@1)."
    cands = [cand(text, "CIDEr", "Metric"), cand(text, "BLEU-4", "Metric"), cand(text, "X-ray reports", "Dataset"),
             cand(text, "pass@1", "Metric")]
    assert links(text, cands) == [("0.393", "cider", "x-ray reports"), ("0.248", "bleu-4", "x-ray reports"),
                                  ("72.0", "pass@1", "x-ray reports"), ("48.1", "pass@1", "x-ray reports")]


# ---------------------------------------------------------------------------
# Leaderboard metrics and benchmarks of the gazetteers, through the pipeline
# ---------------------------------------------------------------------------


def test_leaderboard_metric_names_are_metrics():
    nlp = create_pipeline(fast=True)
    text = ("It obtains 27.4 APr, 52.4 box AP and 45.6 mask AP on LVIS, a J&F of 87.9 on DAVIS 2017, 73.9 NDS on "
            "nuScenes and an MRR@10 of 39.8 on MS MARCO.")
    (extracted,) = extract_papers([Paper("t:x", "T", text, ("t",))], nlp)
    written = {m.key: m.text for m in extracted.mentions}
    pairs = [(r.text, written.get(r.metric), written.get(r.dataset)) for r in extracted.results]
    assert pairs == [("27.4", "APr", "LVIS"), ("52.4", "box AP", "LVIS"), ("45.6", "mask AP", "LVIS"),
                     ("87.9", "J&F", "DAVIS 2017"), ("73.9", "NDS", "nuScenes"), ("39.8", "MRR@10", "MS MARCO")]
