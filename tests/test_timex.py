"""The date resolver on every value form of the spec, relative expressions and tense."""

from datetime import date

import pytest

import case_tables
from extractor.normalize import timex
from extractor.normalize.timex import DateContext, find_dates, fiscal_year_of, resolve

MONDAY = date(2024, 5, 6)


@pytest.mark.parametrize("text, value", [
    ("May 7, 2024", "2024-05-07"), ("Sept. 21, 2023", "2023-09-21"),
    ("Thursday, June 17, 2021", "2021-06-17"), ("7 May 2024", "2024-05-07"),
    ("December 2023", "2023-12"), ("2022", "2022"), ("Fiscal Year 2024", "FY2024"),
    ("Fiscal 2023", "FY2023"), ("FY2024", "FY2024"), ("Q3 2023", "2023-Q3"),
    ("May 6-7", "2024-05-06/2024-05-07"), ("Dec. 26-27", "2023-12-26/2023-12-27"),
    ("the first half of 2022", "2022-01/2022-06"), ("summer 2019", "2019-SU"),
    ("the first four months of Fiscal Year 2024", "2023-10/2024-01"),
    ("the year to September 2023", "2022-10/2023-09"), ("the end of 2022", "2022"),
    ("the second half of 2025", "2025-07/2025-12"),
    ("the first half of fiscal year 2026", "2025-10/2026-03"),
    ("the second half of fiscal year 2026", "2026-04/2026-09"),
    ("the start of fiscal year 2025", "2024-10"),  # spec v2 section 8: its first month
])
def test_absolute_forms(text, value):
    assert resolve(text, MONDAY) == value


@pytest.mark.parametrize("text, value", [
    ("today", "2024-05-06"), ("tomorrow", "2024-05-07"), ("this year", "2024"),
    ("last month", "2024-04"), ("the previous month", "2024-04"), ("last May", "2023-05"),
    ("this week", "2024-W19"), ("the previous two years", "2022/2023"),
    ("the past two years", "2022/2023"), ("two years ago", "2022"),
    ("the end of the year", "2024"), ("last summer", "2023-SU"), ("mid-2024", "2024"),
    ("the new fiscal year", "FY2024"),
])
def test_relative_forms(text, value):
    assert resolve(text, MONDAY) == value


def test_weekday_on_the_publication_day_is_that_day():
    assert resolve("Monday", MONDAY, tense="past") == "2024-05-06"
    assert resolve("Monday", MONDAY, tense="future") == "2024-05-06"


@pytest.mark.parametrize("tense, value", [("past", "2024-04-30"), ("future", "2024-05-07"),
                                          (None, "2024-05-07")])
def test_weekday_follows_tense_else_nearest(tense, value):
    assert resolve("Tuesday", MONDAY, tense=tense) == value


def test_month_without_year_follows_tense():
    assert resolve("March", MONDAY, tense="past") == "2024-03"
    assert resolve("November", date(2024, 1, 19), tense="future") == "2024-11"
    assert resolve("December", date(2024, 1, 19), tense=None) == "2023-12"


@pytest.mark.parametrize("day, fiscal_year", [
    (date(2023, 9, 30), 2023), (date(2023, 10, 1), 2024), (date(2024, 9, 30), 2024)])
def test_fiscal_year_turns_on_october_first(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_new_fiscal_year_across_the_october_boundary():
    assert resolve("the new fiscal year", date(2024, 9, 25)) == "FY2025"
    assert resolve("this fiscal year", date(2024, 10, 2)) == "FY2025"
    assert resolve("this fiscal year", date(2024, 9, 2)) == "FY2024"


def test_financial_years_of_other_countries():
    assert resolve("2023-24", MONDAY, country="AU") == "2023-07/2024-06"
    assert resolve("fiscal 2021-22", MONDAY, country="CA") == "2021-04/2022-03"


def test_unresolvable_without_published():
    assert resolve("last month", None) is None
    assert resolve("May 7, 2024", None) == "2024-05-07"


def test_years_versus_counts():
    text = "In 2022, agents counted 2,022 migrants."
    found = find_dates(text, DateContext(published=MONDAY))
    assert [(d.text, d.value) for d in found] == [("2022", "2022")]


def test_modal_may_is_not_a_month():
    assert find_dates("Officials may act soon.", DateContext(published=MONDAY)) == []
    assert [d.value for d in find_dates("It began in May.", DateContext(published=MONDAY))] \
        == ["2024-05"]


def test_invalid_calendar_dates_are_rejected():
    assert resolve("February 30, 2024", MONDAY) is None
    assert resolve("February 29", date(2024, 3, 19), tense="past") == "2024-02-29"


def test_relative_months_and_ranges_in_order():
    june = date(2025, 6, 5)
    assert resolve("the first six months of the year", june) == "2025-01/2025-06"
    assert resolve("the end of May", june, tense="past") == "2025-05"
    found = find_dates("picked up 3,010 people between October and April.",
                       DateContext(published=june, tense_at=lambda offset: None))
    assert [d.value for d in found] == ["2024-10", "2025-04"]



def _values(text, published=MONDAY, country="US"):
    return [(d.text, d.value) for d in find_dates(text, DateContext(published=published,
                                                                     country=country))]


@pytest.mark.parametrize("text, expected", [
    # abbreviated months with a day and a year are days, not years
    ("Posted Oct 3, 2022 by the press office.", [("Oct 3, 2022", "2022-10-03")]),
    ("The memo is dated Sep 9, 2021.", [("Sep 9, 2021", "2021-09-09")]),
    # dash ranges are one span with a range value
    ("Totals for FY2015-FY2019 are below.", [("FY2015-FY2019", "FY2015/FY2019")]),
    ("Landings rose in April – June.", [("April – June", "2024-04/2024-06")]),
    ("The plan covers 2016-2020.", [("2016-2020", "2016/2020")]),
    # parts of periods in the finest unit named
    ("Arrests fell in the first twenty days of March.",
     [("the first twenty days of March", "2024-03-01/2024-03-20")]),
    ("Visas must be used before October 15 of this year.",
     [("October 15 of this year", "2024-10-15")]),
])
def test_devset_error_classes_in_other_words(text, expected):
    assert _values(text) == expected


def test_anaphora_takes_the_period_just_named():
    assert _values("Claims in the first half of 2021 doubled against the same period in 2020.") \
        == [("the first half of 2021", "2021-01/2021-06"),
            ("the same period in 2020", "2020-01/2020-06")]
    assert _values("By the end of 2020 the camp was full, up a third on the previous year.") \
        == [("the end of 2020", "2020"), ("the previous year", "2019")]
    assert _values("Between February and April 2019 few boats came, fewer than in the "
                   "corresponding time in 2018.")[-1] == ("the corresponding time in 2018",
                                                          "2018-02/2018-04")


def test_past_week_and_past_n_are_complete_units_before_published():
    assert _values("Four boats landed in the past week.") == [("the past week",
                                                               "2024-04-29/2024-05-05")]
    assert _values("Claims rose over the last three months.") == [("the last three months",
                                                                   "2024-02/2024-04")]


def test_country_decides_numeric_order_and_financial_years():
    assert _values("Filed 03/04/2023.", country="US") == [("03/04/2023", "2023-03-04")]
    assert _values("Filed 03/04/2023.", country="GB") == [("03/04/2023", "2023-04-03")]
    assert _values("Grants in FY24 fell.", country="IN") == [("FY24", "2023-04/2024-03")]
    assert _values("Grants in FY24 fell.", country="US") == [("FY24", "FY2024")]



def _whole_text_matches(text: str) -> list[tuple[int, int, str]]:
    return sorted((m.start(), m.end(), rule.name) for rule in timex.rules()
                  for m in map(timex.Groups, rule.pattern.finditer(text))
                  if m.end() > m.start() and timex._plausible(rule, m, text))


def _windowed_matches(text: str) -> list[tuple[int, int, str]]:
    return sorted((start, end, rule.name) for start, end, _, rule, _ in timex._candidates(text))


@pytest.mark.parametrize("text", [
    "Crossings rose between 3 and 9 March 2024, and again from Thursday to Saturday.",
    "The 1990’s quotas (see Table 2) ended in FY2019-FY2023; the first nine months of the "
    "2023-24 financial year saw 4,100 arrivals.",
    "On New Year’s Day and on Eid al-Fitr the offices close; W14 2024 and Q3 2023 follow.",
    "İstanbul, 5 Eylül: the ministry said on 5 September 2023 that the 12th was the deadline.",
    "x" * 300 + " June 5, 2023 " + "y" * 300 + " in the summer of 2019 " + "- 1/2 " * 80,
])
def test_rules_tried_near_their_required_words_find_what_the_whole_text_holds(text):
    assert _windowed_matches(text) == _whole_text_matches(text)
    assert _windowed_matches(text)


def test_every_case_table_text_finds_what_the_whole_text_holds():
    texts = [case["text"] for case in case_tables.load_cases("dates.jsonl")]
    assert [t for t in texts if _windowed_matches(t) != _whole_text_matches(t)] == []


@pytest.mark.parametrize("text, expected", [
    # a month without a year takes the text's own time, not the baseline it is compared with
    ("Arrivals by sea doubled in 2023 compared with 2022. In November alone, 6,100 landed.",
     ["2023", "2022", "2023-11"]),
    ("Detections in February 2023 were 856; in January there were 131.", ["2023-02", "2023-01"]),
    ("Arrivals fell in December 2023. On 3 January, a boat with 40 people landed.",
     ["2023-12", "2024-01-03"]),
    ("The camp opened in 2019. By March, 2,000 people lived there.", ["2019", "2019-03"]),
    ("Returns in 2023 rose 30% on 2022; in the first half of the year 900 left.",
     ["2023", "2022", "2023-01/2023-06"]),
    # a weekday needs a day just named; a year does not place it
    ("In 2023 the ministry counted 9,000 returns, against 7,000 in 2021. Flights resumed on "
     "Tuesday.", ["2023", "2021", None]),
    ("The office closed on Monday, June 10, 2024, and reopened on Thursday.",
     ["2024-06-10", "2024-06-13"]),
])
def test_undated_text_anchors_months_and_days_by_its_own_years(text, expected):
    assert [found.value for found in find_dates(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("See COM(2021) 890 final for the proposal.", []),
    ("The SWD(2023) 12 annex lists 4,000 cases.", []),
    ("The agreement (2016) was renewed in 2021.", ["2016", "2021"]),
])
def test_a_year_in_a_document_code_is_no_date(text, expected):
    assert [found.value for found in find_dates(text)] == expected
