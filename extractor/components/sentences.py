"""Line breaks end sentences: headlines, bylines and bullet items stand alone."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("migrex_line_sentences", assigns=["token.is_sent_start"])
def line_sentences(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start (the parser keeps it)."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws and not token.is_space:
            token.is_sent_start = True
    return doc
