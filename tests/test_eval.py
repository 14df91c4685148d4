"""kg.eval: SciERC reading, span and paper-level scoring, the roles sample, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError, UsageError
from kg.eval.ml_sample import parse_sample, read_sample
from kg.eval.roles import RoleGold, load_sample, method_roles, score_roles
from kg.eval.run import LABELS, acronyms, evaluate, evaluate_split, format_table, gold_keys, predicted_concepts, surface_key
from kg.eval.scierc import ALL_LABELS, detokenize, parse_document, read_split
from kg.eval.scoring import MICRO, Counts, exact_matches, overlap_matches, score_concepts, score_sets, score_spans
from kg.normalize import concept_key
from kg.records import ExtractedPaper, Field, Mention, Paper, Role

ROW = {
    "doc_key": "X_1",
    "sentences": [["We", "use", "statistical", "machine", "translation", "-LRB-", "SMT", "-RRB-", "."],
                  ["SMT", "on", "Europarl", "corpus", "improves", "BLEU", "score", "."]],
    "ner": [[[2, 4, "Task"], [6, 6, "Task"]], [[9, 9, "Task"], [11, 12, "Material"], [14, 15, "Metric"], [0, 0, "Generic"]]],
}


# --- SciERC ------------------------------------------------------------------------------


def test_detokenize_joins_like_text() -> None:
    text, offsets = detokenize(["A", "-LRB-", "B", "-RRB-", ",", "C", "'s", "``", "D", "''", "%"])
    assert text == 'A (B), C\'s " D "%'
    assert [text[s:e] for s, e in offsets] == ["A", "(", "B", ")", ",", "C", "'s", '"', "D", '"', "%"]


def test_parse_document_char_spans_and_labels() -> None:
    doc = parse_document(ROW)
    assert doc.text == "We use statistical machine translation (SMT). SMT on Europarl corpus improves BLEU score."
    assert [(s.text, s.label) for s in doc.spans] == [
        ("statistical machine translation", "Task"), ("SMT", "Task"), ("SMT", "Task"),
        ("Europarl corpus", "Dataset"), ("BLEU score", "Metric")]
    assert all(doc.text[s.start:s.end] == s.text for s in doc.spans)
    assert "Generic" in {s.label for s in parse_document(ROW, ALL_LABELS).spans}


def test_read_split_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(read_split(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(ROW) + "\n{not json\n")
    with pytest.raises(InputError, match=":2"):
        list(read_split(bad))


def test_bundled_scierc_is_complete() -> None:
    sizes = {split: sum(1 for _ in read_split(Path("data/scierc") / f"{split}.json")) for split in ("train", "dev", "test")}
    assert sizes == {"train": 350, "dev": 50, "test": 100}


# --- scoring -----------------------------------------------------------------------------


def test_counts_prf() -> None:
    c = Counts(matched=2, predicted=4, gold=2)
    assert (c.precision, c.recall, round(c.f1, 4)) == (0.5, 1.0, 0.6667)
    assert Counts().f1 == 0.0


def test_exact_needs_same_label_and_boundaries() -> None:
    gold = [(0, 4, "Task"), (6, 9, "Method")]
    assert exact_matches(gold, [(0, 4, "Task"), (6, 9, "Task"), (6, 8, "Method")]) == 1


def test_overlap_is_one_to_one() -> None:
    gold = [(0, 10, "Task"), (12, 20, "Method")]
    assert overlap_matches(gold, [(0, 4, "Task"), (5, 10, "Task")]) == 1  # a split span hits once
    assert overlap_matches(gold, [(0, 20, "Task")]) == 1  # one prediction cannot hit two golds
    assert overlap_matches(gold, [(9, 13, "Method")]) == 1
    assert overlap_matches(gold, [(10, 12, "Task")]) == 0  # touching is not overlapping


def test_overlap_pairs_largest_shared_part_first() -> None:
    gold = [(0, 5, "Task"), (6, 12, "Task")]
    assert overlap_matches(gold, [(4, 12, "Task"), (0, 3, "Task")]) == 2


def test_score_spans_per_type_and_micro() -> None:
    docs = [([(0, 4, "Task"), (5, 9, "Method")], [(0, 4, "Task"), (5, 9, "Task"), (20, 25, "Repository")])]
    exact = score_spans(docs, ["Task", "Method"])
    assert (exact["Task"].matched, exact["Task"].predicted, exact["Task"].gold) == (1, 2, 1)
    assert (exact["Method"].matched, exact["Method"].gold) == (0, 1)
    assert (exact[MICRO].matched, exact[MICRO].predicted, exact[MICRO].gold) == (1, 2, 2)


def test_score_sets() -> None:
    counts = score_sets([({"Task": {"mt"}}, {"Task": {"mt", "parsing"}, "Method": {"svm"}})], ["Task", "Method"])
    assert (counts["Task"].matched, counts["Task"].predicted, counts["Method"].predicted) == (1, 2, 1)
    assert counts[MICRO].gold == 1


def test_score_concepts_matches_any_name() -> None:
    gold = {"Method": {"em", "svm"}}
    found = {"Method": [frozenset({"expectation-maximization", "em"}), frozenset({"crf"})], "Task": [frozenset({"mt"})]}
    counts = score_concepts([(gold, found)], ["Method", "Task"])
    method = counts["Method"]
    assert (method.matched, method.right, method.predicted, method.gold) == (1, 1, 2, 2)
    assert (method.precision, method.recall) == (0.5, 0.5)
    assert (counts[MICRO].predicted, counts[MICRO].right) == (3, 1)


def test_surface_key_and_gold_keys_fold_acronyms() -> None:
    doc = parse_document(ROW)
    alias = acronyms(doc.text)
    assert alias == {"smt": "statistical-machine-translation"}
    assert surface_key("Expectation-Maximization (EM) algorithm", {}) == "expectation-maximization-algorithm"
    keys = gold_keys(doc)
    assert keys["Task"] == {"statistical-machine-translation"}
    assert keys["Dataset"] == {concept_key("Europarl corpus")}


def test_predicted_concepts_group_by_key() -> None:
    a = Mention(Field.ABSTRACT, 0, 3, "SMT", "Task", "statistical-machine-translation", 0.8, "model")
    b = Mention(Field.ABSTRACT, 9, 24, "Europarl corpus", "Dataset", "europarl", 0.8, "model", long_form="Europarl")
    concepts = predicted_concepts([a, a, b], {"smt": "statistical-machine-translation"})
    assert concepts == {"Task": [frozenset({"statistical-machine-translation"})],
                        "Dataset": [frozenset({"europarl", "europarl-corpus"})]}


def test_evaluate_split_through_extract_papers(monkeypatch) -> None:
    import kg.eval.run as run

    doc = parse_document(ROW)
    gold = [Mention(Field.ABSTRACT, s.start, s.end, s.text, s.label, concept_key(s.text), 0.9, "gold") for s in doc.spans]

    def fake_predict(docs, nlp=None, min_confidence=0.0):
        return [tuple(m for m in gold if m.confidence >= min_confidence) for _ in docs]

    monkeypatch.setattr(run, "predict", fake_predict)
    result = evaluate_split([doc])
    assert result["exact"][MICRO]["f1"] == result["overlap"][MICRO]["f1"] == 1.0
    assert result["paper"]["Task"]["predicted"] == 2  # the fake keys "SMT" apart from its long form
    assert result["paper"]["Task"]["r"] == 1.0
    assert evaluate_split([doc], min_confidence=0.95)["exact"][MICRO]["predicted"] == 0


def test_evaluate_runs_the_build_pipeline_on_a_tiny_split(tmp_path: Path) -> None:
    (tmp_path / "dev.json").write_text(json.dumps(ROW) + "\n")
    report = evaluate(tmp_path, ["dev"], fast=True, roles=False, results=False, rankings=False)
    assert report["pipeline"][-2:] == ["kg_resolve", "kg_results"] and "kg_ner" not in report["pipeline"]
    dev = report["splits"]["dev"]
    assert dev["abstracts"] == 1 and set(dev) >= {"exact", "overlap", "paper"}
    assert dev["exact"]["Metric"]["gold"] == 1
    table = format_table(report)
    assert table.splitlines()[0].split()[:3] == ["split", "match", "type"]
    assert len(table.splitlines()) == 1 + 3 * (len(LABELS) + 1)


def test_evaluate_rejects_unknown_split(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        evaluate(tmp_path, ["validation"], fast=True)


def test_evaluate_scores_the_ml_sample_as_a_split(tmp_path: Path) -> None:
    report = evaluate(tmp_path, ["ml"], fast=True, roles=False, results=False)  # no SciERC needed
    ml = report["splits"]["ml"]
    assert ml["abstracts"] == 20 and ml["exact"][MICRO]["gold"] == 377


# --- the ML sample -----------------------------------------------------------------------


def test_shipped_ml_sample_is_sound() -> None:
    docs = read_sample()
    assert len(docs) == 20 and len({d.key for d in docs}) == 20
    for doc in docs:
        spans = [(s.start, s.end) for s in doc.spans]
        assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlap
        assert all(s.text == s.text.strip() and s.text for s in doc.spans)
    assert {s.label for d in docs for s in d.spans} == set(LABELS)


@pytest.mark.parametrize("line", [
    '{"id": "a", "title": "T", "abstract": "We use BERT.", "spans": [[7, 40, "Method"]]}',
    '{"id": "a", "title": "T", "abstract": "We use BERT.", "spans": [[7, 11, "Model"]]}',
    '{"id": "a", "title": "T", "spans": []}',
    '{"title": "T", "abstract": "x", "spans": []}',
    'not json',
])
def test_parse_sample_names_the_bad_line(line: str) -> None:
    with pytest.raises(InputError, match=r"sample.jsonl:2: not an annotated abstract"):
        parse_sample("\n" + line, "sample.jsonl")


# --- proposes / uses ---------------------------------------------------------------------


def _paper(title: str, *mentions: Mention) -> ExtractedPaper:
    return ExtractedPaper(Paper(key=title, title=title, abstract="", sources=("t",)), mentions)


def _method(key: str, role: Role = Role.USES) -> Mention:
    return Mention(Field.ABSTRACT, 0, 1, key, "Method", key, 0.9, "t", role)


def test_method_roles_proposing_outranks_using() -> None:
    paper = _paper("T", _method("lapp"), _method("lapp", Role.PROPOSES), _method("resnet"))
    assert method_roles(paper) == {"lapp": Role.PROPOSES, "resnet": Role.USES}


def test_score_roles() -> None:
    gold = [RoleGold("dev", "A", (frozenset({"lapp", "layer-adaptive-pruning"}),), (frozenset({"resnet"}),)),
            RoleGold("dev", "B", (), (frozenset({"adam"}),)),
            RoleGold("dev", "Missing", (), ())]
    extracted = [_paper("A", _method("layer-adaptive-pruning", Role.PROPOSES), _method("resnet", Role.PROPOSES)),
                 _paper("B", _method("adam"), _method("novelnet", Role.PROPOSES))]
    result = score_roles(gold, extracted)
    assert result["papers"] == 2 and result["missing_papers"] == ["Missing"]
    assert (result["proposes"]["matched"], result["proposes"]["predicted"], result["proposes"]["gold"]) == (1, 3, 1)
    assert (result["found"], result["items"], result["role_accuracy"]) == (3, 3, round(2 / 3, 4))
    assert any("novelnet" in e for e in result["errors"]) and any("resnet" in e for e in result["errors"])


def test_shipped_roles_sample() -> None:
    sample = load_sample()
    assert {g.split for g in sample} == {"dev", "held-out"}
    assert len(sample) == 59 and len({g.title for g in sample}) == 59
    assert all(all(item for item in g.proposes + g.uses) for g in sample)


def test_kg_eval_command_prints_table_and_writes_json(tmp_path: Path, capsys) -> None:
    from kg.cli import main

    (tmp_path / "dev.json").write_text(json.dumps(ROW) + "\n")
    assert main(["eval", "--data", str(tmp_path), "--split", "dev", "--fast", "--out", str(tmp_path), "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("split") and "proposes/uses sample (held-out" in out
    report = json.loads((tmp_path / "eval.json").read_text())
    assert set(report["splits"]) == {"dev"} and report["fast"] is True and set(report["roles"]) == {"dev", "held-out"}
