"""`kg eval`: score the extraction pipeline `kg build` uses on SciERC dev and test, and on
hand-annotated recent ML abstracts (splits "ml" and "ml-fresh", :mod:`kg.eval.ml_sample`);
the results stated in abstracts are scored on their own annotations (:mod:`kg.eval.results`).
The ML splits are also scored through a build, its RDF and SPARQL (:mod:`kg.eval.through_build`).

Each abstract goes through :func:`kg.extract.extract_papers` as a paper with an empty
title, exactly as a build would run it; its mentions of the four concept types are
compared with the gold spans (exact and overlap matching) and, per abstract, its distinct
concepts with the gold spans' (:func:`gold_keys`, :func:`predicted_concepts`).
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from kg.errors import UsageError
from kg.eval.ml_sample import FRESH_SPLIT as ML_FRESH_SPLIT
from kg.eval.ml_sample import SPLIT as ML_SPLIT
from kg.eval.ml_sample import read_sample, read_titles
from kg.eval.results import evaluate_results, format_results
from kg.eval.roles import evaluate_roles
from kg.eval.scierc import SPLITS, GoldDoc, default_data_dir, read_split
from kg.eval.scoring import MICRO, Counts, score_concepts, score_spans
from kg.extract import create_pipeline, extract_papers
from kg.extract.abbreviations import find_abbreviations
from kg.normalize import concept_key, strip_acronym_plural
from kg.records import ConceptType, Mention, Paper

LABELS = tuple(t.value for t in ConceptType)  # Method, Dataset, Metric, Task
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def surface_key(text: str, alias: dict[str, str]) -> str:
    """The key a surface form normalizes to: a parenthesised acronym dropped ("EM algorithm
    (EM)"), a short form defined in the abstract folded into its long form."""
    key = concept_key(_PARENTHESES.sub("", text).strip() or text)
    return alias.get(key, key)


def acronyms(text: str) -> dict[str, str]:
    """Short-form key -> long-form key for each definition in `text`."""
    return {concept_key(strip_acronym_plural(p.short_form)): concept_key(p.long_form) for p in find_abbreviations(text)}


def gold_keys(doc: GoldDoc, alias: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Distinct concepts of each type in the gold spans (their surface keys)."""
    alias = acronyms(doc.text) if alias is None else alias
    keys: dict[str, set[str]] = defaultdict(set)
    for span in doc.spans:
        key = surface_key(span.text, alias)
        if key:
            keys[span.label].add(key)
    return keys


def predicted_concepts(mentions: Sequence[Mention], alias: dict[str, str]) -> dict[str, list[frozenset[str]]]:
    """Per type, each concept a paper links to (label and key, as the graph has them) with
    the names it goes by: its key and its mentions' surface keys."""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mentions:
        names[m.label, m.key] |= {m.key, surface_key(m.text, alias)}
    concepts: dict[str, list[frozenset[str]]] = defaultdict(list)
    for (label, _), found in sorted(names.items()):
        concepts[label].append(frozenset(found))
    return concepts


def predict(docs: Sequence[GoldDoc], nlp=None, min_confidence: float = 0.0) -> list[tuple[Mention, ...]]:
    """The mentions the build pipeline finds in each abstract (offsets into ``doc.text``)."""
    papers = [Paper(key=doc.key or str(i), title="", abstract=doc.text, sources=("scierc",)) for i, doc in enumerate(docs)]
    return [e.mentions for e in extract_papers(papers, nlp, min_confidence=min_confidence)]


def evaluate_split(docs: Sequence[GoldDoc], nlp=None, min_confidence: float = 0.0) -> dict:
    started = time.perf_counter()
    predictions = predict(docs, nlp, min_confidence)
    seconds = time.perf_counter() - started
    pairs = [
        ([(s.start, s.end, s.label) for s in doc.spans], [(m.start, m.end, m.label) for m in mentions])
        for doc, mentions in zip(docs, predictions)
    ]
    result: dict = {"abstracts": len(docs), "seconds": round(seconds, 2)}
    for mode in ("exact", "overlap"):
        result[mode] = _as_dicts(score_spans(pairs, LABELS, mode))
    paper_pairs = []
    for doc, mentions in zip(docs, predictions):
        alias = acronyms(doc.text)
        paper_pairs.append((gold_keys(doc, alias), predicted_concepts(mentions, alias)))
    result["paper"] = _as_dicts(score_concepts(paper_pairs, LABELS))
    return result


ML_SPLITS = (ML_SPLIT, ML_FRESH_SPLIT)  # shipped with kg; also scored through a build
DEFAULT_SPLITS = ("dev", "test", *ML_SPLITS)
ALL_SPLITS = (*SPLITS, *ML_SPLITS)


def evaluate(data_dir: Path | None = None, splits: Sequence[str] = DEFAULT_SPLITS, *, fast: bool = False,
             min_confidence: float = 0.0, roles: bool = True, results: bool = True,
             rankings: bool = True, through_build: bool = True) -> dict:
    """Scores of each split -- SciERC's, and "ml" and "ml-fresh", the hand-annotated recent
    ML abstracts -- (and of the proposes/uses sample), with the settings used. With
    `through_build`, the ML splits are also built and scored through SPARQL
    (report["through_build"][split], :mod:`kg.eval.through_build`)."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    unknown = [s for s in splits if s not in ALL_SPLITS]
    if unknown:
        raise UsageError(f"unknown split {unknown[0]!r}: choose from {', '.join(ALL_SPLITS)}")
    nlp = create_pipeline(fast=fast)
    report: dict = {"data": str(data_dir), "fast": fast, "min_confidence": min_confidence,
                    "pipeline": list(nlp.pipe_names), "labels": list(LABELS), "splits": {}}
    for split in splits:
        docs = read_sample(split) if split in ML_SPLITS else list(read_split(data_dir / f"{split}.json"))
        report["splits"][split] = evaluate_split(docs, nlp, min_confidence)
    built = [s for s in splits if s in ML_SPLITS] if through_build else []
    if built:
        from kg.eval.through_build import evaluate_through_build

        report["through_build"] = {s: evaluate_through_build(read_sample(s), read_titles(s), fast=fast,
                                                             min_confidence=min_confidence) for s in built}
    if roles:
        report["roles"] = evaluate_roles(nlp, min_confidence)
    if results:
        report["results"] = evaluate_results(nlp, min_confidence)
    if rankings:
        report["rankings"] = evaluate_rankings(fast=fast, min_confidence=min_confidence)
    return report


def evaluate_rankings(*, fast: bool = False, min_confidence: float = 0.0) -> dict:
    """Precision of the top 30 of each ranking query over a build of the bundled corpus,
    against the hand judgements in data/rankings_judged.jsonl (named / kind / wrong)."""
    import tempfile

    from kg.build import BuildOptions, build
    from kg.eval.rankings import score_rankings
    from kg.rdf.write import open_store

    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        out = Path(tmp) / "out"
        build(BuildOptions(out_dir=out, html=False, fast=fast, min_confidence=min_confidence))
        scores = score_rankings(open_store(out / "graph.nt", out / "store"))
    return {s.ranking: {"named": s.named, "kind": s.kind, "wrong": s.wrong, "unjudged": list(s.unjudged),
                        "precision": round(s.precision, 3)} for s in scores}


def _as_dicts(counts: dict[str, Counts]) -> dict[str, dict]:
    return {label: c.as_dict() for label, c in counts.items()}


def format_table(report: dict) -> str:
    """One row per split, matching and type: precision, recall, F1 and counts; then the
    through-build lines of the ML splits (:func:`kg.eval.through_build.format_lines`)."""
    lines = [f"{'split':8} {'match':8} {'type':8} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}"]
    for split, result in report["splits"].items():
        for mode in ("exact", "overlap", "paper"):
            for label in (*LABELS, MICRO):
                c = result[mode][label]
                lines.append(f"{split:8} {mode:8} {label:8} {c['p']:6.3f} {c['r']:6.3f} {c['f1']:6.3f} "
                             f"{c['predicted']:6d} {c['gold']:6d}")
    if report.get("through_build"):
        from kg.eval.through_build import format_lines

        lines += format_lines(report["through_build"])
    for split, result in report.get("roles", {}).items():
        c = result["proposes"]
        lines.append(f"proposes/uses sample ({split}, {result['papers']} papers): proposesMethod P {c['p']:.3f} "
                     f"R {c['r']:.3f} F1 {c['f1']:.3f}; role right for {result['role_accuracy']:.3f} of the "
                     f"{result['found']} of {result['items']} hand-listed methods found")
    lines += format_results(report.get("results", {}))
    for name, r in report.get("rankings", {}).items():
        unjudged = f", {len(r['unjudged'])} not judged" if r["unjudged"] else ""
        lines.append(f"top 30 of {name}: precision {r['precision']:.3f} ({r['named']} named, {r['kind']} kinds, "
                     f"{r['wrong']} wrong{unjudged})")
    return "\n".join(lines)


def write_report(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
