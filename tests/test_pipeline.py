"""The extraction pipeline on short articles written for these tests."""

import json

import jsonschema
import pytest
from conftest import spans_by_text

ARTICLE = """Border arrests fall again as removals climb

WASHINGTON (Example Wire) — U.S. Customs and Border Protection reported 98,412 migrant encounters at the southern border in October, a 12 percent drop from September.
Immigration and Customs Enforcement deported 15,300 people last month, and over the past week 640 migrants were sent back on charter flights to Honduras.
Homeland Security Secretary Jane Roe said on Tuesday that CBP would spend $1.2 billion on new processing centers. Roe added that 3,100 work permits had been issued to asylum seekers since June.
Agents also counted 2,022 got-aways in 2022, a record, while 14 agents were injured.
"""


def test_figures_are_typed_and_normalised(extractor):
    record = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    spans = spans_by_text(record)
    assert spans["98,412"]["label"] == "ENCOUNTERS" and spans["98,412"]["value"] == 98412
    assert spans["12 percent"]["label"] == "PERCENT" and spans["12 percent"]["value"] == 12
    assert spans["15,300"]["label"] == "REMOVALS"
    assert spans["640"]["label"] == "REMOVALS"  # "sent back on charter flights"
    assert spans["$1.2 billion"] == {**spans["$1.2 billion"], "label": "MONEY",
                                     "value": 1_200_000_000, "currency": "USD"}
    assert spans["3,100"]["label"] == "VISAS"  # "work permits"
    assert spans["2,022"]["label"] == "PEOPLE" and spans["2,022"]["value"] == 2022
    assert "14" not in spans  # agents are not counted


def test_figures_take_the_date_of_their_clause(extractor):
    spans = spans_by_text(extractor.extract(ARTICLE, published="2024-11-14", doc_id="t"))
    assert spans["98,412"]["when"] == "2024-10"
    assert spans["12 percent"]["when"] == "2024-10"  # September is the baseline
    assert spans["15,300"]["when"] == "2024-10"  # last month
    assert spans["3,100"]["when"] == "2024-06/2024-11-14"  # since June: to the published day (v2)
    assert spans["2,022"]["when"] == "2022"
    assert spans["$1.2 billion"]["when"] == "2024-11-12"  # Tuesday, said in the past


def test_dates_resolve_against_published(extractor):
    spans = spans_by_text(extractor.extract(ARTICLE, published="2024-11-14", doc_id="t"))
    assert spans["October"]["value"] == "2024-10"
    assert spans["last month"]["value"] == "2024-10"
    assert spans["the past week"]["value"] == "2024-11-07/2024-11-13"  # the 7 days before published
    assert spans["2022"]["label"] == "DATE"


def test_actors_spans_and_canonical_names(extractor):
    record = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    spans = spans_by_text(record)
    assert spans["U.S. Customs and Border Protection"]["label"] == "ORG"
    assert spans["CBP"]["canonical"] == "U.S. Customs and Border Protection"
    assert spans["Jane Roe"]["label"] == "PERSON"
    assert spans["Roe"]["canonical"] == "Jane Roe"
    assert spans["Jane Roe"]["role"] == "Homeland Security Secretary"
    assert spans["Honduras"]["label"] == "GPE"
    assert spans["Example Wire"]["label"] == "ORG"  # the dateline's outlet
    assert spans["WASHINGTON"]["canonical"] == "Washington"
    actors = [span for span in record["spans"] if span["label"] in ("PERSON", "ORG", "GPE")]
    assert not any(span["text"].startswith(("Secretary", "the ")) for span in actors)


def test_spans_never_overlap_and_match_the_text(extractor):
    record = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    previous_end = 0
    for span in record["spans"]:
        assert ARTICLE[span["start"]:span["end"]] == span["text"]
        assert span["start"] >= previous_end
        previous_end = span["end"]


def test_output_validates_against_shipped_schema(extractor, root):
    schema = json.loads((root / "models" / "schema" / "output.schema.json").read_text())
    record = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    jsonschema.validate(record, schema)
    assert {fact["text"] for fact in record["facts"]} >= {"98,412", "$1.2 billion"}


def test_without_published_relative_dates_are_null(extractor):
    spans = spans_by_text(extractor.extract(ARTICLE, published=None, doc_id="t"))
    assert spans["last month"]["value"] is None
    assert spans["2022"]["value"] == "2022"


def test_currency_follows_the_country_of_the_article(extractor):
    text = ("CANBERRA — The Department of Home Affairs said Australia will spend $300 million "
            "on visa processing in 2023-24, and Australian Border Force removed 4,200 people.")
    spans = spans_by_text(extractor.extract(text, published="2024-03-01", doc_id="au"))
    assert spans["$300 million"]["currency"] == "AUD"
    assert spans["2023-24"]["value"] == "2023-07/2024-06"
    assert spans["4,200"]["label"] == "REMOVALS"


def test_extraction_is_deterministic(extractor):
    first = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    second = extractor.extract(ARTICLE, published="2024-11-14", doc_id="t")
    assert json.dumps(first) == json.dumps(second)


def test_empty_document_gives_empty_result(extractor):
    record = extractor.extract("   \n", published=None, doc_id="empty")
    assert record["spans"] == [] and record["facts"] == []


def test_facts_name_where_and_who_when_the_sentence_says(extractor):
    text = ("Agents recorded 37,374 encounters in the San Diego Sector in March, according to "
            "U.S. Customs and Border Protection.")
    (fact,) = extractor.extract(text, published="2024-05-06")["facts"]
    assert (fact["label"], fact["when"], fact["where"], fact["source"]) == \
        ("ENCOUNTERS", "2024-03", "San Diego", "U.S. Customs and Border Protection")


def test_an_election_month_is_the_coming_one_unless_the_verb_says_it_is_over(extractor):
    def month(text, published):
        (date,) = [s for s in extractor.extract(text, published)["spans"] if s["label"] == "DATE"]
        return date["value"]

    assert month("Trump is likely to face Biden in the November election.", "2024-01-19") \
        == "2024-11"
    assert month("Turnout fell in the November election.", "2025-03-19") == "2024-11"


def test_news_layout_gives_away_outlets_people_and_sectors(extractor):
    text = ("Shelters fill as crossings rise\n\nBy Ana Ruiz, Frontier Ledger\n\n"
            "Zofia Kowalczyk-Brandt, the charity's regional coordinator, said agents in the "
            "Swanton Sector stopped 1,200 people in May. The Frontier Ledger asked for comment.")
    spans = spans_by_text(extractor.extract(text, published="2025-06-02"))
    assert spans["Zofia Kowalczyk-Brandt"]["label"] == "PERSON"
    assert spans["Frontier Ledger"]["label"] == "ORG"
    assert spans["Swanton"]["label"] == "GPE"
    assert spans["1,200"]["label"] == "ENCOUNTERS"


def test_a_year_modifying_a_noun_does_not_set_the_year_of_a_later_month(extractor):
    text = "Under a 2015 law, 2,400 people a week left for Libya in May."
    spans = spans_by_text(extractor.extract(text, published="2024-07-18"))
    assert spans["May"]["value"] == "2024-05" and spans["2,400"]["when"] == "2024-05"
    framed = spans_by_text(extractor.extract("In 2022, encounters totaled 235,173 in November.",
                                             published="2024-01-19"))
    assert framed["November"]["value"] == "2022-11"


def test_a_full_name_after_a_title_is_a_person(extractor):
    text = ("Blinken, joined by Secretary of Homeland Security Odalys Pereira-Quintana and "
            "other officials, said 400 visas had been issued.")
    spans = spans_by_text(extractor.extract(text, published="2024-02-28"))
    assert spans["Odalys Pereira-Quintana"]["label"] == "PERSON"
    assert "Homeland Security" not in spans  # the office is not an organisation


@pytest.mark.parametrize("text, name", [
    ("The Global Detention Project, a research group based in Geneva, counted 1,900 people "
     "held in the camps.", "Global Detention Project"),
    ("Researchers at the Mixed Migration Centre said 300 children were missing.",
     "Mixed Migration Centre"),
    ("The Refugee Council Initiative filed suit on Monday.", "Refugee Council Initiative"),
])
def test_organisations_named_like_programmes_stay_organisations(extractor, text, name):
    record = extractor.extract(text, published="2024-03-01")
    assert (name, "ORG") in [(s["text"], s["label"]) for s in record["spans"]]
