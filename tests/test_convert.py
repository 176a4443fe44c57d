"""Interchange formats round-trip the gold files losslessly (offsets, labels, attributes)."""

import json

import pytest
from typer.testing import CliRunner

from extractor.api import load_records_with_text
from extractor.cli import app
from extractor.convert import FORMATS, read, to_docbin, write

runner = CliRunner()


@pytest.fixture(scope="module")
def gold_records(request):
    from conftest import ROOT

    records, problems = load_records_with_text([ROOT / "annotations"], [ROOT / "corpus"])
    assert not problems and len(records) == 5
    return records


def _comparable(records):
    return [{key: value for key, value in record.items() if key != "text_sha256"}
            for record in sorted(records, key=lambda r: r["doc_id"])]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "migrex"])
def test_round_trip_is_lossless(fmt, gold_records, tmp_path):
    target = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    write(gold_records, fmt, target)
    back = read(fmt, target)
    assert _comparable(back) == _comparable(gold_records)


def test_docbin_holds_entities_and_the_full_span_group(gold_records):
    import spacy

    docbin = to_docbin(gold_records[:1])
    (doc,) = list(docbin.get_docs(spacy.blank("en").vocab))
    assert len(doc.spans["migrex"]) == len(gold_records[0]["spans"])
    assert {ent.label_ for ent in doc.ents} >= {"GPE", "DATE", "MONEY"}


def test_cli_convert_to_brat_and_back_scores_perfectly(tmp_path, root):
    brat = tmp_path / "brat"
    result = runner.invoke(app, ["convert", str(root / "annotations"), "--to", "brat",
                                 "-o", str(brat), "--texts", str(root / "corpus")])
    assert result.exit_code == 0, result.output
    assert (brat / "seed-000.ann").read_text().startswith("T1\tGPE ")
    back = tmp_path / "back.jsonl"
    assert runner.invoke(app, ["convert", str(brat), "--from", "brat", "--to", "migrex",
                               "-o", str(back)]).exit_code == 0
    scores = tmp_path / "scores.json"
    assert runner.invoke(app, ["evaluate", "--pred", str(back), "--json", str(scores),
                               "--gold", str(root / "annotations"),
                               "--texts", str(root / "corpus")]).exit_code == 0
    assert json.loads(scores.read_text())["values"]["micro"]["f"] == 1.0


def test_unknown_format_is_a_usage_error(tmp_path, root):
    result = runner.invoke(app, ["convert", str(root / "annotations"), "--to", "conll",
                                 "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
