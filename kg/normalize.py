"""Pure functions that turn surface forms into canonical keys and pick labels.

A concept's key folds case, hyphen, spacing and plural variants:

>>> concept_key("ResNet-18") == concept_key("ResNet18") == concept_key("resnet 18")
True
>>> concept_key("GNNs") == concept_key("GNN")
True
>>> concept_key("Graph Neural Networks")
'graph-neural-network'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Split letter runs from digit runs so "ResNet18" and "ResNet-18" share a key.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9-]*[A-Z0-9])s$")
_NO_SINGULAR = ("ss", "us", "is", "ics", "sis", "ous")
_INVARIANT = frozenset({"bias", "lens", "series", "species", "canvas", "atlas", "chaos", "ethos", "gas", "alias", "cosmos", "news", "kudos"})


def fold(text: str) -> str:
    """Unicode-normalize and strip accents, keeping letters and digits (ASCII text, most
    of it, is its own fold: NFKD leaves it alone and it has no combining marks).

    >>> fold("Schrödinger ﬁlter"), fold("plain")
    ('Schrodinger filter', 'plain')
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A cautious English singular for the last word of a term (lower-case input).

    >>> [singular(w) for w in ["networks", "queries", "classes", "loss", "analysis", "llms"]]
    ['network', 'query', 'class', 'loss', 'analysis', 'llm']
    """
    if len(word) <= 3 or word.endswith(_NO_SINGULAR) or not word.endswith("s") or word in _INVARIANT:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1]


def strip_acronym_plural(text: str) -> str:
    """"GNNs" -> "GNN", "LLMs" -> "LLM"; other text is returned unchanged."""
    match = _ACRONYM_PLURAL.match(text)
    return match.group(1) if match else text


# Distinct names met in a build, far fewer than the calls (every mention, every merge,
# every type vote asks): the most recent are kept, a bounded table.
CONCEPT_KEY_CACHE = 1 << 16


@functools.lru_cache(maxsize=CONCEPT_KEY_CACHE)
def concept_key(text: str) -> str:
    """The canonical key of a concept name: lower-case words joined by hyphens, the last
    one singular unless written in capitals (an acronym's plural is "GNNs", so "PACS" is
    a name, not the plural of "PAC").

    >>> [concept_key(t) for t in ["Graph Neural Networks", "GNNs", "PACS", "ResNet-18"]]
    ['graph-neural-network', 'gnn', 'pacs', 'resnet-18']
    """
    text = strip_acronym_plural(text.strip())
    text = _LETTER_DIGIT.sub(" ", fold(text))
    found = _WORD.findall(text)
    if not found:
        return ""
    words = [w.lower() for w in found]
    if not (2 <= len(found[-1]) <= 5 and found[-1].isupper()):  # "PACS"; "NETWORKS" in a shouted title is plural
        words[-1] = singular(words[-1])
    return "-".join(words)


def title_key(title: str) -> str:
    """The identity of a paper with no external id: its folded, lower-cased words.

    >>> title_key("LAPP: Layer  Adaptive Progressive-Pruning") == title_key("lapp layer adaptive progressive pruning")
    True
    """
    return " ".join(w.lower() for w in _WORD.findall(fold(title)))


def slug(key: str, limit: int = 80) -> str:
    """An IRI-safe path segment for a key (ASCII letters, digits and hyphens)."""
    ascii_key = fold(key).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", ascii_key).strip("-").lower()
    return text[:limit].rstrip("-") or "x"


def singular_phrase(text: str) -> str:
    """The phrase with its last word made singular, case kept: "Large Language Models" ->
    "Large Language Model"; acronyms lose a plural "s" ("GNNs" -> "GNN"). The singular is
    the word's written letters up to where it differs, then the singular's own ending
    ("strategies" -> "strategy", never the stem "strategi").

    >>> [singular_phrase(t) for t in ["pruning strategies", "Statistical Queries", "GNNs", "classes"]]
    ['pruning strategy', 'Statistical Query', 'GNN', 'class']
    """
    stripped = strip_acronym_plural(text)
    if stripped != text:
        return stripped
    head, sep, last = text.rpartition(" ")
    lowered = singular(last.lower())
    if lowered == last.lower() or not last[-1:].islower():
        return text
    same = next((i for i, (a, b) in enumerate(zip(lowered, last.lower())) if a != b), len(lowered))
    return head + sep + last[:same] + lowered[same:]


def preferred_label(forms: Counter[str]) -> str:
    """Pick the label people would write: the singular of the most frequent form (ties go to
    longer, then capitalised forms); deterministic.

    >>> preferred_label(Counter({"GNNs": 3, "GNN": 3, "gnn": 1}))
    'GNN'
    >>> preferred_label(Counter({"Large Language Models": 4, "large language models": 2, "LLM": 0}))
    'Large Language Model'
    """
    singular_counts: Counter[str] = Counter()
    for form, count in forms.items():
        singular_counts[singular_phrase(form)] += count

    def rank(form: str) -> tuple:
        return (-singular_counts[form], form.islower(), -len(form), form)

    return min(singular_counts, key=rank)
