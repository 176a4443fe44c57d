"""Actors: gazetteer patterns with ids, canonical names, ids stable across documents."""

import json

import pytest
import spacy

from extractor.data import MODELS_DIR


def actors(extractor, text: str, doc_id: str = "t") -> list[dict]:
    record = extractor.extract(text, published="2024-03-01", doc_id=doc_id)
    return [s for s in record["spans"] if s["label"] in ("PERSON", "ORG", "GPE")]


def first(spans: list[dict], text: str) -> dict:
    return next(s for s in spans if s["text"] == text)


@pytest.mark.parametrize("name", ["orgs.patterns.json", "places.patterns.json"])
def test_pattern_files_hold_one_span_ruler_pattern_per_line(name):
    lines = (MODELS_DIR / "gazetteer" / name).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    for line in lines[1:-1]:
        pattern = json.loads(line.rstrip(","))
        assert pattern["label"] in ("ORG", "GPE") and pattern["pattern"] and pattern["id"]


def test_every_organisation_names_its_source():
    lines = json.loads((MODELS_DIR / "gazetteer" / "orgs.patterns.json").read_text("utf-8"))
    assert all(line["source"].startswith("https://") for line in lines)


def test_acronym_and_spelled_out_name_share_id_and_canonical(extractor):
    spans = actors(extractor, "The Department of Homeland Security said on Friday that DHS "
                              "staff in Arizona would be reassigned.")
    full, short = first(spans, "Department of Homeland Security"), first(spans, "DHS")
    assert full["id"] == short["id"]
    assert short["canonical"] == "Department of Homeland Security"


def test_an_acronym_alone_keeps_its_text_but_shares_the_id(extractor):
    """Spec section 4: 'else the mention as written'; the id still joins documents."""
    alone = first(actors(extractor, "A DHS spokesperson declined to comment.", "a"), "DHS")
    spelled = first(actors(extractor, "The Department of Homeland Security issued a rule.",
                           "b"), "Department of Homeland Security")
    assert alone["canonical"] == "DHS"
    assert alone["id"] == spelled["id"]


def test_org_names_in_either_order_and_with_or_without_us(extractor):
    spans = actors(extractor, "The State Department and the U.S. Department of State are one "
                              "body; the Department of State said so.")
    ids = {s["id"] for s in spans if s["label"] == "ORG"}
    assert len(ids) == 1
    assert {s["canonical"] for s in spans if s["label"] == "ORG"} == {"U.S. Department of State"}


def test_un_agency_acronym_takes_its_spelled_out_name(extractor):
    spans = actors(extractor, "Officials from the International Organization for Migration "
                              "met in Niamey. IOM staff counted arrivals.")
    assert first(spans, "IOM")["canonical"] == "International Organization for Migration"


@pytest.mark.parametrize("text, mention, canonical", [
    ("Ministers from Britain met in Rome.", "Britain", "United Kingdom"),
    ("Aid reached the Ivory Coast last week.", "Ivory Coast", "Côte d'Ivoire"),
    ("Workers came from Cote d’Ivoire and Ghana.", "Cote d’Ivoire", "Côte d'Ivoire"),
    ("The envoy flew to Washington, D.C. on Monday.", "D.C.", "District of Columbia"),
    ("Talks with U.S. officials resumed in Lisbon.", "U.S.", "United States"),
    ("Farmers in Bavaria and Sao Paulo protested.", "Sao Paulo", "São Paulo"),
])
def test_place_canonicals_are_short_english_names(extractor, text, mention, canonical):
    span = first(actors(extractor, text), mention)
    assert span["label"] == "GPE" and span["canonical"] == canonical and span["id"]


def test_place_ids_are_stable_across_documents(extractor):
    one = first(actors(extractor, "Shelters in El Paso filled up.", "a"), "El Paso")
    two = first(actors(extractor, "EL PASO, Texas — Volunteers served meals.", "b"), "EL PASO")
    assert one["id"] == two["id"] and one["id"].startswith("geonames:")
    texas = first(actors(extractor, "EL PASO, Texas — Volunteers served meals.", "b"), "Texas")
    assert texas["id"] == "iso:US-TX"


def test_a_name_that_is_a_place_only_in_context_needs_it(extractor):
    """'Jordan' the person stays out of GPE; 'from Jordan' is the country."""
    person = actors(extractor, "Michael Jordan spoke to reporters after the game.")
    assert not any(s["label"] == "GPE" for s in person)
    place = first(actors(extractor, "Refugees arriving from Jordan were registered."), "Jordan")
    assert place["label"] == "GPE" and place["id"] == "iso:JO"


def test_people_have_no_gazetteer_id(extractor):
    spans = actors(extractor, "Maria Delgado, a lawyer in Tucson, filed the claim.")
    assert "id" not in first(spans, "Maria Delgado")


def test_saved_pipeline_carries_its_patterns(tmp_path, extractor):
    nlp = extractor.nlp
    nlp.to_disk(tmp_path)
    data_file = tmp_path / "migrex_actors" / "data.json"
    payload = json.loads(data_file.read_text(encoding="utf-8"))
    payload["files"]["gazetteer/orgs.patterns.json"].append(
        {"label": "ORG", "pattern": "Corvid Relief Fund", "id": "Corvid Relief Fund"})
    data_file.write_text(json.dumps(payload), encoding="utf-8")
    from extractor.pipeline import Extractor

    reloaded = Extractor(nlp=spacy.load(tmp_path))
    spans = actors(reloaded, "The Corvid Relief Fund paid for tents.")
    assert first(spans, "Corvid Relief Fund")["id"] == "Corvid Relief Fund"


def test_an_acronym_defined_in_brackets_takes_the_name_before_it(extractor):
    spans = actors(extractor, "The Lakeshore Resettlement Network (LRN) housed 90 families. "
                              "LRN volunteers said more would come.")
    assert {s["canonical"] for s in spans if s["text"] == "LRN"} == \
        {"Lakeshore Resettlement Network"}


@pytest.mark.parametrize("text", ["U.S.", "Mexico", "the U.S.", "New York"])
def test_a_text_that_ends_inside_a_longer_gazetteer_name(extractor, text):
    # 'U.S.' is also the first word of longer names ('U.S. Border Patrol'): a document that
    # ends after it must still give its own match, never a span past the end
    record = extractor.extract(text, published="2024-01-02")
    assert [s["label"] for s in record["spans"]] == ["GPE"]
