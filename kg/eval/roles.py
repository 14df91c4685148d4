"""Scores of `kg:proposesMethod` versus `kg:usesMethod` on a hand-checked sample.

kg/eval/data/roles_sample.jsonl lists, for 59 bundled papers (found by title; a "dev"
and a "held-out" split), the methods each proposes and the methods it uses (see
data/README.md). A gold item is
*found* when one of its names has the key of an extracted Method, whatever the role;
proposes precision and recall count the concepts the extractor marks as proposed, and
role accuracy is the share of found items given the right role.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from kg.eval.scoring import Counts
from kg.normalize import concept_key, title_key
from kg.records import ConceptType, ExtractedPaper, Role


@dataclass(frozen=True)
class RoleGold:
    split: str
    title: str
    proposes: tuple[frozenset[str], ...]  # each item: the keys of its names
    uses: tuple[frozenset[str], ...]


def load_sample(text: str | None = None) -> list[RoleGold]:
    """The shipped sample (or JSONL `text` in its format)."""
    if text is None:
        text = (resources.files("kg.eval") / "data" / "roles_sample.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]

    def items(names: Sequence[Sequence[str]]) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(concept_key(n) for n in item) for item in names)

    return [RoleGold(r.get("split", "dev"), r["title"], items(r["proposes"]), items(r["uses"])) for r in rows]


def method_roles(extracted: ExtractedPaper) -> dict[str, Role]:
    """Key -> role of each Method a paper mentions (proposing outranks using)."""
    roles: dict[str, Role] = {}
    for m in extracted.mentions:
        if m.label == ConceptType.METHOD.value and roles.get(m.key) is not Role.PROPOSES:
            roles[m.key] = m.role
    return roles


def score_roles(gold: Sequence[RoleGold], extracted: Iterable[ExtractedPaper]) -> dict:
    """Proposes P/R/F, role accuracy on found items, and the misses, per the module doc."""
    by_title = {title_key(e.paper.title): e for e in extracted}
    proposes, found, right = Counts(), 0, 0
    errors: list[str] = []
    missing = [g.title for g in gold if title_key(g.title) not in by_title]
    for g in gold:
        paper = by_title.get(title_key(g.title))
        if paper is None:
            continue
        roles = method_roles(paper)
        predicted = {k for k, r in roles.items() if r is Role.PROPOSES}
        hits = {k for item in g.proposes for k in item if k in predicted}
        proposes.add(sum(1 for item in g.proposes if item & predicted), len(predicted), len(g.proposes))
        gold_keys = {k for item in (*g.proposes, *g.uses) for k in item}
        errors += [f"{g.title[:40]}: proposes {k!r} (not in the gold list)" for k in sorted(predicted - hits - gold_keys)]
        for item, role in [(i, Role.PROPOSES) for i in g.proposes] + [(i, Role.USES) for i in g.uses]:
            seen = {roles[k] for k in item if k in roles}
            if seen:
                found += 1
                if role in seen:
                    right += 1
                else:
                    errors.append(f"{g.title[:40]}: {sorted(item)[0]!r} is {role.value}, extracted as {seen.pop().value}")
    items = sum(len(g.proposes) + len(g.uses) for g in gold)
    return {
        "papers": len(gold) - len(missing),
        "proposes": proposes.as_dict(),
        "items": items,
        "found": found,
        "role_accuracy": round(right / found, 4) if found else 0.0,
        "missing_papers": missing,
        "errors": errors,
    }


def evaluate_roles(nlp=None, min_confidence: float = 0.0) -> dict:
    """Run the build pipeline on the bundled corpus's sampled papers; scores per split."""
    from kg.extract import extract_papers
    from kg.ingest import Deduplicator, IngestReport, bundled_corpus, read_papers

    gold = load_sample()
    wanted = {title_key(g.title) for g in gold}
    papers = [p for p in Deduplicator().unique(read_papers(bundled_corpus(), IngestReport())) if title_key(p.title) in wanted]
    extracted = list(extract_papers(papers, nlp, min_confidence=min_confidence))
    return {split: score_roles([g for g in gold if g.split == split], extracted)
            for split in sorted({g.split for g in gold})}
