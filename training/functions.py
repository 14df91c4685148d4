"""Code `spacy train` and `spacy pretrain` load with --code: registers kg's suggester and
scorer (kg.extract.ner) and the mention-replacement augmenter (training/augment.py)."""

import sys
from pathlib import Path

import kg.extract.ner  # noqa: F401  (registers kg.phrase_suggester.v1, kg.scierc_scorer.v1)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import augment  # noqa: E402,F401  (registers kg.mention_replacement.v1)
