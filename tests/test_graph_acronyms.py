"""kg.graph: an acronym one paper defines helps another that only writes the short form;
two long forms of one acronym stay two concepts, each paper choosing by context."""

from __future__ import annotations

from kg.graph import GraphBuilder, is_acronym
from kg.records import ExtractedPaper, Field, Mention, Paper, Role


def paper(key: str, title: str, abstract: str) -> Paper:
    return Paper(key=key, title=title, abstract=abstract, sources=("t.jsonl",))


def mention(text: str, abstract: str, key: str, long_form: str | None = None, label: str = "Method",
            role: Role = Role.USES, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = abstract.index(text, start + 1)
    return Mention(Field.ABSTRACT, start, start + len(text), text, label, key, 0.8, "t", role, long_form)


def defining(key: str, long: str, short: str, context: str) -> ExtractedPaper:
    abstract = f"We study {long} ({short}) for {context}. {short} works."
    lf_key = long.lower().replace(" ", "-")
    return ExtractedPaper(paper(key, f"On {short}", abstract), (
        mention(long, abstract, lf_key),
        mention(short, abstract, lf_key, long_form=long),
        mention(short, abstract, lf_key, long_form=long, nth=1),
        mention(context, abstract, context.lower().replace(" ", "-"), label="Task"),
    ))


def using(key: str, abstract: str, *extra: Mention) -> ExtractedPaper:
    return ExtractedPaper(paper(key, "A paper", abstract), (mention("SAM", abstract, "sam"), *extra))


def build(*items: ExtractedPaper):
    builder = GraphBuilder()
    for item in items:
        builder.add(item)
    return builder.build()


def test_is_acronym() -> None:
    assert [is_acronym(t) for t in ("SAM", "GNNs", "ViT", "Adam", "graph network")] == [True, True, True, False, False]


def test_single_long_form_folds_the_acronym_only_concept() -> None:
    g = build(defining("p1", "sharpness-aware minimization", "SAM", "image classification"),
              using("p2", "We fine-tune with SAM."))
    assert "concept:Method:sam" not in g
    target = "concept:Method:sharpness-aware-minimization"
    assert g.has_edge("paper:p2", target) and g.edges["paper:p2", target]["relation"] == "usesMethod"
    (m,) = g.nodes["paper:p2"]["mentions"]
    assert (m.key, m.long_form, m.text) == ("sharpness-aware-minimization", "sharpness-aware minimization", "SAM")
    assert "SAM" in g.nodes[target]["alt_labels"] and g.nodes[target]["label"] == "sharpness-aware minimization"


def test_a_definition_written_as_one_mention_teaches_the_acronym() -> None:
    abstract = "We study sharpness-aware minimization (SAM) for image classification."
    definition = mention("sharpness-aware minimization (SAM)", abstract, "sharpness-aware-minimization",
                         long_form="sharpness-aware minimization")
    g = build(ExtractedPaper(paper("p1", "On flat minima", abstract), (definition,)),
              using("p2", "We fine-tune with SAM."))
    target = "concept:Method:sharpness-aware-minimization"
    assert "concept:Method:sam" not in g and g.has_edge("paper:p2", target)
    assert (g.nodes[target]["label"], g.nodes[target]["alt_labels"]) == ("sharpness-aware minimization", ("SAM",))


def test_two_long_forms_are_chosen_by_context() -> None:
    sharp = defining("p1", "sharpness-aware minimization", "SAM", "image classification")
    segment = defining("p2", "segment anything model", "SAM", "image segmentation")
    seg_user = "We prompt SAM to segment medical images for image segmentation."
    opt_user = "SAM finds flat minima; we study its sharpness in training."
    g = build(sharp, segment,
              using("p3", seg_user, mention("image segmentation", seg_user, "image-segmentation", label="Task")),
              using("p4", opt_user))
    assert g.has_edge("paper:p3", "concept:Method:segment-anything-model")
    assert g.has_edge("paper:p4", "concept:Method:sharpness-aware-minimization")
    assert "concept:Method:sam" not in g
    assert "concept:Method:segment-anything-model" != "concept:Method:sharpness-aware-minimization"


def test_ambiguous_without_context_stays_an_acronym() -> None:
    g = build(defining("p1", "sharpness-aware minimization", "SAM", "image classification"),
              defining("p2", "segment anything model", "SAM", "image segmentation"),
              using("p3", "We use SAM."))
    assert g.has_edge("paper:p3", "concept:Method:sam")


def test_other_type_or_undefined_acronyms_are_left_alone() -> None:
    abstract = "SAM and BERT."
    g = build(defining("p1", "sharpness-aware minimization", "SAM", "image classification"),
              ExtractedPaper(paper("p2", "T", abstract), (mention("SAM", abstract, "sam", label="Task"),
                                                           mention("BERT", abstract, "bert"))))
    assert g.has_edge("paper:p2", "concept:Task:sam") and g.has_edge("paper:p2", "concept:Method:bert")


def test_folded_edge_merges_with_an_existing_long_form_edge() -> None:
    abstract = "We use sharpness-aware minimization; SAM is proposed here."
    extracted = ExtractedPaper(paper("p2", "T", abstract), (
        mention("sharpness-aware minimization", abstract, "sharpness-aware-minimization"),
        mention("SAM", abstract, "sam", role=Role.PROPOSES)))
    g = build(defining("p1", "sharpness-aware minimization", "SAM", "image classification"), extracted)
    edge = g.edges["paper:p2", "concept:Method:sharpness-aware-minimization"]
    assert (edge["count"], edge["relation"]) == (2, "proposesMethod")


def test_title_that_spells_the_acronym_out_is_not_folded() -> None:
    abstract = "TLDR learns twins."
    other = ExtractedPaper(paper("p2", "TLDR: Twin Learning for Dimensionality Reduction", abstract),
                           (mention("TLDR", abstract, "tldr"),))
    g = build(defining("p1", "texture learning domain randomization", "TLDR", "domain generalization"), other)
    assert g.has_edge("paper:p2", "concept:Method:tldr")
