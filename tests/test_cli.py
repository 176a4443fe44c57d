"""The migrex command line, end to end on the shipped corpus and the test articles."""

import csv
import json

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()


def test_extract_corpus_writes_one_record_per_document(tmp_path, corpus_dir):
    out = tmp_path / "corpus.jsonl"
    result = runner.invoke(app, ["extract", str(corpus_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == [f"seed-00{i}" for i in range(5)]
    assert records[0]["published"] == "2024-05-06"  # from corpus/metadata.json
    assert all(r["spans"] for r in records)


def test_extract_is_byte_for_byte_reproducible(tmp_path, corpus_dir):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for out in (first, second):
        assert runner.invoke(app, ["extract", str(corpus_dir / "seed-004.txt"),
                                   "-o", str(out)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_extract_csv_is_the_facts_table(tmp_path, corpus_dir):
    out = tmp_path / "facts.csv"
    result = runner.invoke(app, ["extract", str(corpus_dir / "seed-000.txt"), "--format", "csv",
                                 "-o", str(out)])
    assert result.exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"doc_id", "label", "value", "when", "sentence"} <= set(rows[0])
    encounters = [r for r in rows if r["text"] == "137,480"]
    assert encounters and encounters[0]["label"] == "ENCOUNTERS" and encounters[0]["when"] == "2024-03"


def test_extract_reads_stdin_with_published_date():
    result = runner.invoke(app, ["extract", "-", "--published", "2024-01-19"],
                           input="Officials said 5,000 migrants were deported last month.")
    assert result.exit_code == 0
    record = json.loads(result.stdout.splitlines()[0])
    assert record["published"] == "2024-01-19"
    assert [(f["label"], f["value"], f["when"]) for f in record["facts"]] == \
        [("REMOVALS", 5000, "2023-12")]


def test_bad_published_option_is_a_usage_error():
    result = runner.invoke(app, ["extract", "-", "--published", "yesterday"], input="x")
    assert result.exit_code == 2


FLOOR = {"mentions_lenient": 0.93, "mentions_strict": 0.85, "values": 0.90, "actors": 0.92,
         "facts": 0.75}  # issue 3's floor on the seeds


def _assert_floor(scores: dict, floor: dict) -> None:
    for level, minimum in floor.items():
        assert scores[level]["micro"]["f"] >= minimum, (level, scores[level]["micro"])


def test_evaluate_runs_the_extractor_and_meets_the_seed_floor(tmp_path):
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["evaluate", "--json", str(out)])
    assert result.exit_code == 0, result.output
    _assert_floor(json.loads(out.read_text()), FLOOR)


# Floors a little under today's scores on sets the figure classifier was not trained on
# (eval/README.md lists every set's role): the invented articles of eval/written/, whose
# errors were never read, and the former held-out set (read and tuned on).
UNTRAINED_FLOORS = {
    "eval/written": {"mentions_lenient": 0.92, "mentions_strict": 0.91, "values": 0.92,
                     "actors": 0.84, "facts": 0.81},
    "eval/heldout": {"mentions_lenient": 0.93, "mentions_strict": 0.92, "values": 0.94,
                     "actors": 0.88, "facts": 0.85},
}


@pytest.mark.parametrize("directory", sorted(UNTRAINED_FLOORS))
def test_sets_not_trained_on_stay_above_their_floor(tmp_path, root, directory):
    out = tmp_path / "scores.json"
    result = runner.invoke(app, ["evaluate", "--gold", str(root / directory / "gold"),
                                 "--texts", str(root / directory / "articles"),
                                 "--json", str(out), "--errors"])
    assert result.exit_code == 0
    assert "FN" in result.stdout or "FP" in result.stdout  # the error listing is shown
    _assert_floor(json.loads(out.read_text()), UNTRAINED_FLOORS[directory])

def test_actor_table_joins_one_actor_across_documents_by_id(tmp_path):
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(
        json.dumps({"doc_id": "a", "published": "2024-05-02", "text":
                    "The Department of Homeland Security said 4,100 migrants were stopped."})
        + "\n" + json.dumps({"doc_id": "b", "published": "2024-05-03", "text":
                             "DHS officials in Texas said the count had doubled."}) + "\n",
        encoding="utf-8")
    out = tmp_path / "actors.csv"
    result = runner.invoke(app, ["extract", str(inputs), "--format", "actors", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["doc_id", "label", "text", "canonical", "id", "start", "end"]
    dhs = [row for row in rows if row["text"] in ("Department of Homeland Security", "DHS")]
    assert {row["doc_id"] for row in dhs} == {"a", "b"}
    assert len({row["id"] for row in dhs}) == 1 and dhs[0]["id"]
    assert any(row["text"] == "Texas" and row["label"] == "GPE" for row in rows)
