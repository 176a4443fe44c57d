"""Hostile input to the scoring side: predictions made from another text, a prediction file
that is not UTF-8, gold values past any real figure. Each is one line naming the file (or
document) and what is wrong; unreadable input exits non-zero."""

import hashlib
import json

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
TEXT = "On 4 May 2025 Greek coast guards rescued 212 people near Crete, officials in Athens said."


def _at(text: str) -> dict:
    start = TEXT.index(text)
    return {"start": start, "end": start + len(text), "text": text}


SPANS = [{**_at("Athens"), "label": "GPE", "canonical": "Athens"},
         {**_at("212"), "label": "PEOPLE", "value": 212, "when": "2025-05-04"}]


def _gold(tmp_path, spans=SPANS):
    (tmp_path / "texts").mkdir(exist_ok=True)
    (tmp_path / "texts" / "crete-1.txt").write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir(exist_ok=True)
    (gold / "crete-1.json").write_text(json.dumps({
        "doc_id": "crete-1", "published": "2025-05-05", "spans": spans,
        "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest()}), encoding="utf-8")
    return gold


def _evaluate(tmp_path, pred):
    return runner.invoke(app, ["evaluate", "--gold", str(_gold(tmp_path)), "--pred", str(pred),
                               "--texts", str(tmp_path / "texts")])


def test_predictions_whose_offsets_disagree_with_the_text_are_flagged(tmp_path):
    shifted = [{**span, "start": span["start"] + 3, "end": span["end"] + 3} for span in SPANS]
    pred = tmp_path / "shifted.jsonl"
    pred.write_text(json.dumps({"doc_id": "crete-1", "spans": shifted}) + "\n")
    result = _evaluate(tmp_path, pred)
    flagged = [line for line in result.stderr.splitlines() if "disagree with the text" in line]
    assert len(flagged) == 1 and flagged[0].startswith("warning: crete-1: 2 predicted span(s)")
    exact = tmp_path / "exact.jsonl"
    exact.write_text(json.dumps({"doc_id": "crete-1", "spans": SPANS}) + "\n")
    assert "disagree" not in _evaluate(tmp_path, exact).stderr


def test_a_prediction_file_that_is_not_utf8_exits_non_zero_in_one_line(tmp_path):
    pred = tmp_path / "latin1.jsonl"
    pred.write_bytes(json.dumps({"doc_id": "crete-1", "title": "Iraklion caf\u00e9",
                                 "spans": []}, ensure_ascii=False).encode("latin-1") + b"\n")
    result = _evaluate(tmp_path, pred)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(lines) == 1 and lines[0].startswith("error: ") and "latin1.jsonl" in lines[0]
    assert "micro" not in result.stdout



def test_a_prediction_folder_with_no_prediction_files_is_a_usage_error(tmp_path):
    empty = tmp_path / "predictions"
    empty.mkdir()
    (empty / "notes.txt").write_text("the run has not finished yet\n")
    result = _evaluate(tmp_path, empty)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "no prediction files" in lines[0]
    assert "micro" not in result.stdout

@pytest.mark.parametrize("value", [5e15, 1e300, -2e15])
def test_validate_rejects_gold_values_past_any_real_figure(tmp_path, value):
    gold = _gold(tmp_path, [SPANS[0], {**SPANS[1], "value": value}])
    result = runner.invoke(app, ["validate", str(gold), "--texts", str(tmp_path / "texts")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "crete-1.json: span 1: PEOPLE '212'" in result.stderr


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "-Infinity"])
def test_a_non_finite_gold_value_is_never_scored(tmp_path, literal):
    gold = _gold(tmp_path)
    path = gold / "crete-1.json"
    path.write_text(path.read_text().replace('"value": 212', f'"value": {literal}'))
    pred = tmp_path / "any-value.jsonl"
    pred.write_text(json.dumps({"doc_id": "crete-1", "spans": [
        SPANS[0], {**SPANS[1], "value": 999}]}) + "\n")
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred),
                                 "--texts", str(tmp_path / "texts")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "crete-1.json: span 1: PEOPLE '212'" in result.stderr and "micro" not in result.stdout
