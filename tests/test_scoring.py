"""The scorer on small hand-computed cases."""

import pytest

import random

from extractor.scoring import (
    Score,
    clean_predictions,
    fold_canonical,
    match_spans,
    overlapping_pairs,
    score_document,
    values_agree,
)


def span(start, end, label, text="x", **attrs):
    return {"start": start, "end": end, "label": label, "text": text, **attrs}


def scored(gold, pred):
    return scored_with_errors(gold, pred)[0]


def scored_with_errors(gold, pred):
    score = Score()
    score_document(score, "d", gold, clean_predictions(pred).spans)
    return score.as_dict(), score.errors


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
    (None, None, True), ("2024", None, False), (None, "2024", False),
    (1000, "1000", False), (1000, None, False), (1, True, False), (1000, float("nan"), False),
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


def test_money_values_and_facts_need_the_currency():
    gold = [span(0, 8, "MONEY", value=5000000, currency="USD", when="2024")]
    pred = [span(0, 8, "MONEY", value=5000000, currency="CAD", when="2024")]
    result, errors = scored_with_errors(gold, pred)
    assert result["mentions_strict"]["micro"]["tp"] == 1
    assert result["values"]["micro"]["tp"] == 0
    assert result["facts"]["micro"]["tp"] == 0
    assert [e.kind for e in errors if e.level == "values"] == ["CURRENCY"]


def test_two_null_date_values_agree():
    gold = [span(0, 9, "DATE", value=None)]
    assert scored(gold, [span(0, 9, "DATE", value=None)])["values"]["DATE"]["tp"] == 1
    assert scored(gold, [span(0, 9, "DATE", value="2024")])["values"]["DATE"]["tp"] == 0
    # a prediction without a value key does not claim a null value
    assert scored(gold, [span(0, 9, "DATE")])["values"]["DATE"]["tp"] == 0


def test_facts_are_matched_one_to_one_as_a_maximum_matching():
    # 1004 agrees with both gold values (0.5%), 1001 only with 1000: a greedy pass that gives
    # 1004 to 1000 would leave 1009 unmatched; the best one-to-one matching pairs both.
    gold = [span(0, 4, "PEOPLE", value=1000, when=None), span(10, 14, "PEOPLE", value=1009, when=None)]
    pred = [span(20, 24, "PEOPLE", value=1004, when=None), span(30, 34, "PEOPLE", value=1001, when=None)]
    facts = scored(gold, pred)["facts"]["PEOPLE"]
    assert (facts["tp"], facts["pred"], facts["gold"]) == (2, 2, 2)


def test_an_imperfect_span_counts_as_a_mention_and_fails_only_what_it_lacks():
    gold = [span(0, 6, "MONEY", value=300, currency="EUR", when=None),
            span(10, 15, "PEOPLE", value=1200, when="2023"),
            span(20, 27, "DATE", value="2023-05"),
            span(30, 35, "ORG", canonical="Frontex")]
    pred = [span(0, 6, "MONEY", value=300, when=None),            # no currency
            span(10, 15, "PEOPLE", value="1,200", when="2023"),   # value of the wrong type
            span(20, 27, "DATE", value=None),                     # wrong (null) value
            {"start": 30, "end": 35, "label": "ORG"},             # no text, no canonical
            span(40, 44, "NORP", text="Lao"),                     # unknown label
            {"label": "GPE", "text": "Peru"}]                     # no offsets: cannot be a mention
    cleaned = clean_predictions(pred)
    assert cleaned.unknown_labels == {"NORP": 1} and cleaned.unusable == 1
    result = scored(gold, pred)
    assert result["mentions_strict"]["micro"] == {"p": 1.0, "r": 1.0, "f": 1.0,
                                                   "tp": 4, "pred": 4, "gold": 4}
    assert (result["values"]["micro"]["tp"], result["values"]["micro"]["pred"]) == (0, 3)
    assert result["facts"]["micro"]["pred"] == 1  # the MONEY forms a fact (currency None)
    assert result["facts"]["micro"]["tp"] == 0
    assert result["actors"]["ORG"]["tp"] == 0  # no canonical and no text: names nothing


def test_errors_name_every_level():
    gold = [span(0, 10, "ENCOUNTERS", "137,480 mi", value=137480, when="2024-03"),
            span(20, 30, "PEOPLE", value=500, when="2024"),
            span(40, 50, "GPE", canonical="United States"),
            span(60, 70, "ORG", canonical="Home Office")]
    pred = [span(0, 7, "ENCOUNTERS", "137,480", value=137480, when="2024-02"),
            span(20, 30, "PEOPLE", value=600, when="2024"),
            span(40, 50, "GPE", canonical="America"),
            span(80, 85, "PERCENT", value=12, when=None)]
    _, errors = scored_with_errors(gold, pred)
    kinds = sorted(e.kind for e in errors)
    assert kinds == ["ACTOR_FN", "ACTOR_FN", "ACTOR_FP", "BOUNDARY", "FACT_FN", "FACT_FP",
                     "FACT_FP", "FN", "FP", "VALUE", "WHEN"]
    when = next(e for e in errors if e.kind == "WHEN")
    assert "2024-03" in when.detail and "2024-02" in when.detail


def test_sorted_sweep_finds_exactly_the_overlapping_pairs():
    rng = random.Random(7)

    def spans(n):
        out = []
        for _ in range(n):
            start = rng.randrange(0, 400)
            out.append(span(start, start + rng.randrange(0, 30), rng.choice(["ORG", "GPE"])))
        return out

    for _ in range(20):
        gold, pred = spans(40), spans(40)
        brute = {(gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)
                 if g["label"] == p["label"] and g["end"] > g["start"] and p["end"] > p["start"]
                 and min(g["end"], p["end"]) > max(g["start"], p["start"])}
        assert set(overlapping_pairs(gold, pred)) == brute


def test_matching_scales_to_a_hundred_thousand_spans():
    gold = [span(i * 10, i * 10 + 6, "DATE", value="2024") for i in range(100_000)]
    pred = [span(i * 10 + 2, i * 10 + 8, "DATE", value="2024") for i in range(100_000)]
    assert len(match_spans(gold, pred)) == 100_000
