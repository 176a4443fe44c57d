"""Hostile input, security: no writer leaves its output directory, no value runs as script."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.convert import read, write
from extractor.io import safe_file_stem

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE_IDS = ["../../x", "/abs/x", "a/b", "..", ".", "", "nul\x00id", "CON", "é" * 3000,
               "plain-id", "PLAIN-ID", "..\\..\\win"]
TEXT = "Agents made 500 arrests in Yuma in March."


def _record(doc_id: str) -> dict:
    return {"doc_id": doc_id, "published": "2024-04-02", "text": TEXT,
            "spans": [{"start": 12, "end": 15, "label": "ENCOUNTERS", "text": "500",
                       "value": 500, "when": "2024-03"}]}


def _files_outside(root: Path, allowed: list[Path]) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()
            and not any(path == a or a in path.parents for a in allowed)]


@pytest.mark.parametrize("name", HOSTILE_IDS)
def test_safe_file_stem_is_a_plain_name(name):
    stem = safe_file_stem(name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", stem) and stem not in (".", "..")
    assert len(stem) <= 100 and stem.split(".")[0].lower() != "con"
    assert (stem == name) == (name in ("plain-id", "PLAIN-ID"))


@pytest.mark.parametrize("fmt", ["brat", "migrex", "prodigy", "labelstudio", "spacy"])
def test_convert_never_writes_outside_its_output_and_keeps_every_doc_id(fmt, tmp_path):
    source = tmp_path / "in" / "records.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(_record(i)) + "\n" for i in HOSTILE_IDS),
                      encoding="utf-8")
    output = tmp_path / "sandbox" / "deep" / ("out" if fmt == "brat" else f"out.{fmt}")
    result = runner.invoke(app, ["convert", str(source), "--to", fmt, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert _files_outside(tmp_path, [output, source]) == []
    assert not Path("/abs").exists()
    if fmt == "brat":  # one file triple per record, even for ids alike but for case
        assert len(list(output.glob("*.ann"))) == len(HOSTILE_IDS)
    back = read(fmt, output)
    assert sorted(r["doc_id"] for r in back) == sorted(HOSTILE_IDS)
    assert all(r["spans"][0]["text"] == "500" for r in back)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
def test_extract_writers_stay_in_their_output_with_hostile_doc_ids(fmt, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"doc_id": i, "text": TEXT}) + "\n"
                              for i in HOSTILE_IDS if i), encoding="utf-8")
    output = tmp_path / "sandbox" / ("tables" if fmt == "parquet" else f"out.{fmt}")
    result = runner.invoke(app, ["extract", str(source), "--format", fmt, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert _files_outside(tmp_path, [output, source]) == []
    if fmt == "jsonl":
        ids = [json.loads(line)["doc_id"] for line in output.read_text().splitlines()]
        assert ids == [i for i in HOSTILE_IDS if i]


def test_brat_output_replaces_the_old_directory_whole(tmp_path):
    output = tmp_path / "brat"
    write([_record("old-doc")], "brat", output)
    write([_record("new-doc")], "brat", output)
    assert sorted(p.name for p in output.iterdir()) == \
        ["annotation.conf", "new-doc.ann", "new-doc.meta.json", "new-doc.txt", "visual.conf"]
    assert [p.name for p in tmp_path.iterdir()] == ["brat"]  # no temporary left behind
