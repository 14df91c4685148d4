"""Build the spaCy training data: DocBins of the text `kg eval` and `kg build` feed in.

    python training/make_docbins.py [--data data/scierc] [--teacher training/data/bundled_teacher.jsonl]
                                    [--out training/work/corpus]

Each SciERC abstract becomes ``kg.extract.doc_text`` of a paper with an empty title (the
text the build pipeline sees), tokenized by ``spacy.blank("en")``; gold spans are kept as
entities (non-overlapping, longest first) and as ``doc.spans["sc"]``, with all six SciERC
types. The training set is a folder, ``train/``: SciERC train (``scierc.spacy``) and the
bundled corpus as the teacher labelled it (``bundled-teacher.spacy``, from ``--teacher``;
see teacher.py). Also writes pretrain.jsonl: unlabeled text of SciERC train and the
bundled corpus. The abstracts of kg's hand-annotated ML sample are in none of these.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

from kg.eval.ml_sample import read_sample
from kg.eval.scierc import ALL_LABELS, read_split
from kg.extract import doc_text
from kg.extract.spancat import SOFT_TARGETS
from kg.ingest import Deduplicator, IngestReport, bundled_corpus, read_papers
from kg.records import Paper


def to_doc(nlp, text: str, spans) -> spacy.tokens.Doc:
    full = doc_text(Paper(key="", title="", abstract=text, sources=()))
    offset = len(full) - len(text)
    doc = nlp.make_doc(full)
    gold = []
    for span in spans:
        piece = doc.char_span(span.start + offset, span.end + offset, label=span.label, alignment_mode="expand")
        if piece is not None:
            gold.append(piece)
    doc.spans["sc"] = gold
    doc.ents = filter_spans(gold)
    return doc


def unlabeled_texts() -> list[str]:
    """The bundled corpus as the pipeline reads it (title, then abstract), without the
    abstracts of the hand-annotated ML sample, which must stay unseen."""
    held_out = {doc.text for doc in read_sample()}
    papers = Deduplicator().unique(read_papers(bundled_corpus(), IngestReport()))
    return [doc_text(p) for p in papers if p.abstract not in held_out]


def teacher_docs(nlp, path: Path) -> list[spacy.tokens.Doc]:
    """The teacher's labels (rows of text, [start, end, label] spans and, if given,
    [start, end, label, probability] soft labels) as docs; soft labels go to the doc's
    ``user_data``, where ``kg_spancat`` looks for them."""
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        doc = nlp.make_doc(row["text"])
        spans = [doc.char_span(start, end, label=label) for start, end, label in row["spans"]]
        if any(span is None for span in spans):
            raise SystemExit(f"{path}: a span is off the tokens of {row['text'][:60]!r}")
        doc.spans["sc"] = spans
        doc.ents = filter_spans(spans)
        soft = [(doc.char_span(start, end), label, p) for start, end, label, p in row.get("soft", ())]
        if any(span is None for span, _, _ in soft):
            raise SystemExit(f"{path}: a soft label is off the tokens of {row['text'][:60]!r}")
        if soft:
            doc.user_data[SOFT_TARGETS] = [[span.start, span.end, label, p] for span, label, p in soft]
        docs.append(doc)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/scierc"))
    parser.add_argument("--teacher", default="training/data/bundled_teacher.jsonl",
                        help="the teacher's labels of the bundled corpus ('' for SciERC alone)")
    parser.add_argument("--out", type=Path, default=Path("training/work/corpus"))
    args = parser.parse_args(argv)
    (args.out / "train").mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    for split in ("train", "dev", "test"):
        docs = [to_doc(nlp, d.text, d.spans) for d in read_split(args.data / f"{split}.json", ALL_LABELS)]
        target = args.out / "train" / "scierc.spacy" if split == "train" else args.out / f"{split}.spacy"
        DocBin(docs=docs, store_user_data=False).to_disk(target)
        print(f"{split}: {len(docs)} abstracts, {sum(len(d.ents) for d in docs)} entities")
    taught = args.out / "train" / "bundled-teacher.spacy"
    taught.unlink(missing_ok=True)
    if args.teacher:
        docs = teacher_docs(nlp, Path(args.teacher))
        DocBin(docs=docs, store_user_data=True).to_disk(taught)  # with their soft labels
        print(f"bundled corpus, teacher's labels: {len(docs)} abstracts, {sum(len(d.spans['sc']) for d in docs)} spans")
    texts = [d.text for d in read_split(args.data / "train.json", ALL_LABELS)] + unlabeled_texts()
    with (args.out / "pretrain.jsonl").open("w", encoding="utf-8") as handle:
        for text in texts:
            handle.write(json.dumps({"text": text}) + "\n")
    print(f"pretrain: {len(texts)} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
