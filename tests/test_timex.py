"""The date resolver on every value form of the spec, relative expressions and tense."""

from datetime import date

import pytest

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
    ("the start of fiscal year 2025", "FY2025"),
])
def test_absolute_forms(text, value):
    assert resolve(text, MONDAY) == value


@pytest.mark.parametrize("text, value", [
    ("today", "2024-05-06"), ("tomorrow", "2024-05-07"), ("this year", "2024"),
    ("last month", "2024-04"), ("the previous month", "2024-04"), ("last May", "2023-05"),
    ("this week", "2024-W19"), ("the previous two years", "2022/2023"),
    ("the past two years", "2022-05/2024-05"), ("two years ago", "2022"),
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

