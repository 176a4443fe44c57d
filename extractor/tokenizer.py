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


TOKENIZER = "migrex.Tokenizer.v1"  # the registered name of migrex_tokenizer, for configs


def _with_rules(nlp: Language, rules: dict, token_match, url_match,
                faster_heuristics: bool) -> Tokenizer:
    """A tokenizer of nlp's language with migrex's infix, prefix and suffix rules added and
    the special cases that would undo them dropped from `rules`."""
    ours = load_json("lexicons/tokenizer.json")
    return Tokenizer(
        nlp.vocab,
        rules={text: tokens for text, tokens in rules.items()
               if text not in ours["removed_special_cases"]},
        prefix_search=compile_prefix_regex(list(nlp.Defaults.prefixes)
                                           + _patterns("prefixes")).search,
        suffix_search=compile_suffix_regex(list(nlp.Defaults.suffixes)
                                           + _patterns("suffixes")).search,
        infix_finditer=compile_infix_regex(list(nlp.Defaults.infixes)
                                           + _patterns("infixes")).finditer,
        token_match=token_match, url_match=url_match, faster_heuristics=faster_heuristics)


def migrex_tokenizer(nlp: Language) -> Tokenizer:
    """spaCy's default tokenizer of nlp's language (as `spacy.Tokenizer.v1` makes it, which
    is what every Explosion English pipeline saves) with migrex's rules."""
    defaults = nlp.Defaults
    return _with_rules(nlp, defaults.tokenizer_exceptions, defaults.token_match,
                       defaults.url_match, True)


@spacy.registry.tokenizers(TOKENIZER)
def make_tokenizer():
    """migrex's tokenizer for a pipeline config: `[nlp.tokenizer] @tokenizers = "migrex.Tokenizer.v1"`
    (loading a base pipeline with it, and without the pipeline's saved tokenizer, builds one
    tokenizer instead of three: spaCy's default, the saved one, and migrex's)."""
    return migrex_tokenizer


def customise_tokenizer(nlp: Language) -> None:
    """Give `nlp` a tokenizer with migrex's rules on top of its own (its special cases and
    other settings as they were)."""
    old = nlp.tokenizer
    # one new Tokenizer, not four attribute sets: each set reloads the ~1,300 special cases
    nlp.tokenizer = _with_rules(nlp, old.rules or {}, old.token_match, old.url_match,
                                old.faster_heuristics)


def blank_english() -> Language:
    """A blank English pipeline whose tokenizer is the extractor's."""
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
