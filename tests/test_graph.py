"""kg.graph: node and edge attributes as documented, relations, labels, merged duplicates."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.graph import GraphBuilder, build_graph, concept_degrees, cooccurrence, relation_for
from kg.records import REPOSITORY, ExtractedPaper, Field, Mention, Paper, Repository, Role

ABSTRACT = "We use SAM and BERT on ImageNet. Code: https://github.com/a/b."


def paper(key: str = "arxiv:2301.00001", title: str = "A Paper", abstract: str = ABSTRACT, **kw) -> Paper:
    defaults = dict(sources=("a.jsonl",), arxiv_id="2301.00001", identifier="arXiv:2301.00001", issued="2023-01-05",
                    authors=("Ada Lovelace", "Alan Turing"), url="https://arxiv.org/abs/2301.00001", categories=("cs.LG",), line=1)
    defaults.update(kw)
    return Paper(key=key, title=title, abstract=abstract, **defaults)


def m(start: int, end: int, text: str, label: str, key: str, conf: float = 0.9, comp: str = "gazetteer",
      role: Role = Role.USES, long_form: str | None = None, field: Field = Field.ABSTRACT) -> Mention:
    return Mention(field, start, end, text, label, key, conf, comp, role, long_form)


SAM = m(7, 10, "SAM", "Method", "sharpness-aware-minimization", 0.7, "abbreviation", long_form="sharpness-aware minimization")
BERT = m(15, 19, "BERT", "Method", "bert")
IMAGENET = m(23, 31, "ImageNet", "Dataset", "imagenet", 0.65, "patterns:named-dataset")
URL = m(39, 61, "https://github.com/a/b", REPOSITORY, "https://github.com/a/b", 0.99, "code_links")
REPO = Repository("https://github.com/a/b", "github.com", True)


def test_mention_fixture_offsets() -> None:
    for mention in (SAM, BERT, IMAGENET, URL):
        assert ABSTRACT[mention.start:mention.end] == mention.text


def one_paper_graph() -> nx.DiGraph:
    return build_graph([ExtractedPaper(paper(), (URL, IMAGENET, BERT, SAM), (REPO,))])


def test_paper_node_attributes() -> None:
    graph = one_paper_graph()
    attrs = graph.nodes["paper:arxiv:2301.00001"]
    assert attrs == {
        "kind": "paper",
        "label": "A Paper",
        "title": "A Paper",
        "abstract": ABSTRACT,
        "key": "arxiv:2301.00001",
        "arxiv_id": "2301.00001",
        "identifier": "arXiv:2301.00001",
        "issued": "2023-01-05",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "url": "https://arxiv.org/abs/2301.00001",
        "categories": ("cs.LG",),
        "sources": ("a.jsonl",),
        "mentions": (SAM, BERT, IMAGENET, URL),  # sorted by field and offset
        "results": (),  # numbers stated as results: none here
    }


def test_concept_and_repository_nodes() -> None:
    graph = one_paper_graph()
    assert sorted(graph.nodes) == [
        "concept:Dataset:imagenet", "concept:Method:bert", "concept:Method:sharpness-aware-minimization",
        "paper:arxiv:2301.00001", "repo:https://github.com/a/b"]
    assert graph.nodes["concept:Method:bert"] == {"kind": "concept", "ctype": "Method", "key": "bert", "label": "BERT", "alt_labels": (),
                                                   "generic": False, "broader": ()}
    assert graph.nodes["concept:Method:sharpness-aware-minimization"] == {
        "kind": "concept", "ctype": "Method", "key": "sharpness-aware-minimization",
        "label": "sharpness-aware minimization", "alt_labels": ("SAM",), "generic": False, "broader": ()}
    assert graph.nodes["repo:https://github.com/a/b"] == {
        "kind": "repository", "url": "https://github.com/a/b", "host": "github.com", "is_code_host": True, "label": "github.com/a/b"}


def test_edges() -> None:
    graph = one_paper_graph()
    pid = "paper:arxiv:2301.00001"
    assert {t: d for _, t, d in graph.out_edges(pid, data=True)} == {
        "concept:Method:sharpness-aware-minimization": {"relation": "usesMethod", "count": 1, "confidence": 0.7},
        "concept:Method:bert": {"relation": "usesMethod", "count": 1, "confidence": 0.9},
        "concept:Dataset:imagenet": {"relation": "usesDataset", "count": 1, "confidence": 0.65},
        "repo:https://github.com/a/b": {"relation": "hasCode", "count": 1, "confidence": 0.99},
    }
    assert graph.in_degree(pid) == 0


@pytest.mark.parametrize(
    ("label", "role", "relation"),
    [("Method", Role.USES, "usesMethod"), ("Method", Role.PROPOSES, "proposesMethod"), ("Dataset", Role.USES, "usesDataset"),
     ("Metric", Role.USES, "reportsMetric"), ("Task", Role.USES, "addressesTask"), (REPOSITORY, Role.USES, "hasCode"),
     ("Dataset", Role.PROPOSES, "usesDataset")],
)
def test_relation_for(label: str, role: Role, relation: str) -> None:
    assert relation_for(m(0, 1, "x", label, "x", role=role)) == relation


@pytest.mark.parametrize("order", ["uses-first", "proposes-first"])
def test_proposes_outranks_uses(order: str) -> None:
    text = "We propose OptEmbed. OptEmbed is fast."
    used = m(21, 29, "OptEmbed", "Method", "optembed", 0.9, "gazetteer")
    proposed = m(11, 19, "OptEmbed", "Method", "optembed", 0.8, "proposals", Role.PROPOSES)
    mentions = (used, proposed) if order == "uses-first" else (proposed, used)
    graph = build_graph([ExtractedPaper(paper(abstract=text), mentions)])
    assert graph.edges["paper:arxiv:2301.00001", "concept:Method:optembed"] == {
        "relation": "proposesMethod", "count": 2, "confidence": 0.9}


def test_counts_and_confidence_accumulate() -> None:
    text = "BERT, BERT and BERT."
    mentions = (m(0, 4, "BERT", "Method", "bert", 0.6), m(6, 10, "BERT", "Method", "bert", 0.9), m(15, 19, "BERT", "Method", "bert", 0.7))
    graph = build_graph([ExtractedPaper(paper(abstract=text), mentions)])
    assert graph.edges["paper:arxiv:2301.00001", "concept:Method:bert"] == {"relation": "usesMethod", "count": 3, "confidence": 0.9}


def test_preferred_label_uses_every_paper() -> None:
    a = ExtractedPaper(paper("t:a", abstract="graph neural network"), (m(0, 20, "graph neural network", "Method", "graph-neural-network"),))
    b = ExtractedPaper(paper("t:b", abstract="Graph Neural Network"), (m(0, 20, "Graph Neural Network", "Method", "graph-neural-network"),))
    c = ExtractedPaper(paper("t:c", abstract="Graph Neural Network"), (m(0, 20, "Graph Neural Network", "Method", "graph-neural-network"),))
    for order in ([a, b, c], [c, b, a], [b, a, c]):
        node = build_graph(order).nodes["concept:Method:graph-neural-network"]
        assert (node["label"], node["alt_labels"]) == ("Graph Neural Network", ("graph neural network",))


def test_acronym_is_never_the_preferred_label() -> None:
    text = "SAM SAM SAM SAM sharpness-aware minimization"
    mentions = tuple(m(i * 4, i * 4 + 3, "SAM", "Method", "sam-key", long_form="sharpness-aware minimization") for i in range(4))
    mentions += (m(16, 44, "sharpness-aware minimization", "Method", "sam-key"),)
    node = build_graph([ExtractedPaper(paper(abstract=text), mentions)]).nodes["concept:Method:sam-key"]
    assert (node["label"], node["alt_labels"]) == ("sharpness-aware minimization", ("SAM",))


def test_same_concept_from_two_papers_is_one_node() -> None:
    a = ExtractedPaper(paper("t:a", abstract=ABSTRACT), (BERT,))
    b = ExtractedPaper(paper("t:b", abstract=ABSTRACT), (BERT, IMAGENET))
    graph = build_graph([a, b])
    assert graph.in_degree("concept:Method:bert") == 2
    assert concept_degrees(graph) == [("BERT", 2), ("ImageNet", 1)]
    assert concept_degrees(graph, "Dataset") == [("ImageNet", 1)]
    assert cooccurrence(graph, "Method", "Dataset") == {("BERT", "ImageNet"): 1}


def test_merge_duplicate_fills_metadata_and_sources() -> None:
    builder = GraphBuilder()
    title_only = paper("title:a paper", arxiv_id=None, identifier=None, issued=None, authors=(), url=None, categories=(),
                       sources=("hf.txt",))
    builder.add(ExtractedPaper(title_only, (BERT,)))
    builder.merge_duplicate("title:a paper", paper(sources=("arxiv.jsonl",)))
    builder.merge_duplicate("title:a paper", paper(sources=("b.csv", "hf.txt"), issued="1999-09-09", authors=("Nobody",)))
    attrs = builder.build().nodes["paper:title:a paper"]
    assert attrs["sources"] == ("arxiv.jsonl", "b.csv", "hf.txt")
    assert (attrs["arxiv_id"], attrs["identifier"], attrs["issued"], attrs["url"]) == (
        "2301.00001", "arXiv:2301.00001", "2023-01-05", "https://arxiv.org/abs/2301.00001")  # first filler wins
    assert (attrs["authors"], attrs["categories"]) == (("Ada Lovelace", "Alan Turing"), ("cs.LG",))
    assert (attrs["key"], attrs["title"], attrs["mentions"]) == ("title:a paper", "A Paper", (BERT,))


def test_merge_duplicate_keeps_existing_metadata() -> None:
    builder = GraphBuilder()
    builder.add(ExtractedPaper(paper(), ()))
    builder.merge_duplicate("arxiv:2301.00001", paper(issued="1999-01-01", url="https://example.org", sources=("z.csv",)))
    attrs = builder.build().nodes["paper:arxiv:2301.00001"]
    assert (attrs["issued"], attrs["url"], attrs["sources"]) == ("2023-01-05", "https://arxiv.org/abs/2301.00001", ("a.jsonl", "z.csv"))


def test_paper_without_mentions() -> None:
    graph = build_graph([ExtractedPaper(paper(), ())])
    assert list(graph.nodes) == ["paper:arxiv:2301.00001"]
    assert graph.nodes["paper:arxiv:2301.00001"]["mentions"] == ()


def test_a_name_with_its_head_noun_is_no_other_label() -> None:
    """"the DomainBed benchmark" names DomainBed; "DomainBed benchmark" is no alias of it."""
    text = "We test on the DomainBed benchmark and DomainBed."
    mentions = (m(15, 34, "DomainBed benchmark", "Dataset", "domainbed", long_form="DomainBed"),
                m(39, 48, "DomainBed", "Dataset", "domainbed", long_form="DomainBed"))
    graph = build_graph([ExtractedPaper(paper(abstract=text), mentions, ())])
    node = graph.nodes["concept:Dataset:domainbed"]
    assert (node["label"], node["alt_labels"]) == ("DomainBed", ())


def test_a_concept_only_written_with_its_head_noun_is_labelled_by_its_name() -> None:
    text = "We test on the DomainBed benchmark."
    mention = m(15, 34, "DomainBed benchmark", "Dataset", "domainbed", long_form="DomainBed")
    node = build_graph([ExtractedPaper(paper(abstract=text), (mention,), ())]).nodes["concept:Dataset:domainbed"]
    assert (node["label"], node["alt_labels"]) == ("DomainBed", ())


def test_kinds_are_decided_by_the_corpus_rule_and_the_given_predicate() -> None:
    from kg.extract.generic import names_a_kind

    text = "We pre-train on training data with a neural process."
    mentions = (m(16, 29, "training data", "Dataset", "training-data", comp="model"),
                m(37, 51, "neural process", "Method", "neural-process", comp="model"))
    builder = GraphBuilder(is_generic=names_a_kind)
    builder.add(ExtractedPaper(paper(abstract=text), mentions, ()))
    graph = builder.build()
    assert graph.nodes["concept:Dataset:training-data"]["generic"] is True
    assert graph.nodes["concept:Method:neural-process"]["generic"] is False  # a known name, whoever found it
    # the corpus-level rule (kg.kinds) knows "training data" is a kind without a predicate
    assert build_graph([ExtractedPaper(paper(abstract=text), mentions[:1], ())]).nodes[
        "concept:Dataset:training-data"]["generic"] is True
    odd = GraphBuilder(is_generic=lambda key: key == "zeta-net")  # a predicate adds kinds the rule would not
    odd.add(ExtractedPaper(paper(abstract="We train zeta net."), (m(9, 17, "zeta net", "Method", "zeta-net", comp="model"),), ()))
    assert odd.build().nodes["concept:Method:zeta-net"]["generic"] is True


def test_result_links_follow_the_mentions_graph_time_fixes_rename() -> None:
    """A result names its method by the extractor's key; when fix_mentions turns "ResNet" of
    "ResNet-20" into ResNet-20, the result is of ResNet-20, never of the ResNet another paper
    mentions (the export would link it there). A split coordination drops the link."""
    from decimal import Decimal

    from kg.graph import concept_node
    from kg.rdf.export import graph_triples
    from kg.records import Result, ResultKind

    abstract = "We prune ResNet-20 to 91.3% accuracy on the CIFAR-10 and CIFAR-100 datasets."
    pruned = Paper("title:pruning", "Pruning", abstract, ("a.jsonl",))
    resnet = Mention(Field.ABSTRACT, 9, 15, "ResNet", "Method", "resnet", 0.9, "gazetteer")
    both = "CIFAR-10 and CIFAR-100 datasets"
    pair = Mention(Field.ABSTRACT, abstract.index(both), abstract.index(both) + len(both), both, "Dataset",
                   "cifar-10-and-cifar-100-dataset", 0.8, "model")
    start = abstract.index("91.3%")
    result = Result(Field.ABSTRACT, start, start + 5, "91.3%", Decimal("91.3"), "%", ResultKind.ABSOLUTE,
                    method="resnet", dataset="cifar-10-and-cifar-100-dataset")
    other = Paper("title:resnet", "Residual nets", "We revisit ResNet on ImageNet.", ("a.jsonl",))
    builder = GraphBuilder()
    builder.add(ExtractedPaper(pruned, (resnet, pair), results=(result,)))
    builder.add(ExtractedPaper(other, (Mention(Field.ABSTRACT, 11, 17, "ResNet", "Method", "resnet", 0.9, "gazetteer"),)))
    graph = builder.build()
    (linked,) = graph.nodes["paper:title:pruning"]["results"]
    assert (linked.method, linked.dataset) == ("resnet-20", None)
    of_method = [t.object.value for t in graph_triples(graph) if t.predicate.value.endswith("#ofMethod")]
    assert len(of_method) == 1 and of_method[0].endswith("resnet-20")
    assert concept_node("Method", "resnet") in graph  # the other paper's ResNet is still there


def test_written_around_agrees_with_its_pattern() -> None:
    """written_around finds a name with words around it without a regex made per name; on
    texts built from the characters that matter (case, plural s/es, hyphens, underscores,
    digits, spaces) it answers as the pattern it replaces."""
    import random
    import re

    from kg.graph import written_around

    def by_pattern(text: str, name: str) -> bool:
        return text != name and re.search(rf"(?<![\w-]){re.escape(name)}(?:e?s)?(?![\w-])", text, re.IGNORECASE) is not None

    rng = random.Random(11)
    alphabet = "aAbBsSeE -_1é"
    for _ in range(20_000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) + name + \
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
        assert written_around(text, name) is by_pattern(text, name), (text, name)
    assert written_around("the CIFAR-10 dataset", "CIFAR-10") and not written_around("CIFAR-100", "CIFAR-10")
    assert written_around("two İstanbul sets", "İstanbul")  # a lower case longer than the letter: the pattern
