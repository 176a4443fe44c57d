"""The span labels, declared once in `models/labels.json`: name, group, attributes, colour,
description and (for figures) how the label is decided. Everything that lists labels (the
schema's literals, the report's colours, the figure lexicon, the classifier's classes) reads
them from here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .data import load_json

LABELS_FILE = "labels.json"
GROUPS = ("actors", "time", "figures")
TYPINGS = ("currency", "percent", "general", "specific")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")  # goes into HTML style attributes as is


@dataclass(frozen=True)
class LabelSpec:
    """One declared label."""

    name: str
    group: str
    attributes: tuple[str, ...]
    colour: str
    description: str
    typing: str | None = None  # figures only: currency, percent, general or specific


def parse_labels(data: dict) -> tuple[LabelSpec, ...]:
    """The declarations of a labels file, checked (ValueError names the bad entry)."""
    labels = []
    for entry in data["labels"]:
        spec = LabelSpec(entry["name"], entry["group"], tuple(entry["attributes"]),
                         entry["colour"], entry["description"], entry.get("typing"))
        if not _COLOUR.match(spec.colour):
            raise ValueError(f"{LABELS_FILE}: {spec.name}: colour {spec.colour!r} is not #rrggbb")
        if spec.group not in GROUPS:
            raise ValueError(f"{LABELS_FILE}: {spec.name}: group {spec.group!r} is not one of "
                             f"{', '.join(GROUPS)}")
        if (spec.group == "figures") != (spec.typing in TYPINGS):
            raise ValueError(f"{LABELS_FILE}: {spec.name}: a figure label needs a typing, one "
                             f"of {', '.join(TYPINGS)} (and only figure labels have one)")
        labels.append(spec)
    names = [spec.name for spec in labels]
    if len(set(names)) != len(names):
        raise ValueError(f"{LABELS_FILE}: a label is declared twice")
    for typing in ("currency", "percent", "general"):
        if sum(spec.typing == typing for spec in labels) != 1:
            raise ValueError(f"{LABELS_FILE}: exactly one figure label has typing {typing!r}")
    return tuple(labels)


@cache
def declared_labels() -> tuple[LabelSpec, ...]:
    """The labels of the data directory's `labels.json`."""
    return parse_labels(load_json(LABELS_FILE))


def names_in(labels: tuple[LabelSpec, ...], group: str) -> tuple[str, ...]:
    """The names of the labels of one group, in declaration order."""
    return tuple(spec.name for spec in labels if spec.group == group)


def typed_by(labels: tuple[LabelSpec, ...], typing: str) -> tuple[str, ...]:
    """The figure labels decided one way (e.g. every 'specific' label)."""
    return tuple(spec.name for spec in labels if spec.typing == typing)


# every label list comes from the one declaration, models/labels.json (here, not in schema.py:
# extraction needs the names without building the pydantic models)
_DECLARED = declared_labels()
ACTOR_LABELS: tuple[str, ...] = names_in(_DECLARED, "actors")
(DATE_LABEL,) = names_in(_DECLARED, "time")
FIGURE_LABELS: tuple[str, ...] = names_in(_DECLARED, "figures")
# figure labels that carry a currency (MONEY); the others are the counts and PERCENT
CURRENCY_LABELS: tuple[str, ...] = tuple(
    spec.name for spec in _DECLARED if spec.group == "figures" and "currency" in spec.attributes)
LABELS: tuple[str, ...] = ACTOR_LABELS + (DATE_LABEL,) + FIGURE_LABELS
VALUE_LABELS: tuple[str, ...] = (DATE_LABEL,) + FIGURE_LABELS
