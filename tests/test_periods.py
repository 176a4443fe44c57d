"""Figures' `when` under spec v2 section 5 (period resolution, extractor/components/periods.py):
'since' totals, as-of days, ranges, own phrases, baselines, lists, dates of other things, repeats,
each with the rule that chose it."""

import pytest


@pytest.mark.parametrize("text, published, figure, when", [
    # a cumulative total 'since A' runs to the published day...
    ("More than $1.2 billion has been committed since 2019, the agency said.", "2024-05-07",
     "$1.2 billion", "2019/2024-05-07"),
    ("The ministry has deported 5,600 people since January, a spokesman told reporters.",
     "2023-09-02", "5,600", "2023-01/2023-09-02"),
    # ...or to the as-of date the sentence states
    ("As of March 31, some 9,000 asylum claims had been filed since Oct. 1, officials said.",
     "2024-04-15", "9,000", "2023-10-01/2024-03-31"),
    # an as-of day alone is the running total's date
    ("As of Friday, 12,000 people had arrived on the islands.", "2024-07-10", "12,000",
     "2024-07-05"),
    # a 'since' that qualifies a superlative or comparison sets nothing
    ("Arrivals reached 4,100 migrants in June, the highest monthly total since 2016.",
     "2024-07-10", "4,100", "2024-06"),
    ("Crossings were lower than at any point since 2020, with 2,300 migrants detected in May.",
     "2024-06-20", "2,300", "2024-05"),
    # no published day and no as-of date: the range has no end
    ("Since 2020, 3,400 refugees have been resettled in the province.", None, "3,400", None),
])
def test_when_of_totals(extractor, text, published, figure, when):
    facts = {f["text"]: f for f in extractor.extract(text, published=published)["facts"]}
    assert facts[figure]["when"] == when


def test_a_figure_repeated_without_a_date_has_no_period(extractor):
    text = ("Officers stopped 2,450 migrants at the northern crossings in August. "
            "The 2,450 stopped included 300 children travelling alone.")
    facts = extractor.extract(text, published="2024-09-12")["facts"]
    whens = [(f["text"], f["when"]) for f in facts]
    assert whens[0] == ("2,450", "2024-08")
    assert all(when is None for _, when in whens[1:])


PUBLISHED = "2024-07-10"


@pytest.mark.parametrize("text, figure, when, rule", [
    # each figure in 'from A in X to B in Y' keeps the date of its own phrase
    ("Asylum claims climbed from 2,100 in May to 3,400 in June, the ministry said.",
     "3,400", "2024-06", "same-phrase"),
    ("Asylum claims climbed from 2,100 in May to 3,400 in June, the ministry said.",
     "2,100", "2024-05", "same-phrase"),
    ("Deportations fell from 950 people in 2022 to 610 people in 2023.", "610", "2023",
     "same-phrase"),
    # the period a sum is for beats the day it was asked for
    ("The charity appealed on Tuesday for $12 million in aid for 2025.", "$12 million", "2025",
     "same-phrase"),
    ("The council pledged on Friday €4 million in shelter funding for 2026.", "€4 million",
     "2026", "same-phrase"),
    # lists paired in order by 'respectively'
    ("Guards recorded 310 and 290 crossings in May and June, respectively.", "290", "2024-06",
     "respectively"),
    ("Greece and Italy registered 4,800 and 7,300 arrivals in 2022 and 2023, respectively.",
     "4,800", "2022", "respectively"),
    # ranges: 'between A and B', 'A through B'
    ("Officials counted 5,000 arrivals between January and March.", "5,000",
     "2024-01/2024-03", "range"),
    ("Some 2,300 people were returned March through May.", "2,300", "2024-03/2024-05", "range"),
    # a baseline takes its own period; the compared figure keeps its own
    ("Arrivals rose to 1,200 in June, up from 700 in May.", "700", "2024-05",
     "baseline-own-period"),
    ("Arrivals rose to 1,200 in June, up from 700 in May.", "1,200", "2024-06", "same-phrase"),
    ("The agency issued 8,000 permits in 2023, compared with 6,500 in 2022.", "8,000", "2023",
     "same-phrase"),
    # a sentence that names only the baseline gives no period
    ("The request is $1.4 billion above the fiscal year 2022 level.", "$1.4 billion", None,
     "none-baseline-only"),
    ("Applications rose 18% compared with 2022.", "18%", None, "none-baseline-only"),
    # a percent change takes the measured period when the sentence names it
    ("Detections rose 12% in March compared with February.", "12%", "2024-03", "same-phrase"),
    # a 'since' that dates the start of a change the figure measures is a comparison
    ("Arrests are down 40% since March.", "40%", None, "none-change-since"),
    ("Asylum claims have fallen by 2,000 since April, the ministry said.", "2,000", None,
     "none-change-since"),
    ("Arrivals reached 4,100 migrants in June, the highest monthly total since 2016.", "4,100",
     "2024-06", "same-phrase"),
    # the date of an event or a law is not the period counted
    ("The ministry announced a $90 million fund for shelters after last year's floods.",
     "$90 million", None, "none-event-date"),
    ("Under the Refugee Act of 1980, the country admitted 70,000 refugees.", "70,000", None,
     "none-event-date"),
    # a date in another clause dates that clause
    ("The law limits refugee admissions to 30,000 per year, so the new quota will triple the "
     "number for 2025.", "30,000", None, "none-other-clause"),
    # totals and as-of days name their rule too
    ("The ministry has deported 5,600 people since January, a spokesman told reporters.",
     "5,600", "2024-01/2024-07-10", "since-total"),
    ("As of Friday, 12,000 people had arrived on the islands.", "12,000", "2024-07-05", "as-of"),
])
def test_period_and_rule(extractor, text, figure, when, rule):
    facts = {f["text"]: f for f in extractor.extract(text, published=PUBLISHED)["facts"]}
    assert (facts[figure]["when"], facts[figure]["when_rule"]) == (when, rule)


def test_the_rule_is_recorded_on_spans_and_facts(extractor):
    record = extractor.extract("Italy registered 7,300 migrant arrivals in May. The 7,300 "
                               "arrivals included 900 children.", published=PUBLISHED)
    figures = [s for s in record["spans"] if s["label"] == "PEOPLE"]
    expected = ["same-phrase", "none-no-date", "none-no-date"]
    assert [s["when_rule"] for s in figures] == expected
    assert [f["when_rule"] for f in record["facts"]] == expected
