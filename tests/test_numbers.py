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


def test_scale_letter_needs_a_currency():
    # "5m" alone may be metres; "$5m" is money
    assert parse_number("5m") is None and parse_number("$5m") == 5_000_000
