"""Every case of tests/cases/numbers.jsonl through the real pipeline's figures.

The article's country is forced by setting `doc._.country` before the pipeline runs (the
figure component detects a country only when none is set). Money must come out as MONEY with
its span, value and currency, percentages as PERCENT; a count may carry any count label
(typing is issue 13), but its span and value must match. Every other figure is an error, so
the negative cases pass only when the sentence yields just the figures they list.
"""

from __future__ import annotations

import math
from functools import cache

import pytest

from case_tables import case_params, known_failures, load_cases
from extractor.components.attributes import FIGURES_KEY

TABLE, KNOWN_FAILURES = "numbers.jsonl", "numbers_known_failures.txt"
KINDS = {"MONEY": "money", "PERCENT": "percent"}  # every other figure label is a count


def predict_all(nlp, cases: list[dict]) -> dict[str, list[dict]]:
    """Case id -> the predicted figures [{'text', 'value', 'currency', 'kind'}] in text order."""
    def docs():
        for case in cases:
            doc = nlp.make_doc(case["text"])
            doc._.country = case["country"]
            yield doc

    predicted = {}
    for case, doc in zip(cases, nlp.pipe(docs(), batch_size=64)):
        spans = sorted(doc.spans[FIGURES_KEY], key=lambda span: span.start_char)
        predicted[case["id"]] = [
            {"text": span.text, "value": span._.value, "kind": KINDS.get(span.label_, "count"),
             "currency": span._.currency if span.label_ == "MONEY" else None}
            for span in spans]
    return predicted


def same_figures(expected: list[dict], predicted: list[dict]) -> bool:
    """Same spans, kinds and currencies in the same order, and the same values."""
    return len(expected) == len(predicted) and all(
        (want["text"], want["kind"], want["currency"]) == (got["text"], got["kind"], got["currency"])
        and math.isclose(want["value"], got["value"], rel_tol=1e-9)
        for want, got in zip(expected, predicted))


@cache
def _predictions() -> dict[str, list[dict]]:
    from extractor.pipeline import build_nlp

    return predict_all(build_nlp(), load_cases(TABLE))


@pytest.mark.parametrize("case", case_params(load_cases(TABLE), known_failures(KNOWN_FAILURES)))
def test_number_case(case):
    predicted = _predictions()[case["id"]]
    assert same_figures(case["expected"], predicted), (case["text"], predicted)


def test_known_failures_name_real_cases_with_reasons():
    ids = {case["id"] for case in load_cases(TABLE)}
    for case_id, reason in known_failures(KNOWN_FAILURES).items():
        assert case_id in ids and reason, case_id


def test_every_category_of_the_issue_has_cases():
    categories = {case["category"] for case in load_cases(TABLE)}
    assert {"digits_grouping", "decimals_scale", "scale_fraction", "words_compound",
            "indian_scale", "money_symbol", "money_dollar_variants", "money_iso", "money_names",
            "money_hyphen", "money_range", "percent_range", "percent_points",
            "negative"} <= categories
