"""kg.eval.through_build and the "ml-fresh" split: gold docs scored through kg build -> RDF -> SPARQL."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.eval.ml_sample import FILES, FRESH_SPLIT, read_sample, read_titles
from kg.eval.run import LABELS, evaluate, format_table
from kg.eval.scierc import GoldDoc, GoldSpan
from kg.eval.scoring import MICRO
from kg.eval.through_build import (corpus_records, evaluate_through_build, format_lines, found_concepts,
                                   linked_concepts, paper_ids, query_store, score_linked)

TEXT = "We fine-tune BERT on SQuAD and report F1."


def _doc(*extra: tuple[str, str]) -> GoldDoc:
    spans = []
    for name, label in (("BERT", "Method"), ("SQuAD", "Dataset"), ("F1", "Metric"), *extra):
        start = TEXT.index(name)
        spans.append(GoldSpan(start, start + len(name), label, name))
    return GoldDoc("tiny", TEXT, tuple(sorted(spans, key=lambda s: s.start)))


# --- the shipped fresh split --------------------------------------------------------------


def test_shipped_fresh_split_is_sound() -> None:
    docs = read_sample(FRESH_SPLIT)
    assert len(docs) == 30 and len({d.key for d in docs}) == 30 and FILES[FRESH_SPLIT] == "ml_fresh.jsonl"
    for doc in docs:
        spans = [(s.start, s.end) for s in doc.spans]
        assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlap
        assert all(s.text and s.text == s.text.strip() and s.text == doc.text[s.start:s.end] for s in doc.spans)
        assert 120 <= len(doc.text.split()) <= 300
    assert {s.label for d in docs for s in d.spans} == set(LABELS)
    titles = read_titles(FRESH_SPLIT)
    assert set(titles) == {d.key for d in docs} and all(titles.values())


def test_kg_eval_accepts_the_fresh_split() -> None:
    from kg.cli import make_parser

    assert make_parser().parse_args(["eval", "--split", "ml", "--split", "ml-fresh"]).split == ["ml", "ml-fresh"]


# --- pure parts ---------------------------------------------------------------------------


def test_corpus_records_are_arxiv_style_with_titles() -> None:
    docs = [_doc(), GoldDoc("other", "Text.", ())]
    records = corpus_records(docs, {"tiny": "A Title"})
    assert [r["id"] for r in records] == paper_ids(docs) == ["2612.00001", "2612.00002"]
    assert records[0]["title"] == "A Title" and records[0]["abstract"] == TEXT
    assert records[1]["title"] == "Abstract 2"  # a build needs a title


KG = "https://w3id.org/kg-papers/ontology#"


def test_linked_concepts_group_labels_and_type_kinds_by_relation() -> None:
    rows = [
        {"id": "2612.00001", "relation": KG + "usesMethod", "concept": "c:bert", "type": KG + "Method",
         "label": "BERT", "kind": "false"},
        {"id": "2612.00001", "relation": KG + "usesMethod", "concept": "c:bert", "type": KG + "Method",
         "label": "Bidirectional Encoder Representations from Transformers", "kind": "false"},
        {"id": "2612.00001", "relation": KG + "usesDataset", "concept": "c:data", "type": None,
         "label": "training data", "kind": "true"},
    ]
    linked = linked_concepts(rows)
    assert [(c.concept, c.type, c.kind) for c in linked] == [("c:bert", "Method", False), ("c:data", "Dataset", True)]
    assert linked[0].names == {"bert", "bidirectional-encoder-representations-from-transformer"}
    assert set(found_concepts(linked)["2612.00001"]) == {"Method", "Dataset"}
    assert set(found_concepts(linked, named_only=True)["2612.00001"]) == {"Method"}


def test_the_query_reads_the_core_vocabulary() -> None:
    p, c, k = "<https://x.org/paper/1>", "<https://x.org/method/bert>", "<https://x.org/dataset/data>"
    skos = "http://www.w3.org/2004/02/skos/core#"
    nt = "\n".join([
        f'{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}Paper> .',
        f'{p} <http://purl.org/dc/terms/identifier> "2612.00001" .',
        f'{p} <{KG}proposesMethod> {c} .', f'{c} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}Method> .',
        f'{c} <{skos}prefLabel> "BERT" .', f'{c} <{skos}altLabel> "BERT-base" .',
        f'{p} <{KG}usesDataset> {k} .', f'{k} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}GenericConcept> .',
        f'{k} <{skos}prefLabel> "data" .',
    ]) + "\n"
    store = ox.Store()
    store.load(nt.encode(), format=ox.RdfFormat.N_TRIPLES)
    linked = query_store(store)
    assert [(c.paper, c.type, c.relations, c.labels, c.kind) for c in linked] == [
        ("2612.00001", "Dataset", {"usesDataset"}, {"data"}, True),
        ("2612.00001", "Method", {"proposesMethod"}, {"BERT", "BERT-base"}, False),
    ]


# --- through a real build -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_result() -> dict:
    # one gold concept ("report", a Task) that no build links to
    return evaluate_through_build([_doc(("report", "Task"))], {"tiny": "Reading Comprehension with BERT"}, fast=True)


def test_through_build_finds_bert_squad_f1(tiny_result: dict) -> None:
    assert tiny_result["papers"] == tiny_result["built"] == 1
    for label in ("Method", "Dataset", "Metric"):
        assert tiny_result["all"][label]["gold"] == 1 and tiny_result["all"][label]["matched"] == 1, label
        assert tiny_result["named"][label]["matched"] == 1, label


def test_through_build_counts_a_missing_gold_concept_as_a_miss(tiny_result: dict) -> None:
    task = tiny_result["all"]["Task"]
    assert task["gold"] == 1 and task["matched"] == 0 and task["r"] == 0.0
    micro = tiny_result["all"][MICRO]
    assert micro["gold"] == 4 and micro["matched"] == 3
    assert tiny_result["named"][MICRO]["predicted"] <= micro["predicted"]
    assert any(line.startswith("through build (x, 1/1 papers, all") for line in format_lines({"x": tiny_result}))


def test_a_doc_without_a_paper_misses_everything() -> None:
    counts = score_linked([_doc()], [])
    assert counts["all"][MICRO].gold == 3 and counts["all"][MICRO].matched == 0


def test_evaluate_reports_through_build_for_ml_splits(tmp_path, monkeypatch) -> None:
    import kg.eval.run as run
    import kg.eval.through_build as tb

    calls = []

    def fake(docs, titles=None, *, fast=False, min_confidence=0.0):
        calls.append((len(docs), len(titles)))
        counts = {label: {"p": 1.0, "r": 0.5, "f1": 0.667, "matched": 1, "predicted": 1, "gold": 2}
                  for label in (*tb.TYPES, MICRO)}
        return {"papers": len(docs), "built": len(docs), "links": 1, "kind_links": 0, "seconds": 0.0,
                "all": counts, "named": counts}

    monkeypatch.setattr(tb, "evaluate_through_build", fake)
    monkeypatch.setattr(run, "evaluate_split", lambda docs, nlp=None, min_confidence=0.0: {"abstracts": len(docs)})
    report = evaluate(tmp_path, ["ml", "ml-fresh"], fast=True, roles=False, results=False, rankings=False)
    assert calls == [(20, 20), (30, 30)] and set(report["through_build"]) == {"ml", "ml-fresh"}
    assert "through_build" not in evaluate(tmp_path, ["ml"], fast=True, roles=False, results=False,
                                           rankings=False, through_build=False)
    assert format_lines(report["through_build"])[-1].startswith("through build (ml-fresh, 30/30 papers, named")
