"""Shared fixtures: paths of the shipped corpus, gold files and test articles."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def corpus_dir() -> Path:
    return ROOT / "corpus"


@pytest.fixture
def gold_dir() -> Path:
    return ROOT / "annotations"
