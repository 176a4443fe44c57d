"""HTML review pages: structure, and the page as a browser renders it."""

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory):
    from conftest import ROOT

    out = tmp_path_factory.mktemp("html") / "seed-001.html"
    result = runner.invoke(app, ["show", str(ROOT / "corpus" / "seed-001.txt"), "--gold",
                                 str(ROOT / "annotations" / "seed-001.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_page_is_self_contained_and_marks_every_span(seed_page, root):
    page = seed_page.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    gold = json.loads((root / "annotations" / "seed-001.json").read_text())
    marks = re.findall(r'<mark class="entity (\w+)" data-label="(\w+)"', page)
    statuses = [status for status, _ in marks]
    # every gold span is drawn: matched (tp/value) or missed (fn); listed misses are extra
    listed = page.count("<li>")
    assert statuses.count("tp") + statuses.count("value") + statuses.count("fn") + listed \
        >= len(gold["spans"])
    assert "value: 2023-12" in page or "when: 2023-12" in page  # tooltips carry values
    assert "when_rule: " in page  # and the rule that chose each figure's period
    assert "canonical: Antony J. Blinken" in page
    assert "mentions_lenient" in page  # the per-document scores


def test_evaluate_writes_scores_chart_and_documents(tmp_path, root):
    out = tmp_path / "eval.html"
    result = runner.invoke(app, ["evaluate", "--pred", str(root / "annotations"), "--html",
                                 str(out)])
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<rect" in page
    assert all(f'id="seed-00{i}"' in page for i in range(5))
    assert 'data-status="fp"' not in page and 'data-status="fn"' not in page  # gold vs itself


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                    "(apt-get install chromium; .ci/run installs it)")
def test_page_renders_in_headless_chromium(seed_page, tmp_path):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    url = seed_page.resolve().as_uri()
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120).stdout
    highlighted = re.findall(r'<mark class="entity [^"]+" data-label="(\w+)"', dom)
    source = seed_page.read_text(encoding="utf-8")
    assert highlighted and len(highlighted) == len(
        re.findall(r'<mark class="entity [^"]+" data-label="(\w+)"', source))
    assert 'class="tip"' in dom and "canonical: Antony J. Blinken" in dom
    screenshot = tmp_path / "seed-001.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={screenshot}", "--window-size=1280,1600",
                    url], capture_output=True, timeout=120)
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
