"""Build the spaCy training data from SciERC: DocBins of the text `kg eval` feeds in.

    python training/make_docbins.py [--data data/scierc] [--out training/work/corpus]

Each abstract becomes ``kg.extract.doc_text`` of a paper with an empty title (the text the
build pipeline sees), tokenized by ``spacy.blank("en")``; gold spans are kept as entities
(non-overlapping, longest first) and as ``doc.spans["sc"]``, with all six SciERC types.
Also writes pretrain.jsonl: unlabeled abstracts of SciERC train and the bundled corpus.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

from kg.eval.scierc import ALL_LABELS, read_split
from kg.extract import doc_text
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/scierc"))
    parser.add_argument("--out", type=Path, default=Path("training/work/corpus"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en")
    for split in ("train", "dev", "test"):
        docs = [to_doc(nlp, d.text, d.spans) for d in read_split(args.data / f"{split}.json", ALL_LABELS)]
        DocBin(docs=docs, store_user_data=False).to_disk(args.out / f"{split}.spacy")
        print(f"{split}: {len(docs)} abstracts, {sum(len(d.ents) for d in docs)} entities")
    texts = [d.text for d in read_split(args.data / "train.json", ALL_LABELS)]
    texts += [doc_text(p) for p in Deduplicator().unique(read_papers(bundled_corpus(), IngestReport()))]
    with (args.out / "pretrain.jsonl").open("w", encoding="utf-8") as handle:
        for text in texts:
            handle.write(json.dumps({"text": text}) + "\n")
    print(f"pretrain: {len(texts)} texts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
