"""Frozen records handed from one stage to the next."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class ConceptType(str, Enum):
    """The kinds of concept an abstract can mention; values are the ontology class names."""

    METHOD = "Method"
    DATASET = "Dataset"
    METRIC = "Metric"
    TASK = "Task"


REPOSITORY = "Repository"  # the label of a mention that is a code or project URL


class Role(str, Enum):
    """How a paper relates to a method it mentions."""

    USES = "uses"
    PROPOSES = "proposes"


class Field(str, Enum):
    TITLE = "title"
    ABSTRACT = "abstract"


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input file; `key` is its identity across files."""

    key: str
    title: str
    abstract: str
    sources: tuple[str, ...]
    arxiv_id: str | None = None
    identifier: str | None = None
    issued: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    categories: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Mention:
    """A span of a paper's title or abstract that denotes a concept or a code repository.

    `start`/`end` are character offsets into the cleaned field text, so
    ``getattr(paper, mention.field.value)[mention.start:mention.end] == mention.text``.
    """

    field: Field
    start: int
    end: int
    text: str
    label: str  # a ConceptType value, or REPOSITORY
    key: str  # normalized concept key, or the normalized repository URL
    confidence: float
    component: str
    role: Role = Role.USES
    long_form: str | None = None  # the concept's full name, when the text is an acronym, an alias or a definition

    def __reduce__(self):
        """Pickled as plain values, its enums by value (see :func:`_mention`)."""
        return _mention, (_plain(self.field), self.start, self.end, self.text, self.label, self.key, self.confidence,
                          self.component, _plain(self.role), self.long_form)


@dataclass(frozen=True)
class Repository:
    """A code or project URL an abstract gives."""

    url: str
    host: str
    is_code_host: bool


@dataclass(frozen=True)
class ExtractedPaper:
    paper: Paper
    mentions: tuple[Mention, ...] = ()
    repositories: tuple[Repository, ...] = ()
    results: tuple["Result", ...] = ()


class ResultKind(str, Enum):
    """What a stated number claims; values are the ontology's individuals (kg:Improvement ...)."""

    ABSOLUTE = "AbsoluteResult"  # a score: "28.4 BLEU", "a top-1 error of 3.57%"
    IMPROVEMENT = "Improvement"  # a change against a baseline: "improves F1 by 2.1 points", "+2.1"
    EFFICIENCY = "EfficiencyResult"  # a cost claim: "2.1x faster", "30x smaller", "34.7% fewer FLOPs"


@dataclass(frozen=True)
class Result:
    """A number an abstract states as a result, with what it measures.

    `start`/`end` cover the number as written, sign and unit included, in the field text
    (``getattr(paper, result.field.value)[result.start:result.end] == result.text``);
    `value` is its decimal (a range or pair gives one Result per number). `metric`,
    `dataset` and `method` are concept keys of mentions of the same sentence, None when
    the sentence does not say.
    """

    field: Field
    start: int
    end: int
    text: str
    value: Decimal
    unit: str | None
    kind: ResultKind
    metric: str | None = None
    dataset: str | None = None
    method: str | None = None
    confidence: float = 0.7
    component: str = "results"

    def __reduce__(self):
        """Pickled as plain values, its enums by value (see :func:`_mention`)."""
        return _result, (_plain(self.field), self.start, self.end, self.text, self.value, self.unit, _plain(self.kind),
                         self.metric, self.dataset, self.method, self.confidence, self.component)


# --- pickling ---------------------------------------------------------------------------------
# Mentions and results are pickled by the million: from the extraction workers to the graph
# builder, and into and out of the spill file (kg.spill). By default pickle rebuilds a
# frozen dataclass through its __dict__ and each enum by calling its class; rebuilt from
# plain values, with the enums looked up in a dict, a paper's records load in about half
# the time and take a third less space.

_FIELDS = {f.value: f for f in Field}
_ROLES = {r.value: r for r in Role}
_KINDS = {k.value: k for k in ResultKind}


def _plain(member):
    """An enum member's value (anything else as it is)."""
    return member.value if isinstance(member, Enum) else member


def _mention(field, start, end, text, label, key, confidence, component, role, long_form) -> Mention:
    """A pickled Mention, rebuilt.

    >>> import pickle
    >>> m = Mention(Field.TITLE, 0, 4, "BERT", "Method", "bert", 0.9, "gazetteer", Role.PROPOSES)
    >>> pickle.loads(pickle.dumps(m)) == m, pickle.loads(pickle.dumps(m)).role is Role.PROPOSES
    (True, True)
    """
    return Mention(_FIELDS.get(field, field), start, end, text, label, key, confidence, component,
                   _ROLES.get(role, role), long_form)


def _result(field, start, end, text, value, unit, kind, metric, dataset, method, confidence, component) -> Result:
    """A pickled Result, rebuilt.

    >>> import pickle
    >>> r = Result(Field.ABSTRACT, 3, 8, "91.3%", Decimal("91.3"), "%", ResultKind.ABSOLUTE, metric="accuracy")
    >>> pickle.loads(pickle.dumps(r)) == r, pickle.loads(pickle.dumps(r)).kind is ResultKind.ABSOLUTE
    (True, True)
    """
    return Result(_FIELDS.get(field, field), start, end, text, value, unit, _KINDS.get(kind, kind), metric, dataset,
                  method, confidence, component)
