"""Property-based tests: arbitrary Unicode never breaks the parsers or the pipeline."""

import json
from datetime import date
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.normalize.numbers import find_numbers, parse_number
from extractor.normalize.timex import DateContext, find_dates
from extractor.schema import TIMEX_RE, OutputDocument

NEWSY = st.sampled_from([
    "$", "£", "€", "A$", "%", " percent", " per cent", "1", "2,022", "105 ,000", "29 240", "1.1K",
    " million", "-billion", "a quarter-million", "May", "May 6-7", "Dec. 26-27", "Fiscal Year",
    "2024", "2023-24", "last", " week", "Tuesday", "the past two years", " ago", "the end of",
    "U.S.", "Border Patrol", "DHS", "migrants", "removed", "visas", " ", "\n", "\n\n", "—", "#",
])
TEXT = st.lists(st.one_of(st.text(max_size=12), NEWSY), max_size=40).map("".join)
PUBLISHED = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_number_finder_offsets_are_valid(text):
    for number in find_numbers(text):
        assert 0 <= number.start < number.end <= len(text)
        assert text[number.start:number.end] == number.text
        assert parse_number(number.text) is not None or number.text != number.text.strip()


@settings(max_examples=300, deadline=None)
@given(TEXT, PUBLISHED, st.sampled_from([None, "past", "future"]))
def test_date_finder_values_are_timex(text, published, tense):
    context = DateContext(published=published, tense_at=lambda offset: tense)
    for found in find_dates(text, context):
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start:found.end] == found.text
        assert found.value is None or TIMEX_RE.match(found.value)


OUTPUT_SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "models" / "schema" / "output.schema.json")
    .read_text(encoding="utf-8"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, PUBLISHED)
def test_pipeline_output_is_valid_for_any_text(extractor, text, published):
    record = extractor.extract(text, published=published.isoformat() if published else None)
    OutputDocument.model_validate(record)
    jsonschema.validate(record, OUTPUT_SCHEMA)
    for span in record["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert text[span["start"]:span["end"]] == span["text"]
