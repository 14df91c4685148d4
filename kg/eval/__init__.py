"""Extraction quality: `kg eval` on SciERC (kg.eval.run), the scoring functions
(kg.eval.scoring), the SciERC reader (kg.eval.scierc), the hand-checked proposes/uses
sample (kg.eval.roles) and the extraction speed check (kg.eval.speed)."""
