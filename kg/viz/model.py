"""The viewer's data: node types and colours, the drawing order (the cap), and the payload.

Every node gets a *rank*: its place in the order the default view draws nodes in. The most
connected concepts (and repositories) come first, each followed by a few of its most
connected papers, concepts named by common words only ("training data", a graph node's
``generic``) after the named ones; then the remaining papers of those concepts; then
everything else. The
default view draws ranks ``0 .. max_nodes - 1``; the page holds every node up to a cap on
papers (:func:`page_order`: the first `max_papers` papers of that order and the nodes they
need), so its filters and search can reveal the rest. Node ids in the page are ranks
among the embedded nodes, so the browser needs no copy of the cap logic.

All text in the payload is untrusted: it is only ever embedded as JSON (see
:func:`script_json`) and put into the page with ``textContent``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import networkx as nx

from kg.graph import concept_node, repository_node
from kg.types import CONCEPT_TYPES

PAPER = "paper"
REPOSITORY = "repository"
OTHER = "other"


@dataclass(frozen=True)
class NodeType:
    name: str  # the vis group and the CSS class suffix
    label: str  # shown in the legend
    color: str
    shape: str  # a vis-network shape with the label underneath


# Colours: Tableau 10 (distinct for common colour-vision deficiencies); shapes differ too.
NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(PAPER, "Paper", "#4e79a7", "dot"),
    *(NodeType(t.name, t.name, t.color, t.shape) for t in CONCEPT_TYPES),  # kg.types
    NodeType(REPOSITORY, "Repository", "#7f7f7f", "triangleDown"),
    NodeType(OTHER, "Other", "#bab0ac", "dot"),
)
TYPE_BY_NAME = {t.name: t for t in NODE_TYPES}
MENTION_TYPE = {**{t.name: t.name for t in CONCEPT_TYPES}, "Repository": REPOSITORY}
FIELDS = ("title", "abstract")
_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f]+$", re.IGNORECASE)
PAPER_LABEL_CHARS = 48
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # characters JavaScript counts as two


def node_type(attrs: Mapping) -> str:
    kind = attrs.get("kind")
    if kind == PAPER:
        return PAPER
    if kind == REPOSITORY:
        return REPOSITORY
    if kind == "concept" and attrs.get("ctype") in TYPE_BY_NAME:
        return attrs["ctype"]
    return OTHER


def papers_per_concept(max_nodes: int) -> int:
    """How many papers each concept brings along in the first pass of the ranking."""
    return max(2, max_nodes // 80)


def rank_nodes(graph: nx.DiGraph, max_nodes: int) -> list:
    """Every node of `graph`, in drawing order (see the module docstring). Deterministic."""
    degree = dict(graph.degree())
    by_importance = lambda n: (-degree[n], str(n))  # noqa: E731
    kinds = {n: a.get("kind") for n, a in graph.nodes(data=True)}  # each read once
    hubs = sorted((n for n, k in kinds.items() if k != PAPER),
                  key=lambda n: (bool(graph.nodes[n].get("generic")), *by_importance(n)))
    paper_rank = {p: i for i, p in enumerate(sorted((n for n, k in kinds.items() if k == PAPER), key=by_importance))}
    papers_of = {  # sorted by importance, through one sort of all papers (a hub's papers are most edges)
        h: sorted((p for p in graph.predecessors(h) if p in paper_rank), key=paper_rank.__getitem__)
        for h in hubs
    }
    order: list = []
    seen: set = set()

    def take(node) -> None:
        if node not in seen:
            seen.add(node)
            order.append(node)

    per = papers_per_concept(max_nodes)
    for hub in hubs:  # the most connected concepts, each with its best few papers
        take(hub)
        brought = 0
        for paper in papers_of[hub]:
            if brought >= per:
                break
            if paper not in seen:
                take(paper)
                brought += 1
    for hub in hubs:  # the rest of their papers
        for paper in papers_of[hub]:
            take(paper)
    for node in sorted(graph.nodes, key=by_importance):  # papers without concepts
        take(node)
    return order


def page_order(graph: nx.DiGraph, order: Sequence, max_papers: int, keep: Collection = ()) -> list:
    """The nodes the page embeds, in drawing order (`order`, from :func:`rank_nodes`):
    the first `max_papers` papers, every node in `keep` (the concept map's concepts), and
    every other node that is linked to one of those papers or to no paper at all; so a
    repository or a concept whose papers are all left out goes too, and the page stops
    growing with the corpus. All of `order` when it has at most `max_papers` papers."""
    if max_papers < 0:
        raise ValueError("max_papers must be >= 0")
    is_paper = {n for n, a in graph.nodes(data=True) if a.get("kind") == PAPER}
    papers = [n for n in order if n in is_paper]
    if len(papers) <= max_papers:
        return list(order)
    embedded = set(papers[:max_papers])
    keep = set(keep)

    def wanted(node) -> bool:
        if node in is_paper:
            return node in embedded
        if node in keep:
            return True
        linked = False
        for other in (*graph.predecessors(node), *graph.successors(node)):
            if other in is_paper:
                if other in embedded:
                    return True
                linked = True
        return not linked

    return [n for n in order if wanted(n)]


def safe_url(url: object) -> str | None:
    """`url` if it is an absolute http(s) URL (never javascript: or data:), else None."""
    if isinstance(url, str) and _SAFE_URL.match(url.strip()):
        return url.strip()
    return None


def _utf16_index(text: str):
    """A function mapping a code-point offset of `text` to a UTF-16 offset (JS indexing)."""
    if text.isascii() or not _ASTRAL.search(text):
        return lambda i: i
    cumulative = [0]
    for ch in text:
        cumulative.append(cumulative[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return lambda i: cumulative[i]


def paper_marks(attrs: Mapping, concept_index: Mapping) -> list[list]:
    """Highlightable mentions: [field, start, end, type, node id or -1], valid and disjoint.

    Offsets are converted to UTF-16 code units, as JavaScript strings count them. Each
    attribute is read once (a paper's may be on disk: kg.spill).
    """
    marks: list[list] = []
    mentions, results = attrs.get("mentions") or (), attrs.get("results") or ()
    for field_code, field in enumerate(FIELDS):
        text = attrs.get(field) or ""
        to16 = _utf16_index(text)
        spans = []
        for m in mentions:
            if getattr(m.field, "value", m.field) != field:
                continue
            start, end = int(m.start), int(m.end)
            if not (0 <= start < end <= len(text)) or (m.text and text[start:end] != m.text):
                continue
            mtype = MENTION_TYPE.get(m.label)
            if mtype is None:
                continue
            target = repository_node(m.key) if mtype == REPOSITORY else concept_node(m.label, m.key)
            spans.append((start, -end, mtype, concept_index.get(target, -1)))
        for r in results:  # numbers stated as results
            start, end = int(r.start), int(r.end)
            if getattr(r.field, "value", r.field) == field and 0 <= start < end <= len(text) and text[start:end] == r.text:
                spans.append((start, -end, RESULT, -1))
        last_end = -1
        for start, neg_end, mtype, target in sorted(spans):
            if start < last_end:  # overlapping: keep the earlier, longer span
                continue
            marks.append([field_code, to16(start), to16(-neg_end), mtype, target])
            last_end = -neg_end
    return marks


RESULT = "result"  # the mark type of a number stated as a result


def _result_row(r, index: Mapping, to16) -> list:
    """[start, end (UTF-16), text, value, unit, kind, metric, dataset, method (node ids or -1)]."""
    def node(ctype: str, key: str | None) -> int:
        return index.get(concept_node(ctype, key), -1) if key else -1

    return [to16(int(r.start)), to16(int(r.end)), str(r.text), f"{r.value:f}", r.unit or "",
            getattr(r.kind, "value", str(r.kind)), node("Metric", r.metric), node("Dataset", r.dataset),
            node("Method", r.method)]


def paper_results(attrs: Mapping, index: Mapping) -> list[list]:
    """A paper's results for its panel: [field, *:func:`_result_row`] in text order."""
    rows = []
    to16_of = _field_indexes(attrs)
    for r in attrs.get("results") or ():
        field = getattr(r.field, "value", r.field)
        if field in FIELDS:
            rows.append([FIELDS.index(field), *_result_row(r, index, to16_of(field))])
    return rows


def _field_indexes(attrs: Mapping):
    """A function giving the `_utf16_index` of a paper's text field by name, each field
    read and indexed once (a paper's texts may be on disk: kg.spill)."""
    done: dict = {}

    def to16_of(field: str):
        to16 = done.get(field)
        if to16 is None:
            to16 = done[field] = _utf16_index(attrs.get(field) or "")
        return to16

    return to16_of


RESULT_KIND_ORDER = {"AbsoluteResult": 0, "Improvement": 1, "EfficiencyResult": 2}


def result_order(metric: str | None, lower_is_better: bool | None, kind: str, unit: str | None,
                 value: Decimal, paper_rank: int) -> tuple:
    """Sort key of a dataset's results, so its panel reads like a leaderboard: grouped by
    metric (results that name none last), scores before improvements and efficiency
    claims, one unit together, then best first (lowest first when the metric's lower is
    better), then by paper.

    >>> rows = [("accuracy", False, "AbsoluteResult", "%", Decimal("90"), 2),
    ...         (None, None, "AbsoluteResult", "%", Decimal("99"), 1),
    ...         ("accuracy", False, "Improvement", "%", Decimal("2"), 0),
    ...         ("accuracy", False, "AbsoluteResult", "%", Decimal("91.1"), 5),
    ...         ("FID", True, "AbsoluteResult", None, Decimal("3.2"), 4),
    ...         ("FID", True, "AbsoluteResult", None, Decimal("2.9"), 3)]
    >>> [(r[0], str(r[4])) for r in sorted(rows, key=lambda r: result_order(*r))]
    [('accuracy', '91.1'), ('accuracy', '90'), ('accuracy', '2'), ('FID', '2.9'), ('FID', '3.2'), (None, '99')]
    """
    return (metric is None, (metric or "").casefold(), RESULT_KIND_ORDER.get(kind, len(RESULT_KIND_ORDER)),
            unit or "", value if lower_is_better else -value, paper_rank)


def dataset_results(graph: nx.DiGraph, index: Mapping) -> dict[str, list[list]]:
    """Dataset node -> [paper id, *:func:`_result_row`] of every result stated on it, for
    the dataset's panel, in :func:`result_order`: the results of the papers in `index`
    (the page's), each read once."""
    keyed: dict[str, list[tuple[tuple, list]]] = {}
    for node in index:
        attrs = graph.nodes[node]
        if attrs.get("kind") != PAPER and "results" not in attrs:
            continue
        to16_of = _field_indexes(attrs)
        for r in attrs.get("results") or ():
            target = concept_node("Dataset", r.dataset) if r.dataset else None
            if target in index and node in index:
                field = getattr(r.field, "value", r.field)
                metric = graph.nodes.get(concept_node("Metric", r.metric), {}) if r.metric else {}
                kind = getattr(r.kind, "value", str(r.kind))
                order = result_order(metric.get("label") or r.metric, metric.get("lower_is_better"), kind, r.unit,
                                     Decimal(r.value), index[node])
                row = [index[node], *_result_row(r, index, to16_of(field))]
                keyed.setdefault(target, []).append((order, row))
    return {target: [row for _, row in sorted(rows, key=lambda pair: pair[0])] for target, rows in keyed.items()}


def _text_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def node_payload(node, attrs: Mapping, ntype: str, degree: int, index: Mapping) -> tuple[str, str, dict]:
    """(drawn label, tooltip, details) of one node; every string is plain text."""
    if ntype == PAPER:
        attrs = dict(attrs)  # each attribute read once, here (a paper's may be on disk: kg.spill)
        title = str(attrs.get("title") or attrs.get("label") or node)
        details = {
            "key": str(node),
            "name": title,
            "abstract": str(attrs.get("abstract") or ""),
            "marks": paper_marks(attrs, index),
            "results": paper_results(attrs, index),
            "arxiv": _text_or_none(attrs.get("arxiv_id")),
            "issued": _text_or_none(attrs.get("issued")),
            "authors": [str(a) for a in attrs.get("authors") or ()],
            "url": safe_url(attrs.get("url")),
        }
        return _short(title, PAPER_LABEL_CHARS), f"{title}\n(paper, {degree} links)", details
    label = str(attrs.get("label") or attrs.get("url") or node)
    if ntype == REPOSITORY:
        details = {
            "key": str(node),
            "name": label,
            "url": safe_url(attrs.get("url")),
            "host": _text_or_none(attrs.get("host")),
            "code": bool(attrs.get("is_code_host")),
        }
        return _short(label, 40), f"{attrs.get('url') or label}\n(repository, {degree} papers)", details
    alt = [str(a) for a in attrs.get("alt_labels") or ()]
    details = {"key": str(node), "name": label, "alt": alt}
    if attrs.get("generic"):  # a kg:Kind: the panel and search say so, the default view draws it last
        details["isKind"] = True
    also = f"\nalso: {', '.join(alt[:6])}" if alt else ""
    kind = f"{TYPE_BY_NAME[ntype].label}, a kind" if attrs.get("generic") else TYPE_BY_NAME[ntype].label
    return _short(label, 40), f"{label}\n({kind}, {degree} papers){also}", details


def node_size(degree: int) -> float:
    return round(min(48.0, 8.0 + 4.0 * math.sqrt(degree)), 1)


def label_size(degree: int) -> int:
    """Label font size: hubs stay readable when zoomed out, the rest appear on zooming in."""
    return int(min(30, 12 + 3 * math.sqrt(degree)))


def script_json(obj: object) -> str:
    """JSON that is safe inside <script type="application/json">: no `<`, `>`, `&`, U+2028/9.

    Those characters can only occur inside JSON strings, where the \\u escapes mean the same.
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def type_counts(types: Sequence[str]) -> list[dict]:
    counts = {t.name: 0 for t in NODE_TYPES}
    for t in types:
        counts[t] += 1
    return [
        {"name": t.name, "label": t.label, "color": t.color, "shape": t.shape, "count": counts[t.name]}
        for t in NODE_TYPES
        if counts[t.name] or t.name != OTHER
    ]
