"""Custom attributes under `Doc._` and `Span._`, and the span-group keys migrex writes."""

from __future__ import annotations

from spacy.tokens import Doc, Span

DATES_KEY = "migrex_dates"
FIGURES_KEY = "migrex_figures"
ACTORS_KEY = "migrex_actors"

for name in ("published", "country"):
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)
for name in ("value", "canonical", "currency", "when", "role", "source", "where"):
    if not Span.has_extension(name):
        Span.set_extension(name, default=None)


def char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """A token span covering [start, end) exactly, or expanded to token edges."""
    return doc.char_span(start, end, label=label, alignment_mode="expand")
