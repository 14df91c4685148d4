"""Code `spacy train` and `spacy pretrain` load with --code: registers kg's scorer."""

import kg.extract.ner  # noqa: F401  (registers kg.scierc_scorer.v1)
