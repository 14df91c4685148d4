"""Extracted papers -> one networkx graph of papers, typed concepts and repositories.

The graph is the hub of kg: the RDF export and the HTML viewer are both made from it.

Node ids and attributes
-----------------------
``paper:<key>``
    kind="paper", label (= title), title, abstract, key, arxiv_id, identifier, issued,
    authors (tuple), url, categories (tuple), sources (sorted tuple of input file names),
    mentions (tuple of :class:`kg.records.Mention`, the evidence, sorted by field and offset).
``concept:<Type>:<key>``
    kind="concept", ctype ("Method", "Dataset", "Metric" or "Task"), key, label (the
    preferred label), alt_labels (sorted tuple of every other surface form and acronym).
``repo:<url>``
    kind="repository", url, host, is_code_host, label (the URL without its scheme).

Edges go from a paper to a concept or repository, with ``relation`` (the ``kg:`` property
name: usesMethod, proposesMethod, usesDataset, reportsMetric, addressesTask, hasCode),
``count`` (number of mentions) and ``confidence`` (the highest of those mentions).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
import networkx as nx

from kg.normalize import preferred_label
from kg.records import REPOSITORY, ConceptType, ExtractedPaper, Mention, Paper, Role

RELATION_BY_TYPE = {
    ConceptType.METHOD.value: "usesMethod",
    ConceptType.DATASET.value: "usesDataset",
    ConceptType.METRIC.value: "reportsMetric",
    ConceptType.TASK.value: "addressesTask",
}
PROPOSES_METHOD = "proposesMethod"
HAS_CODE = "hasCode"


def paper_node(key: str) -> str:
    return f"paper:{key}"


def concept_node(ctype: str, key: str) -> str:
    return f"concept:{ctype}:{key}"


def repository_node(url: str) -> str:
    return f"repo:{url}"


def relation_for(mention: Mention) -> str:
    if mention.label == REPOSITORY:
        return HAS_CODE
    if mention.label == ConceptType.METHOD.value and mention.role is Role.PROPOSES:
        return PROPOSES_METHOD
    return RELATION_BY_TYPE[mention.label]


class GraphBuilder:
    """Accumulates extracted papers into a graph; `build()` returns the finished graph.

    Surface forms are counted per concept while papers stream in, so the preferred label
    can be chosen once, at the end, from every paper's evidence.
    """

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self._surface_forms: dict[str, Counter[str]] = defaultdict(Counter)
        self._long_forms: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, extracted: ExtractedPaper) -> None:
        paper = extracted.paper
        pid = paper_node(paper.key)
        self.graph.add_node(pid, **_paper_attributes(paper, extracted.mentions))
        for repo in extracted.repositories:
            rid = repository_node(repo.url)
            self.graph.add_node(
                rid,
                kind="repository",
                url=repo.url,
                host=repo.host,
                is_code_host=repo.is_code_host,
                label=repo.url.split("://", 1)[-1],
            )
        for mention in extracted.mentions:
            if mention.label == REPOSITORY:
                target = repository_node(mention.key)
            else:
                target = concept_node(mention.label, mention.key)
                if target not in self.graph:
                    self.graph.add_node(target, kind="concept", ctype=mention.label, key=mention.key)
                if mention.long_form:
                    self._long_forms[target][mention.long_form] += 1
                    self._surface_forms[target][mention.text] += 0  # an acronym: a label, never preferred
                else:
                    self._surface_forms[target][mention.text] += 1
            self._link(pid, target, mention)

    def _link(self, pid: str, target: str, mention: Mention) -> None:
        relation = relation_for(mention)
        data = self.graph.get_edge_data(pid, target)
        if data is None:
            self.graph.add_edge(pid, target, relation=relation, count=1, confidence=mention.confidence)
            return
        data["count"] += 1
        data["confidence"] = max(data["confidence"], mention.confidence)
        if relation == PROPOSES_METHOD:  # proposing outranks using
            data["relation"] = relation

    def merge_duplicate(self, canonical_key: str, duplicate: Paper) -> None:
        """Record that `duplicate` (found in another file) is the paper `canonical_key`."""
        node = self.graph.nodes[paper_node(canonical_key)]
        node["sources"] = tuple(sorted(set(node["sources"]) | set(duplicate.sources)))
        for name in ("arxiv_id", "identifier", "issued", "url"):
            if not node.get(name) and getattr(duplicate, name):
                node[name] = getattr(duplicate, name)
        for name in ("authors", "categories"):
            if not node.get(name) and getattr(duplicate, name):
                node[name] = getattr(duplicate, name)

    def build(self) -> nx.DiGraph:
        for node, forms in self._surface_forms.items():
            long_forms = self._long_forms.get(node, Counter())
            # A curated name or an acronym's expansion is the label as written; otherwise
            # the most frequent surface form, made singular.
            label = min(long_forms, key=lambda f: (-long_forms[f], f.islower(), -len(f), f)) if long_forms else preferred_label(forms)
            labels = set(forms) | set(long_forms)
            attrs = self.graph.nodes[node]
            attrs["label"] = label
            attrs["alt_labels"] = tuple(sorted(labels - {label}))
        return self.graph


def _paper_attributes(paper: Paper, mentions: Iterable[Mention]) -> dict:
    return {
        "kind": "paper",
        "label": paper.title,
        "title": paper.title,
        "abstract": paper.abstract,
        "key": paper.key,
        "arxiv_id": paper.arxiv_id,
        "identifier": paper.identifier,
        "issued": paper.issued,
        "authors": paper.authors,
        "url": paper.url,
        "categories": paper.categories,
        "sources": tuple(sorted(set(paper.sources))),
        "mentions": tuple(sorted(mentions, key=lambda m: (m.field.value, m.start, m.end, m.label))),
    }


def build_graph(extracted: Iterable[ExtractedPaper]) -> nx.DiGraph:
    """Build the graph of a stream of extracted papers.

    >>> from kg.records import Field, Mention, Paper, ExtractedPaper
    >>> p = Paper(key="t:x", title="X", abstract="We use BERT.", sources=("a.txt",))
    >>> m = Mention(Field.ABSTRACT, 7, 11, "BERT", "Method", "bert", 0.9, "gazetteer")
    >>> g = build_graph([ExtractedPaper(p, (m,))])
    >>> sorted(g.nodes)
    ['concept:Method:bert', 'paper:t:x']
    >>> g.edges["paper:t:x", "concept:Method:bert"]["relation"]
    'usesMethod'
    """
    builder = GraphBuilder()
    for item in extracted:
        builder.add(item)
    return builder.build()


def concept_degrees(graph: nx.DiGraph, ctype: str | None = None) -> list[tuple[str, int]]:
    """Concepts (optionally of one type) with the number of papers mentioning them, most first."""
    rows = [
        (attrs["label"], graph.in_degree(node))
        for node, attrs in graph.nodes(data=True)
        if attrs["kind"] == "concept" and (ctype is None or attrs["ctype"] == ctype)
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def cooccurrence(graph: nx.DiGraph, kind_a: str, kind_b: str) -> Counter[tuple[str, str]]:
    """How many papers mention each (concept of type a, concept of type b) pair."""
    pairs: Counter[tuple[str, str]] = Counter()
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] != "paper":
            continue
        targets = [graph.nodes[t] for t in graph.successors(node)]
        a = sorted({t["label"] for t in targets if t.get("ctype") == kind_a})
        b = sorted({t["label"] for t in targets if t.get("ctype") == kind_b})
        pairs.update((x, y) for x in a for y in b)
    return pairs


__all__ = ["GraphBuilder", "build_graph", "concept_degrees", "cooccurrence"]
