"""Counts the export writes beside the data, so that the named queries' rankings and pair
tables need not join every paper's links at query time (a 300k-paper store has millions).

Each count is exactly what a SPARQL query over the exported triples counts (tests check
it on a built graph):

* ``kg:paperCount`` on every concept: the papers with an edge to it (kg:mentions or one
  of its sub-properties; the graph has one edge per paper and concept), 0 included.
* ``kg:ConceptPair`` nodes: a named method and a named dataset (no kind) that at least
  ``min_papers`` papers mention together, the paper using or proposing the method and
  using the dataset, with ``kg:pairCount`` those papers. Counted method by method, so the
  memory they take is one method's datasets, not every pair of the corpus.
* ``kg:ResultGroup`` nodes: the results on one dataset in one metric (or in none), with
  ``kg:resultCount`` results and ``kg:paperCount`` papers stating them, gathered while the
  papers' results are written (one counter per group).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import networkx as nx
from rdflib.namespace import RDF, XSD

from kg.rdf.namespace import KG
from kg.rdf.nt import Triple, iri, typed

# A method and a dataset mentioned together by at least this many papers get a
# kg:ConceptPair (method-dataset-pairs counts the rarer pairs itself when it needs them).
MIN_PAIR_PAPERS = 2

_TYPE, _INTEGER = iri(str(RDF.type)), iri(str(XSD.integer))
_PAPER_COUNT, _PAIR_COUNT, _RESULT_COUNT = (iri(str(t)) for t in (KG.paperCount, KG.pairCount, KG.resultCount))
_CONCEPT_PAIR, _PAIR_METHOD, _PAIR_DATASET = (iri(str(t)) for t in (KG.ConceptPair, KG.pairMethod, KG.pairDataset))
_RESULT_GROUP, _GROUP_DATASET, _GROUP_METRIC = (iri(str(t)) for t in (KG.ResultGroup, KG.groupDataset,
                                                                        KG.groupMetric))
USES_DATASET = "usesDataset"


def count_literal(n: int) -> str:
    """An xsd:integer term.

    >>> count_literal(3)
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    return typed(str(n), _INTEGER)


def paper_count(graph: nx.DiGraph, node: str) -> int:
    """How many papers have an edge to `node`."""
    nodes = graph.nodes
    return sum(1 for p in graph.predecessors(node) if nodes[p]["kind"] == "paper")


def paper_count_triple(concept: str, papers: int) -> Triple:
    """A concept's kg:paperCount (the concept as a term)."""
    return concept, _PAPER_COUNT, count_literal(papers)


class PairCounter:
    """The kg:ConceptPair nodes of a graph, asked for method by method (:meth:`triples`).

    `raw` maps graph nodes to their IRIs and `named` to their terms; pair IRIs are
    ``<base>pair/<method path>/<dataset path>``. Each paper's named datasets are looked up
    once and kept while the export runs (one tuple a paper)."""

    def __init__(self, graph: nx.DiGraph, raw: dict[str, str], named: dict[str, str], base: str,
                 min_papers: int = MIN_PAIR_PAPERS) -> None:
        self.graph, self.raw, self.named, self.base, self.min_papers = graph, raw, named, base, min_papers
        self._datasets: dict[str, tuple[str, ...]] = {}

    def datasets_of(self, paper: str) -> tuple[str, ...]:
        """The named datasets `paper` uses (kg:usesDataset)."""
        found = self._datasets.get(paper)
        if found is None:
            nodes = self.graph.nodes
            found = self._datasets[paper] = tuple(
                target for _, target, relation in self.graph.out_edges(paper, data="relation")
                if relation == USES_DATASET and not nodes[target].get("generic"))
        return found

    def triples(self, method: str) -> Iterator[Triple]:
        """The pairs of `method` (a named kg:Method node) mentioned by at least `min_papers`
        papers, in the order of the datasets' IRIs."""
        nodes = self.graph.nodes
        counts: Counter[str] = Counter()
        for paper in self.graph.predecessors(method):
            if nodes[paper]["kind"] == "paper":
                counts.update(self.datasets_of(paper))
        raw, prefix = self.raw, f"{self.base}pair/{self.raw[method][len(self.base):]}/"
        for dataset in sorted((d for d, n in counts.items() if n >= self.min_papers), key=raw.__getitem__):
            node = iri(prefix + raw[dataset][len(self.base):])
            yield node, _TYPE, _CONCEPT_PAIR
            yield node, _PAIR_METHOD, self.named[method]
            yield node, _PAIR_DATASET, self.named[dataset]
            yield node, _PAIR_COUNT, count_literal(counts[dataset])


class ResultGroups:
    """Counts the results of each (dataset, metric or None) as the papers' results are
    written (:meth:`add`), then gives the kg:ResultGroup nodes (:meth:`triples`)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._results: Counter[tuple[str, str | None]] = Counter()
        self._papers: Counter[tuple[str, str | None]] = Counter()

    def add(self, links: Iterable[tuple[str, Iterable[str], Iterable[str]]]) -> None:
        """One paper's results: (result IRI, its datasets' IRIs, its metrics' IRIs) each, as
        written (kg:onDataset, kg:onMetric). A result given twice is one node with both
        links, as in the RDF; it counts once in each (dataset, metric) of those, a paper once
        in each group it has a result in."""
        linked: dict[str, tuple[set[str], set[str]]] = {}
        for result, datasets, metrics in links:
            on_datasets, on_metrics = linked.setdefault(result, (set(), set()))
            on_datasets.update(datasets)
            on_metrics.update(metrics)
        paper: set[tuple[str, str | None]] = set()
        for datasets, metrics in linked.values():
            keys = {(d, m) for d in datasets for m in (metrics or (None,))}
            self._results.update(keys)
            paper |= keys
        self._papers.update(paper)

    def triples(self) -> Iterator[Triple]:
        """The groups' nodes, in the order of their IRIs
        (``<base>results/<dataset path>[/<metric path>]``)."""
        cut = len(self.base)
        named = {key: f"{self.base}results/{key[0][cut:]}" + (f"/{key[1][cut:]}" if key[1] else "")
                 for key in self._results}
        for key in sorted(named, key=named.__getitem__):
            node = iri(named[key])
            yield node, _TYPE, _RESULT_GROUP
            yield node, _GROUP_DATASET, iri(key[0])
            if key[1] is not None:
                yield node, _GROUP_METRIC, iri(key[1])
            yield node, _RESULT_COUNT, count_literal(self._results[key])
            yield node, _PAPER_COUNT, count_literal(self._papers[key])


__all__ = ["MIN_PAIR_PAPERS", "PairCounter", "ResultGroups", "count_literal", "paper_count", "paper_count_triple"]
