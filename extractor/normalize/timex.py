"""Finding date expressions and resolving them to the spec's TIMEX values.

The grammar is data: `lexicons/date_rules.json` names each rule, its pattern (built from the
vocabularies of `lexicons/dates.json`), its handler below and the words it requires. The
handlers hold what is ours (the spec's value forms and its resolution rules against
`published` and against the date the text has just named); calendar arithmetic is
dateutil's, named days come from `holidays`, `dateutil.easter` and `hijridate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Callable

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from ..data import load_json
from .numbers import parse_number

Tense = str | None  # "past", "present", "future" or None when the sentence does not say


# a timestamp: the date, then a time after "T" or a space, seconds and an offset optional
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def published_date(value: str) -> date | None:
    """The date of an ISO date or timestamp as written: a timestamp with an offset keeps its
    local date (the day the outlet printed), never converted to UTC."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if _TIMESTAMP.match(value):
            return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    return None


@dataclass(frozen=True)
class DateExpression:
    """A date expression in text with its resolved value (None when unresolvable)."""

    start: int
    end: int
    text: str
    value: str | None


@dataclass
class DateContext:
    """What resolution needs beyond the expression: the anchor, the tense, the setting."""

    published: date | None = None
    tense_at: Callable[[int], Tense] = lambda offset: None
    country: str | None = None  # decides day/month order and financial years
    sentence_year: Callable[[int], int | None] = lambda offset: None  # "In 2022, ... in May"
    tag_at: Callable[[int], str | None] = lambda offset: None  # the word's part-of-speech tag


@dataclass(frozen=True)
class Anaphor:
    """A value that depends on the date the text named last (`ref`, a TIMEX value or None).

    mode "text": the text's date first, else `published` ("the previous month");
    mode "calendar": `published` first, else the text's date ("Thursday", "the 5th");
    mode "latest": `published` first, else the latest date the text has named, its own time
    rather than a baseline ("In January" after "doubled in 2023 compared with 2022")."""

    resolve: Callable[[str | None], str | None]
    mode: str = "text"


REJECT = False  # a handler returns REJECT when the match is not a date after all
Handler = Callable[[re.Match, DateContext], "str | None | bool | Anaphor"]


@cache
def _lex() -> dict:
    return load_json("lexicons/dates.json")


def month_number(word: str) -> int:
    key = word.lower().rstrip(".")
    return _lex()["months"].get(key) or _lex()["month_abbreviations"][key]


def _count(word: str) -> int | None:
    word = word.strip().lower()
    if word in ("a", "an"):
        return 1
    value = int(word) if word.isdigit() else parse_number(word)
    return int(value) if value is not None else None


def _ordinal(word: str) -> int | None:
    """1 for 'first'/'1st', 21 for 'twenty-first', -1 for 'last'."""
    word = word.lower().strip()
    digits = re.match(r"(\d+)(?:st|nd|rd|th)$", word)
    if digits:
        return int(digits[1])
    parts = re.split(r"[- ]", word)
    ordinals, tens = _lex()["ordinals"], _lex()["ordinal_tens"]
    if len(parts) == 2 and parts[0] in tens and parts[1] in ordinals:
        return tens[parts[0]] + ordinals[parts[1]]
    return ordinals.get(word)


# --- value forms -------------------------------------------------------------------------

def fmt_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def fmt_week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first}/{last}"


def _month_span(first: date, last: date) -> str:
    return _span(fmt_month(first.year, first.month), fmt_month(last.year, last.month))


def fiscal_year_of(day: date) -> int:
    """U.S. federal fiscal year N runs from October 1 of N-1 to September 30 of N."""
    return day.year + 1 if day.month >= 10 else day.year


def _fy_rule(country: str | None) -> dict:
    years = _lex()["financial_years"]
    return years.get(country or "", years["US"])


def financial_year(name_year: int, country: str | None) -> str:
    """The financial year named `name_year` ('FY24', 'fiscal 2024') in `country`."""
    rule = _fy_rule(country)
    if rule is _lex()["financial_years"]["US"] or country == "US":
        return f"FY{name_year}"
    first_year = name_year if rule["named_by"] == "start" or rule["start"] == 1 else name_year - 1
    first = date(first_year, rule["start"], 1)
    return _month_span(first, first + relativedelta(months=11))


def financial_year_starting(year: int, country: str | None) -> str:
    """The financial year that starts in `year` ('2023-24')."""
    rule = _fy_rule(country)
    return financial_year(year + 1 if rule["named_by"] == "end" else year, country)


def financial_year_holding(day: date, country: str | None) -> int:
    """The name year of the financial year that holds `day`."""
    rule = _fy_rule(country)
    starts_in = day.year if day.month >= rule["start"] else day.year - 1
    return starts_in + 1 if rule["named_by"] == "end" else starts_in


def _fy_first_month(name_year: int, country: str | None) -> date:
    value = financial_year(name_year, country)
    if value.startswith("FY"):
        return date(name_year - 1, 10, 1)
    return date(int(value[:4]), int(value[5:7]), 1)


def season_of(day: date) -> tuple[int, str]:
    """(year, season code); winter belongs to the year of its December."""
    code = {3: "SP", 6: "SU", 9: "FA", 12: "WI"}[(day.month % 12) // 3 * 3 or 12]
    return (day.year - 1 if day.month < 3 else day.year), code


_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _point(value: str) -> tuple[str, date]:
    """The kind of one TIMEX point and its first day."""
    if value.startswith("FY"):
        return "fy", date(int(value[2:]) - 1, 10, 1)
    if re.fullmatch(r"\d{4}", value):
        return "year", date(int(value), 1, 1)
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month", date(int(value[:4]), int(value[5:]), 1)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day", date.fromisoformat(value)
    if "-Q" in value:
        return "quarter", date(int(value[:4]), 3 * int(value[-1]) - 2, 1)
    if "-W" in value:
        return "week", date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
    return "season", date(int(value[:4]), _SEASON_START[value[5:]], 1)


def _format(kind: str, day: date) -> str:
    if kind == "fy":
        return f"FY{fiscal_year_of(day)}"
    if kind == "year":
        return str(day.year)
    if kind == "month":
        return fmt_month(day.year, day.month)
    if kind == "day":
        return day.isoformat()
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if kind == "week":
        return fmt_week(day)
    year, code = season_of(day)
    return f"{year}-{code}"


_DELTA = {"day": lambda n: relativedelta(days=n), "week": lambda n: relativedelta(weeks=n),
          "fortnight": lambda n: relativedelta(weeks=2 * n),
          "month": lambda n: relativedelta(months=n), "quarter": lambda n: relativedelta(months=3 * n),
          "year": lambda n: relativedelta(years=n), "decade": lambda n: relativedelta(years=10 * n)}


def shift(value: str, unit: str, count: int) -> str:
    """`value` moved by `count` units, keeping its form ('2022-12' - 1 year -> '2021-12')."""
    parts = value.split("/")
    moved = []
    for part in parts:
        kind, day = _point(part)
        moved.append(_format(kind, day + _DELTA[unit](count)))
    return "/".join(moved)


def coerce(value: str, unit: str) -> str:
    """The `unit` that holds the start of `value` ('2023-06-21' as a month: '2023-06');
    a year stays a fiscal or financial year when `value` is one."""
    if unit == "year" and (value.startswith("FY") or _is_financial_range(value)):
        return value
    kind, day = _point(value.split("/")[0])
    target = {"day": "day", "week": "week", "month": "month", "quarter": "quarter",
              "year": "year", "season": "season"}.get(unit, kind)
    if unit == "year" and kind == "fy":
        return value
    return _format(target, day)


def _is_financial_range(value: str) -> bool:
    match = re.fullmatch(r"(\d{4})-(\d\d)/(\d{4})-(\d\d)", value)
    return bool(match) and (date(int(match[3]), int(match[4]), 1)
                            - relativedelta(months=11)) == date(int(match[1]), int(match[2]), 1)


def _is_day(value: str | None) -> bool:
    return bool(value) and bool(re.fullmatch(r"\d{4}-\d\d-\d\d", value))


def _day_of(value: str) -> date:
    return _point(value.split("/")[0])[1]


# --- choosing among candidates by tense --------------------------------------------------

def choose(past: date, future: date, anchor: date, tense: Tense,
           distance: Callable[[date, date], int] = lambda a, b: (b - a).days) -> date:
    """The candidate the tense says, else the nearer one by `distance`: a tie goes to the
    past, or to the future in the present tense ('the strategy expires in December')."""
    if past == anchor or tense == "past":
        return past
    if tense == "future":
        return future
    back, ahead = distance(past, anchor), distance(anchor, future)
    return future if ahead < back or (ahead == back and tense == "present") else past


def resolve_weekday(weekday: int, anchor: date, tense: Tense) -> date:
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    return choose(anchor - timedelta(days=back), anchor + timedelta(days=ahead), anchor, tense)


def resolve_month(month: int, anchor: date, tense: Tense) -> tuple[int, int]:
    this_year = date(anchor.year, month, 1)
    current = date(anchor.year, anchor.month, 1)
    past = this_year if this_year <= current else date(anchor.year - 1, month, 1)
    future = this_year if this_year >= current else date(anchor.year + 1, month, 1)
    chosen = choose(past, future, current, tense, _months_between)
    return chosen.year, chosen.month


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def resolve_month_day(month: int, day: int, anchor: date, tense: Tense) -> date | None:
    """The nearest real month-day (February 29 is looked for in leap years only)."""
    def real(year: int, step: int) -> date | None:
        for candidate in range(year, year + 8 * step, step):
            try:
                return date(candidate, month, day)
            except ValueError:
                continue
        return None

    past = real(anchor.year, -1)
    past = past if past is None or past <= anchor else real(anchor.year - 1, -1)
    future = real(anchor.year, 1)
    future = future if future is None or future >= anchor else real(anchor.year + 1, 1)
    if past is None or future is None:
        return past or future
    return choose(past, future, anchor, tense)


def _calendar(resolve_at: Callable[[date, Tense], str | None], ctx: DateContext,
              offset: int) -> Anaphor:
    """A date without a year: against `published` by tense, else the nearest to the middle of
    the latest period the text has named ('In January' after 'February 2023': 2023-01; after
    'December 2023': 2024-01; after '2019': in 2019)."""
    tense = ctx.tense_at(offset)

    def resolve(ref: str | None) -> str | None:
        if ctx.published is not None:
            return resolve_at(ctx.published, tense)
        if not ref:
            return None
        first, last = _bounds(ref)
        return resolve_at(first + (last - first) / 2, None)

    return Anaphor(resolve, "latest")


def _anaphor(shifted: Callable[[str], str | None], ctx: DateContext) -> Anaphor:
    """A date named from the text's last date, else from `published` (as a day)."""
    def resolve(ref: str | None) -> str | None:
        base = ref or (ctx.published.isoformat() if ctx.published else None)
        return shifted(base) if base else None

    return Anaphor(resolve, "text")


# --- handlers ----------------------------------------------------------------------------

def _year_of(text: str | None) -> int | None:
    """A four-digit year, or a two-digit one ('23', "'23": 00-50 -> 20YY, else 19YY)."""
    if not text:
        return None
    digits = text.lstrip("'’")
    if len(digits) == 4:
        return int(digits)
    return 2000 + int(digits) if int(digits) <= 50 else 1900 + int(digits)


def _day_number(text: str) -> int:
    return _ordinal(text) if not text[:1].isdigit() else int(re.sub(r"\D", "", text))


def _h_day(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    month, first = month_number(m["mon"]), _day_number(m["d1"])
    second = _day_number(m["d2"]) if m["d2"] else None
    if second is not None and second <= first:
        return REJECT
    year = _year_of(m["y"]) or ctx.sentence_year(m.start())

    def days(start: date) -> str:
        if second is None:
            return start.isoformat()
        return f"{start.isoformat()}/{start.replace(day=second).isoformat()}"

    try:
        if year is not None:
            return days(date(year, month, first))
        date(2024, month, first)
        if second:
            date(2024, month, second)
    except ValueError:
        return REJECT

    def at(anchor: date, tense: Tense) -> str | None:
        start = resolve_month_day(month, first, anchor, tense)
        return days(start) if start else None

    return _calendar(at, ctx, m.start())


def _h_day_span_months(m: re.Match, ctx: DateContext) -> str | None | bool:
    year = _year_of(m["y"]) or (ctx.published.year if ctx.published else None)
    if year is None:
        return None
    try:
        first = date(_year_of(m["y1"]) or year, month_number(m["mon"]), _day_number(m["d1"]))
        last = date(year, month_number(m["mon2"]), _day_number(m["d2"]))
    except ValueError:
        return REJECT
    if last < first and not m["y1"]:
        first = first.replace(year=year - 1)
    if last <= first:
        return REJECT
    return f"{first.isoformat()}/{last.isoformat()}"


def _h_iso_day(m: re.Match, ctx: DateContext) -> str | bool:
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return REJECT


def _day_first(country: str | None) -> bool:
    return (country or "US") in _lex()["day_first_countries"]["countries"]


def _h_numeric_day(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    a, b = int(m["a"]), int(m["b"])
    if m["sep"] == "." and not m["y"]:
        return REJECT
    if a > 12 and b > 12:
        return REJECT
    day_first = a > 12 or (b <= 12 and (_day_first(ctx.country) or m["sep"] == "."))
    day, month = (a, b) if day_first else (b, a)
    if m["y"] is None and (len(m["a"]) > 2 or not 1 <= month <= 12):
        return REJECT
    try:
        if m["y"]:
            return date(_year_of(m["y"]), month, day).isoformat()
        date(2024, month, day)
    except ValueError:
        return REJECT
    return _calendar(lambda anchor, tense: str(resolve_month_day(month, day, anchor, tense)),
                     ctx, m.start())


def _h_month_year(m: re.Match, ctx: DateContext) -> str:
    if m["mon2"]:
        return fmt_month(_year_of(m["yy"]), month_number(m["mon2"]))
    return fmt_month(int(m["y"]), month_number(m["mon"]))


def _h_iso_month(m: re.Match, ctx: DateContext) -> str | bool:
    if int(m["m"]) == (int(m["y"]) + 1) % 100:
        return REJECT  # "2012-13" is a split year
    return fmt_month(int(m["y"]), int(m["m"]))


def _h_numeric_month(m: re.Match, ctx: DateContext) -> str:
    return fmt_month(int(m["y"]), int(m["m"]))


def _h_month_range(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    first, last = month_number(m["mon"]), month_number(m["mon2"])
    if first == last:
        return REJECT
    year_last = int(m["y"]) if m["y"] else None
    year_first = int(m["y1"]) if m["y1"] else None
    if year_last is not None:
        if year_first is None:
            year_first = year_last if first < last else year_last - 1
        return _month_span(date(year_first, first, 1), date(year_last, last, 1))
    if year_first is not None:
        return REJECT

    def at(anchor: date, tense: Tense) -> str:
        end_year, _ = resolve_month(last, anchor, tense)
        start = date(end_year if first < last else end_year - 1, first, 1)
        return _month_span(start, date(end_year, last, 1))

    return _calendar(at, ctx, m.start())


@cache
def _counted_people() -> re.Pattern:
    """A plural people noun of the figures vocabulary ('migrants', 'asylum seekers')."""
    nouns = load_json("lexicons/figures.json")["PEOPLE"]["nouns"]
    plurals = sorted({noun if noun == "people" else f"{noun}s" for noun in nouns},  # its own plural
                     key=len, reverse=True)
    return re.compile(rf"\s+(?i:{'|'.join(map(re.escape, plurals))})\b")


_YEAR_PREPOSITION = re.compile(r"\b(?i:in|since|by|from|until|till|during|of|to|and)\s+$")


def _counts_people(m: re.Match) -> bool:
    """'The 2000 migrants who reached the port', 'Two thousand and twelve people': a year's
    shape before a plural people noun is a count ('In 2000 migrants ...' stays a year)."""
    return bool(_counted_people().match(m.string, m.end())) \
        and not _YEAR_PREPOSITION.search(m.string, max(0, m.start() - 8), m.start())


def _h_year(m: re.Match, ctx: DateContext) -> str | bool:
    return REJECT if _counts_people(m) else m["y"]


def _year_words_value(words: str) -> int | None:
    """'nineteen ninety-six' -> 1996, 'two thousand and seventeen' -> 2017."""
    words = words.lower()
    thousand = re.fullmatch(r"two thousand(?:\s+and)?(?:\s+(.+))?", words)
    if thousand:
        rest = _count(thousand[1]) if thousand[1] else 0
        return 2000 + rest if rest is not None and rest < 100 else None
    head, _, tail = re.sub(r"-", " ", words, count=1).partition(" ")
    century, rest = _count(head), _count(tail)
    if century is None or rest is None or not 10 <= rest < 100:
        return None
    return century * 100 + rest


def _h_year_words(m: re.Match, ctx: DateContext) -> str | bool:
    year = _year_words_value(m["words"])
    if _counts_people(m):
        return REJECT
    return str(year) if year and 1800 <= year <= 2099 else REJECT


def _h_decade(m: re.Match, ctx: DateContext) -> str:
    return f"{m['y']}/{int(m['y']) + 9}"


def _h_year_range(m: re.Match, ctx: DateContext) -> str | bool:
    first = int(m["y"])
    second = int(m["y2"]) if len(m["y2"]) == 4 else first // 100 * 100 + int(m["y2"])
    if second <= first or second - first > 50:
        return REJECT
    if m["sep"] == "/" and len(m["y2"]) == 4:
        return REJECT  # "2024/1351" is a law number; "2023/2024" is written with a dash
    rule = _lex()["financial_years"].get(ctx.country or "")
    if second == first + 1 and len(m["y2"]) == 2 and rule and ctx.country != "US":
        return financial_year_starting(first, ctx.country)
    return f"{first}/{second}"


def _h_fiscal(m: re.Match, ctx: DateContext) -> str | bool:
    if m["y3"]:
        first, sep, second = m["y3"], m["sep3"], m["y4"]
    else:
        first, sep, second = m["y"], m["sep"], m["y2"]
    start = _year_of(first)
    if second is None:
        if m["y3"] is None and len(first.lstrip("'’")) == 2 and not (m["fy"] or "").upper().startswith("FY"):
            return REJECT  # "fiscal 24" is not written
        return financial_year(start, ctx.country)
    end = _year_of(second) if len(second) == 4 or not first.isdigit() or len(first) == 2 \
        else start // 100 * 100 + int(second)
    if end == start + 1 and len(second) == 2 and "fy" not in m.group(0).lower()[-6:] \
            and (sep or "") != "" and len(first) == 4:
        return financial_year_starting(start, ctx.country)  # "fiscal 2021-22"
    if end <= start:
        return REJECT
    first_value, last_value = financial_year(start, ctx.country), financial_year(end, ctx.country)
    if first_value.startswith("FY"):
        return f"{first_value}/{last_value}"
    return f"{first_value.split('/')[0]}/{last_value.split('/')[-1]}"


def _relative_year(rel: str | None, ctx: DateContext, fiscal: bool) -> int | None:
    if ctx.published is None:
        return None
    step = _lex()["steps"].get(re.sub(r"^the\s+", "", (rel or "this").lower()).strip(), 0)
    base = financial_year_holding(ctx.published, ctx.country) if fiscal else ctx.published.year
    return base + step


def _part_of(value: str, index: int, months: int) -> str:
    """Quarter or half `index` of a period: of a calendar year a quarter ('2023-Q3') or a
    month range, of a fiscal or financial year a month range."""
    if re.fullmatch(r"\d{4}", value) and months == 3:
        return f"{value}-Q{index}"
    first, _ = _bounds(value)
    first = date(first.year, first.month, 1) + relativedelta(months=months * (index - 1))
    return _month_span(first, first + relativedelta(months=months - 1))


def _h_quarter(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    if m["mq"]:  # the Australian "March quarter": a calendar quarter
        number = month_number(m["mq"]) // 3
        if m["y"]:
            return f"{m['y']}-Q{number}"
        if ctx.published is None:
            return None
        current = (ctx.published.month - 1) // 3 + 1
        return f"{ctx.published.year if number <= current else ctx.published.year - 1}-Q{number}"
    if m.group(0).lower().startswith("last ") and not (m["period"] or m["y2"] or m["fyq"]):
        return REJECT  # "last quarter" is the one before the current one (relative_unit)
    number = int(m["q"] or m["q2"] or m["q3"] or m["q5"] or m["q6"] or 0) or _ordinal(m["ord"] or "")
    number = 4 if number == -1 else number
    if number is None or not 1 <= number <= 4:
        return REJECT
    fiscal = bool(m["fy"] or m["fy2"] or m["fyq"])
    if m["period"]:
        return _then(_period_value(m, ctx), lambda value: _part_of(value, number, 3))
    year = _year_of(m["y"] or m["y2"] or m["yy"] or m["y5"])
    if year is None and fiscal:
        if ctx.published is None:
            return None
        year = financial_year_holding(ctx.published, ctx.country)
    if fiscal:
        return _part_of(financial_year(year, ctx.country), number, 3)
    if year is not None:
        return f"{year}-Q{number}"
    year = ctx.sentence_year(m.start())
    if year is not None:
        return f"{year}-Q{number}"
    if ctx.published is None:
        return None
    anchor = ctx.published
    current = (anchor.month - 1) // 3 + 1
    # the verb's tense tells about the report, not the quarter: "will publish figures for
    # the third quarter" in October means the quarter just ended, so take the nearest
    back, ahead = (current - number) % 4, (number - current) % 4
    if back <= ahead:
        return f"{anchor.year if number <= current else anchor.year - 1}-Q{number}"
    return f"{anchor.year if number >= current else anchor.year + 1}-Q{number}"


def _h_half(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    word = (m["ord"] or "").lower()
    index = 2 if (m["h"] or m["h2"]) == "2" or word in ("second", "2nd", "back", "latter",
                                                        "last") else 1
    if m["period"]:
        return _then(_period_value(m, ctx), lambda value: _part_of(value, index, 6))
    year = _year_of(m["y"] or m["yy"])
    if m["fy"]:
        return _part_of(financial_year(year, ctx.country), index, 6)
    if year is None:
        year = ctx.sentence_year(m.start()) or (ctx.published.year if ctx.published else None)
    if year is None:
        return None
    return _part_of(str(year), index, 6)


def _h_week_number(m: re.Match, ctx: DateContext) -> str | None | bool:
    week = int(m["w"] or m["w2"])
    year = _year_of(m["y"] or m["y2"] or m["y3"])
    if year is None:
        year = _relative_year(m["rel"], ctx, False)
    if year is None:
        return None
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return REJECT
    return f"{year}-W{week:02d}"


def _sub_value(m: re.Match, ctx: DateContext, group: str) -> str | None | Anaphor:
    """The value of the date expression that fills one group of `m` ('the week of June 5')."""
    tense = ctx.tense_at(m.start())
    inner = DateContext(ctx.published, lambda offset: tense, ctx.country, ctx.sentence_year)
    text = m[group]
    for found, value in _resolved(text, inner):
        if (found.start, found.end) == (0, len(text)):
            return value
    return None


def _then(value: str | None | Anaphor, finish: Callable[[str], str | None]) -> str | None | Anaphor:
    """`finish` applied to a value, now or once an anaphor is resolved."""
    if isinstance(value, Anaphor):
        inner = value
        return Anaphor(lambda ref: _maybe(inner.resolve(ref), finish), inner.mode)
    return _maybe(value, finish)


def _maybe(value: str | None, finish: Callable[[str], str | None]) -> str | None:
    return finish(value) if value else None


def _h_week_of(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    return _then(_sub_value(m, ctx, "date"),
                 lambda value: fmt_week(_day_of(value)) if len(value) == 10 else None)


def _h_season(m: re.Match, ctx: DateContext) -> str | None | bool:
    code = _lex()["seasons"][m["season"].lower()]
    year = _year_of(m["y"] or m["y0"]) or (_year_words_value(m["yw"]) if m["yw"] else None)
    if year is not None:
        return f"{year}-{code}"
    if not m["rel"]:
        if m["the"]:
            year = ctx.sentence_year(m.start())
            if year is not None:
                return f"{year}-{code}"
            return REJECT  # "the summer" in general is not a date
        return _season_by_tense(m, ctx, code)
    anchor = ctx.published
    if anchor is None:
        return None
    year, current = season_of(anchor)
    order = ["WI", "SP", "SU", "FA"]
    rel = m["rel"].lower()
    if rel == "this":
        return f"{year if code == 'WI' else anchor.year}-{code}"
    if rel.startswith("last") or rel.endswith("past"):
        return f"{year if order.index(code) < order.index(current) else year - 1}-{code}"
    return f"{year if order.index(code) > order.index(current) else year + 1}-{code}"


_SEASON_ORDER = ("SP", "SU", "FA", "WI")  # within a season year (winter has its December's)


def _season_by_tense(m: re.Match, ctx: DateContext, code: str) -> str | None | bool:
    """A bare 'in autumn' is a date when the verb places it ('reopened in autumn': the latest
    autumn; 'will reopen in spring': the next); in the present or without a verb it is
    habitual ('crossings rise in summer'), and not a date."""
    tense = ctx.tense_at(m.start())
    if not re.search(r"\b[Ii]n\s+$", m.string[max(0, m.start() - 4):m.start()]) \
            or tense not in ("past", "future"):
        return REJECT
    if ctx.published is None:
        return None
    year, current = season_of(ctx.published)
    wanted, now = _SEASON_ORDER.index(code), _SEASON_ORDER.index(current)
    if tense == "past":
        return f"{year if wanted <= now else year - 1}-{code}"
    return f"{year if wanted >= now else year + 1}-{code}"


def _h_day_word(m: re.Match, ctx: DateContext) -> str | None:
    if ctx.published is None:
        return None
    offset = {"today": 0, "tomorrow": 1, "yesterday": -1}[m["word"].lower()]
    offset += {"before": -1, "after": 1}.get((m["dir"] or "").lower(), 0)
    return (ctx.published + timedelta(days=offset)).isoformat()


def _weekday_number(word: str) -> int:
    return _lex()["weekdays"][word.lower()]


def _h_weekday(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    weekday = _weekday_number(m["wd"])
    groups = m.groupdict()
    rel = re.sub(r"\s+", " ", (groups.get("rel") or "").lower())
    week_rel = (m["wrel"] or "").lower()
    if rel in ("the following", "the previous"):
        step = 1 if rel == "the following" else -1

        def around(base: str) -> str:
            day = _day_of(base)
            offset = ((weekday - day.weekday()) % 7 or 7) if step > 0 \
                else -((day.weekday() - weekday) % 7 or 7)
            return (day + timedelta(days=offset)).isoformat()

        return _anaphor(around, ctx)
    if week_rel or rel == "this":
        if ctx.published is None:
            return None
        monday = ctx.published - timedelta(days=ctx.published.weekday())
        monday += timedelta(weeks={"last": -1, "next": 1}.get(week_rel, 0))
        return (monday + timedelta(days=weekday)).isoformat()
    if rel:
        if ctx.published is None:
            return None
        if rel.startswith("last") or rel == "this past":
            back = (ctx.published.weekday() - weekday) % 7 or 7
            return (ctx.published - timedelta(days=back)).isoformat()
        ahead = (weekday - ctx.published.weekday()) % 7 or 7
        return (ctx.published + timedelta(days=ahead)).isoformat()
    in_week = _calendar(lambda anchor, tense: resolve_weekday(weekday, anchor, tense).isoformat(),
                        ctx, m.start())
    # undated, only a day just named places a weekday ('Monday, June 10, ... on Thursday')
    return Anaphor(lambda ref: in_week.resolve(ref) if ctx.published or _is_day(ref) else None,
                   "calendar")


def _unit_value(unit: str, day: date, ctx: DateContext, kind: str = "") -> str:
    """The `unit` that holds `day` ('year' with kind 'fiscal': the financial year)."""
    if unit == "year" and kind in ("fiscal", "financial", "program"):
        return financial_year(financial_year_holding(day, ctx.country), ctx.country)
    return _format({"decade": "year"}.get(unit, unit), day)


def _h_relative_unit(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    rel = re.sub(r"^the\s+", "", m["rel"].lower())
    unit, kind = m["unit"].lower(), (m["kind"] or "").strip().lower()
    step = _lex()["steps"][rel]
    if unit == "decade" or (rel == "new" and unit != "year") or (unit == "day" and rel != "same"
                                                                 and rel not in ("next", "following", "previous", "preceding", "prior")):
        return REJECT
    if rel == "same" and not m["last"]:
        return REJECT  # "the same week" is the week of the date just named (that_unit)
    if m["dir"]:  # "the year before last", "the week after next"
        step = 2 if m["dir"].lower() == "after" else -2
    if m["last"] and m["last"].lower() == "last year":  # "the same week last year"
        if ctx.published is None:
            return None
        return _unit_value(unit, ctx.published - relativedelta(years=1), ctx, kind)
    if unit == "weekend":
        if ctx.published is None:
            return None
        saturday = ctx.published + timedelta(days=(5 - ctx.published.weekday()) % 7)
        if step < 0 or (step == 0 and ctx.tense_at(m.start()) == "past"):
            saturday -= timedelta(weeks=1)
        saturday += timedelta(weeks=max(step, 0))
        return f"{saturday.isoformat()}/{(saturday + timedelta(days=1)).isoformat()}"
    anaphoric = rel in ("previous", "preceding", "prior", "following") or \
        (rel == "next" and unit == "day")
    if anaphoric:
        def moved(base: str) -> str:
            if unit == "year" and kind in ("fiscal", "financial", "program"):
                if base.startswith("FY") or _is_financial_range(base):
                    return shift(base, "year", step)
                return _unit_value(unit, _day_of(base) + relativedelta(years=step), ctx, kind)
            return shift(coerce(base, unit), unit, step)

        return _anaphor(moved, ctx)
    if ctx.published is None:
        return None
    if rel == "new" and kind == "fiscal":
        return f"FY{fiscal_year_of(ctx.published + relativedelta(months=1))}"
    if rel == "past" and unit == "week":  # "the past week": the seven days before published
        return f"{ctx.published - timedelta(days=7)}/{ctx.published - timedelta(days=1)}"
    if rel == "past" and unit != "year":
        step = -1
    if rel == "past" and unit == "year":
        return str(ctx.published.year - 1)
    return _unit_value(unit, ctx.published + _DELTA[unit](step), ctx, kind)


def _h_unit_before(m: re.Match, ctx: DateContext) -> Anaphor | bool:
    """'the year before', 'the two years before', 'the summer before' (after a named date)."""
    unit = m["unit"].lower()
    step = -1 if m["dir"].lower() == "before" else 1
    count = _count(m["n"]) if m["n"] else None
    if m["n"] and count is None:
        return REJECT
    season = unit in _lex()["seasons"]

    def moved(base: str) -> str:
        if season:
            return shift(f"{_day_of(base).year}-{_lex()['seasons'][unit]}", "year", step)
        anchor = coerce(base, unit)
        if count is None:
            return shift(anchor, unit, step)
        near, far = shift(anchor, unit, step), shift(anchor, unit, step * count)
        return f"{far}/{near}" if step < 0 else f"{near}/{far}"

    return _anaphor(moved, ctx)


def _h_this_time(m: re.Match, ctx: DateContext) -> str | None:
    return (ctx.published - relativedelta(years=1)).isoformat() if ctx.published else None


def _unit_count(m: re.Match) -> tuple[str, int] | None:
    count = _count(m["n"]) if m["n"] else 1
    unit = _lex()["units"][m["unit"].lower()]
    if count is None:
        return None
    if unit == "fortnight":
        return "week", 2 * count
    if unit == "decade":
        return "year", 10 * count
    return unit, count


def _h_ago(m: re.Match, ctx: DateContext) -> str | None | bool:
    unit_count = _unit_count(m)
    if unit_count is None:
        return REJECT
    if ctx.published is None:
        return None
    unit, count = unit_count
    return _unit_value(unit, ctx.published - _DELTA[unit](count), ctx)


def _h_shifted(m: re.Match, ctx: DateContext) -> Anaphor | bool:
    """'three years earlier', 'two days later': the text's last date moved, its form kept."""
    unit_count = _unit_count(m)
    if unit_count is None:
        return REJECT
    unit, count = unit_count
    step = -count if m["dir"].lower() in ("earlier", "before") else count

    def resolve(ref: str | None) -> str | None:
        if ref:
            return shift(ref, unit, step)
        if ctx.published is None:
            return None  # with no date named, as 'N units ago' (a year earlier -> a year)
        return _unit_value(unit, ctx.published + _DELTA[unit](step), ctx)

    return Anaphor(resolve, "text")


def _h_past_n(m: re.Match, ctx: DateContext) -> str | None | bool:
    """'the past N units': the N complete units before the one holding `published` (spec 8)."""
    unit_count = _unit_count(m)
    if unit_count is None or unit_count[1] < 1:
        return REJECT
    if ctx.published is None:
        return None
    unit, count = unit_count
    rel = m["rel"].lower()
    if rel in ("next", "coming", "following"):
        if unit in ("day", "week"):
            first = ctx.published + _DELTA[unit](1)
        else:
            first = ctx.published
            if unit == "year" and re.search(r"(?i)program|financial", m.group(0)):
                following = financial_year_holding(ctx.published, ctx.country) + 1
                start = _fy_first_month(following, ctx.country)
                return _month_span(start, start + relativedelta(months=12 * count - 1))
        last = first + _DELTA[unit](count - 1)
        if unit == "year":
            start = date(first.year, first.month, 1)
            return _month_span(start, start + relativedelta(months=12 * count - 1))
        return _span(_format(unit, first), _format(unit, last))
    if unit == "year" and count == 1:
        return str(ctx.published.year - 1)
    first = ctx.published - _DELTA[unit](count)
    last = ctx.published - _DELTA[unit](1)
    return _span(_format(unit, first), _format(unit, last))


def _h_relative_month(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    month = month_number(m["mon"])
    anchor = ctx.published
    rel = re.sub(r"\s+", " ", m["rel"].lower()).rstrip("-")
    if rel in ("early", "late", "mid"):
        year = ctx.sentence_year(m.start())
        if year is not None:
            return fmt_month(year, month)
        return _calendar(lambda day, tense: fmt_month(*resolve_month(month, day, tense)), ctx,
                         m.start())
    if anchor is None:
        return None
    if rel == "this":
        return fmt_month(anchor.year, month)
    if rel in ("last", "this past"):
        return fmt_month(anchor.year if month < anchor.month else anchor.year - 1, month)
    return fmt_month(anchor.year if month > anchor.month else anchor.year + 1, month)


def _h_month_of_year(m: re.Match, ctx: DateContext) -> str | None | bool:
    year = _relative_year(m["rel"], ctx, False)
    if year is None:
        return None
    try:
        if m["d1"]:
            return date(year, month_number(m["mon"]), _day_number(m["d1"])).isoformat()
    except ValueError:
        return REJECT
    return fmt_month(year, month_number(m["mon"]))


def _opens_with_may(m: re.Match) -> bool:
    return m["mon"] in ("May", "MAY") and m.group(0) != m.string \
        and not _after_month_cue(m.string, m.start())


def _may_is_the_month(m: re.Match, ctx: DateContext) -> bool:
    """'May saw record crossings': a finite verb after it, which the modal never has, and
    no person named May in the text ('Theresa May')."""
    following = re.compile(r"\s*").match(m.string, m.end()).end()
    people = [name for name in _PERSON_MAY.findall(m.string)
              if not _MONTH_CUES.match(name.lower() + " ")]
    return ctx.tag_at(following) in ("VBD", "VBZ", "MD") and not people


def _h_month_alone(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    if _opens_with_may(m) and not _may_is_the_month(m, ctx):
        return REJECT
    month = month_number(m["mon"])
    year = ctx.sentence_year(m.start())
    if year is not None:
        return fmt_month(year, month)
    return _calendar(lambda anchor, tense: fmt_month(*resolve_month(month, anchor, tense)), ctx,
                     m.start())


def _h_day_of_month(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    day = int(m["d"])
    if m["rel"]:
        if ctx.published is None:
            return None
        target = ctx.published + relativedelta(months={"last": -1, "next": 1}.get(m["rel"], 0))
        try:
            return target.replace(day=day).isoformat()
        except ValueError:
            return None

    def at(anchor: date, tense: Tense) -> str | None:
        months = [anchor + relativedelta(months=step) for step in (-2, -1, 0, 1, 2)]
        candidates = []
        for month in months:
            try:
                candidates.append(month.replace(day=day))
            except ValueError:
                continue
        past = [c for c in candidates if c <= anchor]
        future = [c for c in candidates if c >= anchor]
        if not past or not future:
            return None
        return choose(past[-1], future[0], anchor, tense).isoformat()

    if ctx.published is None:
        def within(ref: str | None) -> str | None:
            if not ref:
                return None
            first = _day_of(ref)
            try:
                return first.replace(day=day).isoformat() if len(ref) == 7 else None
            except ValueError:
                return None
        return Anaphor(within, "calendar")
    return _calendar(at, ctx, m.start())


def _period_value(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    """The period a part or an edge is taken of ('the year', 'FY2023', 'next month', 'June')."""
    text = re.sub(r"\s+", " ", m["period"]).strip()
    words = text.lower()
    split_year = re.fullmatch(r"(?:the )?(\d{4})[-–/](\d\d) year", words)
    if split_year and int(split_year[2]) == (int(split_year[1]) + 1) % 100:
        return financial_year_starting(int(split_year[1]), ctx.country)
    bare = re.fullmatch(r"the (?:(fiscal|financial|calendar) )?(year|month|week)", words)
    if bare:
        year = ctx.sentence_year(m.start()) if bare[2] == "year" and not bare[1] else None
        if year is not None:
            return str(year)
        if ctx.published is None:  # 'the year' is the text's own, 'the month' the one named
            return Anaphor(lambda ref: coerce(ref, bare[2]) if ref else None,
                           "latest" if bare[2] == "year" else "text")
        return _unit_value(bare[2], ctx.published, ctx, bare[1] or "")
    return _sub_value(m, ctx, "period")


def _h_edge(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    edge = m["edge"].lower()

    def part(value: str) -> str:
        if edge not in ("start", "beginning") or "/" in value and not _is_financial_range(value):
            return value
        kind, first = _point(value.split("/")[0])
        if kind in ("year", "fy") or _is_financial_range(value):
            return fmt_month(first.year, first.month)
        return value

    return _then(_period_value(m, ctx), part)


def _bounds(value: str) -> tuple[date, date]:
    """First and last day of a TIMEX value."""
    first_kind, first = _point(value.split("/")[0])
    last_kind, last_start = _point(value.split("/")[-1])
    step = {"day": relativedelta(days=1), "week": relativedelta(weeks=1),
            "month": relativedelta(months=1), "quarter": relativedelta(months=3),
            "season": relativedelta(months=3), "year": relativedelta(years=1),
            "fy": relativedelta(years=1)}[last_kind]
    return first, last_start + step - timedelta(days=1)


def _h_part(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    count = _count(m["n"])
    if count is None or count < 1:
        return REJECT
    unit = m["unit"].lower().rstrip("s")
    first_part = m["which"].lower() in ("first", "opening")

    def part(value: str) -> str | None:
        start, end = _bounds(value)
        if unit == "month":
            if first_part:
                last = start + relativedelta(months=count - 1)
                return _month_span(start, last)
            first = date(end.year, end.month, 1) - relativedelta(months=count - 1)
            return _month_span(first, end)
        length = timedelta(days=count * (7 if unit == "week" else 1) - 1)
        if first_part:
            return f"{start.isoformat()}/{(start + length).isoformat()}"
        return f"{(end - length).isoformat()}/{end.isoformat()}"

    return _then(_period_value(m, ctx), part)


def _h_nth_unit(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    index = _ordinal(m["ord"])
    unit = m["unit"].lower()
    if index is None:
        return REJECT

    def part(value: str) -> str | None:
        start, end = _bounds(value)
        if unit == "month":
            return fmt_month(*(lambda d: (d.year, d.month))(start + relativedelta(months=index - 1))) \
                if index > 0 else fmt_month(end.year, end.month)
        if unit == "day":
            return (start + timedelta(days=index - 1) if index > 0 else end).isoformat()
        first = start + timedelta(weeks=index - 1) if index > 0 else end - timedelta(days=6)
        return f"{first.isoformat()}/{(first + timedelta(days=6)).isoformat()}"

    return _then(_period_value(m, ctx), part)


def _h_nth_weekday(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    index, weekday = _ordinal(m["ord"]), _weekday_number(m["wd"])
    if index is None:
        return REJECT

    def part(value: str) -> str | None:
        start, end = _bounds(value)
        if index > 0:
            first = start + timedelta(days=(weekday - start.weekday()) % 7)
            return (first + timedelta(weeks=index - 1)).isoformat()
        return (end - timedelta(days=(end.weekday() - weekday) % 7)).isoformat()

    return _then(_period_value(m, ctx), part)


def _h_period_to(m: re.Match, ctx: DateContext) -> str | None | Anaphor:
    """'the year to March 2024', 'the three months to March': a range ending with that month."""
    months = 12
    if m["n"]:
        count = _count(m["n"]) or 0
        months = count * {"months": 1, "quarters": 3, "years": 12}[m["unit"].lower()]

    def ending(value: str) -> str | None:
        _, end = _bounds(value)
        last = date(end.year, end.month, 1)
        return _month_span(last - relativedelta(months=months - 1), last)

    return _then(_sub_value(m, ctx, "date"), ending)


def _h_same_period(m: re.Match, ctx: DateContext) -> Anaphor | bool:
    """'the same period in 2022', 'the same month a year earlier': the text's last period."""
    unit = m["unit"].lower()
    if not (m["y"] or m["last"] or m["n"]):
        return REJECT

    def moved(base: str) -> str | None:
        if unit in ("month", "quarter", "week", "day"):
            base = coerce(base, unit)
        if m["y"]:
            return shift(base, "year", int(m["y"]) - _day_of(base.split("/")[-1]).year)
        if m["n"]:
            count = _count(m["n"])
            unit_name = _lex()["units"][m["nunit"].lower()]
            return shift(base, unit_name, -count) if count else None
        return shift(base, "year", -1)

    return _anaphor(moved, ctx)


def _h_that_unit(m: re.Match, ctx: DateContext) -> Anaphor:
    unit = m["unit"].lower()
    seasons = _lex()["seasons"]

    def same(base: str) -> str:
        if unit in seasons:
            return f"{_day_of(base).year}-{seasons[unit]}"
        return coerce(base, unit)

    return Anaphor(lambda ref: same(ref) if ref else None, "text")


def _h_these_months(m: re.Match, ctx: DateContext) -> Anaphor:
    return Anaphor(lambda ref: ref if ref and "/" in ref else None, "text")


def _named_day_dates(name: str, year: int, country: str | None) -> tuple[date, date] | None:
    """First and last day of a named day in `year` (a range only for Ramadan)."""
    entry = _lex()["named_days"][name]
    if "fixed" in entry:
        month, day = map(int, entry["fixed"].split("-"))
        return date(year, month, day), date(year, month, day)
    if "easter" in entry:
        day = easter(year) + timedelta(days=entry["easter"])
        return day, day
    if "hijri_month" in entry:
        from hijridate import Gregorian, Hijri

        hijri_year = Gregorian(year, 6, 30).to_hijri().year
        for candidate in (hijri_year - 1, hijri_year, hijri_year + 1):
            first = Hijri(candidate, entry["hijri_month"], 1)
            start = first.to_gregorian()
            if start.year == year:
                return start, start + timedelta(days=first.month_length() - 1)
        return None
    import holidays

    def lookup(code: str) -> date | None:
        country_code, _, subdivision = code.partition("-")
        try:
            calendar = holidays.country_holidays(country_code, subdiv=subdivision or None,
                                                 years=year, language="en_US")
        except (NotImplementedError, KeyError):
            return None
        days = sorted(day for day, names in calendar.items()
                      if entry["library"] in names.split("; "))
        return days[0] if days else None

    own = country if country and country != "EU" else None
    for code in ([f"{own}-{entry['subdivisions'][own]}"] if own in entry.get("subdivisions", {})
                 else []) + ([own] if own else []) + [entry["home"]]:
        day = lookup(code)
        if day is not None:
            return day, day
    return None


def _named_day_value(name: str, year: int, country: str | None) -> str | None:
    days = _named_day_dates(name, year, country)
    return None if days is None else _span(days[0].isoformat(), days[1].isoformat())


def _h_named_day(m: re.Match, ctx: DateContext) -> str | None | bool | Anaphor:
    name = re.sub(r"\s+", " ", m["name"].lower()).replace("’", "'")
    if name not in _lex()["named_days"]:
        return REJECT
    if m["y"]:
        return _named_day_value(name, int(m["y"]), ctx.country)
    rel = (m["rel"] or "").lower()
    country = ctx.country

    def at(anchor: date, tense: Tense) -> str | None:
        options = [(year, _named_day_dates(name, year, country))
                   for year in (anchor.year - 1, anchor.year, anchor.year + 1)]
        options = [(first, last) for _, found in options if found for first, last in [found]]
        past = [o for o in options if o[0] <= anchor]
        future = [o for o in options if o[1] >= anchor]
        if rel == "last":
            chosen = [o for o in options if o[1] < anchor][-1:]
        elif rel == "next":
            chosen = [o for o in options if o[0] > anchor][:1]
        elif past and future and past[-1] == future[0]:
            chosen = [past[-1]]
        elif past and future:
            nearest = choose(past[-1][0], future[0][0], anchor, tense)
            chosen = [past[-1] if nearest == past[-1][0] else future[0]]
        else:
            chosen = past[-1:] or future[:1]
        if not chosen:
            return None
        first, last = chosen[0]
        return _span(first.isoformat(), last.isoformat())

    if rel and ctx.published is None:
        return None
    return _calendar(at, ctx, m.start())


HANDLERS: dict[str, Handler] = {
    name[3:]: handler for name, handler in globals().items() if name.startswith("_h_")}


# --- the grammar -------------------------------------------------------------------------

def _alternation(words, capitalise: bool = True) -> str:
    forms = set()
    for word in words:
        forms.add(word)
        if capitalise:
            forms.add(word[:1].upper() + word[1:])
    return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))


@cache
def fragments() -> dict[str, str]:
    """The named pieces the rules' patterns are built from, all from the vocabularies."""
    lex = _lex()
    numbers = load_json("lexicons/numbers.json")
    number_words = _alternation(list(numbers["units"]) + list(numbers["tens"]))
    tens = _alternation(numbers["tens"])
    units = _alternation([w for w, v in numbers["units"].items() if 1 <= v <= 9])
    teens = _alternation([w for w, v in numbers["units"].items() if 10 <= v <= 19])
    full_months = [m.capitalize() for m in lex["months"]] + [m.upper() for m in lex["months"]]
    abbreviations = [a.capitalize() for a in lex["month_abbreviations"]]
    month = ("(?:" + "|".join(sorted(full_months, key=len, reverse=True)) + "|(?:"
             + "|".join(sorted(abbreviations, key=len, reverse=True))
             + r")(?:\.(?!\s*(?:$|\n|[A-Z])))?)(?![a-z])")
    weekdays = [w.capitalize() for w in lex["weekdays"]] + [w.upper() for w in lex["weekdays"]]
    ordinals = [w for w, v in lex["ordinals"].items() if v > 0]
    day_word = (rf"(?:(?:{_alternation(lex['ordinal_tens'])})[- ])?"
                rf"(?:{_alternation(ordinals)})")
    rest = rf"(?:(?:{tens})(?:[- ](?:{units}))?|{teens})"
    year_words = (rf"(?:(?i:nineteen|twenty)[- ]{rest}|(?i:two\s+thousand)(?:\s+and)?"
                  rf"(?:\s+(?:{rest}|{units}))?)")
    holiday = "|".join(r"\s+".join(re.escape(part).replace("'", "['’]") for part in name.split())
                       for name in sorted((k for k in lex["named_days"] if k != "_doc"),
                                          key=len, reverse=True))
    parts = {
        "MONTH": month,
        "MONTHFULL": "|".join(sorted(full_months, key=len, reverse=True)),
        "MONTHABBR": "|".join(sorted(abbreviations, key=len, reverse=True)),
        "WEEKDAY": "(?:" + "|".join(weekdays) + r")\b",
        "NOTYEARAFTER": "".join(rf"(?<!{re.escape(word)}\s)" for word in lex["year_not_after"]["words"]),
        "WDABBR": "(?:" + _alternation(lex["weekday_abbreviations"]) + r")\.?(?=,)",
        "DAY": r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)",
        "DAYWORD": day_word,
        "YEAR": r"(?:1[89]\d\d|20\d\d)",
        "DASH": r"\s?[-–—]\s?",
        "THE": r"[Tt]he\s+",
        "FY": r"(?:[Ff]iscal\s+[Yy]ears?|[Ff]iscal|FYs?|[Ff]inancial\s+[Yy]ear)",
        "ORD": rf"(?:{_alternation(list(lex['ordinals']))}|\d{{1,2}}(?:st|nd|rd|th))",
        "COUNT": rf"(?:\d{{1,3}}|(?:{number_words})(?:[- ](?:{number_words}))?|an?|An?)",
        "UNIT": rf"(?:{_alternation(lex['units'], capitalise=False)})",
        "SEASON": rf"(?:{_alternation(lex['seasons'])})",
        "YEARWORDS": year_words,
        "HOLIDAY": rf"(?i:{holiday})(?![\w'’])",
    }
    parts["DATEREF"] = (rf"(?:{parts['MONTH']}\s+{parts['DAY']}(?:,?\s+{parts['YEAR']})?|"
                        rf"{parts['DAY']}\s+{parts['MONTH']}(?:,?\s+{parts['YEAR']})?|"
                        rf"{parts['MONTH']}(?:,?\s+{parts['YEAR']})?)")
    parts["PERIODREF"] = (rf"(?:[Tt]he\s+(?:fiscal\s+|financial\s+|calendar\s+)?(?:year|month|week)"
                          rf"|(?:this|last|next|the\s+(?:current|previous|next|last|coming))\s+"
                          rf"(?:fiscal\s+|financial\s+)?(?:year|month|week)"
                          rf"|(?:the\s+)?(?:{parts['FY']}\s*)?{parts['YEAR']}[-–/]\d\d"
                          rf"(?:\s+(?:(?:fiscal|financial|budget)\s+)?year)?"
                          rf"|(?:the\s+)?{parts['YEAR']}\s+(?:fiscal|financial|budget)\s+year"
                          rf"|{parts['FY']}\s*(?:{parts['YEAR']}|\d\d)|{parts['DATEREF']}"
                          rf"|{parts['YEAR']}|{year_words})")
    return parts


class Groups:
    """A match whose absent groups read as None, so rules may share handlers."""

    def __init__(self, match: re.Match):
        self.match = match

    def __getitem__(self, group: str | int) -> str | None:
        try:
            return self.match[group]
        except IndexError:
            return None

    def __getattr__(self, name: str):
        return getattr(self.match, name)


# characters: no date expression, with what its lookarounds read, reaches further from its
# required word (the longest in the case tables and the devset reach 38)
_REACH = 64


@dataclass(frozen=True, eq=False)  # one per word list (see _anchor), hashed by identity
class Anchor:
    """A rule's required words, one of which every match holds: `exact`, the words written with
    a capital, as written (one pattern: capitals are rare, so it skips ahead fast); `anycase`,
    the lower-case words, in any case (found one by one in the lower-case text)."""

    exact: re.Pattern | None
    anycase: tuple[str, ...]


@dataclass
class Rule:
    name: str
    pattern: re.Pattern
    handler: Handler
    anchor: Anchor | None = None  # None: tried on the whole text


def _build(pattern: str) -> str:
    parts = fragments()
    return re.sub(r"\{([A-Z]+)\}", lambda m: parts[m[1]], pattern)


def _vocabulary_words(name: str) -> list[str]:
    """A required word that names a vocabulary: "{MONTHS}" is every month's first three
    letters and "{WEEKDAYS}" every weekday, as the patterns write them (capitalised or upper);
    "{HOLIDAYS}" the longest word of each named day's name, in any case."""
    lex = _lex()
    if name == "HOLIDAYS":  # the holiday pattern reads either apostrophe
        longest = {max(day.split(), key=len) for day in lex["named_days"] if day != "_doc"}
        return sorted({form for word in longest for form in (word, word.replace("'", "’"))})
    words = {"MONTHS": [m[:3] for m in lex["months"]], "WEEKDAYS": list(lex["weekdays"])}[name]
    return [form for word in words for form in (word.capitalize(), word.upper())]


@cache
def _anchor(words: tuple[str, ...]) -> Anchor | None:
    """The compiled required words of a rule; rules with the same words share them."""
    forms = [form for word in words for form in (
        _vocabulary_words(word[1:-1]) if word.startswith("{") else [word])]
    if not forms:
        return None
    exact = sorted((form for form in forms if form != form.lower()), key=len, reverse=True)
    return Anchor(re.compile("|".join(map(re.escape, exact))) if exact else None,
                  tuple(form for form in forms if form == form.lower()))


@cache
def rules() -> tuple[Rule, ...]:
    """The rule table of `lexicons/date_rules.json`, compiled once per process."""
    table = load_json("lexicons/date_rules.json")["rules"]
    return tuple(Rule(row["name"], re.compile(_build(row["pattern"])), HANDLERS[row["handler"]],
                      _anchor(tuple(row["requires"]))) for row in table)


_MONTH_CUES = re.compile(r"(?i:in|since|last|this|next|until|till|from|by|of|early|late|mid|"
                       r"through|before|after|during|to|and|between|that|for|on)\s+$")


def _after_month_cue(text: str, start: int) -> bool:
    """A word before `start` that makes the next word a month ('in May', 'since Jan.')."""
    return bool(_MONTH_CUES.search(text[max(0, start - 12):start]))


_SENTENCE_OPENING = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_PERSON_MAY = re.compile(r"\b([A-Z][a-z]+)\s+May\b")  # 'Theresa May', 'Mrs May'


_WEEKDAY_PAIR = re.compile(r"(?i)(from\s+|between\s+)?(\w+day)\s+(?:to|through|-|–)\s+(\w+day)\b")


def _plausible(rule: Rule, m: re.Match, text: str) -> bool:
    """Reject the modal 'May' and month names used as words ('Jan.' as a name's initial),
    and habitual weekday spans ('open Monday to Friday'; 'from Monday to Wednesday' is two
    dates)."""
    if rule.name == "month_alone" and m["mon"] in ("May", "MAY") and m.group(0) != text:
        # a sentence may open with the month: its verb decides (see _h_month_alone)
        return _after_month_cue(text, m.start()) \
            or bool(_SENTENCE_OPENING.search(text, max(0, m.start() - 3), m.start()))
    if rule.name == "month_abbreviation_alone":
        return _after_month_cue(text, m.start())
    if rule.name == "weekday" and m.group(0) == m["wd"]:
        for pair in _WEEKDAY_PAIR.finditer(text, max(0, m.start() - 24), m.end() + 24):
            if m.start() in (pair.start(2), pair.start(3)) and not pair[1] \
                    and pair[2].lower() in _lex()["weekdays"]:
                return False
    return True


def _windows(text: str, lowered: str, anchor: Anchor) -> list[tuple[int, int]]:
    """The stretches of `text` within `_REACH` of a required word, merged; the whole text
    when the words are too many for windows to save anything."""
    if len(lowered) != len(text):  # lower-casing moved the offsets: the whole text, as before
        present = bool(anchor.exact and anchor.exact.search(text)) or any(
            word in lowered for word in anchor.anycase)
        return [(0, len(text))] if present else []
    most = len(text) // (2 * _REACH) + 1
    found = [word.span() for word in anchor.exact.finditer(text)] if anchor.exact else []
    if len(found) > most:
        return [(0, len(text))]
    for word in anchor.anycase:
        at = lowered.find(word)
        while at >= 0:
            if len(found) == most:
                return [(0, len(text))]
            found.append((at, at + len(word)))
            at = lowered.find(word, at + 1)
    windows: list[list[int]] = []
    for start, end in sorted(found):
        if windows and start - _REACH <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end + _REACH)
        else:
            windows.append([max(start - _REACH, 0), end + _REACH])
    return [(start, min(end, len(text))) for start, end in windows]


@lru_cache(maxsize=4)
def _candidates(text: str) -> tuple[tuple[int, int, int, Rule, Groups], ...]:
    """Every rule's matches, longest first, each found only near the rule's required words;
    cached, as the sentence years ask for the same text again while it is resolved."""
    candidates: list[tuple[int, int, int, Rule, Groups]] = []
    lowered = text.lower()
    windows: dict[Anchor | None, list[tuple[int, int]]] = {None: [(0, len(text))]}
    for index, rule in enumerate(rules()):
        if rule.anchor not in windows:
            windows[rule.anchor] = _windows(text, lowered, rule.anchor)
        for start, end in windows[rule.anchor]:
            for m in map(Groups, rule.pattern.finditer(text, start, end)):
                if m.end() > m.start() and _plausible(rule, m, text):
                    candidates.append((m.start(), m.end(), index, rule, m))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2]))
    return tuple(candidates)


def _matches(text: str, ctx: DateContext) -> list[tuple[int, int, object, re.Match]]:
    """Longest non-overlapping matches, left to right, with their handler's value."""
    candidates = _candidates(text)
    taken: list[tuple[int, int]] = []
    chosen = []
    for start, end, _, rule, m in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        value = rule.handler(m, ctx)
        if value is REJECT:
            continue
        taken.append((start, end))
        chosen.append((start, end, value, m))
    chosen.sort(key=lambda c: c[0])
    return chosen


def _resolved(text: str, ctx: DateContext) -> list[tuple[DateExpression, object]]:
    """Matches with their values; anaphors stay unresolved (for nested resolution)."""
    return [(DateExpression(start, end, m.group(0), None), value)
            for start, end, value, m in _matches(text, ctx)]


def find_dates(text: str, ctx: DateContext | None = None) -> list[DateExpression]:
    """Every date expression in `text` with its value; a date named from another ('the
    previous month', 'Thursday' in an undated text) takes the last date named before it, a
    month or day without a year in an undated text the latest (see Anaphor)."""
    ctx = ctx or DateContext()
    found: list[DateExpression] = []
    ref: str | None = None
    latest: str | None = None
    for expression, value in _resolved(text, ctx):
        if isinstance(value, Anaphor):
            value = value.resolve(latest if value.mode == "latest" else ref)
        current = DateExpression(expression.start, expression.end, expression.text, value)
        if value:
            ref = value
            if latest is None or _day_of(value) >= _day_of(latest):
                latest = value
            if found and found[-1].value and _joins_range(text, found[-1], current):
                found[-1] = _complete_pair(found[-1], current)
                ref = f"{found[-1].value.split('/')[0]}/{value.split('/')[-1]}"
        found.append(current)
    return found


def _joins_range(text: str, first: DateExpression, second: DateExpression) -> bool:
    """'between January and May', 'from June to July': two ends of one period."""
    if not _RANGE_LINK.match(text[first.end:second.start]):
        return False
    word_end = first.start
    while word_end > 0 and text[word_end - 1].isspace():
        word_end -= 1
    return word_end < first.start and bool(
        _RANGE_START.search(text, max(0, word_end - len("between")), word_end))


_RANGE_START = re.compile(r"\b(?i:between|from)$")
_RANGE_LINK = re.compile(r"^\s*(?i:and|to|until|till|through|-|–)\s*$")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _complete_pair(first: DateExpression, second: DateExpression) -> DateExpression:
    """Two ends joined by a word: the first end takes the year of the second when it has none
    ('between March and May 2024'), and comes before it ('between October and April')."""
    if _HAS_YEAR.search(first.text) or not (first.value[:4].isdigit()
                                            and second.value[:4].isdigit()):
        return first
    kind, day = _point(first.value.split("/")[0])
    if kind in ("year", "fy") or "/" in first.value:
        return first
    try:
        value = _format(kind, day.replace(year=int(second.value[:4])))
    except ValueError:
        return first
    if len(value) == len(second.value.split("/")[0]) and value > second.value.split("/")[0]:
        value = shift(value, "year", -1)
    return DateExpression(first.start, first.end, first.text, value)


def resolve(expression: str, published: date | None, tense: Tense = None,
            country: str | None = None) -> str | None:
    """The TIMEX value of one whole date expression ("last May", "Fiscal Year 2024")."""
    ctx = DateContext(published=published, tense_at=lambda offset: tense, country=country)
    for found in find_dates(expression, ctx):
        if (found.start, found.end) == (0, len(expression)):
            return found.value
    return None
