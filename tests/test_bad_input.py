"""Bad input never crashes a batch nor loses the good documents."""

import json
import os
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from extractor.cli import app
from extractor.pipeline import split_text

runner = CliRunner()
GOOD = "Border agents made 12,500 arrests in March, the Department of Homeland Security said.\n"


def _mixed_corpus(root):
    corpus = root / "in"
    corpus.mkdir()
    (corpus / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "b_empty.txt").write_bytes(b"")
    (corpus / "c_blank.txt").write_text("  \n\t\n", encoding="utf-8")
    (corpus / "d_cp1252.txt").write_bytes(
        "Caf\u00e9 owners in El Paso said 3,000 migrants \u2014 \u201cmost of them families\u201d "
        "\u2014 were released in May 2024 by U.S. Border Patrol agents in their city.".encode("cp1252"))
    (corpus / "e_binary.txt").write_bytes(bytes(range(256)) * 8)
    paragraph = ("Officials said 4,100 migrants were deported in April 2024, according to the "
                 "Department of Homeland Security. The agency is expanding its operations along "
                 "the border while officials meet their counterparts in the region.")
    (corpus / "f_page.html").write_text(
        '<html><head><title>Arrests fall</title><meta name="date" content="2024-05-02"></head>'
        '<body><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li>'
        f"</ul></nav><article><h1>Arrests fall</h1><p>{paragraph}</p><p>{paragraph}</p>"
        "</article><footer><p>Copyright 2024 Example News.</p></footer></body></html>",
        encoding="utf-8")
    (corpus / "g_records.jsonl").write_text("\n".join([
        json.dumps({"doc_id": "rec-1", "text": GOOD, "published": "2024-05-01"}),
        '{"doc_id": "rec-2", "text": "unterminated',
        json.dumps({"doc_id": "rec-3", "body": "no text field"}),
        json.dumps({"doc_id": "rec-4", "text": GOOD, "published": "2024-13-45"}),
    ]) + "\n", encoding="utf-8")
    return corpus


def test_mixed_corpus_keeps_every_good_document(tmp_path):
    corpus = _mixed_corpus(tmp_path)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    result = runner.invoke(app, ["extract", str(corpus), "-o", str(out), "--errors", str(errors)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    records = {r["doc_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(records) == {"a_good", "b_empty", "c_blank", "d_cp1252", "f_page", "rec-1", "rec-4"}
    assert records["b_empty"]["spans"] == [] and records["c_blank"]["spans"] == []
    assert records["d_cp1252"]["encoding"].lower().replace("_", "") in ("cp1252", "windows1252")
    assert any(s["text"] == "3,000" for s in records["d_cp1252"]["spans"])
    page = records["f_page"]
    assert "About us" not in page["text"] and "Copyright" not in page["text"]
    assert page["published"] == "2024-05-02"  # from the page's metadata
    for span in page["spans"]:  # offsets refer to the analysed text, stored in the record
        assert page["text"][span["start"]:span["end"]] == span["text"]
    assert any(f["value"] == 4100 and f["label"] == "REMOVALS" for f in page["facts"])
    assert records["rec-4"]["published"] is None
    lines = [line for line in result.stderr.splitlines() if ": " in line and "extracted" not in line]
    assert any("e_binary.txt" in line and "binary" in line for line in lines)
    assert any("g_records.jsonl:2" in line and "malformed JSON" in line for line in lines)
    assert any("g_records.jsonl:3: rec-3" in line and "'text'" in line for line in lines)
    assert any("g_records.jsonl:4: rec-4" in line and "invalid published" in line for line in lines)
    reported = [json.loads(line) for line in errors.read_text().splitlines()]
    skipped = [r for r in reported if r["skipped"]]
    input_records = 6 + 4  # six files, four JSONL lines
    assert len(records) + len(skipped) == input_records


def test_missing_path_is_a_usage_error_not_raised(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nowhere.txt")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "no such file or directory" in result.stderr


def test_large_document_is_split_with_exact_offsets(extractor):
    text = "\n\n".join(f"In March 2024, agents made {1000 + i:,} arrests near Yuma, Arizona."
                       for i in range(60))
    pieces = split_text(text, 500)
    assert len(pieces) > 5 and "".join(piece for _, piece in pieces) == text
    whole = extractor.extract(text, published="2024-04-02")
    extractor.chunk_chars, saved = 500, extractor.chunk_chars
    try:
        chunked = extractor.extract(text, published="2024-04-02")
    finally:
        extractor.chunk_chars = saved
    assert [(s["start"], s["text"]) for s in chunked["spans"]] == \
        [(s["start"], s["text"]) for s in whole["spans"]]
    for span in chunked["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]


def _run(args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "extractor", "extract", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_killed_run_resumes_to_exactly_the_clean_output(tmp_path):
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i:03d}", "published": "2024-05-01",
                                          "text": GOOD * (1 + i % 3)}) + "\n"
                              for i in range(400)), encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    assert _run([str(source), "-o", str(clean), "--batch-size", "4"]).wait() == 0
    out = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    process = _run([str(source), "-o", str(out), "--batch-size", "4"])
    deadline = time.time() + 60
    while time.time() < deadline and (not partial.exists() or partial.stat().st_size < 2000):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()  # never a truncated output file
    done_before = partial.read_text(encoding="utf-8").count("\n")
    assert 0 < done_before < 400
    assert _run([str(source), "-o", str(out), "--resume", "--batch-size", "4"]).wait() == 0
    assert out.read_bytes() == clean.read_bytes()
    assert not partial.exists()


def test_a_document_the_pipeline_fails_on_is_reported_and_the_rest_kept(monkeypatch):
    from extractor.components.figures import FigureRecognizer
    from extractor.io import Document, InputProblem
    from extractor.pipeline import Extractor

    original = FigureRecognizer.candidates

    def fragile(self, doc):
        if "BOOM" in doc.text:
            raise ValueError("simulated component bug")
        return original(self, doc)

    monkeypatch.setattr(FigureRecognizer, "candidates", fragile)
    documents = [Document(doc_id=f"d{i}", text=GOOD if i != 2 else "BOOM " + GOOD)
                 for i in range(5)]
    for n_process in (1, 2):  # worker processes too: nothing raises, nothing is lost
        results = list(Extractor(n_process=n_process).extract_many(documents))
        problems = [r for r in results if isinstance(r, InputProblem)]
        records = [r for r in results if not isinstance(r, InputProblem)]
        assert [r["doc_id"] for r in records] == ["d0", "d1", "d3", "d4"]
        assert [(p.doc_id, "simulated component bug" in p.message) for p in problems] == \
            [("d2", True)]
