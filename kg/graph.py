"""Extracted papers -> one networkx graph of papers, typed concepts and repositories.

The graph is the hub of kg: the RDF export and the HTML viewer are both made from it.

Node ids and attributes
-----------------------
``paper:<key>``
    kind="paper", label (= title), title, abstract, key, arxiv_id, identifier, issued,
    authors (tuple), url, categories (tuple), sources (sorted tuple of input file names),
    mentions (tuple of :class:`kg.records.Mention`, the evidence, sorted by field and offset),
    results (tuple of :class:`kg.records.Result`, the numbers stated as results, in order;
    their metric, dataset and method keys name concepts the paper mentions).
``concept:<Type>:<key>``
    kind="concept", ctype ("Method", "Dataset", "Metric" or "Task"), key, label (the
    preferred label), alt_labels (sorted tuple of every other surface form and acronym),
    generic (a kind of thing named by common words, "training data", not a named one);
    a metric also has lower_is_better (True for error or perplexity, False for accuracy,
    None when its labels do not say; :func:`kg.directions.lower_is_better`).
``repo:<url>``
    kind="repository", url, host, is_code_host, label (the URL without its scheme).

Edges go from a paper to a concept or repository, with ``relation`` (the ``kg:`` property
name: usesMethod, proposesMethod, usesDataset, reportsMetric, addressesTask, hasCode),
``count`` (number of mentions) and ``confidence`` (the highest of those mentions).

Acronyms across papers
----------------------
A paper that only writes a short form ("SAM") gives a concept keyed on the acronym. When
other papers of the corpus define that acronym ("sharpness-aware minimization (SAM)"),
``build()`` folds the acronym-only concept into the long form's concept of the same type:
the paper's edge and its mentions point to the long form instead. With two long forms
("segment anything model (SAM)" too), each paper picks by context -- the long form whose
words and co-mentioned concepts it shares most; a tie leaves the acronym-only concept, as
does a title that spells the acronym out ("TLDR: Twin Learning for Dimensionality ...").
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import networkx as nx

from kg.normalize import concept_key, strip_acronym_plural
from kg.mention_fixes import acronym_fits, fix_mentions, fix_result_links
from kg.directions import lower_is_better
from kg.records import REPOSITORY, ConceptType, ExtractedPaper, Mention, Paper, Result, Role
from kg.spill import SpillGraph
from kg.types import relations

RELATION_BY_TYPE = relations()  # concept type -> paper-to-concept relation (kg.types)
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

    def __init__(self, is_generic: Callable[[str], bool] | None = None, spill_dir: str | Path | None = None) -> None:
        """`is_generic(key)` tells a concept that is a kind of thing ("training data") by its
        key; by default none is. Papers' abstracts, authors, mentions and results are kept
        in a spill file in `spill_dir` (the temporary folder when None), not in memory
        (kg.spill)."""
        self.is_generic = is_generic or (lambda key: False)
        self.graph = SpillGraph(directory=spill_dir)
        self._surface_forms: dict[str, Counter[str]] = defaultdict(Counter)
        self._long_forms: dict[str, Counter[str]] = defaultdict(Counter)
        self._acronyms: dict[str, set[str]] = defaultdict(set)  # acronym key -> long-form concept nodes

    def add(self, extracted: ExtractedPaper) -> None:
        paper = extracted.paper
        pid = paper_node(paper.key)
        mentions = fix_mentions(paper, extracted.mentions)  # coordinations split, versions kept
        results = fix_result_links(paper, extracted.mentions, mentions, tuple(extracted.results))
        self.graph.add_node(pid, **_paper_attributes(paper, mentions), results=results)
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
        links: dict[str, list] = {}  # target -> [relation, count, confidence], in first-mention order
        for mention in mentions:
            # one string object per node id, shared by all its edges (not a copy per edge)
            if mention.label == REPOSITORY:
                target = sys.intern(repository_node(mention.key))
            else:
                target = sys.intern(concept_node(mention.label, mention.key))
                if target not in self.graph:
                    self.graph.add_node(target, kind="concept", ctype=mention.label, key=mention.key)
                name, short = definition_parts(mention.text, mention.key)
                if short and acronym_fits(short, name):  # "hidden Markov models (HMMs)": both are names, neither preferred
                    self._surface_forms[target][short] += 0
                if mention.long_form:
                    self._long_forms[target][mention.long_form] += 1
                    acronym = short or mention.text
                    if is_acronym(acronym) and concept_key(acronym) != mention.key and acronym_fits(acronym, mention.long_form):
                        self._acronyms[concept_key(acronym)].add(target)
                    # the concept's label is its long form: the text is only another
                    # label, unless it is that name used in a phrase ("DomainBed benchmark")
                    forms = self._surface_forms[target]  # the node is labelled in build()
                    if not written_around(name, mention.long_form):
                        forms[name] += 0
                else:
                    self._surface_forms[target][name] += 1
            _merge_link(links, target, relation_for(mention), 1, mention.confidence)
        for target, (relation, count, confidence) in links.items():  # each edge made once: a paper's are packed (kg.spill)
            self._add_edge(pid, target, relation, count, confidence)

    def _add_edge(self, pid: str, target: str, relation: str, count: int, confidence: float) -> None:
        """Add an edge, or merge into the one there: counts add up, the best confidence stays."""
        data = self.graph.get_edge_data(pid, target)
        if data is None:
            self.graph.add_edge(pid, target, relation=relation, count=count, confidence=confidence)
            return
        merged = {target: [data["relation"], data["count"], data["confidence"]]}
        _merge_link(merged, target, relation, count, confidence)
        data.update(zip(("relation", "count", "confidence"), merged[target]))

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

    def concept(self, ctype: str, key: str) -> str:
        """The node of concept (ctype, key), added when the graph lacks it."""
        node = concept_node(ctype, key)
        if node not in self.graph:
            self.graph.add_node(node, kind="concept", ctype=ctype, key=key)
        return node

    def build(self) -> nx.DiGraph:
        """Corpus-level decisions, in order: variants folded and one type per concept
        (kg.unify), acronyms folded, labels chosen from written forms, named or kind and
        skos:broader (kg.kinds)."""
        from kg.kinds import broader_links, decide_kinds
        from kg.unify import fold_same_labels, pick_label, unify_concepts, vocabulary

        unify_concepts(self)
        self._fold_acronyms()
        written = vocabulary(self.graph)
        for node, forms in self._surface_forms.items():
            long_forms = self._long_forms.get(node, Counter())
            # A curated name or an acronym's expansion is the label as written; otherwise
            # the most frequent surface form, made singular only into a word papers write.
            label = min(long_forms, key=lambda f: (-long_forms[f], f.islower(), -len(f), f)) if long_forms else pick_label(forms, written)
            labels = set(forms) | set(long_forms)
            attrs = self.graph.nodes[node]
            attrs["label"] = label
            attrs["alt_labels"] = tuple(sorted(labels - {label}))
            if attrs["ctype"] == ConceptType.METRIC.value:
                attrs["lower_is_better"] = lower_is_better(label, *labels)
        fold_same_labels(self)
        decide_kinds(self)
        broader_links(self.graph)
        return self.graph


    def _fold_acronyms(self) -> None:
        """Point each paper's acronym-only concept at the long form the corpus defines."""
        for node, attrs in list(self.graph.nodes(data=True)):
            if attrs["kind"] != "concept" or self._long_forms.get(node):
                continue
            choices = sorted(t for t in self._acronyms.get(attrs["key"], ()) if t != node and self.graph.nodes[t]["ctype"] == attrs["ctype"])
            if not choices:
                continue
            for paper in list(self.graph.predecessors(node)):
                if _defines_in_title(self.graph.nodes[paper]["title"], attrs["key"]):
                    continue  # "TLDR: Twin Learning for Dimensionality Reduction" is its own expansion
                target = choices[0] if len(choices) == 1 else self._by_context(paper, node, choices)
                if target:
                    self._move_edge(paper, node, target)
            if not self.graph.in_degree(node):
                self.graph.remove_node(node)
                self._surface_forms.pop(node, None)

    def _by_context(self, paper: str, node: str, choices: list[str]) -> str | None:
        """The long-form concept sharing most words and co-mentioned concepts with the paper."""
        attrs = self.graph.nodes[paper]
        words = set(_words(attrs["title"] + " " + attrs["abstract"]))
        neighbours = set(self.graph.successors(paper)) - {node}
        scores = []
        for target in choices:
            long_words = {w for form in self._long_forms[target] for w in _words(form)}
            peers = {c for p in self.graph.predecessors(target) if p != paper for c in self.graph.successors(p)} - {target}
            scores.append((len(words & long_words) + len(neighbours & peers), target))
        scores.sort(reverse=True)
        best, runner_up = scores[0][0], scores[1][0]
        return scores[0][1] if best > runner_up else None

    def _move_edge(self, paper: str, node: str, target: str) -> None:
        data = dict(self.graph.edges[paper, node])  # a packed link's view goes with the link (kg.adjacency)
        self.graph.remove_edge(paper, node)
        self._add_edge(paper, target, data["relation"], data["count"], data["confidence"])
        old, new = self.graph.nodes[node], self.graph.nodes[target]
        long_form = self._long_forms[target].most_common(1)[0][0]
        mentions = []
        for mention in self.graph.nodes[paper]["mentions"]:
            if mention.label == old["ctype"] and mention.key == old["key"]:
                mention = replace(mention, key=new["key"], long_form=long_form)
                self._surface_forms[target][mention.text] += 0  # an acronym: a label, never preferred
            mentions.append(mention)
        self.graph.nodes[paper]["mentions"] = tuple(mentions)
        self.graph.nodes[paper]["results"] = tuple(
            rekey_result(r, old["ctype"], old["key"], new["key"]) for r in self.graph.nodes[paper].get("results", ()))


def _merge_link(links: dict[str, list], target: str, relation: str, count: int, confidence: float) -> None:
    """Merge a link to `target` into `links`: counts add up, the best confidence stays, and
    proposing a method outranks using it."""
    link = links.get(target)
    if link is None:
        links[target] = [relation, count, confidence]
        return
    link[1] += count
    link[2] = max(link[2], confidence)
    if relation == PROPOSES_METHOD:
        link[0] = relation


_RESULT_LINKS = {ConceptType.METRIC.value: "metric", ConceptType.DATASET.value: "dataset", ConceptType.METHOD.value: "method"}


def rekey_result(result: Result, ctype: str, old: str, new: str) -> Result:
    """`result` with its link to the concept (ctype, old) pointed at (ctype, new).

    >>> from decimal import Decimal
    >>> from kg.records import Field, ResultKind
    >>> r = Result(Field.ABSTRACT, 0, 4, "2.1%", Decimal("2.1"), "%", ResultKind.ABSOLUTE, method="sam")
    >>> rekey_result(r, "Method", "sam", "sharpness-aware-minimization").method
    'sharpness-aware-minimization'
    """
    name = _RESULT_LINKS.get(ctype)
    if name is None or getattr(result, name) != old:
        return result
    return replace(result, **{name: new})


def _defines_in_title(title: str, key: str) -> bool:
    """The title opens with the acronym and a colon, and what follows spells it out."""
    from kg.extract.abbreviations import best_long_form  # spaCy loads only when folding needs it

    head, colon, rest = title.partition(":")
    return bool(colon) and concept_key(head) == key and best_long_form(head.strip(), rest.strip()) is not None


def is_acronym(text: str) -> bool:
    """A short form as papers write it: one word, two capitals or more ("SAM", "GNNs").

    >>> [is_acronym(t) for t in ["SAM", "GNNs", "ViT", "Adam", "sharpness-aware minimization"]]
    [True, True, True, False, False]
    """
    text = strip_acronym_plural(text)
    return 2 <= len(text) <= 10 and " " not in text and sum(c.isupper() for c in text) >= 2


_DEFINITION = re.compile(r"(?P<name>.+?)\s*\(\s*(?P<short>[^()]+?)\s*\)(?:[ \t]+(?P<head>[A-Za-z]+))?")


def definition_parts(text: str, key: str) -> tuple[str, str | None]:
    """A mention written as a definition, split into its name and bracketed short form
    (up to two words and twelve characters, a capital among them). A word after the
    brackets is the name's head noun, dropped, only when the concept's `key` lacks it too:
    otherwise the short form names part of the concept, and the name is the whole text.

    >>> definition_parts("hidden Markov models (HMMs)", "hidden-markov-model"), definition_parts("BLEU", "bleu")
    (('hidden Markov models', 'HMMs'), ('BLEU', None))
    >>> definition_parts("gradient descent (GD) method", "gradient-descent")
    ('gradient descent', 'GD')
    >>> definition_parts("representation group flow (RG flow)", "representation-group-flow")
    ('representation group flow', 'RG flow')
    >>> definition_parts("Gaussian process (with noise)", "gaussian-process-with-noise")
    ('Gaussian process (with noise)', None)
    >>> definition_parts("machine learning (ML) community", "machine-learning-community")
    ('machine learning community', None)
    """
    match = _DEFINITION.fullmatch(text)
    short = match["short"] if match else ""
    if len(short) <= 12 and len(short.split()) <= 2 and any(c.isupper() for c in short):
        name, head = match["name"], match["head"]
        if head is None or concept_key(name) == key:
            return name, short
        return f"{name} {head}", None
    return text, None


def written_around(text: str, name: str) -> bool:
    """`text` is `name` with words around it, as mentions are written ("the [CIFAR-10
    dataset]", "[long-tailed CIFAR-100]"), or its plural: a use of the name, not another
    name for it.

    >>> [written_around(t, "DomainBed") for t in ["DomainBed benchmark", "DomainBed", "the DomainBeds", "DomainBed-v2"]]
    [True, False, True, False]
    """
    if text == name:
        return False
    low, lowered_name = text.lower(), name.lower()
    if len(low) != len(text) or len(lowered_name) != len(name):  # a letter whose lower case is longer ("İ")
        return re.search(rf"(?<![\w-]){re.escape(name)}(?:e?s)?(?![\w-])", text, re.IGNORECASE) is not None
    # the same test without a pattern made per name: names are many, and each new pattern is compiled
    at = low.find(lowered_name)
    while at >= 0:
        if at == 0 or not _in_word(low[at - 1]):
            end = at + len(lowered_name)
            ends = (end, end + 1 if low.startswith("s", end) else -1, end + 2 if low.startswith("es", end) else -1)
            if any(e >= 0 and (e == len(low) or not _in_word(low[e])) for e in ends):
                return True
        at = low.find(lowered_name, at + 1)
    return False


def _in_word(char: str) -> bool:
    """`char` is a word character (regex ``\\w``) or a hyphen."""
    return char.isalnum() or char in "_-"


def _words(text: str) -> list[str]:
    from kg.extract.generic import stopwords  # the stopwords row of concept_words.jsonl

    stop = stopwords()
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop and len(w) > 2]


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
