"""Model spans against rule hits: the named overlap policies of `kg_resolve` (its policy 4).

Rules (gazetteer, patterns, acronym pairs, proposals, URLs) keep their precision; the
model (``kg_ner``) adds recall and context. :func:`merge_model` takes each model span in
turn and applies these functions in this order; the first policy that decides settles
the span, and a span no policy settles is dropped (the rules win). The order is data:
``merge_model``'s `trim`, `policies` (default :data:`POLICIES`) and `spread` arguments.

1. **`owner_stays_apart`** (trims the span before its hits are found). A span that opens
   with a known name in the possessive is only what follows it; the name stays a mention
   of its own: "Shampoo's [computational efficiency]".
2. **`url_wins`**. A URL among the hits drops the span: the URL gains nothing from words
   inside it: "github.com/[graph-learn]".
3. **`model_alone_stays`**. A span that overlaps no rule hit is kept: "lexical affinity
   models".
4. **`same_span_agrees`**. A span that is exactly a rule hit's merges into it: the rule's
   key, its label (a known name keeps its curated type; between Method and Task a
   pattern's or acronym's guess gives way to the model's), confidence raised by the
   agreement; the other hits the span may absorb go: "Neural Topic Segmentation".
5. **`foreign_hit_wins`**. A hit the span may not absorb (one partly outside it, a known
   dataset or metric inside a span of another type, a proposed name with more than
   generic words around it) drops the span: "[ImageNet] classification".
6. **`definition_pair_stays`**. A span that is exactly an acronym definition leaves the
   long and the short form as two mentions: "sharpness-aware minimization (SAM)".
7. **`model_extends_name`**. A span that is one known name plus generic head words, or a
   known dataset or metric with words before it, replaces the hits but keeps the name's
   key (and canonical form): "EUROPARL corpus", "long-tailed CIFAR-100".
8. **`known_names_stay_apart`**. A dataset or metric span around two known names of its
   type or more gives way to them: "MNIST and CIFAR10 datasets".
9. **`list_of_names_stays`**. A span made only of names and separators gives way to the
   names: "SGD/Adam/LAMB".
10. **`model_replaces_rules`**. A span whose hits are all ones it may absorb replaces
    them: "OCR accuracy", "statistical machine translation (SMT) system".
11. **`phrase_takes_known_key`** (once every span is settled). Every kept span written
    like one that took a known name's key takes that key too: the second "KAZE features".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kg.extract.abbreviations import COMPONENT as ACRONYM  # the component name on acronym candidates
from kg.extract.candidates import Candidate
from kg.extract.gazetteer import COMPONENT as GAZETTEER
from kg.extract.ner import COMPONENT as MODEL  # the component name on kg_ner's candidates
from kg.extract.ner import span_candidate
from kg.extract.patterns import COMPONENT as PATTERNS
from kg.extract.proposals import COMPONENT as PROPOSALS
from kg.normalize import singular
from kg.records import REPOSITORY, ConceptType

_ABSORBABLE = (GAZETTEER, PATTERNS, ACRONYM)  # known names, rule guesses, acronym pairs
_CONTEXTUAL = frozenset({ConceptType.METHOD.value, ConceptType.TASK.value})
_NAMED = frozenset({ConceptType.DATASET.value, ConceptType.METRIC.value})  # types whose names the gazetteer knows


@dataclass(frozen=True)
class Overlap:
    """One model span and the rule hits it overlaps, as a policy sees them."""

    text: str
    model: Candidate
    rules: tuple[Candidate, ...]  # every rule candidate, as merged so far
    hits: tuple[int, ...]  # indices into `rules` of those overlapping `model`

    @classmethod
    def of(cls, text: str, model: Candidate, rules: Sequence[Candidate]) -> Overlap:
        """The overlap of `model` with `rules`."""
        return cls(text, model, tuple(rules), tuple(i for i, r in enumerate(rules) if _overlap(model, r)))

    @property
    def inside(self) -> list[Candidate]:
        """The rule hits, in the order of `rules`."""
        return [self.rules[i] for i in self.hits]


@dataclass(frozen=True)
class Verdict:
    """A policy's decision on one model span: the span to keep (None: it goes), the rule
    hits it replaces (indices) and rule hits rewritten in place (index, candidate)."""

    keep: Candidate | None = None
    drop: frozenset[int] = frozenset()
    merged: tuple[tuple[int, Candidate], ...] = ()


DROP_MODEL = Verdict()  # the model span goes, the rules stay as they are
Policy = Callable[[Overlap], Verdict | None]  # None: not this policy's case


def _overlap(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


class SpanIndex:
    """Candidates by start offset, to find those a span overlaps (:func:`_overlap`)
    without testing every one: a candidate overlapping [start, end) starts before `end`
    and less than the longest candidate's length before `start`.

    >>> index = SpanIndex([Candidate(10, 14, "Method", "b", 0.9, "x"), Candidate(0, 4, "Method", "a", 0.9, "x")])
    >>> index.overlapping(3, 11), index.overlapping(4, 10), index.overlapping(0, 20)
    ((0, 1), (), (0, 1))
    """

    def __init__(self, cands: Sequence[Candidate]) -> None:
        self.order = sorted(range(len(cands)), key=lambda i: cands[i].start)
        self.starts = [cands[i].start for i in self.order]
        self.ends = [cands[i].end for i in self.order]
        self.longest = max([0, *(c.end - c.start for c in cands)])

    def overlapping(self, start: int, end: int) -> tuple[int, ...]:
        """Indices, ascending, of the candidates that overlap [start, end)."""
        low = bisect_right(self.starts, start - self.longest)
        high = bisect_left(self.starts, end, low)
        found = [self.order[k] for k in range(low, high) if start < self.ends[k]]
        if len(found) > 1:
            found.sort()
        return tuple(found)


def agreement(a: float, b: float) -> float:
    """Confidence of a span two independent components agree on.

    >>> agreement(0.9, 0.5)
    0.95
    """
    return round(1 - (1 - a) * (1 - b), 3)


def _replaceable(text: str, rule: Candidate, model: Candidate) -> bool:
    """A rule hit the model span may absorb: inside it, not a URL, of the model's type or
    a Method/Task; a proposed name only with generic words around it ("KAZE features")."""
    kind = rule.component.split(":")[0]
    return (
        model.start <= rule.start and rule.end <= model.end and rule.length < model.length
        and (rule.label == model.label or rule.label in _CONTEXTUAL)
        and (kind in _ABSORBABLE or (kind == PROPOSALS and _extends_name(text, [rule], model)))
    )


def _extends_name(text: str, rules: list[Candidate], model: Candidate) -> bool:
    """The model span is one known name (and its acronym) plus generic head words:
    "BLEU score", "convolutional neural networks (CNNs)"; a dataset's or metric's name may
    also have words before it that describe how it is used ("long-tailed CIFAR-100",
    "validation accuracy"): it still denotes the known dataset or measure.

    >>> text = "long-tailed CIFAR100 datasets, pre-CIFAR100, graph Transformer"
    >>> cifar = Candidate(12, 20, "Dataset", "cifar-100", 0.9, "gazetteer")
    >>> [_extends_name(text, [cifar], Candidate(0, 29, "Dataset", "x", 0.8, MODEL)),
    ...  _extends_name(text, [replace(cifar, start=35, end=43)], Candidate(31, 43, "Dataset", "y", 0.8, MODEL)),
    ...  _extends_name(text, [Candidate(51, 62, "Method", "transformer", 0.9, "gazetteer")], Candidate(45, 62, "Method", "z", 0.8, MODEL))]
    [True, False, False]
    """
    if len({(r.key, r.label) for r in rules}) != 1 or rules[0].label != model.label:
        return False
    rest, position = [], model.start
    for rule in sorted(rules, key=lambda r: r.start):
        rest.append(text[position:rule.start])
        position = max(position, rule.end)
    rest.append(text[position:model.end])
    if any(piece.startswith("-") for piece in rest[1:]) or rest[0].endswith("-"):  # "BERT-based": a different thing
        return False
    after = rest[1:] if model.label in _NAMED else rest
    words = re.findall(r"[A-Za-z]+", " ".join(after))
    from kg.kinds import name_suffixes  # the data file of kind words (concept_words.jsonl)

    suffixes = name_suffixes()
    return all(singular(w.lower()) in suffixes for w in words)


def _is_definition(text: str, inside: list[Candidate], model: Candidate) -> bool:
    """The model span is exactly an acronym definition, "long form (SF)": the hits inside
    are one concept, an acronym among them, and only brackets are left over."""
    if len({r.key for r in inside}) != 1 or all(r.component != ACRONYM for r in inside):
        return False
    return not re.sub(r"[\s()]", "", _leftover(text, inside, model))


def _leftover(text: str, inside: list[Candidate], model: Candidate) -> str:
    """The model span's text with the hits inside it blanked out."""
    rest = list(text[model.start:model.end])
    for r in inside:
        rest[r.start - model.start:r.end - model.start] = " " * r.length
    return "".join(rest)


_SEPARATOR = re.compile(r"\s*(?:[/;&]|,?\s*\b(?:and|or)\b|,)\s*")


def _is_list(text: str, inside: list[Candidate], model: Candidate) -> bool:
    """The model span is two or more names, each pair split by a separator: "SGD/Adam/LAMB",
    "BERT and GPT-2" (not "OCR accuracy").

    >>> text = "SGD/Adam and LAMB"
    >>> names = [Candidate(0, 3, "Method", "sgd", 0.9, GAZETTEER), Candidate(4, 8, "Method", "adam", 0.9, GAZETTEER),
    ...          Candidate(13, 17, "Method", "lamb", 0.9, GAZETTEER)]
    >>> model = Candidate(0, 17, "Method", "sgd-adam-and-lamb", 0.6, MODEL)
    >>> _is_list(text, names, model), _is_list(text, names[:1], replace(model, end=8))
    (True, False)
    >>> _is_list("OCR accuracy", [replace(names[0], end=3), Candidate(4, 12, "Metric", "accuracy", 0.9, GAZETTEER)],
    ...          replace(model, end=12))
    False
    """
    names = sorted({(r.start, r.end): r for r in inside}.values(), key=lambda r: r.start)  # one per span
    if len({r.key for r in names}) < 2 or any(b.start < a.end for a, b in zip(names, names[1:])):
        return False
    edges = text[model.start:names[0].start] + text[names[-1].end:model.end]
    return not edges.strip() and all(_SEPARATOR.fullmatch(text, a.end, b.start) for a, b in zip(names, names[1:]))


def _merged_label(rule: Candidate, model: Candidate) -> str:
    """Rules name the type: a known name its curated one; a pattern's or acronym's guess
    between Method and Task gives way to context (the model).

    >>> gd = Candidate(0, 16, "Method", "gradient-descent", 0.9, GAZETTEER)
    >>> [_merged_label(gd, replace(gd, label="Task", component=MODEL)), _merged_label(
    ...  replace(gd, component="patterns:x"), replace(gd, label="Task", component=MODEL))]
    ['Method', 'Task']
    """
    if rule.component == GAZETTEER:
        return rule.label
    return model.label if rule.label in _CONTEXTUAL and model.label in _CONTEXTUAL else rule.label


_POSSESSIVE = re.compile(r"['’]s[ \t]+")


def owner_stays_apart(text: str, model: Candidate, rules: Sequence[Candidate]) -> Candidate:
    """Policy 1: a model span that opens with a known name in the possessive ("Shampoo's
    computational efficiency") is what follows it; the name stays a mention of its own.

    >>> text = "Shampoo's computational efficiency"
    >>> owner = Candidate(0, 7, "Method", "shampoo", 0.9, GAZETTEER)
    >>> model = owner_stays_apart(text, Candidate(0, 34, "Metric", "x", 0.7, MODEL), [owner])
    >>> (text[model.start:model.end], model.key)
    ('computational efficiency', 'computational-efficiency')
    >>> text = "ImageNet's inductive bias"
    >>> owner = Candidate(0, 8, "Dataset", "imagenet", 0.9, GAZETTEER)
    >>> owner_stays_apart(text, Candidate(0, 25, "Dataset", "x", 0.7, MODEL), [owner]).start
    0
    """
    if text.find("'", model.start, model.end) < 0 and text.find("’", model.start, model.end) < 0:
        return model  # no possessive inside the span (the usual case: no need to look at the rules)
    for rule in rules:
        if rule.component == GAZETTEER and rule.start == model.start:
            mark = _POSSESSIVE.match(text, rule.end)
            # the rest must be a span the model would keep ("ImageNet's inductive bias" is no dataset)
            rest = span_candidate(text, mark.end(), model.end, model.label, model.confidence) if mark else None
            if rest is not None and rest.start < rest.end:
                return rest
    return model


def url_wins(case: Overlap) -> Verdict | None:
    """Policy 2: a URL among the hits drops the model span, which adds nothing to it.

    >>> url = Candidate(4, 26, REPOSITORY, "https://github.com/a/b", 0.99, "code_links")
    >>> url_wins(Overlap.of("see https://github.com/a/b", Candidate(23, 26, "Method", "a-b", 0.7, MODEL), [url]))
    Verdict(keep=None, drop=frozenset(), merged=())
    """
    rules = case.rules
    return DROP_MODEL if any(rules[i].label == REPOSITORY for i in case.hits) else None


def model_alone_stays(case: Overlap) -> Verdict | None:
    """Policy 3: a model span that overlaps no rule hit is kept as it is.

    >>> model = Candidate(7, 30, "Method", "lexical-affinity-model", 0.7, MODEL)
    >>> model_alone_stays(Overlap.of("we use lexical affinity models", model, [])).keep == model
    True
    """
    return Verdict(keep=case.model) if not case.hits else None


def same_span_agrees(case: Overlap) -> Verdict | None:
    """Policy 4: a model span that is exactly a rule hit's merges into that hit (the
    rule's key; the type as :func:`_merged_label` says; confidence by :func:`agreement`);
    the other hits the span may absorb go, and so does the model span.

    >>> rule = Candidate(0, 25, "Task", "neural-topic-segmentation", 0.6, "patterns:titlecase-headed")
    >>> verdict = same_span_agrees(Overlap.of("Neural Topic Segmentation", replace(rule, label="Method",
    ...                            confidence=0.8, component=MODEL), [rule]))
    >>> verdict.keep, [(i, c.label, c.confidence) for i, c in verdict.merged]
    (None, [(0, 'Method', 0.92)])
    """
    model, rules = case.model, case.rules
    start, end = model.start, model.end
    same = [i for i in case.hits if rules[i].start == start and rules[i].end == end]
    if not same:
        return None
    merged = tuple((i, _agreed(rules[i], model)) for i in same)
    if len(same) == len(case.hits):
        return Verdict(merged=merged)  # no other hit (the usual case)
    drop = frozenset(i for i in case.hits if i not in same and _replaceable(case.text, rules[i], model))
    return Verdict(drop=drop, merged=merged)


def _agreed(rule: Candidate, model: Candidate) -> Candidate:
    """`rule` merged with a model span on the same span: the type :func:`_merged_label`
    says, the confidence of their :func:`agreement` (built directly: a frequent case, and
    ``dataclasses.replace`` costs twice as much)."""
    return Candidate(rule.start, rule.end, _merged_label(rule, model), rule.key,
                     agreement(rule.confidence, model.confidence), rule.component, rule.role, rule.canonical)


def foreign_hit_wins(case: Overlap) -> Verdict | None:
    """Policy 5: a hit the model span may not absorb -- one partly outside it, a known
    dataset or metric inside a span of another type -- drops the span.

    >>> text = "ImageNet classification"
    >>> rule = Candidate(0, 8, "Dataset", "imagenet", 0.9, GAZETTEER)
    >>> foreign_hit_wins(Overlap.of(text, Candidate(0, 23, "Task", "imagenet-classification", 0.8, MODEL), [rule]))
    Verdict(keep=None, drop=frozenset(), merged=())
    """
    if all(_replaceable(case.text, case.rules[i], case.model) for i in case.hits):
        return None
    return DROP_MODEL


def definition_pair_stays(case: Overlap) -> Verdict | None:
    """Policy 6: a model span that is exactly an acronym definition, "long form (SF)",
    goes; the long and the short form stay two mentions of one concept.

    >>> text = "sharpness-aware minimization (SAM)"
    >>> pair = [Candidate(0, 28, "Method", "sam", 0.9, GAZETTEER), Candidate(30, 33, "Method", "sam", 0.8, ACRONYM)]
    >>> definition_pair_stays(Overlap.of(text, Candidate(0, 34, "Method", "x", 0.7, MODEL), pair))
    Verdict(keep=None, drop=frozenset(), merged=())
    """
    return DROP_MODEL if _is_definition(case.text, case.inside, case.model) else None


def model_extends_name(case: Overlap) -> Verdict | None:
    """Policy 7: a model span that is one known name plus generic head words (or a known
    dataset or metric with words before it, :func:`_extends_name`) replaces the hits and
    takes the name's key and canonical form, confidence raised by the agreement.

    >>> text = "the EUROPARL corpus"
    >>> name = Candidate(4, 12, "Dataset", "europarl", 0.9, GAZETTEER)
    >>> verdict = model_extends_name(Overlap.of(text, Candidate(4, 19, "Dataset", "europarl-corpus", 0.7, MODEL), [name]))
    >>> verdict.keep.key, verdict.keep.canonical, verdict.keep.confidence, verdict.drop
    ('europarl', 'EUROPARL', 0.97, frozenset({0}))
    """
    text, inside, model = case.text, case.inside, case.model
    if not _extends_name(text, inside, model):
        return None
    name = min(inside, key=lambda r: (r.canonical is None, r.start))
    model = replace(model, key=name.key, canonical=name.canonical or text[name.start:name.end],
                    confidence=agreement(model.confidence, name.confidence))
    return Verdict(keep=model, drop=frozenset(case.hits))


def known_names_stay_apart(case: Overlap) -> Verdict | None:
    """Policy 8: a dataset or metric span around two known names of its type or more
    goes; the names stay, each its own mention.

    >>> text = "MNIST and CIFAR10 datasets"
    >>> names = [Candidate(0, 5, "Dataset", "mnist", 0.9, GAZETTEER), Candidate(10, 17, "Dataset", "cifar-10", 0.9, GAZETTEER)]
    >>> known_names_stay_apart(Overlap.of(text, Candidate(0, 26, "Dataset", "x", 0.7, MODEL), names))
    Verdict(keep=None, drop=frozenset(), merged=())
    """
    model = case.model
    known = {r.key for r in case.inside if r.component == GAZETTEER and r.label == model.label}
    return DROP_MODEL if model.label in _NAMED and len(known) > 1 else None


def list_of_names_stays(case: Overlap) -> Verdict | None:
    """Policy 9: a model span made only of names and separators (:func:`_is_list`) goes.

    >>> text = "SGD/Adam"
    >>> names = [Candidate(0, 3, "Method", "sgd", 0.9, GAZETTEER), Candidate(4, 8, "Method", "adam", 0.9, GAZETTEER)]
    >>> list_of_names_stays(Overlap.of(text, Candidate(0, 8, "Method", "sgd-adam", 0.6, MODEL), names))
    Verdict(keep=None, drop=frozenset(), merged=())
    """
    return DROP_MODEL if _is_list(case.text, case.inside, case.model) else None


def model_replaces_rules(case: Overlap) -> Verdict | None:
    """Policy 10: a model span whose hits are all ones it may absorb (:func:`_replaceable`)
    is kept and the hits go.

    >>> text = "OCR accuracy"
    >>> hits = [Candidate(0, 3, "Task", "ocr", 0.9, GAZETTEER), Candidate(4, 12, "Metric", "accuracy", 0.9, GAZETTEER)]
    >>> verdict = model_replaces_rules(Overlap.of(text, Candidate(0, 12, "Metric", "ocr-accuracy", 0.7, MODEL), hits))
    >>> verdict.keep.key, verdict.drop
    ('ocr-accuracy', frozenset({0, 1}))
    """
    if not case.hits or not all(_replaceable(case.text, case.rules[i], case.model) for i in case.hits):
        return None
    return Verdict(keep=case.model, drop=frozenset(case.hits))


def phrase_takes_known_key(text: str, kept: list[Candidate]) -> list[Candidate]:
    """Policy 11: every kept model span written (and typed) like one that took a known
    name's key takes that key and canonical form ("KAZE features", twice).

    >>> text = "KAZE features beat KAZE features"
    >>> first = Candidate(0, 13, "Method", "kaze", 0.8, MODEL, canonical="KAZE")
    >>> [c.key for c in phrase_takes_known_key(text, [first, Candidate(19, 32, "Method", "kaze-feature", 0.7, MODEL)])]
    ['kaze', 'kaze']
    """
    named = {(text[m.start:m.end], m.label): m for m in kept if m.canonical}
    return [replace(m, key=n.key, canonical=n.canonical) if (n := named.get((text[m.start:m.end], m.label))) else m
            for m in kept]


POLICIES: tuple[Policy, ...] = (
    url_wins, model_alone_stays, same_span_agrees, foreign_hit_wins, definition_pair_stays,
    model_extends_name, known_names_stay_apart, list_of_names_stays, model_replaces_rules,
)


def settle(case: Overlap, policies: Sequence[Policy] = POLICIES) -> Verdict:
    """The first decision of `policies` on `case`; none: the model span goes."""
    for policy in policies:
        verdict = policy(case)
        if verdict is not None:
            return verdict
    return DROP_MODEL


def merge_model(
    text: str,
    cands: list[Candidate],
    policies: Sequence[Policy] = POLICIES,
    trim: Callable[[str, Candidate, Sequence[Candidate]], Candidate] = owner_stays_apart,
    spread: Callable[[str, list[Candidate]], list[Candidate]] = phrase_takes_known_key,
) -> list[Candidate]:
    """Settle overlaps between model candidates and the rules' (the module's policies, in
    order): `trim` each model span, settle it by `policies`, then `spread` known keys.
    Rules merged into by one span are seen so by the next; the result is the rules that
    stayed, then the model spans kept."""
    rules = [c for c in cands if c.component != MODEL]
    index = SpanIndex(rules)  # the same hits as Overlap.of finds, by position
    dropped: set[int] = set()
    kept: list[Candidate] = []
    for model in (c for c in cands if c.component == MODEL):
        model = trim(text, model, rules)
        verdict = settle(Overlap(text, model, tuple(rules), index.overlapping(model.start, model.end)), policies)
        for i, rule in verdict.merged:
            moved = rule.start != rules[i].start or rule.end != rules[i].end
            rules[i] = rule
            if moved:  # no policy here moves a rule hit; one passed in may
                index = SpanIndex(rules)
        if verdict.drop:
            dropped |= verdict.drop
        if verdict.keep is not None:
            kept.append(verdict.keep)
    return [r for i, r in enumerate(rules) if i not in dropped] + spread(text, kept)
