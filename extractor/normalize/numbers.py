"""Finding number expressions in text and parsing them to exact values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..data import load_json


@dataclass(frozen=True)
class NumberExpression:
    """A number expression found in text, with what its own words say about it."""

    start: int
    end: int
    text: str
    value: float
    currency: str | None = None  # ISO code, or "$" when the country decides
    percent: bool = False
    from_words: bool = False


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@cache
def _lexicon() -> dict:
    return load_json("lexicons/numbers.json")


@cache
def number_regex() -> re.Pattern:
    """One compiled pattern for every number expression form the spec names."""
    lex = _lexicon()
    word_number = (
        rf"(?:(?:{_alternation(lex['tens'])})(?:[- ](?:{_alternation(lex['units'])}))?"
        rf"|{_alternation(lex['units'])})(?:[- ]hundred(?:[- ](?:and[- ])?"
        rf"(?:{_alternation(lex['tens'])}|{_alternation(lex['units'])}))?)?"
    )
    scales = _alternation(lex["scales"])
    digits = r"\d{1,3}(?:(?:,|\x20(?=\d{3}\b))\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
    prefix = _alternation(lex["currency_prefixes"])
    codes = _alternation(lex["currency_codes"])
    abbreviations = _alternation(lex["scale_abbreviations"])
    percent = r"\s?%|\s(?:percent|per\s?cent|pct)\b"
    subunits = _alternation(lex["subunit_words"])
    money_words = _alternation(lex["currency_words"])
    pattern = rf"""
        (?<![\w.$£€-])
        (?P<prefix>(?:{prefix})\s?|(?:{codes})\s)?
        (?:
            (?P<fraction>(?:a|one)[- ](?:quarter|half)|half[- ]a|a[- ]half)[- ](?P<fscale>{scales})
          | (?P<digits>{digits})
          | (?P<words>{word_number})
        )
        (?:
            (?P<scale>(?:\s|-)?(?:{scales})|(?:\s|-)?(?:{abbreviations})(?![\w]))
            (?:-(?:{scales}))?
        )?
        (?P<percent>{percent})?
        (?P<unit>\s(?:{money_words}|{subunits})\b)?
        (?![\w])
    """
    return re.compile(pattern, re.VERBOSE | re.IGNORECASE)


def _words_value(words: str) -> float | None:
    lex = _lexicon()
    total = 0.0
    for part in re.split(r"[- ]+", words.lower()):
        if part in lex["units"]:
            total += lex["units"][part]
        elif part in lex["tens"]:
            total += lex["tens"][part]
        elif part == "hundred":
            total = (total or 1) * 100
        elif part != "and":
            return None
    return total


def parse_match(match: re.Match) -> NumberExpression | None:
    """The value of one regex match, scale, currency and percent applied."""
    lex = _lexicon()
    groups = match.groupdict()
    text = match.group(0)
    if groups["fraction"]:
        value = lex["fractions"]["half" if "half" in groups["fraction"].lower() else "quarter"] \
            * lex["scales"][groups["fscale"].lower()]
    elif groups["digits"]:
        value = float(re.sub(r"[\s,]", "", groups["digits"]))
    else:
        value = _words_value(groups["words"])
        if value is None:
            return None
    scale = (groups["scale"] or "").strip(" -")
    if scale:
        value *= lex["scales"].get(scale.lower()) or lex["scale_abbreviations"].get(scale) \
            or lex["scale_abbreviations"].get(scale.lower(), 1)
    # a trailing "-million" after an abbreviation is not in the grammar, so text ends here
    currency = None
    prefix = (groups["prefix"] or "").strip()
    if prefix:
        currency = lex["currency_prefixes"].get(prefix) or prefix.upper()
    unit = (groups["unit"] or "").strip().lower()
    if unit in lex["subunit_words"]:
        currency = lex["subunit_words"][unit]
        value /= 100
    elif unit:
        currency = lex["currency_words"][unit]
    if scale and scale in ("m", "b", "M", "B") and not currency:
        return None  # "5 m" or "5b" without a currency sign is a unit or a label, not a scale
    value = round(value, 6)
    return NumberExpression(match.start(), match.end(), text, int(value) if value.is_integer()
                            else value, currency, bool(groups["percent"]),
                            from_words=bool(groups["words"] or groups["fraction"]))


def find_numbers(text: str) -> list[NumberExpression]:
    """Every number expression in `text`, left to right."""
    found = []
    for match in number_regex().finditer(text):
        expression = parse_match(match)
        if expression is not None:
            found.append(expression)
    return found


def parse_number(text: str) -> float | int | None:
    """The value of a whole number expression such as "$72.7 million" or "a quarter-million"."""
    match = number_regex().fullmatch(text.strip())
    expression = parse_match(match) if match else None
    return expression.value if expression else None
