"""Custom attributes under `Doc._` and `Span._`, and the span-group keys migrex writes."""

from __future__ import annotations

import functools
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span

DATES_KEY = "migrex_dates"
FIGURES_KEY = "migrex_figures"
ACTORS_KEY = "migrex_actors"
ERROR_KEY = "migrex_error"  # doc.user_data: why a component could not analyse this document
TEXT_KEY = "migrex_text"  # doc.user_data: the document's text, set when the Doc is made
OVERSIZED_KEY = "migrex_oversized"  # doc.user_data: (start, text) of numbers too large to be figures

for name in ("published", "country"):
    if not Doc.has_extension(name):
        Doc.set_extension(name, default=None)
for name in ("value", "canonical", "currency", "when", "role", "source", "where"):
    if not Span.has_extension(name):
        Span.set_extension(name, default=None)


def text_of(doc: Doc) -> str:
    """`doc.text`, joined at most once per document: spaCy joins every token's text on each
    call, which cost migrex a quarter of its time when rules asked for it per entity."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def char_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """A token span covering [start, end) exactly, or expanded to token edges."""
    return doc.char_span(start, end, label=label, alignment_mode="expand")


class MissingInput(ValueError):
    """A migrex component runs in a pipeline that does not give it what it reads."""


_INPUT_HINTS = {
    "sentences": ("SENT_START", "sentence boundaries: add a 'parser', 'senter' or "
                                "'sentencizer' before it"),
    "entities": ("ENT_IOB", "named entities: add an 'ner' component before it"),
}


def check_inputs(component, doc: Doc) -> None:
    """Raise MissingInput when an earlier component should have set what `component` reads
    (its class attribute `needs`: "sentences", "entities")."""
    if not len(doc):
        return
    for need in getattr(component, "needs", ()):
        attr, hint = _INPUT_HINTS[need]
        if not doc.has_annotation(attr):
            raise MissingInput(f"{component.name} needs {hint}")


def guarded(call):
    """A component's __call__ that marks the document instead of raising, so one bad
    document never stops a batch (in worker processes too); the runner reports it. A
    pipeline that lacks the component's inputs raises MissingInput instead: that is no
    fault of one document."""
    @functools.wraps(call)
    def wrapper(self, doc: Doc) -> Doc:
        if ERROR_KEY in doc.user_data:
            return doc
        check_inputs(self, doc)
        try:
            return call(self, doc)
        except Exception as error:  # noqa: BLE001 - reported per document by the runner
            doc.user_data[ERROR_KEY] = f"{self.name}: {type(error).__name__}: {error}"
            return doc
    return wrapper


def batches(items: Iterable, size: int) -> Iterator[list]:
    """Lists of at most `size` items (itertools.batched arrives only in Python 3.12)."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def groups(items: Iterable, count: int, chars: int, size_of) -> Iterator[list]:
    """Lists of at most `count` items whose `size_of` adds up to at most `chars` (an item
    larger than that goes alone)."""
    group: list = []
    total = 0
    for item in items:
        size = size_of(item)
        if group and (len(group) >= count or total + size > chars):
            yield group
            group, total = [], 0
        group.append(item)
        total += size
    if group:
        yield group


def guarded_pipe(component, docs: Iterable[Doc], size: int, run) -> Iterator[Doc]:
    """`run` a batch at a time over the documents no earlier component failed on; when a
    batch fails, the (guarded) component goes one document at a time to mark the culprit."""
    for batch in batches(docs, size):
        for doc in batch:
            check_inputs(component, doc)
        try:
            run([doc for doc in batch if ERROR_KEY not in doc.user_data])
        except Exception:  # noqa: BLE001 - one document at a time marks the one that fails
            for doc in batch:
                component(doc)
        yield from batch
