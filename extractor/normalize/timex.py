"""Finding date expressions and resolving them to the spec's TIMEX values.

The grammar is ours (the spec's value forms and its resolution rules against `published`);
calendar arithmetic is dateutil's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Callable

from dateutil.relativedelta import relativedelta

from ..data import load_json

Tense = str | None  # "past", "future" or None when the sentence does not say


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
    country: str | None = None  # decides financial years ("2023-24")
    sentence_year: Callable[[int], int | None] = lambda offset: None  # "In 2022, ... in May"
    last_year: Callable[[int], int | None] = lambda offset: None  # antecedent of "that year"


@cache
def _lex() -> dict:
    return load_json("lexicons/dates.json")


def _fy_start(country: str | None, default: int | None) -> int | None:
    """First month of the financial year in `country` (U.S. federal: 10)."""
    return load_json("lexicons/setting.json")["financial_year_start_month"].get(country or "", default)


def month_number(word: str) -> int:
    return _lex()["months"][word.lower().rstrip(".")]


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _lex()["count_words"][word.lower()]


# --- value formatting -------------------------------------------------------------------

def fmt_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def fmt_week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def fiscal_year_of(day: date) -> int:
    """U.S. federal fiscal year N runs from October 1 of N-1 to September 30 of N."""
    return day.year + 1 if day.month >= 10 else day.year


def financial_year_range(start_year: int, start_month: int) -> str:
    """A non-U.S. financial year as a month range, e.g. Australia 2023-24 -> 2023-07/2024-06."""
    first = date(start_year, start_month, 1)
    last = first + relativedelta(months=11)
    return f"{fmt_month(first.year, first.month)}/{fmt_month(last.year, last.month)}"


def season_of(day: date) -> tuple[int, str]:
    """(year, season code); winter belongs to the year of its December."""
    month = day.month
    if month in (3, 4, 5):
        return day.year, "SP"
    if month in (6, 7, 8):
        return day.year, "SU"
    if month in (9, 10, 11):
        return day.year, "FA"
    return (day.year if month == 12 else day.year - 1), "WI"


# --- choosing among candidates by tense --------------------------------------------------

def choose(past: date, future: date, anchor: date, tense: Tense) -> date:
    """The nearest candidate as the tense says; ties and silence go to the nearer one."""
    if past == anchor or tense == "past":
        return past
    if tense == "future":
        return future
    return past if (anchor - past) <= (future - anchor) else future


def resolve_weekday(weekday: int, anchor: date, tense: Tense) -> date:
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    return choose(anchor - timedelta(days=back), anchor + timedelta(days=ahead), anchor, tense)


def resolve_month(month: int, anchor: date, tense: Tense) -> tuple[int, int]:
    this_year = date(anchor.year, month, 1)
    current = date(anchor.year, anchor.month, 1)
    past = this_year if this_year <= current else date(anchor.year - 1, month, 1)
    future = this_year if this_year >= current else date(anchor.year + 1, month, 1)
    chosen = choose(past, future, current, tense)
    return chosen.year, chosen.month


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


# --- the grammar ---------------------------------------------------------------------------

_MON = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.|"
        r"Jan|Feb|Aug|Sept|Oct|Nov|Dec)")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_COUNT = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
_FY = r"(?:[Ff]iscal\s+[Yy]ear|[Ff]iscal|FY)"
_I = "(?i:{})"

Handler = Callable[[re.Match, DateContext], "str | None | bool"]
REJECT = False  # a handler returns REJECT when the match is not a date after all


@dataclass
class Rule:
    pattern: re.Pattern
    handler: Handler
    requires: tuple[str, ...] = ()  # lower-case words one of which the text must contain


def _day_value(m: re.Match, ctx: DateContext) -> str | None:
    month = month_number(m["mon"])
    first, second = int(re.sub(r"\D", "", m["d1"])), m["d2"]
    year = int(m["y"]) if m["y"] else None
    anchor = ctx.published
    if year is None and anchor is None:
        return None
    try:
        if year is None:
            start = resolve_month_day(month, first, anchor, ctx.tense_at(m.start()))
            if start is None:
                return None
        else:
            start = date(year, month, first)
        if not second:
            return start.isoformat()
        end = start.replace(day=int(re.sub(r"\D", "", second)))
    except ValueError:
        return REJECT
    return f"{start.isoformat()}/{end.isoformat()}"


def _month_year(m: re.Match, ctx: DateContext) -> str:
    return fmt_month(int(m["y"]), month_number(m["mon"]))


def _iso_day(m: re.Match, ctx: DateContext) -> str | bool:
    try:
        return date.fromisoformat(m.group(0)).isoformat()
    except ValueError:
        return REJECT


def _quarter(m: re.Match, ctx: DateContext) -> str | None:
    number = int(m["q"]) if m["q"] else _lex()["ordinals"][m["ord"].lower()]
    if m["y"] or m["y2"]:
        year = int(m["y"] or m["y2"])
        if m["fy"]:  # fiscal quarter N of FY Y starts in October of Y-1
            first = date(year - 1, 10, 1) + relativedelta(months=3 * (number - 1))
            last = first + relativedelta(months=2)
            return f"{fmt_month(first.year, first.month)}/{fmt_month(last.year, last.month)}"
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
    past_year = anchor.year if number <= current else anchor.year - 1
    future_year = anchor.year if number >= current else anchor.year + 1
    if number == current:
        return f"{past_year}-Q{number}"
    back = (current - number) % 4
    ahead = (number - current) % 4
    return f"{past_year if back <= ahead else future_year}-Q{number}"


def _half(m: re.Match, ctx: DateContext) -> str:
    year = int(m["y"])
    start = date(year - 1, 10, 1) if m["fy"] else date(year, 1, 1)
    if m["ord"].lower() not in ("first", "1st"):
        start += relativedelta(months=6)
    end = start + relativedelta(months=5)
    return f"{fmt_month(start.year, start.month)}/{fmt_month(end.year, end.month)}"


def _months_of_year(m: re.Match, ctx: DateContext) -> str | bool | None:
    count = _count(m["n"])
    if not 1 <= count <= 12:
        return REJECT
    if m["y"]:
        year = int(m["y"])
    elif ctx.published is None:
        return None
    else:  # 'the first six months of the year'
        year = ctx.published.year + {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    start = date(year - 1, 10, 1) if m["fy"] else date(year, 1, 1)
    if m["which"].lower() == "last":
        start = start + relativedelta(months=12 - count)
    end = start + relativedelta(months=count - 1)
    return f"{fmt_month(start.year, start.month)}/{fmt_month(end.year, end.month)}"


def _fiscal(m: re.Match, ctx: DateContext) -> str:
    year = int(m["y"])
    if m["y2"]:  # "fiscal 2021-22": a financial year of the article's country
        start_month = _fy_start(ctx.country, 10)
        if start_month == 10:
            return f"FY{year + 1}"
        return financial_year_range(year, start_month)
    return f"FY{year}"


def _split_year(m: re.Match, ctx: DateContext) -> str | bool:
    year, short = int(m["y"]), int(m["y2"])
    if short != (year + 1) % 100:
        return REJECT
    start_month = _fy_start(ctx.country, None)
    if start_month is None:
        return f"{year}/{year + 1}"
    return financial_year_range(year, start_month)


def _season(m: re.Match, ctx: DateContext) -> str | None | bool:
    code = _lex()["seasons"][m["season"].lower()]
    if m["y"]:
        return f"{m['y']}-{code}"
    if not m["rel"]:
        return REJECT  # "the summer months" in general is not a date
    anchor = ctx.published
    if anchor is None:
        return None
    year, current = season_of(anchor)
    order = ["WI", "SP", "SU", "FA"]
    rel = m["rel"].lower()
    if rel == "this":
        target_year = year if order.index(code) >= order.index(current) or code == "WI" \
            else year
        return f"{target_year}-{code}"
    if rel == "last" or rel.endswith("past"):
        target_year = year if order.index(code) < order.index(current) else year - 1
        return f"{target_year}-{code}"
    target_year = year if order.index(code) > order.index(current) else year + 1
    return f"{target_year}-{code}"


def _relative_unit(m: re.Match, ctx: DateContext) -> str | None | bool:
    anchor = ctx.published
    rel = re.sub(r"^the\s+", "", m["rel"].lower())
    unit = m["unit"].lower()
    kind = (m["kind"] or "").strip().lower()
    if anchor is None:
        return None
    step = {"last": -1, "previous": -1, "past": -1, "preceding": -1, "next": 1, "coming": 1,
            "following": 1}.get(rel, 0)
    if rel == "new" and unit != "year":
        return REJECT
    if unit == "year" and kind == "fiscal":
        if rel == "new":
            return f"FY{fiscal_year_of(anchor + relativedelta(months=1))}"
        return f"FY{fiscal_year_of(anchor) + step}"
    if unit == "year" and kind == "financial":
        start_month = _fy_start(ctx.country, 7)
        first_year = anchor.year if anchor.month >= start_month else anchor.year - 1
        return financial_year_range(first_year + step, start_month)
    if rel == "past":  # "the past week/month/year": the rolling period up to the anchor
        if unit == "week":
            return f"{(anchor - timedelta(days=7)).isoformat()}/{anchor.isoformat()}"
        length = {"month": 1, "quarter": 3, "year": 12}[unit]
        first = anchor - relativedelta(months=length)
        return f"{fmt_month(first.year, first.month)}/{fmt_month(anchor.year, anchor.month)}"
    if unit == "year":
        return str(anchor.year + step)
    if unit == "month":
        target = anchor + relativedelta(months=step)
        return fmt_month(target.year, target.month)
    if unit == "week":
        return fmt_week(anchor + timedelta(weeks=step))
    if unit == "quarter":
        target = anchor + relativedelta(months=3 * step)
        return f"{target.year}-Q{(target.month - 1) // 3 + 1}"
    return REJECT


def _relative_month(m: re.Match, ctx: DateContext) -> str | None:
    month = month_number(m["mon"])
    anchor = ctx.published
    rel = m["rel"].lower().rstrip("-")
    if rel in ("early", "late", "mid"):
        year = ctx.sentence_year(m.start())
        if year is not None:
            return fmt_month(year, month)
        if anchor is None:
            return None
        return fmt_month(*resolve_month(month, anchor, ctx.tense_at(m.start())))
    if anchor is None:
        return None
    if rel == "this":
        return fmt_month(anchor.year, month)
    if rel == "last":
        year = anchor.year if month < anchor.month else anchor.year - 1
        return fmt_month(year, month)
    year = anchor.year if month > anchor.month else anchor.year + 1
    return fmt_month(year, month)


def _year_modifier(m: re.Match, ctx: DateContext) -> str:
    return m["y"]


def _ago(m: re.Match, ctx: DateContext) -> str | None:
    if ctx.published is None:
        return None
    count, unit = _count(m["n"]), m["unit"].lower().rstrip("s")
    if unit == "year":
        return str(ctx.published.year - count)
    if unit == "month":
        target = ctx.published - relativedelta(months=count)
        return fmt_month(target.year, target.month)
    if unit == "week":
        return fmt_week(ctx.published - timedelta(weeks=count))
    return (ctx.published - timedelta(days=count)).isoformat()


def _n_period(m: re.Match, ctx: DateContext) -> str | None:
    anchor = ctx.published
    if anchor is None:
        return None
    count, unit, rel = _count(m["n"]), m["unit"].lower(), m["rel"].lower()
    if unit == "years" and rel in ("previous", "preceding"):
        return f"{anchor.year - count}/{anchor.year - 1}"
    sign = 1 if rel in ("next", "coming") else -1
    if unit == "years":
        other = anchor + relativedelta(years=sign * count)
    elif unit == "months":
        other = anchor + relativedelta(months=sign * count)
    elif unit == "weeks":
        other = anchor + timedelta(weeks=sign * count)
        first, last = sorted((other, anchor))
        return f"{first.isoformat()}/{last.isoformat()}"
    else:
        other = anchor + timedelta(days=sign * count)
        first, last = sorted((other, anchor))
        return f"{first.isoformat()}/{last.isoformat()}"
    first, last = sorted((other, anchor))
    return f"{fmt_month(first.year, first.month)}/{fmt_month(last.year, last.month)}"


def _edge_of_year(m: re.Match, ctx: DateContext) -> str | None:
    if m["y"]:
        return f"FY{m['y']}" if m["fy"] else m["y"]
    if ctx.published is None:
        return None
    step = {"last": -1, "next": 1}.get((m["rel"] or "").lower(), 0)
    return str(ctx.published.year + step)


def _edge_of_month(m: re.Match, ctx: DateContext) -> str | None:
    """'the end of May' -> the month, resolved like the month alone."""
    if m["y"]:
        return fmt_month(int(m["y"]), month_number(m["mon"]))
    return _month_alone(m, ctx)


def _day_word(m: re.Match, ctx: DateContext) -> str | None:
    if ctx.published is None:
        return None
    offset = {"today": 0, "tomorrow": 1, "yesterday": -1}[m.group(0).lower()]
    return (ctx.published + timedelta(days=offset)).isoformat()


def _weekday(m: re.Match, ctx: DateContext) -> str | None:
    if ctx.published is None:
        return None
    weekday = _lex()["weekdays"][m.group(0).lower()]
    return resolve_weekday(weekday, ctx.published, ctx.tense_at(m.start())).isoformat()


def _month_alone(m: re.Match, ctx: DateContext) -> str | None:
    month = month_number(m["mon"])
    year = ctx.sentence_year(m.start())
    if year is not None:
        return fmt_month(year, month)
    if ctx.published is None:
        return None
    return fmt_month(*resolve_month(month, ctx.published, ctx.tense_at(m.start())))


def _year(m: re.Match, ctx: DateContext) -> str:
    return m.group(0)


def _week_number(m: re.Match, ctx: DateContext) -> str | None | bool:
    week = int(m["w"])
    year = int(m["y"]) if m["y"] else (ctx.published.year if ctx.published else None)
    if year is None:
        return None
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return REJECT
    return f"{year}-W{week:02d}"


def _year_to(m: re.Match, ctx: DateContext) -> str:
    end = date(int(m["y"]), month_number(m["mon"]), 1)
    start = end - relativedelta(months=11)
    return f"{fmt_month(start.year, start.month)}/{fmt_month(end.year, end.month)}"


def _that_year(m: re.Match, ctx: DateContext) -> str | None:
    year = ctx.last_year(m.start())
    return str(year) if year is not None else None


def _day_of_month(m: re.Match, ctx: DateContext) -> str | None:
    if ctx.published is None:
        return None
    day = int(m["d"])
    anchor = ctx.published
    try:
        this_month = anchor.replace(day=day)
        previous = anchor - relativedelta(months=1)
        following = anchor + relativedelta(months=1)
        past = this_month if this_month <= anchor else previous.replace(day=day)
        future = this_month if this_month >= anchor else following.replace(day=day)
    except ValueError:
        return None
    return choose(past, future, anchor, ctx.tense_at(m.start())).isoformat()


_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")
# a rule runs only when its text holds one of these (most articles lack most of them)
_REQUIRES: dict[str, tuple[str, ...]] = {
    "_day_value": _MONTH_STEMS, "_month_year": _MONTH_STEMS, "_month_alone": _MONTH_STEMS,
    "_iso_day": ("-",), "_quarter": ("quarter", "q1", "q2", "q3", "q4"), "_half": ("half",),
    "_months_of_year": ("months",), "_fiscal": ("fiscal", "fy"), "_split_year": ("-", "–", "/"),
    "_season": ("spring", "summer", "fall", "autumn", "winter"),
    "_relative_unit": ("year", "month", "week", "quarter"),
    "_relative_month": ("last", "this", "next", "early", "late", "mid"),
    "_year_modifier": ("early", "late", "mid"), "_ago": (" ago",),
    "_n_period": ("previous", "past", "last", "preceding", "next", "coming"),
    "_edge_of_year": ("end of", "close of", "start of", "beginning of"),
    "_edge_of_month": ("end of", "close of", "start of", "beginning of", "middle of"), "_day_word": ("today", "tomorrow", "yesterday"),
    "_weekday": ("day",), "_year": ("19", "20"), "_week_number": ("week",),
    "_year_to": ("year to", "year end", "months to", "months end"),
    "_that_year": ("that year", "same year"),
}


def _rules() -> list[Rule]:
    def rule(pattern: str, handler: Handler) -> Rule:
        return Rule(re.compile(pattern), handler, _REQUIRES.get(handler.__name__, ()))

    season = r"(?i:spring|summer|fall|autumn|winter)"
    return [
        rule(rf"(?:{_WD},?\s+)?(?P<mon>{_MON})\s+(?P<d1>{_DAY})(?:\s?[-–]\s?(?P<d2>{_DAY}))?"
             rf"(?:,?\s+(?P<y>{_YEAR}))?(?![\d:])", _day_value),
        rule(rf"(?:{_WD},?\s+)?(?P<d1>{_DAY})(?:\s?[-–]\s?(?P<d2>{_DAY}))?\s+(?P<mon>{_MON})"
             rf"(?:,?\s+(?P<y>{_YEAR}))?\b", _day_value),
        rule(rf"(?P<mon>{_MON}),?\s+(?P<y>{_YEAR})\b", _month_year),
        rule(rf"\b{_YEAR}-\d\d-\d\d\b", _iso_day),
        rule(rf"(?:(?i:the)\s+)?(?P<ord>{_ORD})\s+quarter(?:\s+of\s+(?:(?P<fy>{_FY})\s*)?"
             rf"(?P<y>{_YEAR}))?|\bQ(?P<q>[1-4])\s*(?P<y2>{_YEAR})", _quarter),
        rule(rf"(?:(?i:the)\s+)?(?P<ord>first|second|1st|2nd)\s+half\s+of\s+"
             rf"(?:(?P<fy>{_FY})\s*)?(?P<y>{_YEAR})", _half),
        rule(rf"(?:(?i:the)\s+)?(?P<which>first|last)\s+(?P<n>{_COUNT})\s+months\s+of\s+"
             rf"(?:(?:(?P<fy>{_FY})\s*)?(?P<y>{_YEAR})|(?P<rel>the|this|last|next)\s+year)",
             _months_of_year),
        rule(rf"\b{_FY}\s*(?P<y>{_YEAR})(?:[-–/](?P<y2>\d{{2}}))?(?!\d)", _fiscal),
        rule(rf"(?<![\d,.])(?P<y>{_YEAR})[-–/](?P<y2>\d{{2}})(?!\d|,\d)", _split_year),
        rule(rf"(?:(?P<rel>(?i:last|this|next|the\s+past))\s+)?(?:(?i:the)\s+)?"
             rf"(?P<season>{season})(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?\b", _season),
        rule(r"(?P<rel>(?i:this|last|next|the\s+previous|the\s+past|the\s+coming|"
             r"the\s+current|the\s+following|the\s+preceding|the\s+new))\s+"
             r"(?P<kind>(?i:fiscal|financial|calendar)\s+)?(?P<unit>(?i:year|month|week|quarter))\b",
             _relative_unit),
        rule(rf"(?P<rel>(?i:last|this|next|early|late|mid-?))\s*(?P<mon>{_MON})\b(?!\s+\d)",
             _relative_month),
        rule(rf"(?:(?i:early|late|mid-?)\s*)(?P<y>{_YEAR})\b", _year_modifier),
        rule(rf"\b(?P<n>{_COUNT}|a)\s+(?P<unit>years?|months?|weeks?|days?)\s+ago\b", _ago),
        rule(rf"(?:(?i:the)\s+)(?P<rel>previous|past|last|preceding|next|coming)\s+"
             rf"(?P<n>{_COUNT})\s+(?P<unit>years|months|weeks|days)\b", _n_period),
        rule(rf"(?:(?i:the)\s+)?(?:end|close|start|beginning)\s+of\s+(?:(?:(?P<fy>{_FY})\s*)?"
             rf"(?P<y>{_YEAR})|(?:(?P<rel>the|this|last|next)\s+year))\b", _edge_of_year),
        rule(rf"(?:(?i:the)\s+)?(?:end|close|start|beginning|middle)\s+of\s+(?P<mon>{_MON})"
             rf"(?:\s+(?P<y>{_YEAR}))?\b", _edge_of_month),
        rule(r"\b(?i:today|tomorrow|yesterday)\b", _day_word),
        rule(rf"\b{_WD}\b", _weekday),
        rule(r"(?<!\w)(?P<mon>January|February|March|April|May|June|July|August|September|"
             r"October|November|December)\b", _month_alone),
        rule(r"(?<![\w$£€.,-])(?:19|20)\d{2}(?![\w]|[.,]\d)", _year),
        rule(rf"\b(?:(?i:calendar)\s+)?(?i:week)\s+(?P<w>\d{{1,2}})(?:\s+of\s+(?P<y>{_YEAR}))?\b",
             _week_number),
        rule(rf"(?:(?i:the)\s+)?(?:year|12\s+months)\s+(?:to|ending|ended)\s+(?P<mon>{_MON})\s+"
             rf"(?P<y>{_YEAR})\b", _year_to),
        rule(r"\b(?i:that|the\s+same)\s+year\b", _that_year),
        rule(r"\b(?i:the)\s+(?P<d>[12]?\d|3[01])(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[A-Z])",
             _day_of_month),
    ]


@cache
def rules() -> tuple[Rule, ...]:
    return tuple(_rules())


_MAY_CUES = re.compile(r"(?i:in|since|last|this|next|until|till|from|by|of|early|late|mid|"
                       r"through|before|after|during|to|and|between|that|for|on)\s+$")


def _plausible(rule: Rule, m: re.Match, text: str) -> bool:
    """Reject the modal 'May' and sentence-initial month names used as words."""
    if rule.handler is _month_alone and m["mon"] == "May":
        return bool(_MAY_CUES.search(text[max(0, m.start() - 12):m.start()]))
    return True


def find_dates(text: str, ctx: DateContext | None = None) -> list[DateExpression]:
    """Every date expression in `text`: longest non-overlapping matches, left to right."""
    ctx = ctx or DateContext()
    candidates: list[tuple[int, int, Rule, re.Match]] = []
    lowered = text.lower()
    for rule in rules():
        if rule.requires and not any(word in lowered for word in rule.requires):
            continue
        for m in rule.pattern.finditer(text):
            if m.end() > m.start() and _plausible(rule, m, text):
                candidates.append((m.start(), m.end(), rule, m))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    found: list[DateExpression] = []
    for start, end, rule, m in candidates:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        value = rule.handler(m, ctx)
        if value is REJECT:
            continue
        taken.append((start, end))
        found.append(DateExpression(start, end, m.group(0), value))
    found.sort(key=lambda d: d.start)
    return _order_ranges(text, found)


_RANGE_START = re.compile(r"\b(?i:between|from)\s+$")
_RANGE_LINK = re.compile(r"^\s*(?i:and|to|until|till|through|-|–)\s*$")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _order_ranges(text: str, found: list[DateExpression]) -> list[DateExpression]:
    """'between October and April' written in June: the start is the October before April."""
    ordered = list(found)
    for index in range(len(ordered) - 1):
        first, second = ordered[index], ordered[index + 1]
        if not (first.value and second.value and _RANGE_START.search(text[:first.start])
                and _RANGE_LINK.match(text[first.end:second.start])
                and not _HAS_YEAR.search(first.text) and len(first.value) == len(second.value)
                and first.value > second.value and first.value[:4].isdigit()):
            continue
        year = int(first.value[:4]) - 1
        ordered[index] = DateExpression(first.start, first.end, first.text,
                                        f"{year:04d}{first.value[4:]}")
    return ordered


def resolve(expression: str, published: date | None, tense: Tense = None,
            country: str | None = None) -> str | None:
    """The TIMEX value of one whole date expression ("last May", "Fiscal Year 2024")."""
    ctx = DateContext(published=published, tense_at=lambda offset: tense, country=country)
    for found in find_dates(expression, ctx):
        if (found.start, found.end) == (0, len(expression)):
            return found.value
    return None
