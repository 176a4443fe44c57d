"""The typing rules on sentences written for these tests (tests/cases/figure_typing.jsonl):
spec v2 section 8's decided cases, each rule with two or three wordings of its own."""

import json
from collections import Counter
from pathlib import Path

import pytest

from extractor.pipeline import Extractor

CASES = [json.loads(line) for line in
         (Path(__file__).resolve().parent / "cases" / "figure_typing.jsonl")
         .read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def rules():
    return Extractor(figures={"typing": "rules"})


def test_every_rule_has_at_least_two_wordings():
    per_rule = Counter(case["rule"] for case in CASES)
    assert min(per_rule.values()) >= 2, per_rule


@pytest.mark.parametrize("case", CASES, ids=[f"{c['id']}-{c['rule']}" for c in CASES])
def test_rules_type_each_figure_as_the_spec_decides(rules, case):
    facts = rules.extract(case["text"], published="2024-05-07")["facts"]
    assert [(f["text"], f["label"]) for f in facts] == \
        [(e["text"], e["label"]) for e in case["expected"]]


def test_a_breakdown_takes_the_label_only_from_the_sentence_just_before(rules):
    # two sentences on, the removal no longer decides what a bare list counts
    text = ("Officials deported 4,400 people in March. The ministry blamed the weather. "
            "Lesbos (1,200) and Samos (800) were the busiest islands.")
    facts = rules.extract(text, published="2024-05-07")["facts"]
    assert [(f["text"], f["label"]) for f in facts] == [("4,400", "REMOVALS")]


def test_an_interior_arrest_is_people_only_in_its_own_clause(rules):
    text = ("Police caught 260 migrants in a raid on a farm, while guards stopped 900 people "
            "at the frontier.")
    facts = rules.extract(text, published="2024-05-07")["facts"]
    assert [(f["text"], f["label"]) for f in facts] == [("260", "PEOPLE"), ("900", "ENCOUNTERS")]
