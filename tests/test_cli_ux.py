"""The command line a user expects (issue 15): timestamps as publication dates, missing inputs,
the terminal table, show of saved predictions, progress, permissions of written files."""

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
SENTENCE = "Border agents made 12,500 arrests in March, the agency said."


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_reports_get_normal_permissions(tmp_path, root, umask_022):
    scores, page = tmp_path / "scores.json", tmp_path / "eval.html"
    result = runner.invoke(app, ["evaluate", "--gold", str(root / "annotations"), "--pred",
                                 str(root / "annotations"), "--json", str(scores), "--html",
                                 str(page), "--texts", str(root / "corpus")])
    assert result.exit_code == 0, result.output
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"doc_id": "a", "text": SENTENCE}) + "\n"
                      + json.dumps({"doc_id": "b"}) + "\n", encoding="utf-8")
    shown, problems = tmp_path / "show.html", tmp_path / "problems.jsonl"
    assert runner.invoke(app, ["show", str(source), "-o", str(shown)]).exit_code == 3
    assert runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "out.jsonl"),
                               "--errors", str(problems)]).exit_code == 3
    assert {path.name: _mode(path) for path in (scores, page, shown, problems)} == \
        {name: 0o644 for name in ("scores.json", "eval.html", "show.html", "problems.jsonl")}


def test_a_directory_written_whole_gets_normal_permissions(tmp_path, umask_022):
    from extractor.io import atomic_directory

    with atomic_directory(tmp_path / "brat") as folder:
        (folder / "a.txt").write_text("x")
    assert _mode(tmp_path / "brat") == 0o755


@pytest.mark.parametrize("fmt,output", [("jsonl", "out.jsonl"), ("csv", "facts.csv"),
                                        ("parquet", "tables"), ("jsonl", None)])
def test_a_missing_input_is_a_usage_error_and_writes_nothing(fmt, output, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SENTENCE, encoding="utf-8")
    args = ["extract", str(good), str(tmp_path / "nowhere.txt"), "--format", fmt]
    result = runner.invoke(app, args + (["-o", str(tmp_path / output)] if output else []))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "nowhere.txt: no such file or directory" in result.stderr
    assert result.stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["good.txt"]


def test_show_of_a_missing_input_is_a_usage_error_and_writes_no_page(tmp_path):
    result = runner.invoke(app, ["show", str(tmp_path / "nowhere.jsonl"), "-o",
                                 str(tmp_path / "page.html")])
    assert result.exit_code == 2 and "no such file or directory" in result.stderr
    assert list(tmp_path.iterdir()) == []
