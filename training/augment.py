"""Mention replacement: more varied training abstracts for the span model.

Dai and Adel (2020), "An Analysis of Simple Data Augmentation for Named Entity
Recognition" (COLING): replacing each gold mention, with some probability, by another
training mention of the same type helps most when training data are small, as SciERC's
350 abstracts are. The model then sees "we apply <any method> to <any task>" more often
than the one method and task each sentence happens to name, and leans on context more.

Registered as ``kg.mention_replacement.v1`` for ``[corpora.train.augmenter]``; ``spacy
train`` seeds Python's ``random`` from ``[system] seed``, so runs repeat.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import filter_spans, registry

Mention = tuple[tuple[str, ...], tuple[bool, ...]]  # words, and whether a space follows each


def mention_inventory(docs: Sequence[Doc], key: str = "sc") -> dict[str, list[Mention]]:
    """Each label's gold mentions (as words and spaces), in corpus order."""
    inventory: dict[str, list[Mention]] = defaultdict(list)
    for doc in docs:
        for span in doc.spans.get(key, []):
            inventory[span.label_].append((tuple(t.text for t in span), tuple(bool(t.whitespace_) for t in span)))
    return dict(inventory)


def replace_mentions(doc: Doc, inventory: dict[str, list[Mention]], probability: float, rng: random.Random,
                     key: str = "sc") -> Doc:
    """A copy of `doc` in which each (non-overlapping) gold span, with `probability`, is
    swapped for a random mention of its label; spans and entities follow the new tokens.
    The last replacement word keeps the original span's trailing space."""
    spans = filter_spans(doc.spans.get(key, []))
    words: list[str] = []
    spaces: list[bool] = []
    placed: list[tuple[int, int, str]] = []
    position = 0
    for span in spans:
        words += [t.text for t in doc[position:span.start]]
        spaces += [bool(t.whitespace_) for t in doc[position:span.start]]
        choices = inventory.get(span.label_)
        if choices and rng.random() < probability:
            new_words, new_spaces = rng.choice(choices)
            new_spaces = (*new_spaces[:-1], bool(span[-1].whitespace_))
        else:
            new_words, new_spaces = tuple(t.text for t in span), tuple(bool(t.whitespace_) for t in span)
        placed.append((len(words), len(words) + len(new_words), span.label_))
        words += new_words
        spaces += new_spaces
        position = span.end
    words += [t.text for t in doc[position:]]
    spaces += [bool(t.whitespace_) for t in doc[position:]]
    out = Doc(doc.vocab, words=words, spaces=spaces)
    out.spans[key] = [Span(out, start, end, label=label) for start, end, label in placed]
    out.ents = list(out.spans[key])
    return out


@registry.augmenters("kg.mention_replacement.v1")
def create_mention_replacement(path: str, probability: float = 0.3, copies: int = 1,
                               ) -> Callable[[Language, Example], Iterator[Example]]:
    """Yield each training example, then `copies` versions of it with mentions replaced."""
    inventory: dict[str, list[Mention]] | None = None

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        nonlocal inventory
        yield example
        if inventory is None:
            inventory = mention_inventory(list(DocBin().from_disk(Path(path)).get_docs(nlp.vocab)))
        for _ in range(copies):
            reference = replace_mentions(example.reference, inventory, probability, random)
            predicted = Doc(nlp.vocab, words=[t.text for t in reference], spaces=[bool(t.whitespace_) for t in reference])
            yield Example(predicted, reference)

    return augment
