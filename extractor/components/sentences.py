"""Line breaks end sentences: headlines, bylines and bullet items stand alone."""

from __future__ import annotations

import re

import numpy
from spacy.attrs import IDX, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from .attributes import text_of


@Language.component("migrex_line_sentences", assigns=["token.is_sent_start"])
def line_sentences(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start (the parser keeps it). A line
    break is always inside a token's text (spaCy's trailing whitespace is one space), so the
    tokens holding one are found from the text's line breaks, not token by token."""
    text = text_of(doc)
    if len(doc) < 2 or "\n" not in text:
        return doc
    rows = doc.to_array([IDX, IS_SPACE])
    breaks = [match.start() for match in re.finditer("\n", text)]
    # set, not numpy.unique: that imports numpy.ma (about 20 ms) at a process's first document
    holding = set(numpy.searchsorted(rows[:, 0], breaks, side="right").tolist())
    for index in sorted(holding):  # the token after the one holding the break
        if index < len(doc) and not rows[index, 1]:
            doc[index].is_sent_start = True
    return doc
