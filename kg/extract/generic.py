"""Generic words and terms (data/generic_terms.jsonl): what names no concept, and which
concepts are kinds of thing rather than named ones.

``kg_resolve`` drops listed terms ("our method", "baseline") and rule guesses made only of
generic words ("downstream task"); the graph marks concepts whose key is made only of
generic words ("training data") as generic (:func:`names_a_kind`).
"""

from __future__ import annotations

from functools import cache, lru_cache

from kg.extract.candidates import load_jsonl
from kg.extract.gazetteer import known_keys
from kg.normalize import concept_key, singular


@cache
def word_list(name: str):
    """The list (or mapping) of the ``concept_words.jsonl`` row keyed `name`: the kind and
    head words, stopwords and span breaks all live in that one file."""
    for row in load_jsonl("concept_words.jsonl"):
        if name in row:
            return row[name]
    raise KeyError(f"concept_words.jsonl has no {name!r} row")


@cache
def stopwords() -> frozenset[str]:
    """Words too common to tell a concept's name from a sentence mentioning it."""
    return frozenset(word_list("stopwords"))


@cache
def generic_keys() -> frozenset[str]:
    """Keys of terms that name no concept ("our method", "baseline", "model")."""
    return frozenset(concept_key(row["term"]) for row in load_jsonl("generic_terms.jsonl") if "term" in row)


@cache
def generic_words() -> frozenset[tuple[str, ...]]:
    """Words that name no concept alone or together ("downstream", "model", "task"), each as
    the parts of its key ("state-of-the-art" is one word of five parts)."""
    return frozenset(tuple(concept_key(row["word"]).split("-")) for row in load_jsonl("generic_terms.jsonl") if "word" in row)


@cache
def _longest_generic_word() -> int:
    return max(map(len, generic_words()), default=1)


# Distinct keys met in a build, far fewer than the calls (the resolver asks for each rule
# candidate, the graph for each concept): the most recent are kept, a bounded table.
IS_GENERIC_CACHE = 1 << 16


@lru_cache(maxsize=IS_GENERIC_CACHE)
def is_generic(key: str) -> bool:
    """A listed generic term, or a key made only of generic words.

    >>> [is_generic(k) for k in ["machine-learning", "downstream-task", "pre-trained-model", "feature-learning"]]
    [True, True, True, False]
    >>> [is_generic(k) for k in ["state-of-the-art-model", "world-model", "the-art"]]
    [True, False, False]
    """
    if key in generic_keys():
        return True
    words, parts, i = generic_words(), key.split("-"), 0
    longest = _longest_generic_word()
    while i < len(parts):
        step = next((n for n in range(min(longest, len(parts) - i), 0, -1)
                     if tuple(parts[i:i + n]) in words or (n == 1 and (singular(parts[i]),) in words)), 0)
        if not step:
            return False
        i += step
    return bool(parts)


def names_a_kind(key: str) -> bool:
    """A concept named by generic words only ("training data", "pre-trained model") is a
    kind of thing rather than a named method, dataset, metric or task, unless the
    gazetteer lists it as a name ("neural process"; "deep neural network" is listed as a
    kind, for its acronym).

    >>> [names_a_kind(k) for k in ["training-data", "neural-process", "image-classification", "deep-neural-network"]]
    [True, False, False, True]
    """
    return key not in known_keys() and is_generic(key)
