"""kg.extract: each pipeline component on tiny texts, and the offset invariant on the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import COMPONENTS, create_pipeline, doc_text, extract_papers
from kg.extract import gazetteer
from kg.extract.abbreviations import best_long_form, find_abbreviations, is_short_form
from kg.extract.candidates import FIELD_SEPARATOR, Candidate, candidates
from kg.extract.code_links import find_urls, is_code_host, normalize_url, repository_from_url, trim_url
from kg.extract.gazetteer import find_names, surface_variants
from kg.extract.patterns import apply_rule, head_label, is_distinctive, rules
from kg.extract.proposals import find_proposals, is_coined, proposal_type
from kg.extract.abbreviations import AbbreviationPair
from kg.extract.resolve import extend_to_head, join_definitions, select
from kg.graph import build_graph
from kg.ingest import IngestReport, bundled_corpus, read_papers
from kg.ingest._common import make_paper
from kg.records import REPOSITORY, ConceptType, Field, Repository, Role


def paper(title: str, abstract: str):
    return make_paper(Path("t.jsonl"), 1, title, abstract, source="t.jsonl")


def extract(nlp, title: str, abstract: str):
    (extracted,) = extract_papers([paper(title, abstract)], nlp)
    return extracted


def spans(extracted) -> list[tuple]:
    return [(m.field.value, m.text, m.label, m.key, m.role.value) for m in extracted.mentions]


def test_pipeline_is_blank_english_plus_kg_components(nlp) -> None:
    assert nlp.lang == "en"
    assert tuple(nlp.pipe_names) == COMPONENTS == (
        "kg_code_links", "kg_abbreviations", "kg_gazetteer", "kg_patterns", "kg_proposals", "kg_resolve", "kg_results")
    assert nlp("We look again.")._.kg_candidates == []


def test_doc_text_layout() -> None:
    assert doc_text(paper("T", "A b.")) == "T" + FIELD_SEPARATOR + "A b." == "T\n\nA b."


# --- code links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written", "url"),
    [
        ("The code is available at: {https://github.com/sinatayebati/vlm-uncertainty}.",
         "https://github.com/sinatayebati/vlm-uncertainty", "https://github.com/sinatayebati/vlm-uncertainty"),
        ("Code: https://github.com/Nandan91/entropy-guided-attention-llm{entropy-guided-llm}.",
         "https://github.com/Nandan91/entropy-guided-attention-llm", "https://github.com/Nandan91/entropy-guided-attention-llm"),
        ("(see https://github.com/Facico/Dynamic-Logit-Fusion.)",
         "https://github.com/Facico/Dynamic-Logit-Fusion", "https://github.com/Facico/Dynamic-Logit-Fusion"),
        ("at https://GitHub.COM/Org/Repo/.", "https://GitHub.COM/Org/Repo/", "https://github.com/Org/Repo"),
        ("at http://github.com/a/b.git, and", "http://github.com/a/b.git", "https://github.com/a/b"),
        ("at www.github.com/a/b;", "www.github.com/a/b", "https://github.com/a/b"),
        ("at github.com/a/b!", "github.com/a/b", "https://github.com/a/b"),
        ("at https://github.com/a/b#readme.", "https://github.com/a/b#readme", "https://github.com/a/b"),
        ("wiki https://en.wikipedia.org/wiki/Foo_(bar) here", "https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("Project page: https://azshue.github.io/TPT.", "https://azshue.github.io/TPT", "https://azshue.github.io/TPT"),
        ("see http://Example.COM:8080/A/?q=1.", "http://Example.COM:8080/A/?q=1", "http://example.com:8080/A?q=1"),
    ],
)
def test_find_urls(text: str, written: str, url: str) -> None:
    ((start, end, normalized),) = find_urls(text)
    assert text[start:end] == written
    assert normalized == url


def test_find_urls_eq_net_doubled_link() -> None:
    text = "Code can be available at https://github.com/xuke225/EQ-Net.git{https://github.com/xuke225/EQ-Net}."
    found = find_urls(text)
    assert [text[s:e] for s, e, _ in found] == ["https://github.com/xuke225/EQ-Net.git", "https://github.com/xuke225/EQ-Net"]
    assert {u for _, _, u in found} == {"https://github.com/xuke225/EQ-Net"}


def test_find_urls_ignores_hostless_links() -> None:
    assert find_urls("run http://localhost:8080/x and https://intranet/ now") == []


def test_trim_url() -> None:
    assert trim_url("https://github.com/Facico/Dynamic-Logit-Fusion.)") == "https://github.com/Facico/Dynamic-Logit-Fusion"
    assert trim_url("https://a.org/x_(y))).") == "https://a.org/x_(y)"
    assert trim_url("https://a.org/x.;:!?'\"*>]") == "https://a.org/x"
    assert trim_url("...") == ""


def test_normalize_url() -> None:
    assert normalize_url("HTTPS://GitHub.com/xuke225/EQ-Net.git/") == "https://github.com/xuke225/EQ-Net"
    assert normalize_url("https://www.gitlab.com/a/b/") == "https://gitlab.com/a/b"
    assert normalize_url("http://www.example.org/a") == "http://www.example.org/a"  # not a code host: left alone
    assert normalize_url("huggingface.co/datasets/x/y") == "https://huggingface.co/datasets/x/y"


def test_code_hosts() -> None:
    assert is_code_host("github.com") and is_code_host("huggingface.co")
    assert not is_code_host("azshue.github.io") and not is_code_host("github.io") and not is_code_host("paperswithcode.com")
    assert repository_from_url("https://azshue.github.io/TPT") == Repository("https://azshue.github.io/TPT", "azshue.github.io", False)
    assert repository_from_url("https://github.com/a/b") == Repository("https://github.com/a/b", "github.com", True)


def test_code_link_component(nlp) -> None:
    ex = extract(nlp, "T", "Code: https://github.com/xuke225/EQ-Net.git{https://github.com/xuke225/EQ-Net}. "
                           "Project page: https://azshue.github.io/TPT.")
    repos = [m for m in ex.mentions if m.label == REPOSITORY]
    assert [(m.text, m.key, m.confidence, m.component) for m in repos] == [
        ("https://github.com/xuke225/EQ-Net.git", "https://github.com/xuke225/EQ-Net", 0.99, "code_links"),
        ("https://github.com/xuke225/EQ-Net", "https://github.com/xuke225/EQ-Net", 0.99, "code_links"),
        ("https://azshue.github.io/TPT", "https://azshue.github.io/TPT", 0.9, "code_links"),
    ]
    assert ex.repositories == (
        Repository("https://github.com/xuke225/EQ-Net", "github.com", True),
        Repository("https://azshue.github.io/TPT", "azshue.github.io", False),
    )


def test_url_shadows_words_inside_it(nlp) -> None:
    ex = extract(nlp, "T", "We propose OptEmbed at https://github.com/Example/OptEmbed.")
    assert [(m.text, m.label) for m in ex.mentions] == [
        ("OptEmbed", "Method"), ("https://github.com/Example/OptEmbed", REPOSITORY)]


# --- abbreviations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "long_form", "short_form"),
    [
        ("We study sharpness-aware minimization (SAM) here.", "sharpness-aware minimization", "SAM"),
        ("Graph Neural Networks (GNNs) are popular.", "Graph Neural Networks", "GNNs"),
        ("Learning embeddings for Click-through rate(CTR) prediction", "Click-through rate", "CTR"),
        ("a convolutional neural network (CNN) compression", "convolutional neural network", "CNN"),
        ("named Elastic Quantization Neural Networks (EQ-Net),", "Elastic Quantization Neural Networks", "EQ-Net"),
        ("a mixture of experts (MoE) layer", "mixture of experts", "MoE"),
        ("a Vision Transformer (ViT) model", "Vision Transformer", "ViT"),
        ("as shown. Sharp minima (SM) generalize", "Sharp minima", "SM"),
    ],
)
def test_find_abbreviations(text: str, long_form: str, short_form: str) -> None:
    (pair,) = find_abbreviations(text)
    assert (pair.long_form, pair.short_form) == (long_form, short_form)
    assert text[pair.long_start:pair.long_end] == long_form
    assert text[pair.short_start:pair.short_end] == short_form


@pytest.mark.parametrize("text", ["results (e.g. ImageNet) hold", "(SAM) alone", "in 2023 (2023)", "the (see above) thing",
                                  "the encoder (BERT) works", "we use it (IT)"])
def test_find_abbreviations_rejects(text: str) -> None:
    assert find_abbreviations(text) == []


def test_find_abbreviations_possessive() -> None:
    (pair,) = find_abbreviations("improves Multi-Head Attention's (MHA) representational capacity")
    assert pair.long_form == "Multi-Head Attention"


def test_best_long_form() -> None:
    assert best_long_form("LAPP", "we propose a novel framework named Layer Adaptive Progressive Pruning") == "Layer Adaptive Progressive Pruning"
    assert best_long_form("SAM", "and sharpness-aware minimization") == "sharpness-aware minimization"
    assert best_long_form("CNN", "the convolutional neural network") == "convolutional neural network"
    assert best_long_form("XYZ", "foo bar") is None
    assert best_long_form("AB", "a b") is None  # not longer than the short form


@pytest.mark.parametrize(("text", "ok"), [("LAPP", True), ("GNNs", True), ("ViT", True), ("EQ-Net", True), ("Ab", True),
                                          ("e.g.", False), ("2023", False), ("see above", False), ("A", False),
                                          ("i.e. X", False), ("a,b", False), ("ABCDEFGHIJK", False), ("x y z", False)])
def test_is_short_form(text: str, ok: bool) -> None:
    assert is_short_form(text) is ok


def test_acronym_is_one_concept_with_both_labels(nlp) -> None:
    ex = extract(nlp, "T", "We study sharpness-aware minimization (SAM) for training. SAM improves generalization.")
    assert [(m.start, m.end, m.text, m.label, m.key, m.long_form) for m in ex.mentions] == [
        # the definition, written once, is one mention
        (9, 43, "sharpness-aware minimization (SAM)", "Method", "sharpness-aware-minimization", "sharpness-aware minimization"),
        (58, 61, "SAM", "Method", "sharpness-aware-minimization", "sharpness-aware minimization"),
    ]
    graph = build_graph([ex])
    node = graph.nodes["concept:Method:sharpness-aware-minimization"]
    assert (node["label"], node["alt_labels"]) == ("sharpness-aware minimization", ("SAM",))
    assert [n for n, a in graph.nodes(data=True) if a["kind"] == "concept"] == ["concept:Method:sharpness-aware-minimization"]


def test_untyped_abbreviation_yields_nothing(nlp) -> None:
    ex = extract(nlp, "T", "Each whole slide image (WSI) is large. WSI tiles help.")
    assert ex.mentions == ()


def test_plural_acronym_and_bare_plural_use(nlp) -> None:
    ex = extract(nlp, "T", "We survey Graph Neural Networks (GNNs) in depth. GNN training is hard and GNNs scale.")
    assert [(m.text, m.key) for m in ex.mentions] == [
        ("Graph Neural Networks (GNNs)", "graph-neural-network"), ("GNN", "graph-neural-network"), ("GNNs", "graph-neural-network")]


# --- gazetteer ----------------------------------------------------------------------------


def test_surface_variants() -> None:
    assert sorted(surface_variants("ResNet-18")) == ["ResNet 18", "ResNet-18", "ResNet18"]
    assert sorted(surface_variants("GNN")) == ["GNN", "GNNs"]
    variants = surface_variants("Graph Neural Network")
    assert len(variants) == 2 * 3 ** 2  # each gap: space, hyphen or nothing; singular and plural
    assert {"Graph Neural Networks", "Graph-Neural Network", "GraphNeural-Networks", "GraphNeuralNetwork"} <= variants
    assert sorted(surface_variants("Gaussian process")) == [
        "Gaussian process", "Gaussian processes", "Gaussian-process", "Gaussian-processes", "Gaussianprocess", "Gaussianprocesses"]
    long_name = surface_variants("a b c d e f")  # past five words: one separator throughout
    assert sorted(long_name) == ["a b c d e f", "a b c d e fs", "a-b-c-d-e-f", "a-b-c-d-e-fs", "abcdef", "abcdefs"]


TINY_GAZETTEER = (
    {"label": "Method", "name": "ResNet-18"},
    {"label": "Dataset", "name": "ImageNet", "aliases": ["ILSVRC-2012"]},
    {"label": "Method", "name": "Sharpness-Aware Minimization"},
    {"label": "Method", "name": "SAM", "case_sensitive": True},
    {"label": "Dataset", "name": "GLUE", "case_sensitive": True},
)


@pytest.fixture
def tiny_gazetteer(monkeypatch):
    """The real automaton builder over a five-row gazetteer instead of the shipped lists."""
    monkeypatch.setattr(gazetteer, "gazetteer_files", lambda: ("gazetteer_tiny.jsonl",))
    monkeypatch.setattr(gazetteer, "load_jsonl", lambda name: TINY_GAZETTEER)
    gazetteer.automata.cache_clear()
    yield
    gazetteer.automata.cache_clear()


def test_find_names(tiny_gazetteer) -> None:
    text = "We train ResNet18, resnet 18 and ResNet-180 on imagenet and ILSVRC-2012 with SAM (not sam) and glue on GLUE."
    hits = [(text[s:e], entry.label, entry.key) for s, e, entry in find_names(text)]
    assert hits == [
        ("ResNet18", "Method", "resnet-18"),
        ("resnet 18", "Method", "resnet-18"),
        ("imagenet", "Dataset", "imagenet"),
        ("ILSVRC-2012", "Dataset", "imagenet"),
        ("SAM", "Method", "sam"),
        ("GLUE", "Dataset", "glue"),
    ]


def test_gazetteer_component(tiny_gazetteer) -> None:
    nlp = create_pipeline()
    ex = extract(nlp, "T", "We propose ResNet-18 tricks and train it on ILSVRC-2012 with Sharpness-Aware Minimization (SAM).")
    assert [(m.text, m.label, m.key, m.component, m.role.value, m.long_form) for m in ex.mentions] == [
        ("ResNet-18", "Method", "resnet-18", "gazetteer", "uses", "ResNet-18"),  # known: never proposed
        ("ILSVRC-2012", "Dataset", "imagenet", "gazetteer", "uses", "ImageNet"),
        # the gazetteer's long form and its short form (a case-sensitive hit, 0.9) join as one mention
        ("Sharpness-Aware Minimization (SAM)", "Method", "sharpness-aware-minimization", "gazetteer", "uses",
         "Sharpness-Aware Minimization"),
    ]


# --- patterns -----------------------------------------------------------------------------


def rule(rule_id: str):
    return next(r for r in rules() if r.id == rule_id)


def test_named_dataset_rule() -> None:
    text = "We evaluate on the ImageNet dataset and the Large dataset."
    assert [(text[s:e], label) for s, e, label in apply_rule(rule("named-dataset"), text)] == [("ImageNet", "Dataset")]


def test_dataset_list_rule_splits() -> None:
    text = "Results on CIFAR-10, CIFAR-100 and ImageNet benchmarks show it."
    assert apply_rule(rule("dataset-list"), text) == [(11, 19, "Dataset"), (21, 30, "Dataset"), (35, 43, "Dataset")]
    assert apply_rule(rule("dataset-list"), "Results on Large, Small and NLP benchmarks.") == []


def test_headed_rule() -> None:
    text = "We use Graph Neural Networks for Click-through Rate Prediction. The Quick Brown Fox jumps."
    assert [(text[s:e], label) for s, e, label in apply_rule(rule("titlecase-headed"), text)] == [
        ("Graph Neural Networks", "Method"), ("Click-through Rate Prediction", "Task")]


def test_apply_rule_respects_bounds() -> None:
    text = "the ImageNet dataset\n\nthe CIFAR-10 dataset"
    assert apply_rule(rule("named-dataset"), text, 22) == [(26, 34, "Dataset")]
    assert apply_rule(rule("named-dataset"), text, 0, 20) == [(4, 12, "Dataset")]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("errors of 0.013 eV/atom MAE, 0.216 eV MAE and 85% F1", ["MAE", "MAE", "F1"]),
        ("it reaches 27.3 BLEU and 2.3 FID", ["BLEU", "FID"]),
        ("it reaches 27.3 BLEU-4, 0.91 AUC-ROC", ["BLEU-4", "AUC-ROC"]),
        ("it needs 3.2 GB on 8 A100 GPUs, 1.5 times faster", []),  # units and counts are no metrics
        ("12.3% on GLUE, 95% CI, version 2.0 API, 1.5B LLM, 0.5 Hz EEG", []),
    ],
)
def test_reported_value_names_a_metric(text: str, names: list[str]) -> None:
    found = apply_rule(rule("reported-value"), text)
    assert [text[s:e] for s, e, _ in found] == names and {label for _, _, label in found} <= {"Metric"}


def test_head_label_and_distinctive() -> None:
    assert [head_label(p) for p in ["Graph Neural Networks", "Click-through Rate Prediction", "top-1 accuracy", "Quick Fox"]] == [
        "Method", "Task", "Metric", None]
    assert [is_distinctive(n) for n in ["CIFAR-10", "ImageNet", "Large", "NLP"]] == [True, True, False, False]


def test_pattern_candidates_in_pipeline(nlp) -> None:
    ex = extract(nlp, "Pruning on the ZorbNet-7 dataset", "We evaluate on the ZorbNet-7 dataset.")
    # the mention is the noun phrase, head included; the concept is the name
    assert [(m.field.value, m.text, m.key, m.long_form, m.label, m.component, m.confidence) for m in ex.mentions] == [
        ("title", "ZorbNet-7 dataset", "zorbnet-7", None, "Dataset", "patterns:named-dataset", 0.65),
        ("abstract", "ZorbNet-7 dataset", "zorbnet-7", None, "Dataset", "patterns:named-dataset", 0.65),
    ]


def test_named_dataset_in_title_case_title(nlp) -> None:
    ex = extract(nlp, "The ImageNet Dataset Revisited", "We look again.")
    assert [(m.field.value, m.text, m.key, m.label) for m in ex.mentions] == [("title", "ImageNet Dataset", "imagenet", "Dataset")]


# --- proposals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "ctype"),
    [
        ("we propose a novel framework named Layer Adaptive Progressive Pruning (LAPP), which", "Layer Adaptive Progressive Pruning", "Method"),
        ("In this paper we propose OptEmbed, a new method.", "OptEmbed", "Method"),
        ("We introduce a new benchmark called MMBench for", "MMBench", "Dataset"),
        ("We present a metric dubbed FooScore to", "FooScore", "Metric"),
        ("We propose Moment Probing (MP), a", "Moment Probing", "Method"),
        ("This paper introduces SpecDec++ for", "SpecDec++", "Method"),
    ],
)
def test_find_proposals(text: str, name: str, ctype: str) -> None:
    ((start, end, found),) = find_proposals(text)
    assert (text[start:end], found.value) == (name, ctype)


def test_find_proposals_needs_a_name() -> None:
    assert find_proposals("we propose a new approach to pruning.") == []
    assert find_proposals("We propose LLM pruning.") == []


def test_title_proposal_only_with_a_title() -> None:
    text = "LAPP: Layer Adaptive Pruning\n\nWe use it."
    assert find_proposals(text, 30) == [(0, 4, ConceptType.METHOD)]
    assert find_proposals("LAPP: x", 0) == []


def test_is_coined_and_proposal_type() -> None:
    assert [is_coined(n) for n in ["OptEmbed", "SpecDec++", "LAPP", "LLM", "LLMs", "Transformer", "TR0N"]] == [
        True, True, True, False, False, False, True]
    assert proposal_type("an adaptive task-aware pruning technique") is ConceptType.METHOD
    assert proposal_type("a new benchmark suite named") is ConceptType.DATASET
    assert proposal_type("a nice") is ConceptType.METHOD


def test_we_propose_gives_role_proposes(nlp) -> None:
    ex = extract(nlp, "Y", "In this paper we propose OptEmbed, a new method. OptEmbed is fast.")
    assert [(m.text, m.label, m.key, m.role) for m in ex.mentions] == [("OptEmbed", "Method", "optembed", Role.PROPOSES)]


def test_proposed_acronym_everywhere_and_title_field(nlp) -> None:
    ex = extract(nlp, "LAPP: Layer Adaptive Progressive Pruning for Compressing CNNs",
                 "we propose a novel framework named Layer Adaptive Progressive Pruning (LAPP), which compresses. LAPP works.")
    assert [(m.field, m.start, m.end, m.text, m.key, m.role.value) for m in ex.mentions] == [
        (Field.TITLE, 0, 4, "LAPP", "layer-adaptive-progressive-pruning", "proposes"),
        (Field.TITLE, 57, 61, "CNNs", "convolutional-neural-network", "uses"),  # gazetteer
        (Field.ABSTRACT, 35, 76, "Layer Adaptive Progressive Pruning (LAPP)", "layer-adaptive-progressive-pruning", "proposes"),
        (Field.ABSTRACT, 96, 100, "LAPP", "layer-adaptive-progressive-pruning", "proposes"),
    ]


def test_dataset_proposal_is_used_not_proposed(nlp) -> None:
    ex = extract(nlp, "T", "We introduce a new benchmark called MMBench for evaluation.")
    assert [(m.text, m.label, m.role) for m in ex.mentions] == [("MMBench", "Dataset", Role.USES)]


# --- resolution ---------------------------------------------------------------------------


def test_select_prefers_confidence_then_length_then_position() -> None:
    url = Candidate(0, 30, REPOSITORY, "https://github.com/a/b", 0.99, "code_links")
    inside = Candidate(20, 25, "Method", "x", 0.9, "gazetteer")
    long = Candidate(40, 60, "Method", "long", 0.6, "patterns:x")
    short = Candidate(40, 50, "Method", "short", 0.6, "patterns:x")
    later = Candidate(55, 70, "Task", "later", 0.6, "patterns:x")
    assert select([later, short, inside, long, url]) == [url, long]


def test_candidates_accessor_initialises(nlp) -> None:
    doc = nlp.make_doc("text")
    assert candidates(doc) == [] and doc._.kg_candidates == []


def test_min_confidence_drops_low_mentions(nlp) -> None:
    p = paper("T", "We evaluate on the ImageNet dataset at https://github.com/a/b.")
    (kept,) = extract_papers([p], nlp, min_confidence=0.95)
    assert [m.label for m in kept.mentions] == [REPOSITORY]


# --- the whole bundled corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_extraction(nlp):
    report = IngestReport()
    papers = list(read_papers(bundled_corpus(), report))
    assert report.skipped == [] and len(papers) == 445
    return list(extract_papers(papers, nlp))


def test_offsets_point_into_the_cleaned_fields(corpus_extraction) -> None:
    checked = 0
    for ex in corpus_extraction:
        for m in ex.mentions:
            assert getattr(ex.paper, m.field.value)[m.start:m.end] == m.text, (ex.paper.key, m)
            assert 0 <= m.start < m.end and 0.0 < m.confidence <= 1.0
            checked += 1
    assert checked > 1000


def test_corpus_title_mentions_have_field_title(corpus_extraction) -> None:
    titles = [(ex, m) for ex in corpus_extraction for m in ex.mentions if m.field is Field.TITLE]
    assert titles
    assert all(m.end <= len(ex.paper.title) for ex, m in titles)
    lapp = next(ex for ex in corpus_extraction if ex.paper.title.startswith("LAPP:"))
    first = lapp.mentions[0]
    assert (first.field, first.start, first.end, first.text, first.role) == (Field.TITLE, 0, 4, "LAPP", Role.PROPOSES)


def test_corpus_debris_urls_are_clean(corpus_extraction) -> None:
    urls = {r.url for ex in corpus_extraction for r in ex.repositories}
    assert {"https://github.com/xuke225/EQ-Net", "https://github.com/sinatayebati/vlm-uncertainty",
            "https://github.com/Nandan91/entropy-guided-attention-llm"} <= urls
    assert not [u for u in urls if any(c in u for c in "{}\\ ") or u.endswith((".", ",", ")", ".git", "/"))]
    pages = {r.host: r.is_code_host for ex in corpus_extraction for r in ex.repositories if r.host.endswith("github.io")}
    assert pages and not any(pages.values())


@pytest.mark.parametrize(("text", "label", "mention"), [
    ("on the ZorbNet-7 training set.", "Dataset", "ZorbNet-7 training set"),
    ("on ZorbNet-7 data sets.", "Dataset", "ZorbNet-7 data sets"),
    ("on ZorbNet-7 test results.", "Dataset", "ZorbNet-7"),  # "test" alone is no head
    ("a ZorbNet-7 model-based scheme", "Method", "ZorbNet-7"),  # a compound, not a head
    ("the ZorbNet-7 models work", "Method", "ZorbNet-7 models"),
    ("the ZorbNet-7 score", "Method", "ZorbNet-7"),  # a head of another type
    ("the ZorbNet-7 scores", "Metric", "ZorbNet-7 scores"),
    ("ZorbNet-7 models the data", "Method", "ZorbNet-7"),  # a verb
    ("ZorbNet-7 measures how far", "Metric", "ZorbNet-7"),
])
def test_extend_to_head(text: str, label: str, mention: str) -> None:
    start = text.index("ZorbNet-7")
    rule = Candidate(start, start + 9, label, "zorbnet-7", 0.9, "gazetteer", canonical="ZorbNet-7")
    (out,) = extend_to_head(text, [rule])
    assert (text[out.start:out.end], out.key, out.canonical) == (mention, "zorbnet-7", "ZorbNet-7")
    model = Candidate(start, start + 9, label, "zorbnet-7", 0.9, "model")
    assert extend_to_head(text, [model]) == [model]  # the model's span is its own call


def test_join_definitions_needs_one_concept_and_brackets() -> None:
    text = "graph neural networks (GNNs) and graph nets [GN]"
    pairs = [AbbreviationPair(0, 21, 23, 27, "graph neural networks", "GNNs"), AbbreviationPair(33, 43, 45, 47, "graph nets", "GN")]
    long = Candidate(0, 21, "Method", "graph-neural-network", 0.9, "gazetteer", Role.PROPOSES)
    other_key = Candidate(23, 27, "Method", "gnns", 0.8, "abbreviation")
    assert join_definitions(text, [long, other_key], pairs) == [long, other_key]
    short = Candidate(23, 27, "Method", "graph-neural-network", 0.8, "abbreviation")
    (whole,) = join_definitions(text, [long, short], pairs)
    assert (text[whole.start:whole.end], whole.role, whole.confidence, whole.canonical) == (
        "graph neural networks (GNNs)", Role.PROPOSES, 0.9, "graph neural networks")
    square = [Candidate(33, 43, "Method", "gn", 0.9, "gazetteer"), Candidate(45, 47, "Method", "gn", 0.8, "abbreviation")]
    assert join_definitions(text, square, pairs) == square  # only round brackets make a definition


def test_extend_to_head_leaves_another_hit_whole() -> None:
    text = "BERT model compression"
    bert = Candidate(0, 4, "Method", "bert", 0.9, "gazetteer", canonical="BERT")
    task = Candidate(5, 22, "Task", "model-compression", 0.9, "gazetteer", canonical="model compression")
    assert extend_to_head(text, [bert, task]) == [bert, task]


@pytest.mark.parametrize(("title", "abstract", "kept"), [
    ("Faster ImageNet Training", "Data augmentation matters on ImageNet.", {("title", "ImageNet"), ("abstract", "Data augmentation")}),
    ("Hidden Markov Models", "(HMMs) are used. HMMs are good.", {("title", "Hidden Markov Models")}),
])
def test_heads_and_definitions_stay_within_a_field(nlp, title: str, abstract: str, kept: set) -> None:
    ex = extract(nlp, title, abstract)
    assert kept <= {(m.field.value, m.text) for m in ex.mentions}


def test_a_definition_names_its_concept_with_the_head_noun_around_it(nlp) -> None:
    ex = extract(nlp, "T", "We train on the ImageNet dataset (IN) with the gradient descent (GD) method. IN is large.")
    assert [(m.text, m.key) for m in ex.mentions] == [
        ("ImageNet dataset (IN)", "imagenet"), ("gradient descent (GD) method", "gradient-descent"), ("IN", "imagenet")]
