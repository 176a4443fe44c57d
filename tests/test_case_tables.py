"""The case tables themselves are well formed: ids, exact substrings in order, valid values."""

import json
from pathlib import Path

import pytest

from extractor.schema import TIMEX_RE, _check_calendar

CASES = Path(__file__).resolve().parent / "cases"
KEYS = {"dates.jsonl": {"id", "category", "text", "published", "country", "expected"},
        "numbers.jsonl": {"id", "category", "text", "country", "expected"}}


def _rows(name):
    return [json.loads(line) for line in (CASES / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.parametrize("name", sorted(KEYS))
def test_rows_have_unique_ids_and_spans_in_order(name):
    rows = _rows(name)
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row) == KEYS[name], row["id"]
        position = 0
        for item in row["expected"]:
            found = row["text"].find(item["text"], position)
            assert found >= 0, (row["id"], item["text"])
            position = found + len(item["text"])


def test_date_values_are_calendar_valid_timex():
    for row in _rows("dates.jsonl"):
        for item in row["expected"]:
            if item["value"] is not None:
                assert TIMEX_RE.match(item["value"]), (row["id"], item["value"])
                _check_calendar(item["value"])


def test_number_values_are_numbers_and_only_money_has_a_currency():
    for row in _rows("numbers.jsonl"):
        for item in row["expected"]:
            assert isinstance(item["value"], (int, float)) and not isinstance(item["value"], bool)
            assert item["kind"] in ("money", "percent", "count"), row["id"]
            assert (item["currency"] is not None) == (item["kind"] == "money"), row["id"]


@pytest.mark.parametrize("value", ["2022-WI", "2023-W52", "2024-SU/2024-WI"])
def test_winter_seasons_and_iso_weeks_are_both_valid(value):
    assert _check_calendar(value) == value
