"""Gold files: validation against their texts, and gold scored against itself."""

import hashlib
import json
import shutil

import pytest

from typer.testing import CliRunner

from extractor.api import evaluate
from extractor.cli import app
from extractor.scoring import LEVELS
from extractor.validate import validate_paths

runner = CliRunner()


def test_all_seed_gold_files_are_valid(gold_dir, corpus_dir):
    documents, problems = validate_paths([gold_dir], [corpus_dir])
    assert problems == []
    assert sorted(doc.doc_id for doc in documents) == [f"seed-00{i}" for i in range(5)]


def _broken_copy(tmp_path, gold_dir):
    gold = json.loads((gold_dir / "seed-002.json").read_text(encoding="utf-8"))
    gold["spans"][0]["start"] += 1
    gold["spans"][1]["label"] = "COUNTRY"
    date_index = next(i for i, s in enumerate(gold["spans"]) if s["label"] == "DATE")
    gold["spans"][date_index]["value"] = "May 2024"
    broken = tmp_path / "seed-002.json"
    broken.write_text(json.dumps(gold), encoding="utf-8")
    return broken, date_index


def test_broken_gold_is_rejected_naming_file_and_spans(tmp_path, gold_dir, corpus_dir):
    broken, date_index = _broken_copy(tmp_path, gold_dir)
    result = runner.invoke(app, ["validate", str(broken), "--texts", str(corpus_dir)])
    assert result.exit_code == 1
    messages = result.stderr
    assert "seed-002.json: span 1" in messages and "unknown label 'COUNTRY'" in messages
    assert f"span {date_index}" in messages and "May 2024" in messages


def test_wrong_offset_is_rejected(tmp_path, gold_dir, corpus_dir):
    gold = json.loads((gold_dir / "seed-000.json").read_text(encoding="utf-8"))
    gold["spans"][3]["start"] += 2
    gold["spans"][3]["end"] += 2
    path = tmp_path / "seed-000.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    _, problems = validate_paths([path], [corpus_dir])
    assert [p.span_index for p in problems] == [3]
    assert "the document has" in problems[0].message


def test_drifted_text_is_rejected_by_hash(tmp_path, gold_dir, corpus_dir):
    texts = tmp_path / "texts"
    shutil.copytree(corpus_dir, texts)
    path = texts / "seed-003.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Wednesday", "Tuesday"),
                    encoding="utf-8")
    _, problems = validate_paths([gold_dir / "seed-003.json"], [texts])
    assert any("text_sha256" in p.message for p in problems)
    assert any(p.span_index is not None for p in problems)  # and the moved spans


def test_overlapping_spans_are_rejected(tmp_path, gold_dir, corpus_dir):
    gold = json.loads((gold_dir / "seed-004.json").read_text(encoding="utf-8"))
    first = gold["spans"][0]
    gold["spans"].append({**first, "end": first["end"]})
    path = tmp_path / "seed-004.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    _, problems = validate_paths([path], [corpus_dir])
    assert any("overlaps span 0" in p.message for p in problems)


def test_gold_against_itself_is_perfect_at_every_level(gold_dir, corpus_dir, tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(gold_dir), "--texts", str(corpus_dir),
                                 "--pred", str(gold_dir), "--json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "s.json").read_text())
    assert set(scores) == set(LEVELS)
    for level in LEVELS:
        for label, row in scores[level].items():
            assert (row["p"], row["r"], row["f"]) == (1.0, 1.0, 1.0), (level, label)
            assert set(row) == {"p", "r", "f", "tp", "pred", "gold"}
    assert scores["mentions_lenient"]["micro"]["gold"] > 300


def test_missing_prediction_document_counts_as_empty(gold_dir, corpus_dir, tmp_path):
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(json.loads((gold_dir / "seed-000.json").read_text())) + "\n")
    evaluation = evaluate([gold_dir], [corpus_dir], [pred])
    micro = evaluation.score.as_dict()["mentions_lenient"]["micro"]
    assert micro["p"] == 1.0 and micro["r"] < 0.5
    assert any("seed-001: no prediction" in problem for problem in evaluation.problems)


def test_shipped_json_schemas_are_current(root):
    from extractor.schema import json_schemas

    for name, schema in json_schemas().items():
        shipped = json.loads((root / "models" / "schema" / name).read_text(encoding="utf-8"))
        assert shipped == schema, f"run `python -m extractor.schema` to refresh {name}"


def test_gold_files_validate_against_shipped_json_schema(root, gold_dir):
    import jsonschema

    schema = json.loads((root / "models" / "schema" / "gold.schema.json").read_text())
    for path in sorted(gold_dir.glob("*.json")):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


TEXT = "Officials in Rome said 4,200 migrants were rescued in June, costing €3 million."


def at(text):
    """The offsets of `text` in TEXT."""
    start = TEXT.index(text)
    return {"start": start, "end": start + len(text)}


def _gold_file(directory, spans):
    import hashlib

    directory.mkdir(exist_ok=True)
    for item in spans:
        item.update(at(item["text"]))
    gold = {"doc_id": "rome-1", "published": "2024-07-02",
            "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(), "spans": spans}
    (directory / "rome-1.json").write_text(json.dumps(gold), encoding="utf-8")
    return directory


def _rome_gold(tmp_path):
    return _gold_file(tmp_path / "gold", [
        {"label": "GPE", "text": "Rome", "canonical": "Rome"},
        {"label": "PEOPLE", "text": "4,200", "value": 4200, "when": "2024-06"},
        {"label": "DATE", "text": "June", "value": "2024-06"},
        {"label": "MONEY", "text": "€3 million", "value": 3000000,
         "currency": "EUR", "when": "2024-06"}])


def test_scores_a_third_party_file_without_texts(tmp_path):
    # spaCy's doc.ents exported as they are: start, end, label, text and nothing else
    ents = [{**at("Rome"), "label": "GPE", "text": "Rome"},
            {**at("4,200"), "label": "CARDINAL", "text": "4,200"},
            {**at("June"), "label": "DATE", "text": "June"},
            {**at("€3 million"), "label": "MONEY", "text": "€3 million"}]
    pred = tmp_path / "spacy.jsonl"
    pred.write_text(json.dumps({"doc_id": "rome-1", "spans": ents}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--gold", str(_rome_gold(tmp_path)), "--pred",
                                 str(pred), "--json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert "unknown labels: CARDINAL (1)" in result.stderr
    scores = json.loads((tmp_path / "s.json").read_text())
    assert scores["mentions_strict"]["micro"] == {"p": 1.0, "r": 0.75, "f": 0.8571,
                                                  "tp": 3, "pred": 3, "gold": 4}
    assert scores["values"]["micro"]["tp"] == 0  # no value attributes at all
    assert scores["actors"]["micro"]["tp"] == 1  # the text stands in for the canonical
    assert scores["facts"]["micro"]["pred"] == 0


def test_missing_prediction_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(_rome_gold(tmp_path)),
                                 "--pred", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl: no such prediction file" in result.stderr
    assert "Traceback" not in result.output and "micro" not in result.stdout


def test_zero_documents_scored_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    pred = tmp_path / "p.jsonl"
    pred.write_text(json.dumps({"doc_id": "x", "spans": []}) + "\n")
    result = runner.invoke(app, ["evaluate", "--gold", str(empty), "--pred", str(pred)])
    assert result.exit_code == 2 and "no document scored" in result.stderr


def test_errors_lists_boundaries_values_and_periods(tmp_path):
    pred = tmp_path / "p.jsonl"
    spans = [{**at("Rome"), "label": "GPE", "text": "Rome", "canonical": "Roma"},
             {**at("said 4,200"), "label": "PEOPLE", "text": "said 4,200", "value": 4200,
              "when": "2024"},
             {**at("June"), "label": "DATE", "text": "June", "value": "2023-06"},
             {**at("€3 million"), "label": "MONEY", "text": "€3 million", "value": 3000000,
              "currency": "USD", "when": "2024-06"}]
    pred.write_text(json.dumps({"doc_id": "rome-1", "spans": spans}) + "\n")
    result = runner.invoke(app, ["evaluate", "--gold", str(_rome_gold(tmp_path)), "--pred",
                                 str(pred), "--errors"])
    assert result.exit_code == 0, result.output
    for kind in ("BOUNDARY", "VALUE", "CURRENCY", "WHEN", "ACTOR_FN", "ACTOR_FP", "FACT_FP"):
        assert kind in result.stdout, kind


def test_non_finite_gold_values_are_rejected(tmp_path):
    gold = _rome_gold(tmp_path)
    path = gold / "rome-1.json"
    path.write_text(path.read_text().replace('"value": 4200', '"value": Infinity'))
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "rome-1.txt").write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(gold), "--texts", str(tmp_path / "texts")])
    assert result.exit_code == 1 and "span 1" in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"[1, 2, 3]", "a gold document is a JSON object, not int"),
    (b'{"doc_id": "x", "spans": []}\xff\xfe', "cannot read"),
    (b"[" * 100_000 + b"]" * 100_000, "cannot read"),
    (b'{"doc_id": "x", "published": null, "text_sha256": "' + b"0" * 64
     + b'", "spans": [{"start": 0, "end": 3, "label": "PEOPLE", "text": "abc", '
       b'"value": NaN, "when": null}]}', "span 0"),
])
def test_validate_reports_hostile_gold_in_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path), "--texts", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def _own_text_record(text: str, start: int, end: int) -> dict:
    """A gold record that carries its text (as convert writes from Label Studio or Prodigy)."""
    return {"doc_id": "lagos-7", "published": "2025-02-11", "text": text,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "spans": [{"start": start, "end": end, "label": "GPE", "text": text[start:end],
                       "canonical": "Nigeria"}]}


def test_validate_checks_a_record_against_the_text_it_carries(tmp_path, monkeypatch):
    text = "Officials in Nigeria said 340 returnees landed in Lagos on Monday."
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_own_text_record(text, 13, 20)) + "\n", encoding="utf-8")
    shifted = dict(_own_text_record(text, 13, 20), text=text.replace("Officials", "Aides"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(shifted) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no corpus/ here: the records' own texts are all there is
    assert runner.invoke(app, ["validate", str(good)]).exit_code == 0
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1 and "text_sha256 does not match" in result.stderr
