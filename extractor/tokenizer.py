"""migrex's tokenizer rules on top of spaCy's English ones: one place for every pipeline
(extraction, gold conversion to DocBin) so spans tokenise the same everywhere.

The rules are data (models/lexicons/tokenizer.json). They are compiled into the tokenizer's own
regexes and special cases, so a pipeline saved with `nlp.to_disk` keeps them.
"""

from __future__ import annotations

import re

import spacy
from spacy.lang.char_classes import CURRENCY
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from .data import load_json

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _vocabularies() -> dict[str, str]:
    months = "|".join(month.capitalize() for month in load_json("lexicons/dates.json")["months"])
    return {"month": months, "currency": CURRENCY}


def _patterns(kind: str) -> list[str]:
    """The rules of one kind ("infixes", "prefixes", "suffixes"), placeholders filled in."""
    parts = _vocabularies()
    return [_PLACEHOLDER.sub(lambda found: parts[found.group(1)], rule["pattern"])
            for rule in load_json("lexicons/tokenizer.json")[kind]]


def customise_tokenizer(nlp: Language) -> None:
    """Give `nlp` a tokenizer with migrex's infix, prefix and suffix rules added and the
    special cases that would undo them dropped (its other settings as they were)."""
    rules = load_json("lexicons/tokenizer.json")
    old = nlp.tokenizer
    # one new Tokenizer, not four attribute sets: each set reloads the ~8,000 special cases
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules={text: tokens for text, tokens in old.rules.items()
               if text not in rules["removed_special_cases"]},
        prefix_search=compile_prefix_regex(list(nlp.Defaults.prefixes)
                                           + _patterns("prefixes")).search,
        suffix_search=compile_suffix_regex(list(nlp.Defaults.suffixes)
                                           + _patterns("suffixes")).search,
        infix_finditer=compile_infix_regex(list(nlp.Defaults.infixes)
                                           + _patterns("infixes")).finditer,
        token_match=old.token_match, url_match=old.url_match,
        faster_heuristics=old.faster_heuristics)


def blank_english() -> Language:
    """A blank English pipeline whose tokenizer is the extractor's."""
    nlp = spacy.blank("en")
    customise_tokenizer(nlp)
    return nlp
