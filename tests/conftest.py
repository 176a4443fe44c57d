"""Shared fixtures: paths of the shipped corpus, gold files and test articles."""

import subprocess
import sys
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


@pytest.fixture(scope="session")
def extractor():
    from extractor.pipeline import Extractor

    return Extractor()


def spans_by_text(record: dict) -> dict[str, dict]:
    """The record's spans keyed by their text (last one wins)."""
    return {span["text"]: span for span in record["spans"]}


def python_output(probe: str) -> str:
    """The standard output of `probe` run by this Python in a fresh process (which must
    succeed): for what a process imports or does at start-up."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout
