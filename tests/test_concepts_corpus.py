"""Issue 16: a graph a researcher trusts. Unit tests of the corpus-level policies (kg.kinds,
kg.unify, kg.mention_fixes) and the targets checked on a build of the bundled corpus."""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
import pytest

from kg.build import BuildOptions, build
from kg.eval.rankings import RANKINGS, score_labels, score_rankings
from kg.graph import GraphBuilder
from kg.kinds import KindFeatures, common_words_only, family_key, has_property_head, has_weak_head, is_kind, name_shaped
from kg.mention_fixes import acronym_fits, extend_version, split_coordination
from kg.normalize import concept_key
from kg.rdf.query import run_named
from kg.rdf.write import open_store
from kg.records import ExtractedPaper, Field, Mention, Paper
from kg.unify import choose_type, fold_key, gazetteer_types, label_fold, pick_label

PREFIXES = "PREFIX kg: <https://w3id.org/kg-papers/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


def m(text: str, abstract: str, label: str, key: str | None = None, conf: float = 0.9, comp: str = "model", **kw) -> Mention:
    start = abstract.index(text)
    return Mention(Field.ABSTRACT, start, start + len(text), text, label, key or concept_key(text), conf, comp, **kw)


def graph_of(*papers: tuple[str, list]) -> "object":
    builder = GraphBuilder()
    for i, (abstract, mentions) in enumerate(papers):
        builder.add(ExtractedPaper(Paper(key=f"t:{i}", title=f"P{i}", abstract=abstract, sources=("a",)), tuple(mentions)))
    return builder.build()


# --- the decision rule and its features -------------------------------------------------

def test_decision_rule_order() -> None:
    assert is_kind(KindFeatures("large-language-model", listed_kind=True, gazetteer=True, acronym=True))
    assert not is_kind(KindFeatures("resnet", gazetteer=True))
    assert is_kind(KindFeatures("image-dataset", common_words=True, name_shaped_share=1.0))
    assert not is_kind(KindFeatures("lapp-method", weak_head=True, name_shaped_share=1.0))
    assert not is_kind(KindFeatures("low-rank-adapter-method", weak_head=True, acronym=True))
    assert is_kind(KindFeatures("compression-method", weak_head=True))
    assert not is_kind(KindFeatures("contrastive-learning"))


@pytest.mark.parametrize("key, common", [
    ("image-dataset", True), ("real-data", True), ("large-scale-dataset", True), ("optimizer", True),
    ("nlp-task", True), ("optimization-problem", True), ("graph-data", True), ("computational-cost", True),
    ("image-generation", False), ("diffusion-model", False), ("adversarial-training", False), ("cifar-10", False)])
def test_common_words_only(key: str, common: bool) -> None:
    assert common_words_only(key) is common


def test_a_lower_case_property_head_after_a_name_is_a_kind() -> None:
    # "CL capability", "DST criteria": a property of a named thing, not a named measure
    assert has_property_head("dst-criteria", ["DST criteria", "DST criteria"])
    assert has_property_head("cl-capability", ["CL capability"]) and has_property_head("fl-performance", ["FL performance"])
    assert not has_property_head("fantastic-generalization-measure", ["Fantastic Generalization Measure"])
    assert not has_property_head("lapp-method", ["LAPP method"])  # a method named LAPP
    assert not has_property_head("capability", ["capability"])  # alone: the common-words rule decides
    assert is_kind(KindFeatures("cl-capability", weak_head=True, property_head=True, name_shaped_share=1.0))
    assert not is_kind(KindFeatures("xyz-performance", weak_head=True, property_head=True, name_shaped_share=1.0, acronym=True))


@pytest.mark.parametrize("key, weak", [
    ("estimation-error", True), ("approximation-error", True), ("low-precision", True), ("mixed-precision", True),
    ("reconstruction-fidelity", True), ("generalization-error", False), ("mean-squared-error", False),
    ("precision", False), ("error-rate", False), ("top-1-accuracy", False), ("perplexity", False)])
def test_weak_heads_and_phrase_heads(key: str, weak: bool) -> None:
    assert has_weak_head(key) is weak


@pytest.mark.parametrize("key", ["bleu", "fid", "top-1-accuracy", "miou", "perplexity", "accuracy", "regret",
                                 "latency", "flops", "throughput", "generalization-error", "precision"])
def test_real_metrics_stay_named(key: str) -> None:
    features = KindFeatures(key, common_words=common_words_only(key), weak_head=has_weak_head(key),
                            property_head=has_property_head(key, [key.replace("-", " ")]))
    assert not is_kind(features), key


def test_a_lower_case_score_is_a_kind_a_named_one_is_not() -> None:
    for key in ("importance-score", "ranking-score", "average-gating-score"):
        assert is_kind(KindFeatures(key, common_words=common_words_only(key), weak_head=has_weak_head(key))), key
    for key in ("inception-score", "f1-score", "rouge-score"):  # written like names: "Inception Score", "F1", "ROUGE"
        assert not is_kind(KindFeatures(key, weak_head=has_weak_head(key), name_shaped_share=1.0)), key
    assert not common_words_only("score-based-diffusion-model") and not has_weak_head("score-matching")


def test_quality_words_are_kinds() -> None:
    for key in ("fidelity", "high-fidelity", "estimation-error", "low-precision"):
        features = KindFeatures(key, common_words=common_words_only(key), weak_head=has_weak_head(key),
                                property_head=has_property_head(key, [key.replace("-", " ")]))
        assert is_kind(features), key


def test_name_shape_ignores_sentence_starts_and_common_capitals() -> None:
    assert name_shaped("Adam", False) and name_shaped("ResNet-50", False)
    assert not name_shaped("Generalization", True) and not name_shaped("NLP task", False)


def test_materials_are_kinds_not_datasets_and_named_kinds_keep_their_type() -> None:
    a = "We train on image datasets and real data with the Adam optimizer on CIFAR-10."
    g = graph_of((a, [m("image datasets", a, "Dataset"), m("real data", a, "Dataset"),
                      m("Adam", a, "Method", comp="gazetteer"), m("optimizer", a, "Method"),
                      m("CIFAR-10", a, "Dataset", comp="gazetteer")]))
    image = g.nodes["concept:Dataset:image-dataset"]
    assert image["generic"] and g.edges["paper:t:0", "concept:Dataset:image-dataset"]["relation"] == "mentions"
    assert g.nodes["concept:Dataset:real-data"]["generic"]
    assert not g.nodes["concept:Dataset:cifar-10"]["generic"]
    assert g.edges["paper:t:0", "concept:Dataset:cifar-10"]["relation"] == "usesDataset"
    assert g.nodes["concept:Method:optimizer"]["generic"] and g.nodes["concept:Method:optimizer"]["ctype"] == "Method"
    assert g.nodes["concept:Method:adam"]["broader"] == ("concept:Method:optimizer",)  # "the Adam optimizer"


def test_described_data_is_a_kind_a_named_dataset_is_not() -> None:
    """A lower-case phrase headed by data, dataset or corpus describes data ("imbalanced
    medical dataset", "click data"); a dataset's name is written like one ("IDRID
    dataset") or defined with an acronym ("Stanford Question Answering Dataset (SQuAD)")."""
    a = ("We pretrain on an imbalanced medical dataset and click data, then test on the IDRID dataset "
         "and the Stanford Question Answering Dataset (SQuAD).")
    squad = "Stanford Question Answering Dataset (SQuAD)"
    g = graph_of((a, [m("imbalanced medical dataset", a, "Dataset"), m("click data", a, "Dataset"),
                      m("IDRID dataset", a, "Dataset"),
                      m(squad, a, "Dataset", key="stanford-question-answering-dataset", long_form=squad[:-8])]))
    for key in ("imbalanced-medical-dataset", "click-data"):
        assert g.nodes[f"concept:Dataset:{key}"]["generic"], key
        assert g.edges["paper:t:0", f"concept:Dataset:{key}"]["relation"] == "mentions"
    for key in ("idrid-dataset", "stanford-question-answering-dataset"):
        assert not g.nodes[f"concept:Dataset:{key}"]["generic"], key
        assert g.edges["paper:t:0", f"concept:Dataset:{key}"]["relation"] == "usesDataset"
    assert has_weak_head("click-data") and has_weak_head("medical-dataset") and has_weak_head("text-corpus")


def test_family_by_version_suffix_and_versions_kept() -> None:
    assert [family_key(k) for k in ["resnet-20", "gpt-4", "adam"]] == ["resnet", "gpt", None]
    a = "We compress ResNet-20 and ResNet-50; ResNet is the family."
    g = graph_of((a, [m("ResNet", a, "Method", key="resnet", comp="gazetteer", long_form="ResNet"),
                      m("ResNet-50", a, "Method", comp="gazetteer"),
                      Mention(Field.ABSTRACT, a.index("ResNet is"), a.index("ResNet is") + 6, "ResNet", "Method", "resnet", 0.9, "gazetteer")]))
    assert {"concept:Method:resnet-20", "concept:Method:resnet-50", "concept:Method:resnet"} <= set(g.nodes)
    assert g.nodes["concept:Method:resnet-20"]["broader"] == ("concept:Method:resnet",)
    assert g.nodes["concept:Method:resnet-20"]["label"] == "ResNet-20"


# --- variants, one type, labels ---------------------------------------------------------

def test_fold_key_folds_variants_and_keeps_versions() -> None:
    assert fold_key(concept_key("pre-trained model")) == fold_key(concept_key("pretrained models"))
    assert fold_key(concept_key("multi-layer perceptron")) == fold_key(concept_key("multilayer perceptron"))
    assert fold_key(concept_key("GPT-3")) != fold_key(concept_key("GPT-4"))


def test_one_type_per_concept_gazetteer_first_then_votes() -> None:
    assert choose_type({"Method": 0.9, "Task": 1.7}) == "Task"
    assert choose_type({"Method": 0.9, "Task": 1.7}, listed="Method") == "Method"
    a, b, c = "We study fine-tuning here.", "Our fine-tuning works.", "Pre-training and pretraining differ?"
    g = graph_of((a, [m("fine-tuning", a, "Task", conf=0.6)]), (b, [m("fine-tuning", b, "Method", conf=0.95)]),
                 (c, [m("Pre-training", c, "Method"), m("pretraining", c, "Method")]))
    concepts = [n for n, x in g.nodes(data=True) if x["kind"] == "concept"]
    assert "concept:Method:fine-tuning" in concepts and "concept:Task:fine-tuning" not in concepts
    assert g.in_degree("concept:Method:fine-tuning") == 2
    assert len([n for n in concepts if "train" in n]) == 1


def test_preferred_label_is_written_never_a_stem() -> None:
    from collections import Counter

    assert pick_label(Counter({"pruning strategies": 3}), frozenset({"pruning", "strategies"})) == "pruning strategies"
    assert pick_label(Counter({"pruning strategies": 3}), frozenset({"strategy"})) == "pruning strategy"


def test_coordination_split_and_acronyms_must_fit() -> None:
    a = "generalization to the Caltech CUB, Dogs and Cars datasets."
    parts = split_coordination(m("Caltech CUB, Dogs and Cars datasets", a, "Dataset"), a)
    assert [p.text for p in parts] == ["Caltech CUB", "Dogs", "Cars"]
    b = "VGG on CIFAR and ImageNet datasets."
    assert [p.key for p in split_coordination(m("CIFAR and ImageNet datasets", b, "Dataset", key="imagenet"), b)] == ["cifar", "imagenet"]
    assert acronym_fits("TTA", "test-time adaptation") and not acronym_fits("AdaNPC", "test-time Adaptation")
    c = "we adopt it for test-time Adaptation (AdaNPC)."
    g = graph_of((c, [m("test-time Adaptation (AdaNPC)", c, "Method", key="test-time-adaptation")]))
    assert "AdaNPC" not in g.nodes["concept:Method:test-time-adaptation"]["alt_labels"]


def test_version_suffix_extends_a_name() -> None:
    a = "compresses ResNet-20 to 40%"
    x = extend_version(m("ResNet", a, "Method", key="resnet", long_form="ResNet"), a)
    assert (x.text, x.key) == ("ResNet-20", "resnet-20")


def test_ranking_scorer_counts_judgements() -> None:
    score = score_labels("most-used-datasets", ["ImageNet", "image dataset", "Balanced to Imbalanced Data", "zzz"])
    assert (score.named, score.kind, score.wrong, score.unjudged) == (1, 1, 1, ("zzz",))


# --- the targets on the bundled corpus --------------------------------------------------

@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled16")
    graph, _ = build(BuildOptions(out_dir=out, html=False, created="2024-01-01"))
    return graph, open_store(out / "graph.nt", out / "store")


def test_bundled_rankings_hold_at_most_a_few_kinds_or_wrong(bundled) -> None:
    _, store = bundled
    for score in score_rankings(store):
        bad = score.kind + score.wrong
        assert bad <= 2, (score.ranking, score)


def test_bundled_no_label_is_two_types(bundled) -> None:
    graph, _ = bundled
    types = defaultdict(set)
    for _, a in graph.nodes(data=True):
        if a["kind"] == "concept":
            types[label_fold(a["label"])].add(a["ctype"])
    assert {l: t for l, t in types.items() if {"Method", "Task"} <= t} == {}


def test_bundled_no_two_concepts_of_one_type_share_a_label(bundled) -> None:
    _, store = bundled
    seen = defaultdict(list)
    for row in store.query(PREFIXES + "SELECT ?c ?t ?l WHERE { ?c a ?t ; skos:prefLabel ?l . "
                           "VALUES ?t { kg:Method kg:Dataset kg:Metric kg:Task } }"):
        seen[(row["t"].value, re.sub(r"[\s\-]+", "", row["l"].value.lower()))].append(row["c"].value)
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_bundled_no_preflabel_is_a_stem(bundled) -> None:
    graph, store = bundled
    text = " ".join((a["title"] + " " + a["abstract"]).lower() for _, a in graph.nodes(data=True) if a["kind"] == "paper")
    vocab = set(re.findall(r"[^\W_]+", text))
    stems = []
    for row in store.query(PREFIXES + "SELECT ?l WHERE { ?c a kg:Concept ; skos:prefLabel ?l }"):
        label = row["l"].value
        words = re.findall(r"[^\W_]+", label.lower())
        if concept_key(label) in gazetteer_types() or label.lower() in text:
            continue  # a curated name, or written as is (even inside a word: "miniImagenNet")
        if any(w not in vocab and w + "s" not in vocab and w + "es" not in vocab for w in words):
            stems.append(label)
    assert stems == []


def test_bundled_kinds_typed_both_ways_and_no_dataset(bundled) -> None:
    _, store = bundled
    ask = lambda q: store.query(PREFIXES + "ASK { " + q + " }")  # noqa: E731
    assert ask("?c a kg:Kind , kg:GenericConcept ; skos:prefLabel 'large language model' ; a kg:Method")
    assert not ask("?c a kg:Kind . FILTER NOT EXISTS { ?c a kg:GenericConcept }")
    assert not ask("?c a kg:Kind , kg:Dataset")
    assert not ask("?p kg:usesDataset ?c . ?c a kg:Kind")
    assert ask("?r skos:prefLabel 'ResNet-20' ; skos:broader ?f . ?f skos:prefLabel 'ResNet'")


def test_bundled_parameter_finds_a_variant(bundled) -> None:
    _, store = bundled
    results = run_named(store, "datasets-with-method", {"method": "ResNet18"})
    assert {row["dataset"].value for row in results} >= {"CIFAR-10"}
    kinds = run_named(store, "most-used-kinds")
    assert "large language model" in {row["kind"].value for row in kinds}
