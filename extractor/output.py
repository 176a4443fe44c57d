"""Turning an analysed Doc into the output record (spec section 7) and its facts table."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .components.attributes import ACTORS_KEY, DATES_KEY, FIGURES_KEY
from .io import Document
from .labels import ACTOR_LABELS, CURRENCY_LABELS, DATE_LABEL, FIGURE_LABELS


def _span_record(span: Span) -> dict:
    record = {"start": span.start_char, "end": span.end_char, "label": span.label_,
              "text": span.text}
    if span.label_ in ACTOR_LABELS:
        record["canonical"] = span._.canonical
        if span.id_:
            record["id"] = span.id_
        if span._.role:
            record["role"] = span._.role
    elif span.label_ == DATE_LABEL:
        record["value"] = span._.value
    else:
        record["value"] = span._.value
        if span.label_ in CURRENCY_LABELS:
            record["currency"] = span._.currency
        record["when"] = span._.when
        for key in ("when_rule", "source", "where"):
            if getattr(span._, key):
                record[key] = getattr(span._, key)
    return record


def collect_spans(doc: Doc) -> list[Span]:
    """Dates, then figures, then actors; a later span overlapping an earlier one is dropped."""
    kept: list[Span] = []
    for key in (DATES_KEY, FIGURES_KEY, ACTORS_KEY):
        for span in doc.spans.get(key, []):
            if not any(span.start_char < k.end_char and k.start_char < span.end_char
                       for k in kept):
                kept.append(span)
    return sorted(kept, key=lambda s: (s.start_char, s.end_char))


def doc_to_record(doc: Doc, document: Document) -> dict:
    """The output object of one document: metadata, spans and facts."""
    spans = collect_spans(doc)
    record: dict = {"doc_id": document.doc_id, "published": document.published}
    for key in ("title", "source"):
        if getattr(document, key):
            record[key] = getattr(document, key)
    if document.encoding != "utf-8":
        record["encoding"] = document.encoding
    if document.input_text_differs:
        record["text"] = document.text
    record["spans"] = [_span_record(span) for span in spans]
    record["facts"] = [_fact_record(span) for span in spans if span.label_ in FIGURE_LABELS]
    return record


def _fact_record(span: Span) -> dict:
    return {"label": span.label_, "value": span._.value, "currency": span._.currency,
            "when": span._.when, "when_rule": span._.when_rule, "text": span.text,
            "start": span.start_char, "end": span.end_char, "source": span._.source,
            "where": span._.where,
            "sentence": " ".join(span.sent.text.split())}
