"""Corpus-level concept decisions: variants folded into one concept, one type per concept.

The extractor decides a span's type and key one paper at a time, so the same string can be
a Method in one paper and a Task in another ("fine-tuning"), and "pre-trained model" and
"pretrained model" can be two concepts. :func:`unify_concepts` runs once over the whole
graph, before acronyms fold and labels are chosen, in this order:

1. group concepts by :func:`fold_key` -- the concept key with hyphens and spaces dropped and
   listed spelling variants folded ("pre-trained" = "pretrained", "multi-layer" =
   "multilayer", "computation cost" = "computational cost"). Digits stay, so versioned and
   sized names stay apart (ResNet-20, ResNet-50, ResNet; GPT-3, GPT-4);
2. give each group one type (:func:`choose_type`): the gazetteer's, else the type with the
   most mention confidence summed over the corpus;
3. move every paper's edge, mentions and result links of the group onto one node
   (:func:`canonical_key`: the gazetteer key, else the key written most often).

Preferred labels are chosen later from the surface forms papers wrote
(:func:`pick_label`), never from a computed stem.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache

import networkx as nx

from kg.normalize import concept_key, singular_phrase
from kg.records import ConceptType, Role

TYPE_ORDER = tuple(t.value for t in ConceptType)  # ties between types go to the first


@cache
def gazetteer_types() -> dict[str, str]:
    """Concept key of every gazetteer name (kinds flagged generic included) -> its type."""
    from kg.extract.candidates import load_jsonl
    from kg.extract.gazetteer import gazetteer_files

    types: dict[str, str] = {}
    for name in gazetteer_files():
        for row in load_jsonl(name):
            types.setdefault(concept_key(row["name"]), row["label"])
    return types


def fold_key(key: str) -> str:
    """The key with hyphens dropped and spelling variants folded: what variants share.

    >>> fold_key("pre-trained-model") == fold_key("pretrained-model")
    True
    >>> fold_key("computation-cost") == fold_key("computational-cost"), fold_key("regularisation") == fold_key("regularization")
    (True, True)
    >>> fold_key("resnet-20") == fold_key("resnet-50"), fold_key("resnet-20") == fold_key("resnet")
    (False, False)
    """
    from kg.kinds import spelling_variants

    variants = spelling_variants()
    words = []
    for word in key.split("-"):
        word = variants.get(word, word)
        word = re.sub(r"is(ation|ing|ed|er|e)$", r"iz\1", word) if len(word) > 6 else word
        words.append(word)
    return "".join(words)


def choose_type(votes: Mapping[str, float], listed: str | None = None) -> str:
    """The concept's one type: the gazetteer's (`listed`), else the most mention
    confidence summed over the corpus; a tie goes to the first of Method, Dataset, Metric, Task.

    >>> choose_type({"Method": 1.8, "Task": 2.5}), choose_type({"Method": 1.8, "Task": 2.5}, listed="Method")
    ('Task', 'Method')
    """
    if listed:
        return listed
    return min(votes, key=lambda t: (-round(votes[t], 6), TYPE_ORDER.index(t) if t in TYPE_ORDER else 99, t))


def canonical_key(keys: Mapping[str, int], listed: Iterable[str] = ()) -> str:
    """The group's key: a gazetteer key, else the key of most mentions, then the shortest.

    >>> canonical_key({"pretrained-model": 3, "pre-trained-model": 5})
    'pre-trained-model'
    """
    listed = set(listed)
    return min(keys, key=lambda k: (k not in listed, -keys[k], len(k), k))


def relation_in(ctype: str, relation: str) -> str:
    """The relation of a paper's edge to a concept of type `ctype`: proposing a method
    stays proposing; anything else is the type's own relation."""
    from kg.graph import PROPOSES_METHOD, RELATION_BY_TYPE

    if ctype == ConceptType.METHOD.value and relation == PROPOSES_METHOD:
        return PROPOSES_METHOD
    return RELATION_BY_TYPE[ctype]


def mention_confidences(graph: nx.DiGraph) -> dict[str, array]:
    """Concept node -> the confidences of the mentions denoting it, in paper and mention
    order: one pass over the papers, keeping 8 bytes a mention, not the mentions (which
    may be on disk: kg.spill)."""
    from kg.graph import concept_node

    index: dict[str, array] = {}
    for attrs in (a for _, a in graph.nodes(data=True) if a["kind"] == "paper"):
        for m in attrs["mentions"]:
            if m.label in TYPE_ORDER:
                node = concept_node(m.label, m.key)
                values = index.get(node)
                if values is None:
                    values = index[node] = array("d")
                values.append(m.confidence)
    return index


def unify_concepts(builder) -> int:
    """Fold variant concepts and give each one type (module docstring); returns how many
    concept nodes were merged away. `builder` is a :class:`kg.graph.GraphBuilder`."""
    graph = builder.graph
    confidences = mention_confidences(graph)
    groups: dict[str, list[str]] = defaultdict(list)
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] == "concept":
            groups[fold_key(attrs["key"])].append(node)
    listed = gazetteer_types()
    merged = 0
    for nodes in groups.values():
        keys = Counter({graph.nodes[n]["key"]: 0 for n in nodes})
        votes: Counter[str] = Counter()
        for n in nodes:  # each of n's mentions has n's type and key
            ctype, key = graph.nodes[n]["ctype"], graph.nodes[n]["key"]
            for confidence in confidences.get(n, ()):
                votes[ctype] += confidence
                keys[key] += 1
        if len(nodes) == 1 and len(votes) <= 1:
            continue
        listed_keys = [k for k in keys if k in listed]
        ctype = choose_type(votes or Counter({graph.nodes[nodes[0]]["ctype"]: 1}), listed[listed_keys[0]] if listed_keys else None)
        key = canonical_key(keys, listed_keys)
        target = builder.concept(ctype, key)
        for n in sorted(nodes):
            if n != target:
                merge_node(builder, n, target)
                merged += 1
    return merged


def merge_node(builder, node: str, target: str) -> None:
    """Move everything of concept `node` onto concept `target` (maybe of another type):
    each paper's edge (relation recomputed), its mentions and result links; the surface
    forms, long forms and acronyms the builder counted; then drop `node`."""
    from kg.graph import rekey_result

    graph = builder.graph
    old, new = graph.nodes[node], graph.nodes[target]
    for paper in list(graph.predecessors(node)):
        data = dict(graph.edges[paper, node])  # a packed link's view goes with the link (kg.adjacency)
        graph.remove_edge(paper, node)
        builder._add_edge(paper, target, relation_in(new["ctype"], data["relation"]), data["count"], data["confidence"])
        attrs = graph.nodes[paper]
        attrs["mentions"] = tuple(
            replace(m, label=new["ctype"], key=new["key"],
                    role=m.role if new["ctype"] == ConceptType.METHOD.value else Role.USES)
            if (m.label, m.key) == (old["ctype"], old["key"]) else m
            for m in attrs["mentions"])
        results = attrs.get("results", ())
        if results:
            if old["ctype"] == new["ctype"]:
                results = tuple(rekey_result(r, old["ctype"], old["key"], new["key"]) for r in results)
            else:  # no longer a concept of the type the result names
                results = tuple(rekey_result(r, old["ctype"], old["key"], None) for r in results)
            attrs["results"] = results
    builder._surface_forms[target].update(builder._surface_forms.pop(node, Counter()))  # zero counts stay
    long_forms = builder._long_forms.pop(node, None)
    if long_forms:
        builder._long_forms[target].update(long_forms)
    for targets in builder._acronyms.values():
        if node in targets:
            targets.discard(node)
            targets.add(target)
    graph.remove_node(node)


def label_fold(label: str) -> str:
    """A label with case, hyphens and spaces ignored (and an acronym's plural "s").

    >>> label_fold("GeLLM^3Os") == label_fold("GeLLM^3O"), label_fold("Multi-Layer Perceptron") == label_fold("multilayer perceptron")
    (True, True)
    """
    label = re.sub(r"(?<=[A-Z0-9])s$", "", label)
    return re.sub(r"[\s\-]+", "", label.lower())


def fold_same_labels(builder) -> int:
    """After labels are chosen: concepts of one type whose labels differ only in case,
    hyphens and spaces are one concept (the one more papers mention keeps its label; the
    other's labels become alternative labels). Returns how many were merged away."""
    graph = builder.graph
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] == "concept":
            groups[(attrs["ctype"], label_fold(attrs["label"]))].append(node)
    merged = 0
    for nodes in groups.values():
        if len(nodes) < 2:
            continue
        nodes.sort(key=lambda n: (-graph.in_degree(n), len(graph.nodes[n]["key"]), n))
        target = graph.nodes[nodes[0]]
        for node in nodes[1:]:
            attrs = graph.nodes[node]
            alts = set(target.get("alt_labels", ())) | set(attrs.get("alt_labels", ())) | {attrs["label"]}
            target["alt_labels"] = tuple(sorted(alts - {target["label"]}))
            merge_node(builder, node, nodes[0])
            merged += 1
    return merged


def vocabulary(graph: nx.DiGraph) -> frozenset[str]:
    """Every lower-cased word the papers' titles and abstracts write."""
    words: set[str] = set()
    for _, attrs in graph.nodes(data=True):
        if attrs["kind"] == "paper":
            words.update(re.findall(r"[^\W_]+", (attrs["title"] + " " + attrs["abstract"]).lower()))
    return frozenset(words)


def pick_label(forms: Counter[str], written: frozenset[str]) -> str:
    """The preferred label: the most frequent form as a paper wrote it, made singular only
    when the singular is a word papers write ("pruning strategies" -> "pruning strategy"
    when some paper writes "strategy"; never the stem "pruning strategi").

    >>> pick_label(Counter({"pruning strategies": 2, "pruning strategy": 1}), frozenset({"pruning", "strategy", "strategies"}))
    'pruning strategy'
    >>> pick_label(Counter({"ablation studies": 2}), frozenset({"ablation", "studies"}))
    'ablation studies'
    >>> pick_label(Counter({"GNNs": 3, "GNN": 3, "gnn": 1}), frozenset())
    'GNN'
    """
    counts: Counter[str] = Counter()
    for form, count in forms.items():
        single = singular_phrase(form)
        last = re.findall(r"[^\W_]+", single.lower())[-1:] or [""]
        if single != form and not single.isupper() and last[0] not in written and not re.search(r"[A-Z]s$", form):
            single = form  # its singular is a word no paper writes: keep the form as written
        counts[single] += count
    return min(counts, key=lambda f: (-counts[f], f.islower(), -len(f), f))


__all__ = ["label_fold", "fold_same_labels", "fold_key", "choose_type", "canonical_key", "unify_concepts", "merge_node", "pick_label",
           "vocabulary", "gazetteer_types", "singular_phrase"]
