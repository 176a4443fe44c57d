"""Packaging: the data ships inside the package, extras are asked for by name before any work,
commands that default to checkout paths say what to pass, train-figures writes where -o says."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import extras
from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

TEXT_A = ("Harbor officials said agents recorded 4,800 encounters at the crossing in April, "
          "while 1,250 migrants were deported on flights. The ministry issued 730 work visas.\n")
TEXT_B = ("Agents logged 2,900 encounters near the bridge in June. Authorities removed 640 "
          "people, and 310 student visas were approved, officials said on 12 June.\n")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wheel_carries_the_data_the_marker_and_the_entry_points(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                            str(tmp_path), str(ROOT)], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("migrex-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith(".dist-info/entry_points.txt"))
        metadata = next(archive.read(n).decode() for n in names
                        if n.endswith(".dist-info/METADATA"))
    shipped = {str(p.relative_to(ROOT / "models")) for p in (ROOT / "models").rglob("*")
               if p.is_file() and p.suffix in (".json", ".npz")}
    assert {f"extractor/models/{name}" for name in shipped} <= names
    assert "extractor/models/figures/classifier.npz" in names
    assert "extractor/py.typed" in names
    assert any(name.endswith(".dist-info/LICENSE") or "/licenses/LICENSE" in name
               for name in names)
    assert "migrex_figures = extractor.components.figures:make_figure_recognizer" in entry_points
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    plain = [line for line in requires if "extra ==" not in line]
    assert not any("scikit-learn" in line or "datasets" in line for line in plain)
    assert any("scikit-learn" in line and "extra == \"train\"" in line for line in requires)


def test_data_is_found_through_the_package_and_overridable(tmp_path):
    code = "from extractor.data import MODELS_DIR; print(MODELS_DIR)"
    default = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=tmp_path, timeout=120)
    assert default.returncode == 0, default.stderr
    assert (Path(default.stdout.strip()) / "pipeline.json").is_file()
    override = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120,
                              env={"MIGREX_MODELS": str(tmp_path), "PATH": "/usr/bin"})
    assert override.returncode == 0, override.stderr
    assert Path(override.stdout.strip()) == tmp_path


def test_an_override_without_the_data_leaves_version_and_help_working(tmp_path):
    """The data is read by the commands that use it, not when the console command starts."""
    for option in ("--version", "--help"):
        done = subprocess.run([sys.executable, "-m", "extractor", option], capture_output=True,
                              text=True, timeout=120,
                              env={**os.environ, "MIGREX_MODELS": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        assert "migrex" in done.stdout


@pytest.fixture
def no_extras(monkeypatch):
    """Every extra looks uninstalled; building the pipeline would fail the test."""
    monkeypatch.setattr(extras, "EXTRAS", {name: ("migrex_test_no_such_module",)
                                           for name in extras.EXTRAS})

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the extra was checked")

    monkeypatch.setattr("extractor.pipeline.Extractor.__init__", no_work)
    monkeypatch.setattr("extractor.training.build_examples", no_work)


@pytest.mark.parametrize("arguments, extra", [
    (["--format", "parquet", "-o", "{out}"], "parquet"),
    (["--engine", "dask", "-o", "{out}"], "dask"),
])
def test_a_missing_extra_is_one_line_before_any_work(tmp_path, no_extras, arguments, extra):
    source = tmp_path / "corpus.jsonl"
    source.write_text(json.dumps({"doc_id": "a", "text": TEXT_A}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(source)] +
                           [a.format(out=out) for a in arguments])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f'error: --{arguments[0][2:]} {arguments[1]} needs the {extra} extra: '
                     f'pip install "migrex[{extra}]"']
    assert not out.exists()


def test_train_figures_without_the_train_extra_names_it(no_extras):
    result = runner.invoke(app, ["train-figures", "--root", str(ROOT), "-o", "unused"])
    assert result.exit_code == 2
    assert 'needs the train extra: pip install "migrex[train]"' in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_commands_that_default_to_the_checkout_say_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evaluated = runner.invoke(app, ["evaluate"])
    assert evaluated.exit_code == 2
    assert len(evaluated.output.strip().splitlines()) == 1 and "--gold DIR" in evaluated.output
    trained = runner.invoke(app, ["train-figures"])
    assert trained.exit_code == 2
    assert len(trained.output.strip().splitlines()) == 1 and "--root DIR" in trained.output
    assert list(tmp_path.iterdir()) == []


def _gold(doc_id: str, text: str, figures: list[tuple[str, str, int]]) -> dict:
    spans = []
    for surface, label, value in figures:
        start = text.index(surface)
        spans.append({"start": start, "end": start + len(surface), "label": label,
                      "text": surface, "value": value, "when": None})
    return {"doc_id": doc_id, "published": "2025-07-01",
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "spans": spans}


def test_train_figures_writes_where_o_says_and_leaves_the_shipped_files(tmp_path):
    pytest.importorskip("sklearn")
    root = tmp_path / "checkout"
    (root / "annotations").mkdir(parents=True)
    (root / "corpus").mkdir()
    documents = {"train-a": (TEXT_A, [("4,800", "ENCOUNTERS", 4800), ("1,250", "REMOVALS", 1250),
                                      ("730", "VISAS", 730)]),
                 "train-b": (TEXT_B, [("2,900", "ENCOUNTERS", 2900), ("640", "REMOVALS", 640),
                                      ("310", "VISAS", 310)])}
    metadata = []
    for doc_id, (text, figures) in documents.items():
        (root / "corpus" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        metadata.append({"doc_id": doc_id, "file": f"{doc_id}.txt", "published": "2025-07-01"})
        (root / "annotations" / f"{doc_id}.json").write_text(
            json.dumps(_gold(doc_id, text, figures)), encoding="utf-8")
    (root / "corpus" / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    shipped = [ROOT / "models" / "figures" / "classifier.npz", ROOT / "models" / "pipeline.json",
               ROOT / "eval" / "figure_typing.md"]
    before = [_digest(path) for path in shipped]
    out = tmp_path / "model"
    result = runner.invoke(app, ["train-figures", "--cv", "--root", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [_digest(path) for path in shipped] == before
    meta = json.loads((out / "classifier.json").read_text(encoding="utf-8"))
    assert meta["documents"] == 2 and meta["trained_with"] == "migrex train-figures --cv"
    assert "Leave-one-document-out over 2 annotated documents" in \
        (out / "figure_typing.md").read_text(encoding="utf-8")
    assert not (root / "models").exists() and not (root / "eval").exists()
    # the figure component takes the trained directory as its model
    import spacy

    nlp = spacy.blank("en")
    figures = nlp.add_pipe("migrex_figures", config={"typing": "stacked", "model": str(out)})
    assert figures.model.meta["data_sha256"] == meta["data_sha256"]


def test_update_shipped_and_o_are_exclusive():
    result = runner.invoke(app, ["train-figures", "--update-shipped", "-o", "somewhere"])
    assert result.exit_code == 2


def test_an_extraction_imports_neither_scikit_learn_nor_datasets(tmp_path):
    code = """
import sys
from extractor.pipeline import Extractor
record = Extractor().extract("Officials deported 2,400 people in May.", published="2024-06-01")
assert record["facts"][0]["value"] == 2400, record
print(sorted(name for name in ("sklearn", "datasets", "pandas", "torch") if name in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
