"""Named concepts and kinds, decided once per concept over the whole corpus.

A *named* concept is a particular artifact a researcher would look up (ResNet-50, ImageNet,
BLEU, LoRA, SQuAD); a *kind* names a class of things ("large language model", "optimizer",
"image dataset", "generalization"). Kinds stay in the graph (typed ``kg:Kind`` and
``kg:GenericConcept``) but rankings and pairings leave them out, so the decision is made
from every mention of a concept in the corpus, not span by span: a span model that marks
"the optimizer" in one sentence has no say over what "optimizer" is.

The decision rule (:func:`is_kind`), first match wins:

1. listed as a kind (``kind`` rows of ``data/concept_words.jsonl``, or a gazetteer entry
   flagged ``"generic": true``) -> kind;
2. a gazetteer name -> named (a curated list knows its names);
3. every word of the key is a common word: a kind head noun ("dataset", "optimizer",
   "generalization"), a common modifier ("large", "image", "pre-trained"), or a generic word
   of ``generic_terms.jsonl`` (:func:`kg.extract.generic.is_generic`) -> kind ("image
   dataset", "NLP task", "real data", "computational cost");
4. written like a name -- a digit, or a capital that is not sentence-initial, on a word that
   is not a common one -- by at least half of the papers whose abstract writes it
   ("ResNet", "Adam", "Fréchet Inception Distance") -> named (titles are title-cased, so
   they do not count);
   -- unless the name-shaped word only modifies a lower-case property head ("CL
   capability", "DST criteria", "FL performance": a property *of* a named thing, see
   :func:`has_property_head`) -> kind, when no acronym defines the phrase;
5. defined with an acronym somewhere in the corpus ("low-rank adaptation (LoRA)") -> named;
6. headed by a weak head noun (``"weak": true``: method, approach, task, problem, cost,
   quality, fidelity, score, data, dataset, corpus ...) -> kind, whatever the specific
   word before it ("compression method", "regression problem", "inference efficiency",
   "importance score", "imbalanced medical dataset", "click data"), or by a head that is weak only
   after some words (``phrase_head`` rows: "estimation error" but not "generalization
   error"; "low precision", a number format, but not "precision"): rules 4 and 5 saved
   the named ones ("LAPP method", "Contrastive Language-Image Pre-training (CLIP)");
7. otherwise named: a specific phrase ("contrastive learning", "domain generalization",
   "diffusion model").

The word lists are data (``kg/extract/data/concept_words.jsonl``), not code.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from kg.normalize import concept_key, singular

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


@dataclass(frozen=True)
class KindFeatures:
    """What the corpus says about one concept, the input of :func:`is_kind`."""

    key: str
    listed_kind: bool = False  # a kind row of concept_words.jsonl or a gazetteer entry flagged generic
    gazetteer: bool = False  # a gazetteer name (not flagged generic)
    common_words: bool = False  # every word is a head noun, a common modifier or a generic word
    name_shaped_share: float = 0.0  # share of the papers writing it in an abstract that write it like a name
    acronym: bool = False  # defined with an acronym somewhere ("low-rank adaptation (LoRA)")
    weak_head: bool = False  # its last word is a weak head noun ("compression method")
    property_head: bool = False  # a lower-case property head after a name ("CL capability")
    papers: int = 0  # papers mentioning it (spread; reported, weighs the share above)


def is_kind(f: KindFeatures) -> bool:
    """The decision rule of the module docstring, in its order.

    >>> is_kind(KindFeatures("image-dataset", common_words=True))
    True
    >>> is_kind(KindFeatures("large-language-model", listed_kind=True, gazetteer=True, acronym=True))
    True
    >>> is_kind(KindFeatures("compression-method", weak_head=True)), is_kind(KindFeatures("lapp-method", weak_head=True, name_shaped_share=1.0))
    (True, False)
    >>> is_kind(KindFeatures("resnet", gazetteer=True, common_words=False))
    False
    >>> is_kind(KindFeatures("nlp-task", common_words=True, name_shaped_share=1.0))
    True
    >>> is_kind(KindFeatures("contrastive-learning"))
    False
    >>> is_kind(KindFeatures("dst-criteria", weak_head=True, property_head=True, name_shaped_share=1.0))
    True
    >>> is_kind(KindFeatures("fantastic-generalization-measure", weak_head=True, name_shaped_share=1.0))
    False
    """
    if f.listed_kind:
        return True
    if f.gazetteer:
        return False
    if f.common_words:
        return True
    if f.property_head and not f.acronym:
        return True
    if f.name_shaped_share >= 0.5 or f.acronym:
        return False
    return f.weak_head


@cache
def _rows() -> tuple[dict, ...]:
    from kg.extract.candidates import load_jsonl  # the package's data loader

    return load_jsonl("concept_words.jsonl")


@cache
def name_suffixes() -> frozenset[str]:
    """Words a span may add to a known name and still denote it ("CIFAR-10 dataset",
    "Adam optimizer"): the ``name_suffixes`` row, lower-case and singular."""
    return frozenset(singular(w.lower()) for r in _rows() for w in r.get("name_suffixes", ()))


@cache
def kind_heads() -> frozenset[str]:
    """Head nouns that name a class of things ("dataset", "optimizer", "generalization")."""
    return frozenset(concept_key(r["head"]) for r in _rows() if "head" in r)


@cache
def isa_heads() -> frozenset[str]:
    """Head nouns a name can be an instance of ("optimizer", "dataset", "method"), not those
    of tasks or measures ("ImageNet classification" does not make ImageNet a classification)."""
    return frozenset(concept_key(r["head"]) for r in _rows() if r.get("group") in ("material", "model", "generic"))


def _isa(key: str) -> bool:
    last = key.rsplit("-", 1)[-1]
    return last in isa_heads() or singular(last) in isa_heads()


@cache
def alone_heads() -> frozenset[str]:
    """Head nouns that are kinds only alone ("generation"; "image generation" is a task)."""
    return frozenset(concept_key(r["head"]) for r in _rows() if r.get("alone"))


@cache
def weak_heads() -> frozenset[str]:
    """Head nouns that leave a phrase a kind whatever precedes them ("method", "task", "cost")."""
    return frozenset(concept_key(r["head"]) for r in _rows() if r.get("weak"))


@cache
def phrase_heads() -> dict[str, frozenset[str]]:
    """Head -> the words after which it is weak (``phrase_head`` rows): "error" after
    "estimation" (an error of some estimate), "precision" after "low" (a number format)."""
    return {concept_key(r["phrase_head"]): frozenset(concept_key(w) for w in r["after"]) for r in _rows() if "phrase_head" in r}


def has_weak_head(key: str) -> bool:
    """The key's last word is a weak head noun, or a phrase head after one of its words.

    >>> has_weak_head("compression-method"), has_weak_head("diffusion-model")
    (True, False)
    >>> [has_weak_head(k) for k in ["estimation-error", "generalization-error", "low-precision", "precision"]]
    [True, False, True, False]
    """
    parts = key.split("-")
    last = parts[-1]
    if last in weak_heads() or singular(last) in weak_heads():
        return True
    after = phrase_heads().get(last) or phrase_heads().get(singular(last))
    return bool(after) and len(parts) > 1 and parts[-2] in after


@cache
def property_heads() -> frozenset[str]:
    """Weak heads that name a property of something (``"property": true``: capability,
    criteria, performance, fidelity): after a name they are the name's property ("CL
    capability"), not a named measure."""
    return frozenset(concept_key(r["head"]) for r in _rows() if r.get("property"))


def has_property_head(key: str, texts) -> bool:
    """The key ends in a property head after at least one other word, and most `texts`
    (its surface forms in abstracts) write that head in lower case: "DST criteria", "CL
    capability" -- but not "Fantastic Generalization Measure", a title-cased name.

    >>> has_property_head("dst-criteria", ["DST criteria"]), has_property_head("fantastic-generalization-measure", ["Fantastic Generalization Measure"])
    (True, False)
    """
    parts = key.split("-")
    if len(parts) < 2 or (parts[-1] not in property_heads() and singular(parts[-1]) not in property_heads()):
        return False
    heads = [words[-1] for words in (_TOKEN.findall(t) for t in texts) if words]
    return bool(heads) and sum(h.islower() for h in heads) * 2 > len(heads)


@cache
def common_modifiers() -> frozenset[str]:
    """Words that do not make a kind specific ("large", "image", "pre-trained")."""
    return frozenset(w for r in _rows() if "modifier" in r for w in (concept_key(r["modifier"]), r["modifier"].lower()))


@cache
def listed_kinds() -> frozenset[str]:
    """Keys listed as kinds: concept_words.jsonl ``kind`` rows and gazetteer entries flagged generic."""
    from kg.extract.candidates import load_jsonl
    from kg.extract.gazetteer import gazetteer_files

    flagged = {concept_key(r["name"]) for name in gazetteer_files() for r in load_jsonl(name) if r.get("generic")}
    return frozenset({concept_key(r["kind"]) for r in _rows() if "kind" in r} | flagged)


@cache
def spelling_variants() -> dict[str, str]:
    """Word -> the word it is folded into ("computation" -> "computational")."""
    return {r["variant"].lower(): r["of"].lower() for r in _rows() if "variant" in r}


def _common(word: str) -> bool:
    return word in common_modifiers() or word in kind_heads() or singular(word) in kind_heads()


def common_words_only(key: str) -> bool:
    """Every word of the key is a kind head, a common modifier or a generic word, and the
    last one is a head or generic: "image-dataset", "nlp-task", "computational-cost".

    >>> [common_words_only(k) for k in ["image-dataset", "nlp-task", "diffusion-model", "image-generation", "optimizer", "generation"]]
    [True, True, False, False, True, True]
    """
    from kg.extract.generic import is_generic

    parts = [p for p in key.split("-") if p]
    if not parts:
        return False
    if is_generic(key):
        return True
    last = parts[-1]
    if last not in kind_heads() and singular(last) not in kind_heads():
        return False
    if len(parts) > 1 and (last in alone_heads() or singular(last) in alone_heads()):
        return False  # "generation" is a kind, "image generation" a task
    # "pre-trained" and "large-scale" are one modifier of two parts
    i = 0
    while i < len(parts) - 1:
        pair = "-".join(parts[i:i + 2])
        if i + 1 < len(parts) - 1 and pair in common_modifiers():
            i += 2
        elif _common(parts[i]):
            i += 1
        else:
            return False
    return True


def name_shaped(text: str, sentence_start: bool) -> bool:
    """A surface form written like a name: a word with a digit or a capital (not the first
    letter of a sentence) that is not a common word ("ResNet-50", "Adam", "the BLEU";
    not "NLP task": NLP is a common modifier).

    >>> [name_shaped(t, False) for t in ["ResNet-50", "Adam", "image dataset", "NLP task", "3D data"]]
    [True, True, False, False, False]
    >>> name_shaped("Generalization", True)
    False
    """
    for i, word in enumerate(_TOKEN.findall(text)):
        low = word.lower()
        if low in common_modifiers() or low in kind_heads() or singular(low) in kind_heads():
            continue
        rest = word[1:] if (i == 0 and sentence_start) else word
        if any(c.isdigit() for c in word) or any(c.isupper() for c in rest):
            return True
    return False


def at_sentence_start(text: str, start: int) -> bool:
    """The character at `start` opens the text or a sentence."""
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:;\n"


_VERSION = re.compile(r"^(?P<family>.*?[a-z])-(?:v?\d+(?:-\d+)*[a-z]?|[a-z]?\d+[a-z]?|x{0,2}[sml]|tiny|small|base|large|huge|xl)$")


def family_key(key: str) -> str | None:
    """The key of a versioned or sized name's family: "resnet-20" -> "resnet",
    "gpt-4" -> "gpt", "vit-b-16" -> "vit-b"; None when the key carries no such suffix.

    >>> [family_key(k) for k in ["resnet-20", "gpt-4", "cifar-100", "bert-large", "adam", "mnist"]]
    ['resnet', 'gpt', 'cifar', 'bert', None, None]
    """
    match = _VERSION.match(key)
    return match["family"] if match else None


def kind_suffix_key(text: str, key: str) -> str | None:
    """The kind a mention names after the concept's own words: "Adam optimizer" of the
    concept "adam" -> "optimizer"; "CIFAR-10 dataset" -> "dataset"; None when the text
    adds no kind head.

    >>> kind_suffix_key("the Adam optimizer", "adam"), kind_suffix_key("Adam", "adam")
    ('optimizer', None)
    """
    words = concept_key(text).split("-")
    own = key.split("-")
    for n in range(len(words) - len(own), 0, -1):
        if words[n - len(own):n] == own if n >= len(own) else False:
            rest = words[n:]
            if rest and all(_common(w) for w in rest) and (rest[-1] in kind_heads() or singular(rest[-1]) in kind_heads()):
                return "-".join(rest)
    return None


@dataclass
class AbstractUse:
    """How the corpus writes one concept in abstracts: its surface texts (counted), the
    papers writing it there, and how many of those write it shaped as a name."""

    texts: Counter = field(default_factory=Counter)
    papers: int = 0
    name_shaped: int = 0


def abstract_uses(graph) -> dict[str, AbstractUse]:
    """Concept node -> its :class:`AbstractUse`, in one pass over the papers (each
    abstract read once; the papers' mentions may be on disk: kg.spill)."""
    from kg.graph import concept_node
    from kg.unify import TYPE_ORDER

    uses: dict[str, AbstractUse] = {}
    for attrs in (a for _, a in graph.nodes(data=True) if a["kind"] == "paper"):
        abstract = None
        shaped: dict[str, bool] = {}
        for m in attrs["mentions"]:
            if m.label not in TYPE_ORDER or m.field.value != "abstract":
                continue
            if abstract is None:
                abstract = attrs["abstract"]
            node = concept_node(m.label, m.key)
            shaped[node] = shaped.get(node, False) or name_shaped(m.text, at_sentence_start(abstract, m.start))
            use = uses.get(node)
            if use is None:
                use = uses[node] = AbstractUse()
            use.texts[m.text] += 1
        for node, is_shaped in shaped.items():
            uses[node].papers += 1
            uses[node].name_shaped += is_shaped
    return uses


def concept_features(graph, node: str, forms, use: AbstractUse | None, is_generic=None) -> KindFeatures:
    """The :class:`KindFeatures` of concept `node` from the whole corpus: its surface
    `forms` (Counter) and its :class:`AbstractUse` (None: not written in an abstract)."""
    from kg.extract.gazetteer import known_keys
    from kg.graph import is_acronym

    attrs = graph.nodes[node]
    key = attrs["key"]
    # the key may drop a head the label keeps ("NLP tasks" is keyed "nlp"): judge both
    words_of = {key, concept_key(attrs.get("label") or key)}
    use = use or AbstractUse()
    texts = list(use.texts.elements())
    return KindFeatures(
        key=key,
        listed_kind=key in listed_kinds(),
        gazetteer=key in known_keys(),
        common_words=any(common_words_only(k) for k in words_of) or bool(is_generic and is_generic(key)),
        name_shaped_share=use.name_shaped / use.papers if use.papers else 0.0,
        acronym=any(is_acronym(f) and concept_key(f) != key for f in forms),
        weak_head=any(has_weak_head(k) for k in words_of),
        property_head=any(has_property_head(k, texts) for k in words_of),
        papers=graph.in_degree(node),
    )


def decide_kinds(builder) -> None:
    """Mark every concept of the builder's graph named or kind (``generic``); a kind of
    data ("image dataset", "real data") is no dataset: its papers only mention it."""
    graph = builder.graph
    uses = abstract_uses(graph)
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] != "concept":
            continue
        features = concept_features(graph, node, builder._surface_forms.get(node, {}), uses.get(node), builder.is_generic)
        attrs["generic"] = is_kind(features)
        if attrs["generic"] and attrs["ctype"] == "Dataset":
            from kg.graph import rekey_result

            for paper in graph.predecessors(node):
                graph.edges[paper, node]["relation"] = MENTIONS
                pattrs = graph.nodes[paper]  # a result is on a dataset, never on a kind of data
                if pattrs.get("results"):
                    pattrs["results"] = tuple(rekey_result(r, "Dataset", attrs["key"], None) for r in pattrs["results"])


MENTIONS = "mentions"  # the plain paper -> concept relation (kg:mentions)
_APPOSITION = re.compile(r",? (?:a|an|the) ((?:[\w-]+ ){0,3}[\w-]+)")
_NEXT_WORD = re.compile(r" ([a-z][\w-]*)")


def broader_links(graph) -> None:
    """``broader`` (concept node ids) of each named concept, where the text says so: its
    family by a version suffix (ResNet-20 -> ResNet, when ResNet is a concept too), and a
    kind written right after it or in apposition ("the Adam optimizer": Adam -> optimizer;
    "GPT-4, a large language model" -> large language model)."""
    by_key: dict[str, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] == "concept":
            by_key.setdefault(attrs["key"], []).append(node)

    def kind_node(key: str, ctype: str) -> str | None:
        nodes = [n for n in by_key.get(key, ()) if graph.nodes[n]["generic"]]
        same = [n for n in nodes if graph.nodes[n]["ctype"] == ctype]
        return (same or nodes or [None])[0]

    broader: dict[str, set[str]] = {}
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] != "concept" or attrs["generic"]:
            continue
        family = family_key(attrs["key"])
        for f in by_key.get(family or "", ()):
            if graph.nodes[f]["ctype"] == attrs["ctype"] and not graph.nodes[f]["generic"]:
                broader.setdefault(node, set()).add(f)
    for paper, pattrs in graph.nodes(data=True):
        if pattrs["kind"] != "paper":
            continue
        fields: dict[str, str] = {}  # the paper's title and abstract, each read once
        for m in pattrs["mentions"]:
            node = f"concept:{m.label}:{m.key}"
            if node not in graph or graph.nodes[node]["generic"]:
                continue
            text = fields.get(m.field.value)
            if text is None:
                text = fields[m.field.value] = pattrs[m.field.value]
            candidates = []
            if (suffix := kind_suffix_key(m.text, m.key)):
                candidates.append(suffix)
            if (word := _NEXT_WORD.match(text, m.end)):
                candidates.append(concept_key(word[1]))
            if (appos := _APPOSITION.match(text, m.end)):
                words = appos[1].split()
                candidates += [concept_key(" ".join(words[:n])) for n in range(len(words), 0, -1)]
            for key in candidates:
                target = kind_node(key, m.label) if _isa(key) else None
                if target and target != node:
                    broader.setdefault(node, set()).add(target)
                    break
    for node, attrs in graph.nodes(data=True):
        if attrs["kind"] == "concept":
            attrs["broader"] = tuple(sorted(broader.get(node, ())))


__all__ = ["AbstractUse", "KindFeatures", "abstract_uses", "concept_features", "decide_kinds", "broader_links", "MENTIONS", "is_kind", "common_words_only", "name_shaped", "family_key", "kind_suffix_key",
           "listed_kinds", "spelling_variants", "has_weak_head", "weak_heads", "kind_heads", "common_modifiers", "at_sentence_start"]
