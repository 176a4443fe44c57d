"""Every case of tests/cases/dates.jsonl through the real `migrex_dates` component.

The article's country is forced by setting `doc._.country` before the pipeline runs: the date
component detects a country only when none is set, so the case's country decides day/month
order and financial years exactly as a detected one would.
"""

from __future__ import annotations

from functools import cache

import pytest

import case_tables
from extractor.components.attributes import DATES_KEY


def load_cases() -> list[dict]:
    return case_tables.load_cases("dates.jsonl")


def known_failures() -> dict[str, str]:
    return case_tables.known_failures("dates_known_failures.txt")


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


@pytest.mark.parametrize("case", case_tables.case_params(load_cases(), known_failures()))
def test_date_case(case):
    assert _predictions()[case["id"]] == expected_spans(case), case["text"]


def test_known_failures_name_real_cases_with_reasons():
    ids = {case["id"] for case in load_cases()}
    for case_id, reason in known_failures().items():
        assert case_id in ids and reason, case_id
