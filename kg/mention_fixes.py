"""Per-paper corrections of mentions at graph time, where the whole text is at hand.

The extractor's spans are scored against SciERC as they are; these corrections change what
the *graph* records, so they live here and not in the pipeline:

* a coordination of names is one mention per name: "Caltech CUB, Dogs and Cars datasets"
  gives Caltech CUB, Dogs and Cars (:func:`split_coordination`);
* a name followed in the text by a version or size suffix is the versioned name:
  "ResNet" in "compresses ResNet-20 to 40%" is ResNet-20, not ResNet (:func:`extend_version`);
* a bracketed short form is an acronym of a long form only when its letters fit it:
  "test-time Adaptation (AdaNPC)" does not make AdaNPC a name of test-time adaptation
  (:func:`acronym_fits`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.normalize import concept_key
from kg.records import REPOSITORY, Mention, Paper, Result

_NAME = r"[A-Z0-9][\w.+]*(?:[- ][A-Z0-9][\w.+]*)*"
_HEADS = r"data ?sets|benchmarks|corpora|models|networks|architectures|backbones"
_COORDINATION = re.compile(
    rf"(?:the )?(?P<names>{_NAME}(?:, {_NAME})*,? (?:and|or|&) {_NAME})(?: (?:{_HEADS}))?")
_SPLIT = re.compile(rf"{_NAME}")
_VERSION_AFTER = re.compile(r"-\d{1,4}[A-Za-z]?(?![\w-])")


def acronym_fits(short: str, long_form: str) -> bool:
    """The short form's capitals and digits appear in order in the long form, the first one
    opening a word (a lenient Schwartz-Hearst check).

    >>> acronym_fits("TTA", "test-time adaptation"), acronym_fits("AdaNPC", "test-time Adaptation")
    (True, False)
    >>> acronym_fits("LoRA", "Low-Rank Adaptation"), acronym_fits("BN", "BatchNorm"), acronym_fits("GNNs", "graph neural networks")
    (True, True, True)
    """
    letters = [c.lower() for c in short if c.isupper() or c.isdigit()] or [c.lower() for c in short if c.isalnum()]
    text = long_form.lower()
    if not letters or not re.search(rf"(?<![a-z0-9]){re.escape(letters[0])}", text):
        return False
    pos = re.search(rf"(?<![a-z0-9]){re.escape(letters[0])}", text).start() + 1
    for letter in letters[1:]:
        pos = text.find(letter, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def split_coordination(m: Mention, text: str) -> list[Mention]:
    """One mention per name of a coordination of names ("CIFAR-10 and ImageNet datasets").

    >>> from kg.records import Field
    >>> t = "results on the Caltech CUB, Dogs and Cars datasets."
    >>> m = Mention(Field.ABSTRACT, 15, 50, t[15:50], "Dataset", "x", 0.8, "model")
    >>> [(p.text, p.key) for p in split_coordination(m, t)]
    [('Caltech CUB', 'caltech-cub'), ('Dogs', 'dog'), ('Cars', 'car')]
    """
    match = _COORDINATION.fullmatch(m.text)
    if not match or text[m.start:m.end] != m.text:
        return [m]
    offset = m.start + match.start("names")
    parts = []
    for name in _SPLIT.finditer(match["names"]):
        key = concept_key(name.group())
        long_form = m.long_form if key == m.key else None
        parts.append(replace(m, start=offset + name.start(), end=offset + name.end(), text=name.group(),
                             key=key, long_form=long_form))
    return parts if len(parts) > 1 else [m]


def extend_version(m: Mention, text: str) -> Mention:
    """A name the text continues with a version or size ("ResNet" of "ResNet-20") becomes
    the versioned name, its own concept.

    >>> from kg.records import Field
    >>> t = "compresses ResNet-20 to 40%"
    >>> m = Mention(Field.ABSTRACT, 11, 17, "ResNet", "Method", "resnet", 0.9, "gazetteer", long_form="ResNet")
    >>> n = extend_version(m, t); (n.text, n.key, n.long_form)
    ('ResNet-20', 'resnet-20', None)
    """
    if text[m.start:m.end] != m.text or not m.text[-1:].isalpha() or not any(c.isupper() for c in m.text):
        return m
    after = _VERSION_AFTER.match(text, m.end)
    if not after:
        return m
    written = m.text + after.group()
    return replace(m, end=after.end(), text=written, key=concept_key(written), long_form=None)


def fix_mentions(paper: Paper, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """The paper's mentions with the corrections of the module docstring applied."""
    fixed: list[Mention] = []
    for m in mentions:
        if m.label == REPOSITORY:
            fixed.append(m)
            continue
        text = getattr(paper, m.field.value)
        fixed.extend(split_coordination(extend_version(m, text), text))
    seen, out = set(), []
    for m in fixed:  # a split part may repeat a mention the extractor already had
        span = (m.field, m.start, m.end, m.label)
        if span not in seen:
            seen.add(span)
            out.append(m)
    return tuple(out)


def fix_result_links(paper: Paper, mentions: tuple[Mention, ...], fixed: tuple[Mention, ...],
                     results: tuple[Result, ...]) -> tuple[Result, ...]:
    """The results with their concept links following :func:`fix_mentions`: a result names its
    metric, dataset and method by the key of the extractor's mention, and a link to a key the
    fixes renamed away would point at another concept ("ResNet" for a result of ResNet-20) or
    at none. A renamed key follows its one new key; one split into several names drops the
    link (the sentence no longer says which); a key the paper still mentions stays.

    >>> from decimal import Decimal
    >>> from kg.records import Field, ResultKind
    >>> p = Paper("t:x", "T", "We prune ResNet-20 to 91.3% accuracy.", ("s",))
    >>> m = Mention(Field.ABSTRACT, 9, 15, "ResNet", "Method", "resnet", 0.9, "gazetteer")
    >>> r = Result(Field.ABSTRACT, 22, 27, "91.3%", Decimal("91.3"), "%", ResultKind.ABSOLUTE, method="resnet")
    >>> fix_result_links(p, (m,), fix_mentions(p, (m,)), (r,))[0].method
    'resnet-20'
    """
    if not results:
        return results
    still = {(m.label, m.key) for m in fixed}
    moved: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        if m.label == REPOSITORY or (m.label, m.key) in still:
            continue
        text = getattr(paper, m.field.value)
        moved.setdefault((m.label, m.key), set()).update(p.key for p in split_coordination(extend_version(m, text), text))
    if not moved:
        return results

    def follow(label: str, key: str | None) -> str | None:
        if key is None or (label, key) not in moved:
            return key
        new = moved[label, key]
        return next(iter(new)) if len(new) == 1 else None

    return tuple(replace(r, metric=follow("Metric", r.metric), dataset=follow("Dataset", r.dataset),
                         method=follow("Method", r.method)) for r in results)


__all__ = ["acronym_fits", "split_coordination", "extend_version", "fix_mentions", "fix_result_links"]
