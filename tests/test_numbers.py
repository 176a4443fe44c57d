"""The number parser on every form the spec names, and the tricky ones."""

import pytest

from extractor.normalize.numbers import find_numbers, parse_number


@pytest.mark.parametrize("text, value", [
    ("$72.7 million", 72_700_000), ("137,480", 137_480), ("7 million", 7_000_000),
    ("40%", 40), ("45 percent", 45), ("119 per cent", 119), ("a quarter-million", 250_000),
    ("1.1K", 1_100), ("29 240", 29_240), ("$115million", 115_000_000), ("50 cents", 0.5),
    ("$2.8 billion", 2_800_000_000), ("£480m", 480_000_000),
    ("€2 billion", 2_000_000_000), ("A$1.3 billion", 1_300_000_000), ("US$ 45 million", 45_000_000),
    ("$1.3bn", 1_300_000_000), ("$1.3-billion", 1_300_000_000), ("seven million", 7_000_000),
    ("twenty-five", 25), ("half a million", 500_000), ("3.5%", 3.5), ("2,022", 2_022),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, currency", [
    ("$5 million", "$"), ("A$5 million", "AUD"), ("C$5 million", "CAD"), ("£5m", "GBP"),
    ("€5m", "EUR"), ("US$5m", "USD"), ("5 million euros", "EUR"), ("40 cents", "$"),
])
def test_currency_marks(text, currency):
    (number,) = find_numbers(text)
    assert number.currency == currency


def test_numbers_are_found_with_exact_offsets():
    text = "Agents made over 690,000 arrests, up 12 percent, at a cost of $2.8 billion in 2022."
    found = find_numbers(text)
    assert [text[n.start:n.end] for n in found] == ["690,000", "12 percent", "$2.8 billion", "2022"]
    assert [n.percent for n in found] == [False, True, False, False]


def test_range_is_two_numbers():
    assert [n.value for n in find_numbers("between 35,000 to 50,000 detections")] == [35_000, 50_000]


@pytest.mark.parametrize("text", ["3rd", "H-2B", "COVID-19", "the 5th", "5 m"])
def test_not_numbers(text):
    assert find_numbers(text) == []


def test_glued_scale_letters_and_the_letter_b():
    # glued "m"/"k" are scales ("2.4m residents"); a spaced "m" is metres; "b" needs money
    assert parse_number("2.4m") == 2_400_000 and parse_number("70k") == 70_000
    assert find_numbers("a wall 6 m high") == []
    assert parse_number("5b") is None and parse_number("$5b") == 5_000_000_000


def _found(text: str, country: str | None = None) -> list[tuple]:
    return [(n.text, n.value, n.currency, n.percent) for n in find_numbers(text, country)]


@pytest.mark.parametrize("text, value", [
    ("nine hundred and ninety-nine thousand", 999_000), ("two dozen", 24),
    ("a million and a half", 1_500_000), ("seven and a half thousand", 7_500),
    ("four thousand three hundred", 4_300), ("sixty-two thousand and eleven", 62_011),
    ("a quarter of a billion", 250_000_000), ("three-quarters of a million", 750_000),
    ("half a lakh", 50_000), ("2 lakh 40 thousand", 240_000), ("₹3.5 lakh crore", 3.5e12),
    ("Seventeen", 17), ("fourteen thousand", 14_000), ("two thousand and nine", 2_009),
])
def test_word_compositions_are_one_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, country, value", [
    ("Police counted 4.250 arrivals.", "DE", 4_250), ("Police counted 4.250 arrivals.", "US", 4.25),
    ("Officials reported 7'800 requests.", "CH", 7_800), ("The total was 7\u202f800.", "FR", 7_800),
    ("Some 15,20,000 voters moved.", "IN", 1_520_000), ("Spending hit €3.400.000.", "IT", 3_400_000),
])
def test_digit_grouping_follows_the_country(text, country, value):
    assert [number.value for number in find_numbers(text, country)] == [value]


def test_apostrophe_grouping_is_swiss_only():
    assert find_numbers("Officials reported 7'800 requests.", "GB") == []


@pytest.mark.parametrize("text, country, currency, value", [
    ("The levy is ¥4,500 a head.", "JP", "JPY", 4_500), ("It paid Tk 40 crore.", "BD", "BDT", 4e8),
    ("The fund holds 5,000 Norwegian kroner.", "NO", "NOK", 5_000),
    ("Each got 900 kroner.", "NO", "NOK", 900), ("Each got 900 kroner.", "DK", "DKK", 900),
    ("The fee was 2,000 rupees.", "LK", "LKR", 2_000), ("The fee was 2,000 rupees.", "IN", "INR", 2_000),
    ("Fares were 300 pesos.", "CO", "COP", 300), ("Fares were 300 pesos.", "GB", "MXN", 300),
    ("The ministry set aside NT$5 million.", "TW", "TWD", 5_000_000),
    ("Grants of 80 francs a day", "CH", "CHF", 80), ("A coffee costs 90p.", "GB", "GBP", 0.9),
    ("The council spent 3 million pounds sterling.", "GB", "GBP", 3_000_000),
    ("The plan costs EUR4.5bn over a decade.", "EU", "EUR", 4.5e9),
    ("Bail was set at 600 €.", "FR", "EUR", 600),
])
def test_currencies_from_signs_codes_and_names(text, country, currency, value):
    ((_, found_value, found_currency, _),) = _found(text, country)
    assert (found_currency, found_value) == (currency, value)


@pytest.mark.parametrize("text, expected", [
    ("The bill would cost $12-15 billion.", [("$12", 12e9, "$", False), ("15 billion", 15e9, "$", False)]),
    ("Claims rose 8-10% this spring.", [("8", 8, None, True), ("10%", 10, None, True)]),
    ("between 3 and 4 per cent", [("3", 3, None, True), ("4 per cent", 4, None, True)]),
    ("from 400 to 1.1 million people", [("400", 400, None, False), ("1.1 million", 1_100_000, None, False)]),
    ("a 12-percent drop", [("12-percent", 12, None, True)]),
    ("a 2.1-billion-dollar package", [("2.1-billion-dollar", 2.1e9, "$", False)]),
    ("half a percentage point", [("half a percentage point", 0.5, None, True)]),
])
def test_ranges_hyphens_and_percentages(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Ring 0300 123 4567 or +33 1 23 45 67 89 for help.", "The bus left at 6.45 p.m.",
    "Lawyers cited Regulation 604 and Section 8.", "The family filed Form I-130.",
    "Three out of 10 applicants failed.", "one in every four residents", "The team won 2-1.",
    "a 40-strong team", "the 12-month pilot", "children aged between 6 and 11",
    "a 9 km walk", "12 tonnes of food", "Open 24/7.", "Agent 007 left.",
    "Families with children under 12 were moved first.", "Kids over the age of 14 may apply.",
])
def test_text_that_is_no_figure(text):
    assert find_numbers(text) == []
