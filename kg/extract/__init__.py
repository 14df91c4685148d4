"""Extraction: a spaCy pipeline (``spacy.blank("en")`` plus kg's components) that turns
papers into mentions of methods, datasets, metrics, tasks and code repositories.

Components, in pipeline order (one file each):

=====================  ===========================================================
``kg_code_links``      code-host and project-page URLs, cleaned and normalized
``kg_abbreviations``   Schwartz-Hearst long form / short form pairs
``kg_gazetteer``       known names (data/gazetteer_*.jsonl), one Aho-Corasick pass
``kg_patterns``        rules kept as data (data/patterns.jsonl)
``kg_proposals``       "we propose X": the paper's own contribution
``kg_ner``             the trained spaCy model shipped in model/ (not with ``fast``)
``kg_resolve``         acronym propagation, roles, overlap policy
``kg_results``         numbers stated as results, linked to the sentence's metric,
                       dataset and method mentions (:mod:`kg.extract.results`)
=====================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Importing the component modules registers their factories with spaCy.
from kg.extract import abbreviations, code_links, gazetteer, ner, patterns, proposals, resolve, results  # noqa: F401
from kg.extract.candidates import FIELD_SEPARATOR, candidates, text_of
from kg.extract.code_links import repository_from_url
from kg.extract.results import results_of
from kg.records import REPOSITORY, ExtractedPaper, Field, Mention, Paper

COMPONENTS = ("kg_code_links", "kg_abbreviations", "kg_gazetteer", "kg_patterns", "kg_proposals", "kg_resolve",
              "kg_results")
MODEL_COMPONENT = "kg_ner"


class TextKeepingTokenizer:
    """spaCy's tokenizer, leaving the input text on the doc: rebuilding ``doc.text`` from
    the tokens costs a quarter of a rules-only run."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["kg_text"] = text
        return doc

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


def create_pipeline(fast: bool = False) -> Language:
    """A blank English pipeline with kg's components; no model is downloaded. With `fast`,
    rules only; otherwise the shipped model (``kg_ner``) runs just before ``kg_resolve``."""
    nlp = spacy.blank("en")
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    for name in COMPONENTS:
        if name == "kg_resolve" and not fast:
            nlp.add_pipe(MODEL_COMPONENT)
        nlp.add_pipe(name)
    return nlp


def doc_text(paper: Paper) -> str:
    return paper.title + FIELD_SEPARATOR + paper.abstract


def mentions_of(doc: Doc, paper: Paper, min_confidence: float = 0.0) -> tuple[Mention, ...]:
    """The resolved candidates of `doc` as mentions with field-relative offsets."""
    title_end = len(paper.title)
    abstract_start = title_end + len(FIELD_SEPARATOR)
    text = text_of(doc)
    title, abstract = Field.TITLE, Field.ABSTRACT
    out = []
    for cand in candidates(doc):
        if cand.confidence < min_confidence:
            continue
        start, end = cand.start, cand.end
        if end <= title_end:
            field, offset = title, 0
        elif start >= abstract_start:
            field, offset = abstract, abstract_start
        else:
            continue  # spans the title/abstract boundary: not a real mention
        # Mention's fields in order: field, start, end, text, label, key, confidence,
        # component, role, long_form (positional: a mention per candidate adds up)
        out.append(Mention(field, start - offset, end - offset, text[start:end], cand.label, cand.key, cand.confidence,
                           cand.component, cand.role, cand.canonical))
    return tuple(out)


def extract_papers(
    papers: Iterable[Paper], nlp: Language | None = None, *, batch_size: int = 64, min_confidence: float = 0.0
) -> Iterator[ExtractedPaper]:
    """Stream papers through the pipeline in batches; yields one ExtractedPaper per paper."""
    nlp = nlp or create_pipeline()
    stream = ((doc_text(p), p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        mentions = mentions_of(doc, paper, min_confidence)
        urls = dict.fromkeys(m.key for m in mentions if m.label == REPOSITORY)
        kept = {(m.label, m.key) for m in mentions} if min_confidence > 0 else None
        yield ExtractedPaper(paper, mentions, tuple(repository_from_url(u) for u in urls), results_of(doc, paper, kept))


__all__ = ["COMPONENTS", "MODEL_COMPONENT", "create_pipeline", "extract_papers", "mentions_of"]
