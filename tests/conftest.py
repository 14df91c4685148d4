"""Shared fixtures of the stage tests: the fixture folder and one extraction pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def nlp():
    """The rules-only pipeline: its output is exact and stable (the model's is tested in test_ner)."""
    from kg.extract import create_pipeline

    return create_pipeline(fast=True)
