"""The scorer on small hand-computed cases."""

import pytest

from extractor.scoring import Score, fold_canonical, match_spans, score_document, values_agree


def span(start, end, label, text="x", **attrs):
    return {"start": start, "end": end, "label": label, "text": text, **attrs}


def scored(gold, pred):
    score = Score()
    score_document(score, "d", None, gold, pred)
    return score.as_dict()


def test_partial_overlap_is_lenient_not_strict():
    gold = [span(10, 22, "MONEY", value=72700000, currency="USD", when=None)]
    pred = [span(8, 22, "MONEY", value=72700000, currency="USD", when=None)]
    result = scored(gold, pred)
    assert result["mentions_lenient"]["micro"]["tp"] == 1
    assert result["mentions_strict"]["micro"]["tp"] == 0
    assert result["values"]["micro"]["f"] == 1.0


def test_label_must_agree():
    result = scored([span(0, 5, "ORG", canonical="DHS")], [span(0, 5, "GPE", canonical="DHS")])
    assert result["mentions_lenient"]["micro"] == {
        "p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "pred": 1, "gold": 1}


def test_one_to_one_greedy_largest_overlap_first():
    gold = [span(0, 10, "DATE", value="2024"), span(12, 20, "DATE", value="2023")]
    # one long prediction covering both gold spans matches only the larger overlap
    pred = [span(0, 20, "DATE", value="2024")]
    assert match_spans(gold, pred, lambda g, p: True) == [(0, 0)]
    result = scored(gold, pred)
    lenient = result["mentions_lenient"]["DATE"]
    assert (lenient["tp"], lenient["pred"], lenient["gold"]) == (1, 1, 2)
    assert lenient["p"] == 1.0 and lenient["r"] == 0.5 and lenient["f"] == pytest.approx(0.6667)


def test_two_predictions_one_gold_counts_one_false_positive():
    gold = [span(0, 10, "PERSON", canonical="Joe Biden")]
    pred = [span(0, 3, "PERSON", canonical="Joe"), span(4, 10, "PERSON", canonical="Biden")]
    lenient = scored(gold, pred)["mentions_lenient"]["micro"]
    assert (lenient["tp"], lenient["pred"], lenient["gold"]) == (1, 2, 1)


@pytest.mark.parametrize("gold_value, pred_value, agree", [
    (1000, 1004.9, True), (1000, 1005.1, False), (137480, 136000, False),
    (0.5, 0.5, True), (0, 0, True), ("2024-03", "2024-03", True), ("2024-03", "2024", False),
    (None, None, True), ("2024", None, False),
])
def test_value_tolerance_half_percent(gold_value, pred_value, agree):
    assert values_agree(gold_value, pred_value) is agree


def test_values_level_counts_only_agreeing_values():
    gold = [span(0, 7, "ENCOUNTERS", value=137480, when="2024-03"),
            span(20, 25, "DATE", value="2024-03")]
    pred = [span(0, 7, "ENCOUNTERS", value=137480, when=None),
            span(20, 25, "DATE", value="2023-03")]
    result = scored(gold, pred)
    assert result["values"]["ENCOUNTERS"]["tp"] == 1
    assert result["values"]["DATE"]["tp"] == 0
    # facts need the right `when` too
    assert result["facts"]["micro"]["tp"] == 0


@pytest.mark.parametrize("name, folded", [
    ("The State Department", "state department"), ("U.S.", "us"),
    ("the   Department of Homeland Security", "department of homeland security"),
    ("Theodore Roosevelt", "theodore roosevelt"),
])
def test_canonical_folding(name, folded):
    assert fold_canonical(name) == folded


def test_actor_level_is_a_set_of_folded_canonicals():
    gold = [span(0, 4, "GPE", canonical="United States"), span(10, 14, "GPE", canonical="United States"),
            span(20, 23, "ORG", canonical="Department of Homeland Security")]
    pred = [span(0, 4, "GPE", canonical="united states."),
            span(20, 23, "ORG", canonical="DHS")]
    actors = scored(gold, pred)["actors"]
    assert actors["GPE"]["tp"] == 1 and actors["GPE"]["gold"] == 1
    assert actors["ORG"]["tp"] == 0


def test_facts_match_within_tolerance_one_to_one():
    gold = [span(0, 5, "PEOPLE", value=690000, when="2024"),
            span(9, 14, "PEOPLE", value=690001, when="2024")]
    pred = [span(30, 35, "PEOPLE", value=690100, when="2024")]
    facts = scored(gold, pred)["facts"]["PEOPLE"]
    assert (facts["tp"], facts["pred"], facts["gold"]) == (1, 1, 2)


def test_empty_prediction_scores_zero_recall():
    result = scored([span(0, 4, "GPE", canonical="Peru")], [])
    assert result["mentions_lenient"]["micro"]["r"] == 0.0
    assert result["mentions_lenient"]["micro"]["p"] == 0.0
