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
def _nlp():
    from extractor.pipeline import build_nlp

    return build_nlp()


@cache
def _predictions() -> dict[str, list[dict]]:
    return predict_all(_nlp(), load_cases())


@pytest.mark.parametrize("case", case_tables.case_params(load_cases(), known_failures()))
def test_date_case(case):
    assert _predictions()[case["id"]] == expected_spans(case), case["text"]


def test_known_failures_name_real_cases_with_reasons():
    ids = {case["id"] for case in load_cases()}
    for case_id, reason in known_failures().items():
        assert case_id in ids and reason, case_id


# Sentences of our own for each class the grammar decides by the verb or by a neighbour
# (the case table holds one of each; these say the rule is a rule, not that case).
@pytest.mark.parametrize("text, published, expected", [
    # a past verb of planning names a date still to come; other past verbs keep the past
    ("The ministry proposed 12 September as the start of the new screening.", "2023-09-02",
     [("12 September", "2023-09-12")]),
    ("Officials postponed the hearing to 4 February, lawyers for 30 families said.",
     "2025-01-20", [("4 February", "2025-02-04")]),
    ("The ministry closed the centre on 12 September after 40 arrivals.", "2023-09-02",
     [("12 September", "2022-09-12")]),
    # a present passive is not past: the nearer date
    ("Visa requests are accepted on 2 April only, for 300 places.", "2024-03-20",
     [("2 April", "2024-04-02")]),
    ("Visa requests were accepted on 2 April only, for 300 places.", "2024-03-20",
     [("2 April", "2023-04-02")]),
    # in the present tense a month six months either way is the coming one
    ("The agreement with 14 partners expires in January.", "2024-07-05",
     [("January", "2025-01")]),
    ("The agreement with 14 partners expired in January.", "2024-07-05",
     [("January", "2024-01")]),
    # the reporting verb's tense is the saying's, not the date's
    ("Registrations open March 10, the council said.", "2025-02-20",
     [("March 10", "2025-03-10")]),
    # "last quarter" is the quarter before the current one; "the last quarter of" a year its Q4
    ("Asylum claims fell last quarter, 2,300 fewer than before.", "2023-08-14",
     [("last quarter", "2023-Q2")]),
    ("Asylum claims fell in the last quarter of 2022.", "2023-08-14",
     [("the last quarter of 2022", "2022-Q4")]),
    # "Month D of YEAR"
    ("On March 3 of 2022, the camp closed.", "2024-01-01", [("March 3 of 2022", "2022-03-03")]),
    ("The visas issued on 9 May of 2021 expired.", "2024-01-01", [("9 May of 2021", "2021-05-09")]),
    # an abbreviated month alone, with its dot, after a cue word
    ("Returns resumed in Dec. and have continued.", "2024-02-10", [("Dec.", "2023-12")]),
    ("Jan. Novak, a lawyer, said 40 cases were pending.", "2024-02-10", []),
    # "May" opening a sentence: the month before a finite verb, the modal before a bare one
    ("May brought 4,000 arrivals to the islands.", "2024-08-15", [("May", "2024-05")]),
    ("May the talks bring 4,000 places, the bishop said.", "2024-08-15", []),
    ("Theresa May spoke first. May said 4,000 places were enough.", "2018-08-15", []),
    # a year-shaped count before plural people is a count; a year before other nouns a year
    ("Some 1500 asylum seekers were moved to the barracks.", "2024-05-01", []),
    ("In 2019 refugees waited 40 weeks on average.", "2024-05-01", [("2019", "2019")]),
    ("The 2022 elections changed the 3 rules.", "2024-05-01", [("2022", "2022")]),
    # "the same week" is the week of the date just named
    ("The court ruled on 4 March 2024 and the ministry appealed the same week.", "2024-05-01",
     [("4 March 2024", "2024-03-04"), ("the same week", "2024-W10")]),
])
def test_rules_decided_by_the_verb_or_a_neighbour(text, published, expected):
    case = {"id": "own", "text": text, "published": published, "country": "US"}
    assert predict_all(_nlp(), [case])["own"] == [
        {"text": span, "value": value} for span, value in expected]

