"""Reading the case tables of tests/cases/ and their known-failure lists, for the case tests
and the eval/scripts reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

CASES = Path(__file__).resolve().parent / "cases"


def load_cases(name: str) -> list[dict]:
    """The rows of a JSON Lines table under tests/cases/."""
    lines = (CASES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def known_failures(name: str) -> dict[str, str]:
    """Case id -> the reason it is expected to fail (lines 'id  reason', '#' comments)."""
    reasons: dict[str, str] = {}
    for line in (CASES / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            case_id, _, reason = line.partition(" ")
            reasons[case_id] = reason.strip()
    return reasons


def case_params(cases: list[dict], failing: dict[str, str]) -> Iterator:
    """One pytest param per case, id = case id; known failures are xfail(strict=True)."""
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=failing[case["id"]])] \
            if case["id"] in failing else []
        yield pytest.param(case, id=case["id"], marks=marks)
