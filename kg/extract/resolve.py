"""Component `kg_resolve`: acronyms, roles and overlaps, from candidates to final spans.

Policy, in order:

1. **Acronyms.** Each "long form (SF)" pair the detector found is typed by the candidate
   that covers the long form (gazetteer, pattern, proposal), else by the long form's head
   noun ("... Pruning" is a method). A typed pair yields the long form, the short form
   and every later bare use of the short form in the document ("LAPP"), all with the long
   form's key, so the acronym and its expansion are one concept. Untyped pairs ("whole
   slide image (WSI)") yield nothing.
2. **Roles.** A method the paper proposes ("we propose X", "X: ..." titles) is
   `proposes` wherever it is mentioned, unless the gazetteer knows it (a known method is
   prior work the paper builds on) and the paper does not name it right after "we
   propose" or "called" ("we propose Sophia, ...": the gazetteer learnt it from this paper).
3. **Generic terms** (data/generic_terms.jsonl: "our method", "baseline", "model") are
   dropped: they refer to a concept named elsewhere and name none. So is a span a rule
   guessed that is made only of generic words ("downstream task", "proposed approach").
   The model's spans of such words stay ("pre-trained model", "training data"): SciERC,
   which it learned from, marks them as concepts where they name one and as Generic where
   they only refer, and broad fields ("machine learning") are concepts too.
4. **Model against rules.** Rules keep their precision, the model (``kg_ner``) adds
   recall and context. Each model span is settled against the rule hits it overlaps by
   the named policies of :mod:`kg.extract.overlap`, in the order its docstring lists
   (:func:`merge_model`). In short: a span that overlaps no rule hit is kept; one on a
   rule hit's exact span merges into it (a known name keeps its curated type, so
   "gradient descent" is one Method in every paper); one around hits it may absorb
   replaces them ("OCR accuracy"), keeping a known name's key (and a proposed name's
   role) when it only adds generic words to it ("EUROPARL corpus", "long-tailed
   CIFAR-100"), unless it is an acronym definition ("sharpness-aware minimization
   (SAM)"), a dataset or metric span around two known names ("MNIST and CIFAR10
   datasets") or a list of names ("SGD/Adam/LAMB"), which give way to the names. A
   known owner in the possessive is cut off ("Shampoo's computational efficiency"). Any
   other overlap -- a URL, a known dataset or metric inside a span of another type
   ("ImageNet classification"), a partial overlap -- drops the model span.
5. **Overlaps.** Candidates are taken greedily by confidence, then length, then
   position; a candidate overlapping one already taken is dropped. URLs (0.9-0.99) thus
   shadow words inside them, and a gazetteer hit (0.9) beats a pattern guess (0.6-0.75).
6. **Head nouns** (applied to the rule hits before 4). A name's head noun of its type
   right after it joins its mention ("the [CIFAR-10 dataset]", "[BLEU score]"), keeping
   the name's key (:func:`extend_to_head`).
7. **Definitions are one mention.** A long form and its bracketed short form that ended
   as two mentions of one concept ("hidden Markov models" and "HMMs" in "hidden Markov
   models (HMMs)") become one mention over the whole definition, which names the long
   form (``canonical``), with a head noun of its type after it ("gradient descent (GD)
   method"): the phrase is written once, so the paper mentions the concept once there.
   SciERC annotates such a definition as one span, never as two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.abbreviations import AbbreviationPair
from kg.extract.candidates import Candidate, Occupied, candidates, ensure_extensions, text_of
from kg.extract.gazetteer import COMPONENT as GAZETTEER
from kg.extract.generic import generic_keys, is_generic
from kg.extract.overlap import ACRONYM, MODEL, merge_model
from kg.extract.overlap import agreement  # noqa: F401 (re-exported with MODEL and merge_model)
from kg.extract.patterns import head_label
from kg.extract.proposals import COMPONENT as PROPOSALS
from kg.extract.proposals import is_explicit
from kg.normalize import concept_key, singular_phrase, strip_acronym_plural
from kg.records import REPOSITORY, ConceptType, Role

COMPONENT = ACRONYM  # the component name on the acronym candidates this resolver adds
LONG_FORM_CONFIDENCE = 0.75
CONTAINING_LONG_FORM_CONFIDENCE = 0.92
SHORT_FORM_CONFIDENCE = 0.8
BARE_SHORT_FORM_CONFIDENCE = 0.7


def _covering(cands: list[Candidate], start: int, end: int) -> Candidate | None:
    """The best candidate that ends where the long form ends and starts within it."""
    best = None
    for cand in cands:
        if cand.label != REPOSITORY and cand.end == end and start <= cand.start < end:
            if best is None or (cand.length, cand.confidence) > (best.length, best.confidence):
                best = cand
    return best


def expand_acronyms(
    text: str, cands: list[Candidate], pairs: list[AbbreviationPair]
) -> tuple[list[Candidate], dict[str, tuple[str, str, str]]]:
    """Candidates for each typed abbreviation pair and each bare use of its short form,
    and the definitions: short form -> (label, key, long form)."""
    added: list[Candidate] = []
    defined: dict[str, tuple[str, str, str]] = {}
    proposed = {text[c.start:c.end]: c.label for c in cands if c.component == PROPOSALS}
    for pair in pairs:
        cover = _covering(cands, pair.long_start, pair.long_end)
        exact = cover is not None and cover.start == pair.long_start
        # A coined acronym the paper proposes ("CoLiDE: ..." title) takes the proposal's type.
        label = proposed.get(pair.short_form) or (cover.label if cover else head_label(pair.long_form))
        if label is None:
            continue
        key = cover.key if exact else concept_key(pair.long_form)
        short = strip_acronym_plural(pair.short_form)
        # "Large Language Models (LLMs)": a plural acronym's expansion names one concept in the singular.
        written = singular_phrase(pair.long_form) if short != pair.short_form else pair.long_form
        canonical = (cover.canonical if exact else None) or written
        defined.setdefault(short, (label, key, canonical))
        # A defined term that contains a known name ("Target Projection Stochastic Gradient
        # Descent (tpSGD)") is a new concept: its long form outranks the name inside it.
        contains_name = any(
            c.label != REPOSITORY and pair.long_start <= c.start and c.end <= pair.long_end
            and c.length < pair.long_end - pair.long_start for c in cands
        )
        if contains_name or not exact:
            confidence = CONTAINING_LONG_FORM_CONFIDENCE if contains_name else LONG_FORM_CONFIDENCE
            role = cover.role if exact else Role.USES
            added.append(Candidate(pair.long_start, pair.long_end, label, key, confidence, COMPONENT, role))
        added.append(Candidate(pair.short_start, pair.short_end, label, key, SHORT_FORM_CONFIDENCE, COMPONENT, canonical=canonical))
    definitions = {(p.short_start, p.short_end) for p in pairs}
    for short, (label, key, canonical) in defined.items():
        for span in bare_uses(text, short):
            if span not in definitions:
                added.append(Candidate(*span, label, key, BARE_SHORT_FORM_CONFIDENCE, COMPONENT, canonical=canonical))
    return added, defined


def _glued(ch: str) -> bool:
    """A character a word runs on through (a regex's \\w, or a hyphen)."""
    return ch.isalnum() or ch in "_-"


def bare_uses(text: str, short: str) -> list[tuple[int, int]]:
    """(start, end) of each use of `short`, perhaps plural, as a word of its own: what
    ``(?<![\\w-])SHORTs?(?![\\w-])`` finds, by a plain scan (a regex per acronym would
    cost a compile per abstract).

    >>> bare_uses("GNNs and GNN-based GNN, pre-GNN GNNsx GNN_", "GNN")
    [(0, 4), (19, 22)]
    """
    found = []
    start = text.find(short)
    while start >= 0:
        end = start + len(short)
        if end < len(text) and text[end] == "s" and not _glued(text[end + 1:end + 2] or " "):
            end += 1
        if (start and _glued(text[start - 1])) or _glued(text[end:end + 1] or " "):
            start = text.find(short, start + 1)
            continue
        found.append((start, end))
        start = text.find(short, end)
    return found


def rekey_short_forms(text: str, cands: list[Candidate], defined: dict[str, tuple[str, str, str]]) -> list[Candidate]:
    """A candidate whose text is a defined short form ("LAPP" in the title) takes the long form's key."""
    if not defined:
        return list(cands)
    out = []
    for cand in cands:
        definition = defined.get(strip_acronym_plural(text[cand.start:cand.end]))
        if definition and cand.label != REPOSITORY:
            label, key, canonical = definition
            cand = replace(cand, key=key, canonical=canonical, label=cand.label if cand.component == PROPOSALS else label)
        out.append(cand)
    return out


def assign_roles(cands: list[Candidate], explicit: frozenset[str] = frozenset()) -> list[Candidate]:
    """Mark every mention of a method the paper proposes; known methods are not proposed
    unless the paper names them right after "we propose" (keys in `explicit`)."""
    method = ConceptType.METHOD.value
    known = {c.key for c in cands if c.component == GAZETTEER} - explicit
    proposed = {c.key for c in cands if c.component == PROPOSALS and c.label == method and c.key not in known}
    # A proposed acronym ("LAPP") stands for its long form: propose that key as well.
    spans = {(c.start, c.end): c.key for c in cands if c.component == PROPOSALS}
    proposed |= {c.key for c in cands if c.component == COMPONENT and spans.get((c.start, c.end)) in proposed}
    return [
        _with_role(c, Role.PROPOSES) if c.key in proposed and c.label == method else
        _with_role(c, Role.USES) if c.role is Role.PROPOSES else c
        for c in cands
    ]


def _with_role(cand: Candidate, role: Role) -> Candidate:
    """`cand` with `role` (itself when it has it: roles are assigned twice per doc)."""
    if cand.role is role:
        return cand
    return Candidate(cand.start, cand.end, cand.label, cand.key, cand.confidence, cand.component, role, cand.canonical)


# Head nouns that, right after a name, belong to its mention: "the CIFAR-10 dataset".
_NAME_HEADS = {
    ConceptType.DATASET.value: r"(?:(?:training|test|validation|evaluation|dev)[ \t]+(?:sets?|splits?|data)"
                               r"|data[ \t]+sets?|datasets?|corpus|corpora|benchmarks?|databases?|treebanks?)",
    ConceptType.METRIC.value: r"(?:scores?|metrics?|measures?)",
    ConceptType.METHOD.value: r"(?:models?|algorithms?|methods?|networks?|architectures?|frameworks?|approach|techniques?)",
    ConceptType.TASK.value: r"(?:tasks?|problems?)",
}
# ... unless the word is a verb: "FID measures the distance", "DRM models how ...".
_VERB_OBJECT = r"(?![ \t]+(?:the|a|an|its|their|this|these|those|each|both|how|that|whether|what|which)\b)"
_HEAD_AFTER = {label: re.compile(rf"[ \t]+{heads}\b(?![-\w]){_VERB_OBJECT}", re.IGNORECASE)
               for label, heads in _NAME_HEADS.items()}


def extend_to_head(text: str, cands: list[Candidate], others: Sequence[Candidate] = ()) -> list[Candidate]:
    """A rule hit followed by a head noun of its type takes the noun into its mention, as a
    noun phrase is written ("the [BLEU score]", "[ImageNet training set]"); the key and the
    canonical form stay the name's. A noun that starts another hit (of `cands` or
    `others`: "BERT [model compression]") or is a verb ("FID measures the gap") stays out.

    >>> text = "BLEU score on the G3D dataset, BLEU-based; ImageNet dataset distillation"
    >>> cands = [Candidate(0, 4, "Metric", "bleu", 0.9, "gazetteer", canonical="BLEU"),
    ...          Candidate(18, 21, "Dataset", "g3d", 0.7, "patterns:named-dataset"),
    ...          Candidate(31, 35, "Metric", "bleu", 0.9, "gazetteer", canonical="BLEU"),
    ...          Candidate(43, 51, "Dataset", "imagenet", 0.9, "gazetteer", canonical="ImageNet"),
    ...          Candidate(52, 72, "Task", "dataset-distillation", 0.9, "gazetteer")]
    >>> [(text[c.start:c.end], c.key, c.canonical) for c in extend_to_head(text, cands)][:4]
    [('BLEU score', 'bleu', 'BLEU'), ('G3D dataset', 'g3d', None), ('BLEU', 'bleu', 'BLEU'), ('ImageNet', 'imagenet', 'ImageNet')]
    """
    rules = [c for c in (*cands, *others) if c.component != MODEL]
    out = []
    for cand in cands:
        # a proposal is a coined name as written ("LAPP"): it stays as it is
        end = _head_end(text, cand.label, cand.end, rules) if cand.component not in (MODEL, PROPOSALS) else None
        out.append(replace(cand, end=end) if end else cand)
    return out


def _head_end(text: str, label: str, end: int, others: Iterable[Candidate]) -> int | None:
    """Where a head noun of `label` right after `end` ends, unless it runs into one of
    `others` ("BERT [model compression]")."""
    if text[end:end + 1] not in (" ", "\t"):
        return None  # a head noun starts after a space (the patterns' first step, done without a regex call)
    head = _HEAD_AFTER[label].match(text, end) if label in _HEAD_AFTER else None
    if head and not any(o.start < head.end() and o.end > end for o in others):
        return head.end()
    return None


def select(cands: list[Candidate]) -> list[Candidate]:
    """Greedy overlap resolution: confidence, then length, then position; generic terms
    go, and so do a rule's guesses made only of generic words (policy 3)."""
    taken: list[Candidate] = []
    occupied = Occupied()
    generic = generic_keys()
    for cand in sorted(cands, key=lambda c: (-c.confidence, -c.length, c.start, c.label, c.key)):
        # a curated name stays even when its words are generic ("neural process"); the
        # model learnt from SciERC which phrases of such words name a concept
        if cand.key in generic or (cand.component not in (GAZETTEER, MODEL) and is_generic(cand.key)):
            continue
        if occupied.take(cand.start, cand.end):
            taken.append(cand)
    return sorted(taken, key=lambda c: (c.start, c.end))


_OPENING = re.compile(r"[ \t]*\([ \t]*")  # on one line: never across the title/abstract gap
_CLOSING = re.compile(r"[ \t]*\)")


def join_definitions(text: str, chosen: list[Candidate], pairs: list[AbbreviationPair]) -> list[Candidate]:
    """Each "long form (SF)" whose two parts are mentions of one concept becomes one
    mention over the whole definition (policy 7), naming the long form.

    >>> text = "hidden Markov models (HMMs) help"
    >>> pair = AbbreviationPair(0, 20, 22, 26, "hidden Markov models", "HMMs")
    >>> long = Candidate(0, 20, "Method", "hidden-markov-model", 0.9, "gazetteer")
    >>> short = Candidate(22, 26, "Method", "hidden-markov-model", 0.8, COMPONENT, canonical="hidden Markov model")
    >>> [(c.start, c.end, c.key, c.canonical) for c in join_definitions(text, [long, short], [pair])]
    [(0, 27, 'hidden-markov-model', 'hidden Markov model')]
    """
    by_end = {c.end: c for c in chosen}
    by_span = {(c.start, c.end): c for c in chosen}
    joined: dict[Candidate, Candidate] = {}
    for pair in pairs:
        long, short = by_end.get(pair.long_end), by_span.get((pair.short_start, pair.short_end))
        opening, closing = _OPENING.fullmatch(text, pair.long_end, pair.short_start), _CLOSING.match(text, pair.short_end)
        if (long is None or short is None or opening is None or closing is None or long.start < pair.long_start
                or (long.key, long.label) != (short.key, short.label) or long in joined or short in joined):
            continue
        role = Role.PROPOSES if Role.PROPOSES in (long.role, short.role) else long.role
        # with a head noun after it: "gradient descent (GD) method"
        end = _head_end(text, long.label, closing.end(), chosen) or closing.end()
        whole = replace(long, end=end, confidence=max(long.confidence, short.confidence), role=role,
                        canonical=long.canonical or short.canonical or text[long.start:long.end])
        joined[long], joined[short] = whole, whole
    if not joined and all((a.start, a.end) < (b.start, b.end) for a, b in zip(chosen, chosen[1:])):
        return list(chosen)  # in order, no two alike: what the sort below would give, without hashing them all
    return sorted({joined.get(c, c) for c in chosen}, key=lambda c: (c.start, c.end))


def resolve(text: str, cands: list[Candidate], pairs: list[AbbreviationPair]) -> list[Candidate]:
    # Head nouns first, so "the ImageNet dataset (IN)" is a definition of ImageNet, then
    # for the hits the acronyms add ("SAM method").
    cands = extend_to_head(text, cands)
    added, defined = expand_acronyms(text, cands, pairs)
    before = rekey_short_forms(text, cands, defined) + extend_to_head(text, added, cands)
    everything = merge_model(text, before)
    # A proposal a model span absorbed ("KAZE features") still marks its key as proposed,
    proposals = [c for c in before if c.component == PROPOSALS]
    explicit = frozenset(c.key for c in proposals if is_explicit(text, c.start))
    chosen = select(assign_roles(everything + proposals, explicit)[: len(everything)])
    # and one that lost its span to an acronym keeps its role through the acronym's key.
    spans = {(c.start, c.end) for c in chosen} if proposals else set()
    lost = [c for c in proposals if (c.start, c.end) not in spans or c not in chosen]
    roled = assign_roles(chosen + lost, explicit)[: len(chosen)]
    return join_definitions(text, roled, pairs)


class Resolver:
    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_candidates = resolve(text_of(doc), candidates(doc), doc._.kg_abbreviations or [])
        return doc


@Language.factory("kg_resolve")
def make_resolver(nlp: Language, name: str) -> Resolver:
    ensure_extensions()
    return Resolver()
