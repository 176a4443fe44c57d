"""Finding number expressions in text and parsing them to exact values.

The grammar is data (models/lexicons/numbers.json): vocabularies, regex fragments built from
them and a table of named rules, compiled into one pattern per process. Currency names, plurals,
ISO codes and symbols come from CLDR through babel, with models/lexicons/currencies.json for what
CLDR lacks. Spelled-out numbers are parsed by our own word grammar: it reads all 63 spelled-out
counts of the case tables, text2num 41 (no scale fractions such as "half a million", no Indian
scales, no "a dozen"; eval/normalizers.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_symbol, get_territory_currencies

from ..data import load_json


MAX_FIGURE_VALUE = 1e15  # larger than any budget or count the figures stand for


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
    too_large: bool = False  # not finite or past MAX_FIGURE_VALUE: never a figure, reported


@cache
def _lexicon() -> dict:
    return load_json("lexicons/numbers.json")


def number_words(minimum: int = 0) -> list[str]:
    """The spelled-out number vocabulary: number words of at least `minimum`, the tens, scales,
    fractions and percent words (for finding sentences that may hold a figure)."""
    lex = _lexicon()
    return [word for word, value in lex["units"].items() if value >= minimum] \
        + list(lex["tens"]) + list(lex["scales"]) + list(lex["fractions"]) + lex["percent_words"]


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so 'percentage points' wins over 'percent' (plain alternations compile
    several times faster than tries and match as fast)."""
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Currencies:
    """Every way a currency is written before or after a number, and how each is resolved."""

    symbols: dict[str, str]  # sign or ISO code -> ISO code, or a name head ("rupee", "dollar")
    names: dict[str, str]  # lower-case full name -> ISO code
    curated_names: tuple[str, ...]  # names no qualifier + head reads ("pounds sterling")
    heads: dict[str, str]  # lower-case bare name form ("francs") -> its head ("franc")
    head_currencies: dict[str, tuple[str, ...]]  # head -> every current currency it names
    head_defaults: dict[str, str]
    subunits: dict[str, tuple[str, int]]
    glued_subunits: dict[str, tuple[str, int]]
    not_before: frozenset[str]

    def from_symbol(self, symbol: str, country: str | None) -> str | None:
        target = self.symbols.get(symbol)
        return self.from_head(target, country) if target and target.islower() else target

    def from_name(self, name: str, country: str | None) -> str | None:
        name = " ".join(name.lower().split())
        if name in self.names:
            return self.names[name]
        return self.from_head(self.heads.get(name), country)

    def from_head(self, head: str | None, country: str | None) -> str | None:
        """A bare name: the article's own currency of that name, else the usual one."""
        if head is None:
            return None
        default = self.head_defaults.get(head)
        if default == "$":
            return default
        own = [code for code in _country_currencies(country) if code in self.head_currencies[head]]
        if own:
            return own[0]
        if default:
            return default
        candidates = self.head_currencies[head]
        return candidates[0] if len(candidates) == 1 else None


def _head(name: str) -> str:
    return name.lower().split()[-1]


@cache
def _currencies() -> Currencies:
    """CLDR's English currency names, plurals and symbols (babel), plus currencies.json."""
    curated = load_json("lexicons/currencies.json")
    current = sorted({code for territory in get_global("territory_currencies")
                      for code in get_territory_currencies(territory, tender=True)})
    symbols: dict[str, str] = {}
    names: dict[str, str] = {}
    heads: dict[str, str] = {}
    head_currencies: dict[str, list[str]] = {}
    for code in current:
        symbols[code] = code
        symbol = get_currency_symbol(code, "en")
        if symbol != code:
            symbols.setdefault(symbol, code)
        singular, plural = get_currency_name(code, 1, "en"), get_currency_name(code, 2, "en")
        for name in (singular, plural):
            names.setdefault(name.lower(), code)
        head = _head(singular)
        if head in curated["not_heads"]:
            continue
        heads[head] = heads[_head(plural)] = head
        head_currencies.setdefault(head, []).append(code)
    symbols.update(curated["symbols"])
    names.update(curated["names"])
    return Currencies(
        symbols, names, tuple(curated["names"]), heads, {head: tuple(codes) for head, codes in head_currencies.items()},
        curated["head_defaults"],
        {word: tuple(unit) for word, unit in curated["subunits"].items()},
        {word: tuple(unit) for word, unit in curated["glued_subunits"].items()},
        frozenset(curated["codes_not_before_numbers"]))


@cache
def _country_currencies(country: str | None) -> tuple[str, ...]:
    return tuple(get_territory_currencies(country, tender=True)) if country else ()


@cache
def _group_separators(country: str | None) -> frozenset[str]:
    """Thousands separators the article's country writes besides ',' and spaces (CLDR)."""
    if not country:
        return frozenset()
    try:
        group = Locale.parse(f"und_{country}").number_symbols["latn"]["group"]
    except (UnknownLocaleError, ValueError):
        return frozenset()  # 'EU' and other codes CLDR has no locale for
    if group == ".":
        return frozenset(".")
    return frozenset("'’") if group in ("'", "’") else frozenset()


@cache
def _vocabularies() -> dict[str, str]:
    """Every {name} a fragment or rule may use that is not a fragment: vocabulary alternations."""
    lex, money = _lexicon(), _currencies()
    ordinary = {word: value for word, value in lex["units"].items()}
    before = [symbol for symbol in money.symbols if symbol not in money.not_before]
    vocabularies = {
        "units": ordinary, "tens": lex["tens"],
        "ones": [word for word, value in ordinary.items() if 1 <= value <= 9],
        "ratio_words": [word for word, value in ordinary.items() if 1 <= value <= 10],
        "scales": lex["scales"], "abbreviations": lex["scale_abbreviations"],
        "spaced_abbreviations": lex["spaced_abbreviations"], "fractions": lex["fractions"],
        "percent_words": lex["percent_words"], "designators": lex["designators"],
        "designators_exact": lex["designators_exact"], "measures": lex["measures"],
        "spaced_measures": lex["spaced_measures"], "periods": lex["periods"],
        "currency_before": before, "currency_after": list(money.symbols),
        "currency_names": money.curated_names, "currency_heads": money.heads,
        "subunits": money.subunits, "glued_subunits": money.glued_subunits,
    }
    insensitive = set(lex["case_insensitive"])
    return {name: _vocabulary_pattern(list(words), name in insensitive)
            for name, words in vocabularies.items()}


def _vocabulary_pattern(words: list[str], ignore_case: bool) -> str:
    """An alternation behind a class of its first characters, so that the many positions
    where no word of it starts are passed with one test."""
    firsts = {word[0] for word in words}
    if ignore_case:
        firsts |= {char.swapcase() for char in firsts}
    gate = "[" + "".join(re.escape(char) for char in sorted(firsts)) + "]"
    body = _alternation(words)
    return f"(?={gate})(?i:{body})" if ignore_case else f"(?={gate})(?:{body})"


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _expand(template: str, parts: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda found: parts[found.group(1)], template)


@cache
def _grammar() -> tuple[re.Pattern, tuple[dict, ...]]:
    """The one compiled pattern: each rule a group `r<i>`, its own groups prefixed `r<i>_`."""
    lex = _lexicon()
    parts = dict(_vocabularies())
    for name, template in lex["fragments"].items():
        parts[name] = _expand(template, parts)
    branches = []
    for index, rule in enumerate(lex["rules"]):
        body = _expand(rule["pattern"], parts).replace("(?P<", f"(?P<r{index}_")
        branches.append(f"(?P<r{index}>{body})")
    # every rule begins with a digit, a letter or a sign: other positions are passed at once
    signs = sorted({symbol[0] for symbol in _currencies().symbols if not symbol[0].isalnum()})
    gate = f"(?=[\\d.(+A-Za-z{re.escape(''.join(signs))}])"
    return re.compile(parts["start"] + gate + "(?:" + "|".join(branches) + ")"), tuple(lex["rules"])


def compile_grammar() -> None:
    """Compile the grammar now rather than at the first number: a pipeline built before it
    forks workers hands them the compiled pattern and the CLDR currency data."""
    _grammar()


@cache
def _token_regex() -> re.Pattern:
    """Digit groups and words of an amount already matched by the grammar."""
    parts = dict(_vocabularies())
    parts["sp"] = _expand(_lexicon()["fragments"]["sp"], parts)
    return re.compile(rf"(?:{_expand(_lexicon()['fragments']['digits'], parts)})|[^\W\d_]+")


_GROUPED_BY_DOT_OR_APOSTROPHE = re.compile(r"\d{1,3}(?:[.'’]\d{3})+")
_LEADING_ZERO = re.compile(r"0\d")
_DOTS_AND_APOSTROPHES = re.compile(r"[.'’]")
_COMMAS_AND_SPACES = re.compile(r"[,\s]")


def _digits_value(token: str, country: str | None) -> float | None:
    """'12,500', '12 500', '12,50,000'; '12.500' and "12'500" only where the country groups so."""
    if _LEADING_ZERO.match(token):
        return None  # '000', '0800': a code or a typo's tail, never an amount
    if _GROUPED_BY_DOT_OR_APOSTROPHE.fullmatch(token):
        if token[-4] in _group_separators(country):
            return float(_DOTS_AND_APOSTROPHES.sub("", token))
        return float(token) if token.count(".") == 1 else None
    return float(_COMMAS_AND_SPACES.sub("", token))


@cache
def _scale_values() -> dict[str, float]:
    """Scale words and abbreviations, lower case, with what they multiply by."""
    lex = _lexicon()
    return {**{word.lower(): value for word, value in lex["scale_abbreviations"].items()},
            **lex["scales"]}


@cache
def _scale_needing_currency() -> re.Pattern:
    return re.compile(rf"\d(?:{_alternation(_lexicon()['abbreviations_needing_currency'])})\b")


def _amount_value(text: str, country: str | None) -> tuple[float, float] | None:
    """The value of an amount ('three-quarters of a million', '3 lakh 20 thousand', '1.3bn')
    and the factor its scales multiply its first number by (for ranges: '$30-40 million')."""
    lex = _lexicon()
    scales = _scale_values()
    tokens = _token_regex().findall(text)
    total, current, fraction, last_scale, lead = 0.0, None, None, None, None
    index = 0
    while index < len(tokens):
        token, word = tokens[index], tokens[index].lower()
        if token[0].isdigit() or token[0] == ".":
            number = _digits_value(token, country)
            if number is None:
                return None
            current = (current or 0) + number
        elif word in lex["units"] or word in lex["tens"]:
            current = (current or 0) + (lex["units"].get(word) or lex["tens"].get(word, 0))
        elif word == "and" and [t.lower() for t in tokens[index + 1:index + 2]] == ["a"] \
                and index + 2 < len(tokens) and tokens[index + 2].lower() in lex["fractions"]:
            part = lex["fractions"][tokens[index + 2].lower()]
            if current is not None:
                current += part
            else:
                total += part * (last_scale or 1)
            index += 3
            continue
        elif word in lex["fractions"]:
            fraction = (current or 1) * lex["fractions"][word]
            current = None
        elif word in ("a", "an"):
            if fraction is None and current is None:
                current = 1
        elif word in ("and", "of"):
            pass
        elif word in scales:
            scale = scales[word]
            if lead is None:
                lead = fraction if fraction is not None else current
            if word in ("hundred", "dozen"):
                current = (current or 1) * scale
            elif fraction is not None:
                total, fraction = total + fraction * scale, None
            elif current is None and last_scale is not None:
                total *= scale  # "1.2 lakh crore"
            else:
                total, current = total + (1 if current is None else current) * scale, None
            last_scale = scale
        else:
            return None
        index += 1
    value = total + (current or 0) + (fraction or 0)
    return value, (value / lead if lead else 1.0)


def _money(groups: dict, key: str, country: str | None) -> tuple[str | None, int]:
    """The currency of a sign/code group or of a tail ('Swiss francs', '€', 'cents', 'p'),
    and the divisor of a subunit."""
    text = groups.get(key)
    if not text:
        return None, 1
    money = _currencies()
    bare = text.strip(" -\u00a0\u2009\u202f")
    unit = money.subunits.get(bare.lower()) or money.glued_subunits.get(bare)
    if unit:
        return unit[0], unit[1]
    return money.from_symbol(bare, country) or money.from_name(bare, country), 1


def _expression(start: int, end: int, text: str, value: float, currency: str | None,
                percent: bool, amount: str) -> NumberExpression | None:
    if not math.isfinite(value) or abs(value) > MAX_FIGURE_VALUE:
        # hundreds of digits, or a scale past any real budget: not a figure (kept to report)
        return NumberExpression(start, end, text, value, too_large=True)
    if currency is None and not percent and _scale_needing_currency().search(amount):
        return None  # "5b" without a currency sign is a label, not a scale
    value = round(value, 6)
    return NumberExpression(start, end, text, int(value) if value.is_integer() else value,
                            None if percent else currency, percent,
                            from_words=not any(char.isdigit() for char in amount))


def _figure(match: re.Match, groups: dict, country: str | None) -> list[NumberExpression]:
    parsed = _amount_value(groups["amount"], country)
    if parsed is None:
        return []
    currency, divisor = _money(groups, "money", country)
    currency = _money(groups, "cur", country)[0] or currency
    found = _expression(match.start(), match.end(), match.group(0), parsed[0] / divisor,
                        currency, bool(groups.get("percent")), groups["amount"])
    return [found] if found else []


def _range(match: re.Match, groups: dict, country: str | None) -> list[NumberExpression]:
    """'$30-40 million', '30-40%', 'between 5 and 7 percent': two figures that share the
    scale, currency and percent written once; '52-48' with none of them is a score."""
    low, high = _amount_value(groups["low"], country), _amount_value(groups["high"], country)
    if low is None or high is None:
        return []
    tail_currency, divisor = _money(groups, "money", country)
    first = _money(groups, "cur", country)[0]
    second = _money(groups, "cur2", country)[0]
    percent = bool(groups.get("percent"))
    factor = high[1] if low[0] < high[0] / high[1] else 1.0
    if "-" in groups["sep"] or "–" in groups["sep"]:
        if not (first or second or tail_currency or percent or high[1] > 1) and low[0] >= high[0]:
            return []
    text = match.group(0)
    offset = match.start()
    split = match.end(f"r{groups['_rule']}_low") - offset
    second_start = match.start(f"r{groups['_rule']}_cur2") if groups.get("cur2") else \
        match.start(f"r{groups['_rule']}_high")
    found = [
        _expression(offset, offset + split, text[:split], low[0] * factor / divisor,
                    first or second or tail_currency, percent, groups["low"]),
        _expression(second_start, match.end(), text[second_start - offset:], high[0] / divisor,
                    second or first or tail_currency, percent, groups["high"]),
    ]
    return [expression for expression in found if expression]


def _skip(match: re.Match, groups: dict, country: str | None) -> list[NumberExpression]:
    return []


HANDLERS: dict[str, Callable[[re.Match, dict, str | None], list[NumberExpression]]] = {
    "figure": _figure, "range": _range, "skip": _skip}


def _parse(match: re.Match, country: str | None) -> list[NumberExpression]:
    pattern, rules = _grammar()
    name = match.lastgroup
    index = int(name[1:])
    prefix = f"{name}_"
    groups = {key[len(prefix):]: value for key, value in match.groupdict().items()
              if key.startswith(prefix) and value is not None}
    groups["_rule"] = str(index)
    return HANDLERS[rules[index]["handler"]](match, groups, country)


def _scan(text: str, country: str | None) -> list[NumberExpression]:
    pattern, _ = _grammar()
    return [expression for match in pattern.finditer(text) for expression in _parse(match, country)]


def find_numbers(text: str, country: str | None = None) -> list[NumberExpression]:
    """Every number expression in `text`, left to right; `country` (ISO 3166) decides digit
    grouping ('12.500') and bare currency names ('rupees')."""
    return scan_numbers(text, country)[0]


def scan_numbers(text: str, country: str | None = None
                 ) -> tuple[list[NumberExpression], list[NumberExpression]]:
    """`find_numbers`'s expressions, and those it leaves out because their value is not finite
    or past MAX_FIGURE_VALUE (hundreds of digits, '5,000 trillion'), for a warning."""
    kept: list[NumberExpression] = []
    too_large: list[NumberExpression] = []
    for expression in _scan(text, country):
        (too_large if expression.too_large else kept).append(expression)
    return kept, too_large


def parse_number(text: str) -> float | int | None:
    """The value of a whole number expression such as "$72.7 million" or "a quarter-million"."""
    pattern, _ = _grammar()
    match = pattern.fullmatch(text.strip())
    found = [expression for expression in _parse(match, None) if not expression.too_large] \
        if match else []
    return found[0].value if len(found) == 1 else None
