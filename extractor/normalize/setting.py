"""The country an article is set in, from cue words: decides '$' and financial years."""

from __future__ import annotations

import re
from functools import cache

from ..data import load_json


@cache
def _cue_patterns() -> dict[str, re.Pattern]:
    cues = load_json("lexicons/setting.json")["cues"]
    return {country: re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words))
            for country, words in cues.items()}


def detect_country(text: str) -> str:
    """ISO code of the country whose cue words occur most (ties and silence: 'US')."""
    counts = {country: len(pattern.findall(text)) for country, pattern in _cue_patterns().items()}
    best = max(counts, key=lambda country: (counts[country], country == "US"))
    return best if counts[best] > counts.get("US", 0) else "US"


def dollar_currency(country: str) -> str:
    """The ISO currency a bare '$' means in an article set in `country`."""
    return load_json("lexicons/setting.json")["dollar_currency"].get(country, "USD")
