"""Hostile input, HTML pages: every value is escaped, the page forbids script, malformed gold
given to `show --gold` is one clear error line."""

import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.report_html import DocumentView, render_page

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# each payload marks <body> if it ever runs
RUN = "document.body.setAttribute('data-pwned','1')"
PAYLOADS = [f"<script>{RUN}</script>", f'<img src=x onerror="{RUN}">',
            f'"><svg onload="{RUN}">', f"'><img src=x onerror={RUN}>",
            f"</title><script>{RUN}</script>", f"</style><script>{RUN}</script>"]
TEXT = "Agents made 500 arrests in Yuma in March, officials said. "


def _hostile_view(payload: str) -> DocumentView:
    text = TEXT + payload
    start = text.index("500")
    predicted = [
        {"start": start, "end": start + 3, "label": payload, "text": "500", "value": payload,
         "when": payload, "source": payload},
        {"start": text.index("Yuma"), "end": text.index("Yuma") + 4, "label": "GPE",
         "text": "Yuma", "canonical": payload},
        {"start": start, "end": start + 3, "label": "ENCOUNTERS", "text": "500", "value": 500,
         "when": payload, "currency": payload},
    ]
    gold = [{"start": text.index("March"), "end": text.index("March") + 5, "label": payload,
             "text": "March", "value": payload}]
    return DocumentView(payload, text, predicted, gold, published=payload)


def _chromium_dom(page, tmp_path) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000"]
    return subprocess.run([CHROMIUM, *flags, "--dump-dom", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120).stdout


def _pwned(dom: str) -> bool:
    return bool(re.search(r"<body[^>]*data-pwned", dom))


def test_every_value_is_escaped_in_the_page():
    page = render_page([_hostile_view(p) for p in PAYLOADS], PAYLOADS[0])
    assert "<script" not in page and "<img" not in page and "<svg onload" not in page
    assert "onerror=" not in page.replace("onerror=&quot;", "").replace("onerror=document", "")
    assert page.count("<title>") == 1 and page.count("</style>") == 1
    assert "Content-Security-Policy" in page and "script-src 'none'" in page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                    "(apt-get install chromium; .ci/run installs it)")
def test_no_injected_script_runs_in_headless_chromium(tmp_path):
    control = tmp_path / "control.html"  # the detector works: a raw payload does run
    control.write_text(f"<!DOCTYPE html><html><body><p>{PAYLOADS[1]}</p></body></html>",
                       encoding="utf-8")
    assert _pwned(_chromium_dom(control, tmp_path))
    page = tmp_path / "hostile.html"
    page.write_text(render_page([_hostile_view(p) for p in PAYLOADS], PAYLOADS[0]),
                    encoding="utf-8")
    dom = _chromium_dom(page, tmp_path)
    assert "Agents made" in dom and not _pwned(dom)
    # the policy alone stops script that got past escaping
    spliced = tmp_path / "spliced.html"
    spliced.write_text(render_page([], "t").replace("<body>", f"<body>{PAYLOADS[0]}"
                                                    f"{PAYLOADS[1]}"), encoding="utf-8")
    assert not _pwned(_chromium_dom(spliced, tmp_path))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_show_with_hostile_doc_ids_titles_and_text(tmp_path):
    source = tmp_path / "hostile.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i}{p}", "title": p, "text": TEXT + p})
                              + "\n" for i, p in enumerate(PAYLOADS)), encoding="utf-8")
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", str(source), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    dom = _chromium_dom(page, tmp_path)
    assert dom.count("Agents made") == len(PAYLOADS) and not _pwned(dom)


def _gold(tmp_path, spans, **extra):
    gold = tmp_path / "gold.json"
    record = {"doc_id": "g1", "published": None, "text_sha256": "0" * 64, "spans": spans,
              **extra}
    gold.write_text(json.dumps(record), encoding="utf-8")
    return gold


@pytest.mark.parametrize("case", ["script-label", "not-json", "list-of-numbers", "offsets",
                                  "deep", "not-utf8", "duplicate"])
def test_show_refuses_malformed_gold_in_one_line(case, tmp_path):
    article = tmp_path / "g1.txt"
    article.write_text(TEXT, encoding="utf-8")
    good_span = {"start": 12, "end": 15, "label": "ENCOUNTERS", "text": "500", "value": 500,
                 "when": None}
    if case == "script-label":
        gold = _gold(tmp_path, [{**good_span, "label": PAYLOADS[0]}])
    elif case == "offsets":
        gold = _gold(tmp_path, [{**good_span, "start": 200, "end": 203}])
    elif case == "duplicate":
        gold = tmp_path / "gold.jsonl"
        line = json.dumps({"doc_id": "g1", "published": None, "text_sha256": "0" * 64,
                           "spans": [good_span]})
        gold.write_text(line + "\n" + line + "\n", encoding="utf-8")
    else:
        gold = tmp_path / "gold.json"
        gold.write_bytes({"not-json": b'{"doc_id": "g1", "spans": [',
                          "list-of-numbers": b"[1, 2, 3]",
                          "deep": b"[" * 100_000 + b"]" * 100_000,
                          "not-utf8": b'{"doc_id": "caf\xe9"}'}[case])
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", str(article), "--gold", str(gold), "-o", str(page)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or \
        isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(gold) in lines[0] and lines[0].startswith("error: ")
    assert not page.exists()
