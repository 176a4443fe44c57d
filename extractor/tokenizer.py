"""migrex's tokenizer rules on top of spaCy's English ones: one place for every pipeline
(extraction, gold conversion to DocBin) so spans tokenise the same everywhere."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

# "U.S.-Mexico" must split so each place is its own span (the spec's span rules)
_EXTRA_INFIXES = [r"(?<=[A-Z]\.)[-–](?=[A-Z])"]


def customise_tokenizer(nlp: Language) -> None:
    """Add migrex's infix rules to `nlp.tokenizer`, in place."""
    infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def blank_english() -> Language:
    """A blank English pipeline whose tokenizer is the extractor's."""
    nlp = spacy.blank("en")
    customise_tokenizer(nlp)
    return nlp
