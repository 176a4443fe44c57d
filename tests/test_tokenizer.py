"""migrex's tokenizer rules (extractor/tokenizer.py): glued dates and figures and the two
figures of a range become token spans; everything else tokenises as stock spaCy English does.
Every text is written for this test."""

from __future__ import annotations

import pytest
import spacy

from extractor.tokenizer import blank_english, customise_tokenizer

MIGREX = blank_english()
STOCK = spacy.blank("en")

# (text, the substrings the tokenizer must make token spans of)
GLUED = [
    ("4 May 2022Geneva (UNHCR) said", ["2022", "Geneva"]),
    ("Sep 9, 2021By Amira Haddad", ["2021", "By"]),
    ("9 Jan 2021BERLIN The ministry", ["2021", "BERLIN"]),
    ("2022-11-30ROME Coast guards", ["30", "ROME"]),
    ("Filed Jul 7, 2022on the wire", ["2022", "on"]),
    ("KABUL, Feb 2 2022(AFP): Returns rose", ["2022", "(", "AFP"]),
    ("Watch30 July 2021", ["Watch", "30"]),
    ("See also14 Oct 2022", ["14"]),
    ("VideoMarch 8, 2022", ["Video", "March"]),
    ("TunisNovember 3, 2021", ["Tunis", "November"]),
    ("Updated:9 May 2022", ["Updated", "9"]),
    ("Issued 1 June 2022|Next review 1 June 2023", ["2022", "|", "Next"]),
    ("Revised 2021-03-15T14:30:00+01:00 by staff", ["15"]),
    ("ACCRA, May 3 (Reuters) -Ghana's cabinet met", ["Ghana"]),
    ("OTTAWA (CP) -The federal government said", ["The"]),
    ("QUITO, Ecuador (AP) -Ecuadorian police said", ["Ecuadorian"]),
]

RANGES = [
    ("Approval rates of 10%-12% were reported.", ["10%", "12%"]),
    ("Inflation may reach 3–4 per cent.", ["3", "4"]),
    ("Smugglers charged €5,000-€8,000 a seat.", ["5,000", "€8,000"]),
    ("The camp costs ¥300–400 million a year.", ["300", "400"]),
    ("Bids came in at £1.5bn-£2bn.", ["1.5bn", "£2bn"]),
    ("Estimates were $2m–$3m for the centre.", ["2m", "$3m"]),
    ("Rejections climbed 8%–9% on the year.", ["8%", "9%"]),
]

FINAL_STOP = [
    ("The appeal raised €12m.", "€12m"),
    ("Canberra set aside A$2.5m.", "A$2.5m"),
    ("The charity was promised $7M.", "$7M"),
    ("Ottawa added C$3B.", "C$3B"),
]

# Tokens the rules must leave as stock spaCy English tokenises them (most are one token)
UNCHANGED = [
    "COVID-19", "COVID19", "H-2B", "H-1B", "I-94", "F-16", "B-52", "W-2", "N-400", "3rd",
    "21st", "4th", "1990s", "2020s", "mid-2023", "U.S.", "U.K.", "9/11", "24/7", "Q3",
    "FY24", "FY2025", "3Q23", "1H24", "H1", "2x", "B2B", "G7", "G20", "4G", "5G", "MP3",
    "Route66", "Boeing737", "A320", "x86", "PS5", "3GPP", "2FA", "3D", "24h", "13k", "2.4bn",
    "1.3mn", "20p", "Rs2", "USD50", "12'500", "2'400'000", "1,234", "9:05", "US$", "A$",
    "press2024@migration.example.org", "https://www.gov.uk/guidance/2024-rules",
    "www.example.com/news/2023Report", "10am", "5pm", "4M", "1.3m", "$5", "€35", "35€",
    "3.2-billion-euro", "$410-million", "2019-2023", "FY2019-FY2023", "June 5-9", "7-Eleven",
    "#Refugees2024", "-5", "a -3.5% fall", "Title 42", "Section 212(f)", "Mr. Ruiz", "8 a.m.", "e-Visa",
]

ONE_TOKEN = [
    "COVID-19", "H-2B", "H-1B", "I-94", "F-16", "3rd", "21st", "1990s", "mid-2023", "U.S.",
    "U.K.", "9/11", "24/7", "Q3", "FY24", "3Q23", "H1", "2x", "B2B", "G7", "G20", "MP3",
    "Route66", "13k", "press2024@migration.example.org",
    "https://www.gov.uk/guidance/2024-rules",
]


def _is_token_span(text: str, part: str, nlp: spacy.Language = MIGREX) -> bool:
    start = text.index(part)
    return nlp(text).char_span(start, start + len(part)) is not None


@pytest.mark.parametrize(("text", "parts"), GLUED + RANGES)
def test_glued_dates_and_range_figures_are_token_spans(text, parts):
    for part in parts:
        assert _is_token_span(text, part), (part, [token.text for token in MIGREX(text)])
    assert not all(_is_token_span(text, part, STOCK) for part in parts)  # the rules did it


@pytest.mark.parametrize(("text", "figure"), FINAL_STOP)
def test_a_sentence_final_scale_leaves_the_full_stop_out(text, figure):
    assert _is_token_span(text, figure), [token.text for token in MIGREX(text)]
    assert MIGREX(text)[-1].text == "."
    assert not _is_token_span(text, figure, STOCK)


@pytest.mark.parametrize("text", UNCHANGED)
def test_names_codes_and_single_figures_tokenise_as_stock_spacy(text):
    assert [token.text for token in MIGREX(text)] == [token.text for token in STOCK(text)]


@pytest.mark.parametrize("text", ONE_TOKEN)
def test_codes_ordinals_and_addresses_stay_one_token(text):
    assert len(MIGREX(text)) == 1


def test_customise_tokenizer_changes_an_existing_pipeline_in_place():
    nlp = spacy.blank("en")
    customise_tokenizer(nlp)
    assert [token.text for token in nlp("Read more22 May")] == ["Read", "more", "22", "May"]


def test_the_rules_survive_to_bytes():
    restored = spacy.blank("en")
    restored.tokenizer.from_bytes(MIGREX.tokenizer.to_bytes())
    text = "Posted 3 March 2023Dhaka: costs of £20m-£30m."
    assert [token.text for token in restored(text)] == [token.text for token in MIGREX(text)]


def test_blank_english_tokenises_as_the_extraction_pipeline():
    """Gold converted with blank_english() (DocBin) must fall on the extractor's tokens."""
    from extractor.pipeline import build_nlp

    text = ("Updated:2 April 2024|MADRID (EFE) - Spain's interior ministry said on Tuesday "
            "that 1,830 people reached the Canaries in March, at a cost of €4m-€6m. It can't "
            "say whether U.S.-Spain talks at 9 a.m. will change the 10%-15% rise. Mr. Ortega "
            "wrote to info@example.org. Watch14 March 2024Video")
    extraction = build_nlp()
    assert [token.text for token in extraction.make_doc(text)] == \
        [token.text for token in MIGREX(text)]


def test_the_registered_tokenizer_is_the_base_pipelines_own_with_migrex_rules():
    """build_nlp loads the base package with migrex.Tokenizer.v1 instead of its saved
    tokenizer: it must be the tokenizer that customising the saved one gives."""
    from extractor.pipeline import build_nlp, pipeline_config

    base = spacy.load(pipeline_config()["base_model"])
    customise_tokenizer(base)
    built = build_nlp().tokenizer
    assert built.rules == base.tokenizer.rules
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        assert getattr(built, name).__self__.pattern == \
            getattr(base.tokenizer, name).__self__.pattern, name
    assert built.token_match == base.tokenizer.token_match
    text = "Posted 3 March 2023Dhaka: U.S.-bound costs of £20m-£30m, e.g. 5–7 flights."
    assert [token.text for token in built(text)] == [token.text for token in base(text)]
