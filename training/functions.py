"""Code `spacy train` and `spacy pretrain` load with --code: registers kg's suggester and
scorer (kg.phrase_suggester.v1, kg.scierc_scorer.v1)."""

import kg.extract.ner  # noqa: F401
