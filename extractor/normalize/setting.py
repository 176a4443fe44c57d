"""The country an article is set in, from cue words: decides '$' and financial years."""

from __future__ import annotations

import re
from functools import cache

from ..data import load_json


@cache
def _cue_pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for every cue word, and the country each cue points to."""
    cues = load_json("lexicons/setting.json")["cues"]
    owner = {word: country for country, words in cues.items() for word in words}
    alternation = "|".join(re.escape(word) for word in sorted(owner, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), owner


def detect_country(text: str) -> str:
    """ISO code of the country whose cue words occur most (ties and silence: 'US')."""
    pattern, owner = _cue_pattern()
    counts = dict.fromkeys(set(owner.values()), 0)
    for match in pattern.finditer(text):
        counts[owner[match.group()]] += 1
    best = max(counts, key=lambda country: (counts[country], country == "US"))
    return best if counts[best] > counts.get("US", 0) else "US"


def dollar_currency(country: str) -> str:
    """The ISO currency a bare '$' means in an article set in `country`."""
    return load_json("lexicons/setting.json")["dollar_currency"].get(country, "USD")
