"""Score gold-annotated abstracts through `kg build` -> RDF -> SPARQL, as the held-out
benchmark of shared/DESIGN.md ("Anchors") does, rather than on the extractor's mentions.

The gold docs are written as an arXiv-style JSON Lines corpus (`id`, `title`,
`abstract`; the ids are made-up arXiv ids so that no two papers merge), built with
:func:`kg.build.build` into a temporary folder, and ONE SPARQL query over the core
vocabulary (:data:`QUERY`) lists, per paper, each linked concept: the relation
(`kg:usesMethod`, `kg:proposesMethod`, `kg:usesDataset`, `kg:reportsMetric`,
`kg:addressesTask`), its type, its `skos:prefLabel` and `skos:altLabel` values, and
whether it is a kind (`kg:GenericConcept`). A gold concept of a doc (its surface keys,
:func:`kg.eval.run.gold_keys`) is found when one of its keys is the concept key of a
linked concept's prefLabel or of one of its altLabels (:func:`kg.eval.scoring.score_concepts`,
exactly as the "paper" rows of `kg eval`). Two scores per type: every linked concept
("all") and named ones only ("named": kinds left out, as the ranking queries do).
Gold spans cover the abstract only; concepts the build takes from a title count like any other.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.eval.scierc import GoldDoc
from kg.eval.scoring import MICRO, Counts, score_concepts
from kg.ingest._common import normalize_arxiv_id
from kg.normalize import concept_key
from kg.rdf.namespace import KG, sparql_prologue
from kg.records import ConceptType
from kg.types import relations

# relation (local name in kg:) -> the type of concept it links to (kg.types; proposing is a use of a method)
RELATIONS = {**{relation: ctype for ctype, relation in relations().items()}, "proposesMethod": ConceptType.METHOD.value}
TYPES = tuple(t.value for t in ConceptType)  # Method, Dataset, Metric, Task
VIEWS = ("all", "named")
ID_PREFIX = "2612"  # made-up arXiv ids 2612.00001, ...: one paper per doc, titles never merge two
KG_NS = str(KG._NS)

QUERY = sparql_prologue() + """
SELECT ?id ?relation ?concept ?type ?label ?kind WHERE {
  VALUES ?relation { kg:usesMethod kg:proposesMethod kg:usesDataset kg:reportsMetric kg:addressesTask }
  ?paper a kg:Paper ; dcterms:identifier ?id ; ?relation ?concept .
  { ?concept skos:prefLabel ?label } UNION { ?concept skos:altLabel ?label }
  OPTIONAL { VALUES ?type { kg:Method kg:Dataset kg:Metric kg:Task } ?concept a ?type }
  BIND (EXISTS { ?concept a kg:GenericConcept } AS ?kind)
}
"""


@dataclass(frozen=True)
class LinkedConcept:
    """A concept a paper links to, as the graph has it."""

    paper: str  # the paper's arXiv id (from dcterms:identifier)
    concept: str  # IRI
    type: str  # Method, Dataset, Metric or Task (a kind of data has no kg:Dataset type: its relation's)
    relations: frozenset[str]  # local names in kg:, e.g. {"usesMethod"}
    labels: frozenset[str]  # prefLabel and altLabels
    kind: bool  # a kg:GenericConcept

    @property
    def names(self) -> frozenset[str]:
        """The concept keys of its labels, what a gold key is compared with."""
        return frozenset(k for k in map(concept_key, self.labels) if k)


def paper_ids(docs: Sequence[GoldDoc], prefix: str = ID_PREFIX) -> list[str]:
    """A made-up arXiv id for each doc, in order.

    >>> paper_ids([GoldDoc("a", "x", ()), GoldDoc("b", "y", ())])
    ['2612.00001', '2612.00002']
    """
    return [f"{prefix}.{n:05d}" for n in range(1, len(docs) + 1)]


def corpus_records(docs: Sequence[GoldDoc], titles: Mapping[str, str] | None = None) -> list[dict]:
    """The docs as arXiv-metadata records (`id`, `title`, `abstract`); a doc without a title
    in `titles` gets a neutral one ("Abstract 3"), since a build needs one."""
    titles = titles or {}
    return [{"id": arxiv, "title": titles.get(doc.key) or f"Abstract {n}", "abstract": doc.text}
            for n, (arxiv, doc) in enumerate(zip(paper_ids(docs), docs), 1)]


def write_corpus(records: Iterable[dict], path: Path) -> Path:
    """Write records as JSON Lines."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _local(iri: str) -> str:
    return iri[len(KG_NS):] if iri.startswith(KG_NS) else iri


def linked_concepts(rows: Iterable[Mapping[str, str | None]]) -> list[LinkedConcept]:
    """Group the query's rows (variable -> lexical value; `type` may be None, `kind` is
    "true"/"false") into one LinkedConcept per paper and concept, sorted."""
    grouped: dict[tuple[str, str], dict] = {}
    for row in rows:
        paper = normalize_arxiv_id(row["id"]) or row["id"]
        item = grouped.setdefault((paper, row["concept"]), {"relations": set(), "labels": set(), "types": set(),
                                                            "kind": False})
        relation = _local(row["relation"])
        item["relations"].add(relation)
        item["labels"].add(row["label"])
        item["types"].add(_local(row["type"]) if row.get("type") else RELATIONS[relation])
        item["kind"] |= row["kind"] == "true"
    return [LinkedConcept(paper, concept, min(item["types"]), frozenset(item["relations"]),
                          frozenset(item["labels"]), item["kind"])
            for (paper, concept), item in sorted(grouped.items())]


def query_store(store) -> list[LinkedConcept]:
    """Run :data:`QUERY` on a pyoxigraph store."""
    variables = ("id", "relation", "concept", "type", "label", "kind")
    rows = []
    for solution in store.query(QUERY):
        rows.append({v: (solution[v].value if solution[v] is not None else None) for v in variables})
    return linked_concepts(rows)


def found_concepts(linked: Iterable[LinkedConcept], named_only: bool = False) -> dict[str, dict[str, list[frozenset[str]]]]:
    """Paper -> type -> the name sets of its linked concepts (kinds left out when `named_only`)."""
    found: dict[str, dict[str, list[frozenset[str]]]] = defaultdict(lambda: defaultdict(list))
    for c in linked:
        if not (named_only and c.kind):
            found[c.paper][c.type].append(c.names)
    return found


def score_linked(docs: Sequence[GoldDoc], linked: Sequence[LinkedConcept]) -> dict[str, dict[str, Counts]]:
    """View ("all", "named") -> type (and micro) -> counts, gold docs paired with the
    papers of :func:`paper_ids` in order; a doc whose paper links nothing misses all its gold."""
    from kg.eval.run import gold_keys  # run imports this module lazily

    gold = [gold_keys(doc) for doc in docs]
    scores = {}
    for view in VIEWS:
        found = found_concepts(linked, named_only=view == "named")
        pairs = [(g, found.get(arxiv, {})) for g, arxiv in zip(gold, paper_ids(docs))]
        scores[view] = score_concepts(pairs, TYPES)
    return scores


def evaluate_through_build(docs: Sequence[GoldDoc], titles: Mapping[str, str] | None = None, *,
                           fast: bool = False, min_confidence: float = 0.0) -> dict:
    """Build the docs into a temporary OUT, query its graph and score it: {"papers",
    "built", "links", "kind_links", "seconds", "all": {type: counts}, "named": {...}}."""
    from kg.build import BuildOptions, build
    from kg.rdf.write import open_store

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-eval-build-") as tmp:
        corpus = write_corpus(corpus_records(docs, titles), Path(tmp) / "papers.jsonl")
        out = Path(tmp) / "out"
        _, summary = build(BuildOptions(inputs=(corpus,), out_dir=out, html=False, fast=fast,
                                        min_confidence=min_confidence, rdf_formats=("ntriples",), store=False,
                                        cache=False, workers=1))
        store = open_store(out / "graph.nt", None)
        linked = query_store(store)
        del store
    scores = score_linked(docs, linked)
    result: dict = {"papers": len(docs), "built": summary.papers, "links": len(linked),
                    "kind_links": sum(1 for c in linked if c.kind), "seconds": round(time.perf_counter() - started, 2)}
    for view, counts in scores.items():
        result[view] = {label: c.as_dict() for label, c in counts.items()}
    return result


def format_lines(results: Mapping[str, dict]) -> list[str]:
    """One line per split and view: micro P/R/F1 and each type's F1."""
    lines = []
    for split, r in results.items():
        for view in VIEWS:
            m = r[view][MICRO]
            types = " ".join(f"{t} {r[view][t]['f1']:.3f}" for t in TYPES)
            lines.append(f"through build ({split}, {r['built']}/{r['papers']} papers, {view:5}): P {m['p']:.3f} "
                         f"R {m['r']:.3f} F1 {m['f1']:.3f} (pred {m['predicted']}, gold {m['gold']}); F1 {types}")
    return lines
