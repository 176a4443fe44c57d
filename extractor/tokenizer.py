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
    """Add migrex's infix, prefix and suffix rules to `nlp.tokenizer` and drop the special cases
    that would undo them, in place."""
    rules = load_json("lexicons/tokenizer.json")
    tokenizer = nlp.tokenizer
    infixes = list(nlp.Defaults.infixes) + _patterns("infixes")
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    prefixes = list(nlp.Defaults.prefixes) + _patterns("prefixes")
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    suffixes = list(nlp.Defaults.suffixes) + _patterns("suffixes")
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.rules = {text: tokens for text, tokens in tokenizer.rules.items()
                       if text not in rules["removed_special_cases"]}


def blank_english() -> Language:
    """A blank English pipeline whose tokenizer is the extractor's."""
    nlp = spacy.blank("en")
    customise_tokenizer(nlp)
    return nlp
