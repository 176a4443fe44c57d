"""Hostile input: damaged encodings, NUL bytes, lone surrogates, broken metadata, truncated
Parquet, unreadable folders, HTML bombs, absurd numbers and years, duplicate doc_ids. Each is
reported with its file (and line); the rest of the batch goes on; nothing is silently lost."""

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
SENTENCE = "Border agents made 12,500 arrests in March, the agency said."
CURLY = "\u201cWe saw 3,000 families,\u201d said Jos\u00e9 P\u00e9rez, a caf\u00e9 owner in El Paso. "


def _extract(tmp_path, *inputs, extra=()):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", *map(str, inputs), "-o", str(out), *extra])
    assert "Traceback" not in result.output, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] \
        if out.exists() else []
    return result, records


def _records_file(tmp_path, records: list[dict]):
    """The records as a JSONL input file, one per line."""
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return source


def _lines(result):
    return [line for line in result.stderr.splitlines() if "extracted" not in line]


def test_utf8_with_a_few_bad_bytes_stays_utf8_with_a_warning(tmp_path):
    data = (CURLY * 3 + SENTENCE).encode("utf-8")
    data = data[:40] + b"\xff" + data[40:] + b" \xfe"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "damaged.txt").write_bytes(data)
    result, (record,) = _extract(tmp_path, tmp_path / "in")
    assert result.exit_code == 0
    assert "encoding" not in record  # UTF-8, not a legacy code page
    text = data.decode("utf-8", errors="replace")
    assert any(s["text"] == "12,500" and text[s["start"]:s["end"]] == "12,500"
               for s in record["spans"])
    assert any("damaged.txt" in line and "2 byte(s) are not valid UTF-8" in line
               for line in _lines(result))


def test_jsonl_must_be_utf8_bom_accepted_other_lines_reported(tmp_path):
    source = tmp_path / "records.jsonl"
    good = json.dumps({"doc_id": "a", "text": SENTENCE}, ensure_ascii=False).encode("utf-8")
    latin = json.dumps({"doc_id": "b", "text": "Caf\u00e9 " + SENTENCE},
                       ensure_ascii=False).encode("latin-1")
    source.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + latin + b"\n"
                       + good.replace(b'"a"', b'"c"') + b"\n")
    result, records = _extract(tmp_path, source)
    assert result.exit_code == 3
    assert [r["doc_id"] for r in records] == ["a", "c"]
    assert any("records.jsonl:2" in line and "not UTF-8" in line for line in _lines(result))
    utf16 = tmp_path / "wide.jsonl"
    utf16.write_bytes((good.decode() + "\n").encode("utf-16"))
    result, records = _extract(tmp_path, utf16)
    assert result.exit_code == 3 and records == []
    assert any("wide.jsonl:1" in line and "UTF-16" in line for line in _lines(result))


def test_nul_bytes_are_handled_the_same_in_every_input(tmp_path):
    text = "Agents made 500 arrests\x00 in Yuma in March."
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_file.txt").write_bytes(text.encode("utf-8"))
    (folder / "b_records.jsonl").write_text(
        json.dumps({"doc_id": "escaped", "text": text}) + "\n"
        + '{"doc_id": "raw", "text": "' + text + '"}\n', encoding="utf-8")
    result, records = _extract(tmp_path, folder)
    assert result.exit_code == 0
    assert [r["doc_id"] for r in records] == ["a_file", "escaped", "raw"]
    for record in records:  # the same text, NUL as a space, offsets unchanged
        assert record["text"] == text.replace("\x00", " ")
        assert any(s["text"] == "500" and s["start"] == 12 for s in record["spans"])
    assert sum("NUL character(s) replaced" in line for line in _lines(result)) == 3


def test_a_lone_surrogate_in_any_field_skips_only_that_record(tmp_path):
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join([
        json.dumps({"doc_id": "ok-1", "text": SENTENCE}),
        '{"doc_id": "bad-title", "title": "Border \\ud800 report", "text": "Agents met."}',
        '{"doc_id": "bad-text", "text": "Agents \\udfff met 40 people."}',
        '{"doc_id": "bad-\\ud83d", "text": "Agents met."}',
        json.dumps({"doc_id": "ok-2", "text": SENTENCE}),
    ]) + "\n", encoding="utf-8")
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(app, ["extract", str(source), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 3 and "Traceback" not in result.output
        if fmt == "jsonl":
            assert [json.loads(line)["doc_id"] for line in
                    out.read_text(encoding="utf-8").splitlines()] == ["ok-1", "ok-2"]
        lines = _lines(result)
        assert [n for n in (2, 3, 4) if any(f"records.jsonl:{n}" in line and "lone surrogate"
                                            in line for line in lines)] == [2, 3, 4]


def test_metadata_is_read_once_per_folder(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    metadata = [{"file": f"doc-{i}.txt", "doc_id": f"article-{i}", "published": "2024-05-07"}
                for i in range(30)]
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    for i in range(30):
        (folder / f"doc-{i}.txt").write_text(f"Agents made {i + 100} arrests.", encoding="utf-8")
    reads = []
    original = Path.read_bytes

    def counting(self):
        if self.name == "metadata.json":
            reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    from extractor.io import Document, iter_inputs

    documents = [d for d in iter_inputs([str(folder)]) if isinstance(d, Document)]
    assert len(documents) == 30 and documents[0].doc_id == "article-0"
    assert all(d.published == "2024-05-07" for d in documents)
    assert len(reads) == 1


@pytest.mark.parametrize("content,reports", [
    (b"[{\"file\": ", 1), (b"{\"file\": \"a.txt\"}", 1), (b"[1, \"x\"]", 2),
    (b"[{\"doc_id\": \"no-file\"}]", 1), (b"[" * 50_000, 1)])
def test_malformed_metadata_is_reported_once_and_the_files_go_on(content, reports, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "metadata.json").write_bytes(content)
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(SENTENCE, encoding="utf-8")
    result, records = _extract(tmp_path, folder)
    assert [r["doc_id"] for r in records] == ["a", "b", "c"]
    # once per problem (a bad entry each), never once per file
    assert sum("metadata.json" in line for line in _lines(result)) == reports
    assert result.exit_code in (0, 3)


def test_truncated_parquet_is_reported_and_the_batch_goes_on(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.Table.from_pylist([{"doc_id": f"p{i}", "text": SENTENCE}
                                         for i in range(5)]), whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[:200])
    good = tmp_path / "z_good.txt"
    good.write_text(SENTENCE, encoding="utf-8")
    result, records = _extract(tmp_path, cut, good)
    assert result.exit_code == 3
    assert [r["doc_id"] for r in records] == ["z_good"]
    assert any("cut.parquet" in line and "Parquet" in line for line in _lines(result))


def test_unreadable_sub_folder_is_reported_with_its_path(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text(SENTENCE, encoding="utf-8")
    (folder / "open.txt").write_text(SENTENCE, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):  # as root, chmod does not lock a folder: the OS refusal is simulated
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result, records = _extract(tmp_path, folder)
    assert result.exit_code == 3
    assert [r["doc_id"] for r in records] == ["open"]
    assert any("locked" in line and "cannot read the folder" in line for line in _lines(result))


@pytest.mark.parametrize("page", [
    "<html><body>" + "<div>" * 100_000 + "Agents made 500 arrests." + "</div>" * 100_000
    + "</body></html>",
    '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
    '&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;'
    '&c;&c;&c;&c;&c;&c;&c;">]><html><body><p>&d;&d;&d;&d;&d;&d;&d;&d;</p></body></html>',
    "<html><body><script>var x = 1;</script></body></html>",
])
def test_hostile_html_is_article_text_or_a_reported_skip(page, tmp_path):
    source = tmp_path / "page.html"
    source.write_text(page, encoding="utf-8")
    result, records = _extract(tmp_path, source)
    if records:
        assert result.exit_code == 0 and records[0]["text"].strip()
    else:
        assert result.exit_code == 3
        assert any("page.html" in line for line in _lines(result))


def test_absurd_numbers_and_years_keep_the_document(tmp_path):
    digits = "9" * 400
    source = _records_file(tmp_path, [
        {"doc_id": "huge", "text": f"Officials counted {digits} people. {SENTENCE}"},
        {"doc_id": "year-1", "published": "0001-01-01", "text": "Last year " + SENTENCE},
        {"doc_id": "year-9999", "published": "9999-12-31", "text": "Next year " + SENTENCE},
    ])
    result, records = _extract(tmp_path, source)
    assert "Traceback" not in result.output
    by_id = {r["doc_id"]: r for r in records}
    assert set(by_id) == {"huge", "year-1", "year-9999"}
    for record in by_id.values():
        assert any(f["value"] == 12500 for f in record["facts"])
    assert all(abs(f["value"]) < 1e15 for f in by_id["huge"]["facts"])
    assert by_id["year-1"]["published"] is None and by_id["year-9999"]["published"] is None
    lines = _lines(result)
    assert any("records.jsonl:2" in line and "outside the years" in line for line in lines)
    assert any("records.jsonl:3" in line and "outside the years" in line for line in lines)
    bad = runner.invoke(app, ["extract", "-", "--published", "9999-12-31"], input=SENTENCE)
    assert bad.exit_code == 2 and "outside the years" in bad.output


def test_duplicate_doc_ids_are_reported_never_merged(tmp_path):
    source = _records_file(tmp_path, [
        {"doc_id": "same", "text": "Agents made 100 arrests."},
        {"doc_id": "other", "text": SENTENCE},
        {"doc_id": "same", "text": "Agents made 200 arrests."},
    ])
    result, records = _extract(tmp_path, source)
    assert result.exit_code == 3
    assert [(r["doc_id"], r["facts"][0]["value"]) for r in records] == \
        [("same", 100), ("other", 12500)]
    assert any("records.jsonl:3: same:" in line and "duplicate doc_id" in line
               and "records.jsonl:1" in line for line in _lines(result))


def test_show_keeps_each_text_with_its_own_record(tmp_path):
    source = _records_file(tmp_path, [
        {"doc_id": "same", "text": "Agents made 100 arrests in Yuma."},
        {"doc_id": "same", "text": "Officials deported 300 people from Tucson."},
        {"doc_id": "next", "text": "Agents made 700 arrests in Laredo."},
    ])
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", str(source), "-o", str(page)])
    assert result.exit_code == 3
    html = page.read_text(encoding="utf-8")
    assert "Yuma" in html and "Laredo" in html and "Tucson" not in html
    assert html.index("100") < html.index("Yuma") < html.index("700")


def test_resume_with_duplicate_doc_ids_keeps_the_first_and_reports_the_other(tmp_path):
    source = _records_file(tmp_path, [
        {"doc_id": "twin", "text": "Police in Calais detained 41 migrants on Tuesday."},
        {"doc_id": "solo", "text": SENTENCE},
        {"doc_id": "twin", "text": "Police in Calais detained 97 migrants on Friday."},
    ])
    clean, out = tmp_path / "clean.jsonl", tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(source), "-o", str(clean)]).exit_code == 3
    first_line = clean.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    (tmp_path / "out.jsonl.partial").write_text(first_line, encoding="utf-8")  # killed after one
    result = runner.invoke(app, ["extract", str(source), "-o", str(out), "--resume"])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert out.read_bytes() == clean.read_bytes()
    assert [(r["doc_id"], r["facts"][0]["value"]) for r in map(json.loads, out.open())] == \
        [("twin", 41), ("solo", 12500)]
    assert any("records.jsonl:3: twin:" in line and "duplicate doc_id" in line
               for line in _lines(result))
