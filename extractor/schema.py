"""Pydantic models of gold and output files (the spec's sections 2, 3, 5 and 7)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from .labels import ACTOR_LABELS, CURRENCY_LABELS, DATE_LABEL, FIGURE_LABELS

_COUNT_LABELS = tuple(name for name in FIGURE_LABELS if name not in CURRENCY_LABELS)

_TIMEX_POINT = r"\d{4}(?:-\d{2}(?:-\d{2})?|-Q[1-4]|-W\d{2}|-(?:SP|SU|FA|WI))?|FY\d{4}"
TIMEX_PATTERN = rf"^(?:{_TIMEX_POINT})(?:/(?:{_TIMEX_POINT}))?$"
TIMEX_RE = re.compile(TIMEX_PATTERN)



def _check_calendar(value: str) -> str:
    """Reject TIMEX strings whose month, day or week does not exist (e.g. `2024-13`)."""
    for point in value.split("/"):
        parts = point.split("-")
        if len(parts) >= 2 and parts[1].isdigit() and not 1 <= int(parts[1]) <= 12:
            raise ValueError(f"month {parts[1]} out of range in {value!r}")
        if len(parts) == 3:
            date.fromisoformat(point)  # raises ValueError for a day that does not exist
        if len(parts) == 2 and parts[1].startswith("W") and parts[1][1:].isdigit():
            date.fromisocalendar(int(parts[0]), int(parts[1][1:]), 1)
    return value


Timex = Annotated[str, Field(pattern=TIMEX_PATTERN), AfterValidator(_check_calendar)]
# The largest figure value taken as real (a thousand trillion): beyond it a value is an error.
MAX_FIGURE_VALUE = 1e15
Number = Annotated[Union[StrictInt, Annotated[float, Field(strict=True, allow_inf_nan=False)]],
                   Field(ge=-MAX_FIGURE_VALUE, le=MAX_FIGURE_VALUE)]


class _Span(BaseModel):
    model_config = ConfigDict(extra="allow")

    start: StrictInt = Field(ge=0)
    end: StrictInt = Field(ge=1)
    text: str = Field(min_length=1)


class ActorSpan(_Span):
    label: Literal[ACTOR_LABELS]
    canonical: str = Field(min_length=1)
    id: str | None = Field(None, min_length=1, description=(
        "Output only, beyond the spec (section 7 allows extra keys): the gazetteer id of the "
        "actor, the same in every document ('iso:US', 'iso:US-TX', 'geonames:5520993', "
        "'Department of Homeland Security' for DHS too); absent when the actor is not in it."))


class DateSpan(_Span):
    label: Literal[DATE_LABEL]
    value: Timex | None


class MoneySpan(_Span):
    label: Literal[CURRENCY_LABELS]
    value: Number
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    when: Timex | None


class CountSpan(_Span):
    label: Literal[_COUNT_LABELS]
    value: Number
    when: Timex | None


Span = Annotated[Union[ActorSpan, DateSpan, MoneySpan, CountSpan], Field(discriminator="label")]


class GoldDocument(BaseModel):
    """A gold file: `annotations/<doc_id>.json`."""

    model_config = ConfigDict(extra="allow")

    doc_id: str = Field(min_length=1)
    published: str | None = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    spans: list[Span]


class Fact(BaseModel):
    """One row of the facts table: a figure with what it counts and when."""

    model_config = ConfigDict(extra="allow")

    label: Literal[FIGURE_LABELS]
    value: Number
    currency: str | None = None
    when: Timex | None
    text: str
    start: StrictInt
    end: StrictInt
    source: str | None = None
    where: str | None = None
    sentence: str


class OutputDocument(BaseModel):
    """One extracted document, as `migrex extract` writes it (spec section 7)."""

    model_config = ConfigDict(extra="allow")

    doc_id: str = Field(min_length=1)
    published: str | None = None
    spans: list[Span]
    facts: list[Fact] = []


def json_schemas() -> dict[str, dict]:
    """The JSON Schemas shipped in `models/schema/`, keyed by file name."""
    return {
        "gold.schema.json": GoldDocument.model_json_schema(),
        "output.schema.json": OutputDocument.model_json_schema(),
    }


if __name__ == "__main__":  # python -m extractor.schema: regenerate models/schema/*.json
    import json
    from pathlib import Path

    for name, schema in json_schemas().items():
        target = Path(__file__).resolve().parent.parent / "models" / "schema" / name
        target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
