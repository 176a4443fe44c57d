"""Interchange with the real tools: Label Studio (annotations/predictions, labeling config,
regions drawn in Label Studio), Prodigy (answers, tasks without meta), brat (annotation.conf),
spaCy DocBin (the extractor's tokenizer). Every round trip on a document of every label."""

import hashlib
import json
import xml.etree.ElementTree as ElementTree

import pytest
from pydantic import TypeAdapter
from typer.testing import CliRunner

from extractor.cli import app
from extractor.convert import FORMATS, read, to_docbin, write
from extractor.labels import declared_labels
from extractor.schema import Span

runner = CliRunner()
SPAN = TypeAdapter(Span)
TEXT = ("OTTAWA (Northfield Ledger) - Immigration Minister Carla Benoit said on Tuesday, "
        "March 4, 2025 that Canada would spend C$42 million on asylum processing. The Canada "
        "Border Services Agency recorded 3,150 encounters at the U.S.-Canada border in "
        "February, and 418 people were removed last month. Ottawa will issue 12,000 work "
        "permits this year; arrivals rose 9.5 percent, and 760 refugees were resettled. "
        "Benoit gave no date for the review.")


def _at(surface: str, label: str, nth: int = 0, **attributes) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(surface, start + 1)
    return {"start": start, "end": start + len(surface), "label": label, "text": surface,
            **attributes}


def _record() -> dict:
    """Every label, a null DATE-free figure `when`, an output-only key (`id`, `when_rule`)."""
    spans = [
        _at("OTTAWA", "GPE", canonical="Ottawa"),
        _at("Northfield Ledger", "ORG", canonical="Northfield Ledger"),
        _at("Carla Benoit", "PERSON", canonical="Carla Benoit"),
        _at("Tuesday, March 4, 2025", "DATE", value="2025-03-04"),
        _at("Canada", "GPE", canonical="Canada", id="iso:CA"),
        _at("C$42 million", "MONEY", value=42000000, currency="CAD", when="2025-03-04"),
        _at("Canada Border Services Agency", "ORG", canonical="Canada Border Services Agency"),
        _at("3,150", "ENCOUNTERS", value=3150, when="2025-02", when_rule="sentence-date"),
        _at("U.S.", "GPE", canonical="United States"),
        _at("Canada", "GPE", nth=2, canonical="Canada"),
        _at("February", "DATE", value="2025-02"),
        _at("418", "REMOVALS", value=418, when="2025-02"),
        _at("last month", "DATE", value="2025-02"),
        _at("Ottawa", "GPE", canonical="Ottawa"),
        _at("12,000", "VISAS", value=12000, when="2025"),
        _at("this year", "DATE", value="2025"),
        _at("9.5 percent", "PERCENT", value=9.5, when=None),
        _at("760", "PEOPLE", value=760, when=None),
        _at("Benoit", "PERSON", nth=1, canonical="Carla Benoit"),
    ]
    return {"doc_id": "own-tools-1", "published": "2025-03-05", "title": None,
            "text_sha256": hashlib.sha256(TEXT.encode("utf-8")).hexdigest(),
            "text": TEXT, "spans": spans}


def test_the_document_has_every_label_and_valid_spans():
    record = _record()
    assert {s["label"] for s in record["spans"]} == {spec.name for spec in declared_labels()}
    for span in record["spans"]:
        assert TEXT[span["start"]:span["end"]] == span["text"]
        SPAN.validate_python(span)


@pytest.mark.parametrize("fmt,results_as", [(f, None) for f in FORMATS if f != "labelstudio"]
                         + [("labelstudio", "annotations"), ("labelstudio", "predictions")])
def test_round_trip_keeps_spans_and_attributes(fmt, results_as, tmp_path):
    target = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    notes: list[str] = []
    write([_record()], fmt, target, results_as=results_as, notes=notes)
    back = read(fmt, target, notes)
    assert back == [_record()]
    # nothing skipped or filled in; predictions are taken only because no annotation is there
    assert [n.split(": ", 1)[1] for n in notes] == \
        (["1 task(s) had no annotation: their predictions taken"]
         if results_as == "predictions" else [])


# --- Label Studio --------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["annotations", "predictions"])
def test_labelstudio_results_sit_under_the_chosen_key(key, tmp_path):
    out = tmp_path / "tasks.json"
    write([_record()], "labelstudio", out, results_as=key)
    (task,) = json.loads(out.read_text())
    other = "predictions" if key == "annotations" else "annotations"
    assert other not in task and len(task[key]) == 1
    assert ("model_version" in task[key][0]) == (key == "predictions")
    regions = [r for r in task[key][0]["result"] if r["type"] == "labels"]
    assert len(regions) == len(_record()["spans"])
    money = next(r for r in regions if r["value"]["labels"] == ["MONEY"])
    typed = {r["from_name"]: r["value"]["text"] for r in task[key][0]["result"]
             if r["id"] == money["id"] and r["type"] == "textarea"}
    assert typed == {"value": ["42000000"], "currency": ["CAD"], "when": ["2025-03-04"]}


def _write_migrex(path, record, **extra):
    path.write_text(json.dumps({**record, **extra}) + "\n", encoding="utf-8")


@pytest.mark.parametrize("extra,key", [({}, "annotations"), ({"facts": []}, "predictions")])
def test_cli_default_key_is_predictions_for_extract_output(extra, key, tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "tasks.json"
    _write_migrex(source, _record(), **extra)
    result = runner.invoke(app, ["convert", str(source), "--to", "labelstudio", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert key in json.loads(out.read_text())[0]
    forced = "annotations" if key == "predictions" else "predictions"
    assert runner.invoke(app, ["convert", str(source), "--to", "labelstudio", "-o", str(out),
                               "--as", forced]).exit_code == 0
    assert forced in json.loads(out.read_text())[0]


def test_cli_rejects_a_wrong_results_key(tmp_path):
    source = tmp_path / "in.jsonl"
    _write_migrex(source, _record())
    result = runner.invoke(app, ["convert", str(source), "--to", "labelstudio",
                                 "-o", str(tmp_path / "t.json"), "--as", "completions"])
    assert result.exit_code == 2 and not (tmp_path / "t.json").exists()


def test_labelstudio_config_is_generated_from_the_declared_labels(tmp_path):
    source, config = tmp_path / "in.jsonl", tmp_path / "label_config.xml"
    _write_migrex(source, _record())
    result = runner.invoke(app, ["convert", str(source), "--to", "labelstudio",
                                 "-o", str(tmp_path / "tasks.json"), "--config-out", str(config)])
    assert result.exit_code == 0, result.output
    view = ElementTree.fromstring(config.read_text())
    labels = view.find("Labels")
    assert (labels.get("name"), labels.get("toName")) == ("label", "text")
    declared = declared_labels()
    assert [(x.get("value"), x.get("background")) for x in labels.findall("Label")] == \
        [(spec.name, spec.colour) for spec in declared]
    assert view.find("Text").attrib == {"name": "text", "value": "$text"}
    areas = {area.get("name"): panel.get("whenLabelValue").split(",")
             for panel in view.findall("View") for area in panel.findall("TextArea")
             if area.get("perRegion") == "true"}
    assert areas == {key: [s.name for s in declared if key in s.attributes]
                     for key in {k for s in declared for k in s.attributes}}


def _region(region_id, start, end, label, text=TEXT):
    return {"id": region_id, "from_name": "label", "to_name": "text", "type": "labels",
            "origin": "manual", "value": {"start": start, "end": end,
                                          "text": text[start:end], "labels": [label]}}


def _typed(region_id, start, end, name, entered):
    return {"id": region_id, "from_name": name, "to_name": "text", "type": "textarea",
            "origin": "manual", "value": {"start": start, "end": end, "text": [entered]}}


def _labelstudio_file(tmp_path, tasks):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_regions_drawn_in_labelstudio_import_with_defaults_that_validate(tmp_path):
    spans = {s["text"]: s for s in _record()["spans"]}
    drawn = [_region(f"r{i}", spans[t]["start"], spans[t]["end"], spans[t]["label"])
             for i, t in enumerate(["Carla Benoit", "February", "C$42 million", "760",
                                    "9.5 percent"])]
    drawn[0]["meta"] = {"text": ["unsure of the first name"]}  # a note typed in Label Studio
    task = {"id": 7, "data": {"text": TEXT}, "annotations": [{"result": drawn}]}
    notes: list[str] = []
    (record,) = read("labelstudio", _labelstudio_file(tmp_path, [task]), notes)
    assert record["doc_id"] == "7" and record["published"] is None
    got = {s["text"]: s for s in record["spans"]}
    assert got["Carla Benoit"]["canonical"] == "Carla Benoit"
    assert got["February"]["value"] is None
    assert (got["C$42 million"]["value"], got["C$42 million"]["currency"]) == (42000000, "CAD")
    assert (got["760"]["value"], got["760"]["when"]) == (760, None)
    assert got["9.5 percent"]["value"] == 9.5
    for span in record["spans"]:
        SPAN.validate_python(span)
    assert any("5 span(s) lacked attributes" in note for note in notes)
    assert any("1 region(s) had a meta that is not migrex's JSON attributes" in note
               for note in notes)


def test_a_document_annotated_in_labelstudio_converts_to_a_valid_gold_file(tmp_path):
    text = "Warsaw said 1,200 migrants crossed from Belarus in May."
    drawn = [_region(name, text.index(surface), text.index(surface) + len(surface), label,
                     text)
             for name, surface, label in (("a", "Warsaw", "GPE"), ("b", "1,200", "PEOPLE"),
                                          ("c", "Belarus", "GPE"), ("d", "May", "DATE"))]
    source = _labelstudio_file(tmp_path, [{"id": 12, "data": {"text": text},
                                           "annotations": [{"result": drawn}]}])
    gold = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["convert", str(source), "--from", "labelstudio", "--to",
                                 "migrex", "-o", str(gold)])
    assert result.exit_code == 0, result.output
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "12.txt").write_text(text, encoding="utf-8")
    checked = runner.invoke(app, ["validate", str(gold), "--texts", str(tmp_path / "texts")])
    assert checked.exit_code == 0, checked.output
    assert "1 valid gold document(s), 4 spans" in checked.output


def test_attributes_typed_in_labelstudio_per_region_import(tmp_path):
    text = "About 2,500 UK residents were returned in June, officials in London said."
    start = text.index("2,500")
    gpe = text.index("UK")
    task = {"data": {"text": text, "doc_id": "typed-1", "published": "2024-07-01"},
            "annotations": [{"result": [
                _region("a", gpe, gpe + 2, "GPE", text),
                _typed("a", gpe, gpe + 2, "canonical", "United Kingdom"),
                _region("b", start, start + 5, "REMOVALS", text),
                _typed("b", start, start + 5, "value", "2,500"),
                _typed("b", start, start + 5, "when", "2024-06"),
            ]}]}
    notes: list[str] = []
    (record,) = read("labelstudio", _labelstudio_file(tmp_path, [task]), notes)
    assert record["spans"] == [
        {"start": start, "end": start + 5, "label": "REMOVALS", "text": "2,500",
         "value": 2500, "when": "2024-06"},
        {"start": gpe, "end": gpe + 2, "label": "GPE", "text": "UK",
         "canonical": "United Kingdom"}]
    assert notes == []


def test_labelstudio_import_takes_predictions_and_annotations_win(tmp_path):
    spans = {s["text"]: s for s in _record()["spans"]}
    person, place = spans["Carla Benoit"], spans["OTTAWA"]
    predicted = {"model_version": "other-model", "score": 0.4,
                 "result": [_region("p", person["start"], person["end"], "PERSON")]}
    corrected = {"result": [_region("q", place["start"], place["end"], "GPE")]}
    only_predictions = {"data": {"text": TEXT, "doc_id": "a"}, "predictions": [predicted]}
    both = {"data": {"text": TEXT, "doc_id": "b"}, "predictions": [predicted],
            "annotations": [{"was_cancelled": True, "result": []}, corrected]}
    notes: list[str] = []
    first, second = read("labelstudio", _labelstudio_file(tmp_path, [only_predictions, both]),
                         notes)
    assert [s["label"] for s in first["spans"]] == ["PERSON"]
    assert [s["label"] for s in second["spans"]] == ["GPE"]
    assert any("1 task(s) had no annotation: their predictions taken" in n for n in notes)


def test_a_per_region_choice_of_a_users_own_config_imports(tmp_path):
    text = "Brussels pledged 30 million to Frontex, in euros."
    start = text.index("30 million")
    end = start + len("30 million")
    task = {"data": {"text": text, "doc_id": "eu-1", "published": "2024-02-02"},
            "annotations": [{"result": [
                _region("m", start, end, "MONEY", text),
                {"id": "m", "from_name": "currency", "to_name": "text", "type": "choices",
                 "value": {"start": start, "end": end, "choices": ["EUR"]}},
                _typed("m", start, end, "value", "30 million")]}]}
    notes: list[str] = []
    (record,) = read("labelstudio", _labelstudio_file(tmp_path, [task]), notes)
    assert record["spans"] == [{"start": start, "end": end, "label": "MONEY",
                                "text": "30 million", "value": 30000000, "currency": "EUR",
                                "when": None}]
    assert notes == [f"{tmp_path / 'export.json'}: 1 span(s) lacked attributes: defaults "
                     "filled (canonical = text; DATE value and when null; a figure's value "
                     "and currency read from its text)"]


# --- Prodigy -------------------------------------------------------------------------------

def test_prodigy_skips_rejected_and_ignored_tasks_and_says_how_many(tmp_path):
    lines = [{"text": "Rome said 40 people landed.", "answer": "accept", "_input_hash": -901,
              "spans": [{"start": 0, "end": 4, "label": "GPE", "token_start": 0,
                         "token_end": 0}]},
             {"text": "A rejected task.", "answer": "reject", "spans": []},
             {"text": "An ignored task.", "answer": "ignore", "spans": []},
             {"text": "Madrid counted 12% more.", "spans": [
                 {"start": 15, "end": 18, "label": "PERCENT"}]}]
    source, out = tmp_path / "db.jsonl", tmp_path / "back.jsonl"
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = runner.invoke(app, ["convert", str(source), "--from", "prodigy", "--to", "migrex",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped 2 Prodigy task(s) answered ignore (1), reject (1)" in result.output
    assert ("2 Prodigy task(s) without a doc_id in meta: doc_id from _input_hash (1), line "
            "number (1), published null") in " ".join(result.output.split())
    back = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["doc_id"] for r in back] == ["-901", "line-4"]
    assert all(r["published"] is None for r in back)
    assert back[0]["spans"] == [{"start": 0, "end": 4, "label": "GPE", "text": "Rome",
                                 "canonical": "Rome"}]
    assert back[1]["spans"][0] == {"start": 15, "end": 18, "label": "PERCENT",
                                        "text": "12%", "value": 12, "when": None}


# --- brat ----------------------------------------------------------------------------------

def _conf_sections(conf: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in conf.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line.strip() and not line.startswith("#") and current is not None:
            current.append(line)
    return sections


def test_brat_output_has_annotation_conf_of_the_declared_labels(tmp_path):
    write([_record()], "brat", tmp_path / "brat")
    conf = (tmp_path / "brat" / "annotation.conf").read_text()
    sections = _conf_sections(conf)
    assert list(sections) == ["entities", "relations", "events", "attributes"]
    assert sections["entities"] == [spec.name for spec in declared_labels()]
    for spec in declared_labels():  # each label's attributes are named for the annotator
        assert f"#   {spec.name}: {', '.join(spec.attributes)}" in conf
    visual = _conf_sections((tmp_path / "brat" / "visual.conf").read_text())
    assert visual["drawing"] == [f"{s.name}\tbgColor:{s.colour}" for s in declared_labels()]


def test_brat_spans_added_by_hand_import_with_defaults(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "note.txt").write_text("Lisbon approved 300 visas.", encoding="utf-8")
    (folder / "note.ann").write_text("T1\tGPE 0 6\tLisbon\nT2\tVISAS 16 19\t300\n"
                                     "#1\tAnnotatorNotes T2\tcheck the source\n"
                                     "T3\tVISAS 20 25\tvisas\n", encoding="utf-8")
    notes: list[str] = []
    (record,) = read("brat", folder, notes)
    assert record["doc_id"] == "note"
    assert record["spans"] == [
        {"start": 0, "end": 6, "label": "GPE", "text": "Lisbon", "canonical": "Lisbon"},
        {"start": 16, "end": 19, "label": "VISAS", "text": "300", "value": 300, "when": None},
        {"start": 20, "end": 25, "label": "VISAS", "text": "visas", "when": None}]
    assert any("'check the source' is not a JSON object" in note for note in notes)
    # no number to read: named with doc_id and offsets, left for the annotator, not guessed
    assert "note: VISAS 20-25 'visas': no value can be read from the text; fill it in" in notes


# --- spaCy DocBin --------------------------------------------------------------------------

def test_docbin_keeps_both_places_of_a_hyphenated_pair_as_entities():
    import spacy

    (doc,) = to_docbin([_record()]).get_docs(spacy.blank("en").vocab)
    gpes = [ent.text for ent in doc.ents if ent.label_ == "GPE"]
    assert gpes == ["OTTAWA", "Canada", "U.S.", "Canada", "Ottawa"]
    assert len(doc.spans["migrex"]) == len(_record()["spans"])


def test_docbin_names_a_span_off_token_boundaries(tmp_path):
    record = {"doc_id": "cut-1", "published": None, "text": "Officials in Lisbonne met.",
              "spans": [{"start": 13, "end": 19, "label": "GPE", "text": "Lisbon",
                         "canonical": "Lisbon"}]}
    notes: list[str] = []
    write([record], "spacy", tmp_path / "out.spacy", notes=notes)
    assert notes == ["cut-1: GPE 13-19 'Lisbon' does not fall on token boundaries: kept in "
                     "user_data, not in doc.ents"]
    (back,) = read("spacy", tmp_path / "out.spacy")  # exact, through the user data
    assert back["spans"] == record["spans"]
