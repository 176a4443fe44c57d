"""Figures' `when` under spec v2 section 5: 'since' totals, as-of days, superlatives, repeats."""

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
