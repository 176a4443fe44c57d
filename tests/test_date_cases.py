"""Every case of tests/cases/dates.jsonl through the real `migrex_dates` component.

The article's country is forced by setting `doc._.country` before the pipeline runs: the date
component detects a country only when none is set, so the case's country decides day/month
order and financial years exactly as a detected one would.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from extractor.components.attributes import DATES_KEY

CASES = Path(__file__).resolve().parent / "cases"
KNOWN_FAILURES = CASES / "dates_known_failures.txt"


def load_cases() -> list[dict]:
    lines = (CASES / "dates.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def known_failures() -> dict[str, str]:
    """Case id -> the reason it is expected to fail (lines 'id  reason', '#' comments)."""
    reasons: dict[str, str] = {}
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            case_id, _, reason = line.partition(" ")
            reasons[case_id] = reason.strip()
    return reasons


def predict_all(nlp, cases: list[dict]) -> dict[str, list[dict]]:
    """Case id -> the predicted DATE spans [{'text', 'value'}] in text order."""
    def docs():
        for case in cases:
            doc = nlp.make_doc(case["text"])
            doc._.published = case["published"]
            doc._.country = case["country"]
            yield doc

    predicted = {}
    for case, doc in zip(cases, nlp.pipe(docs(), batch_size=64)):
        spans = sorted(doc.spans[DATES_KEY], key=lambda span: span.start_char)
        predicted[case["id"]] = [{"text": span.text, "value": span._.value} for span in spans]
    return predicted


def expected_spans(case: dict) -> list[dict]:
    return [{"text": item["text"], "value": item["value"]} for item in case["expected"]]


@cache
def _predictions() -> dict[str, list[dict]]:
    from extractor.pipeline import build_nlp

    return predict_all(build_nlp(), load_cases())


def _params():
    failing = known_failures()
    for case in load_cases():
        marks = [pytest.mark.xfail(strict=True, reason=failing[case["id"]])] \
            if case["id"] in failing else []
        yield pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", _params())
def test_date_case(case):
    assert _predictions()[case["id"]] == expected_spans(case), case["text"]


def test_known_failures_name_real_cases_with_reasons():
    ids = {case["id"] for case in load_cases()}
    for case_id, reason in known_failures().items():
        assert case_id in ids and reason, case_id
