"""The command line a user expects (issue 15): timestamps as publication dates, missing inputs,
the terminal table, show of saved predictions, progress, permissions of written files."""

import json
import os
import re
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


def _records(path) -> dict[str, dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {record["doc_id"]: record for record in map(json.loads, lines)}


DEPORTED_LAST_MONTH = "Officials in Guatemala said 640 people were deported last month."


def test_published_timestamps_in_records_and_metadata_keep_the_date_as_written(tmp_path):
    source = tmp_path / "records.jsonl"
    stamps = {"utc": "2024-05-07T14:02:00Z", "offset": "2024-05-07T14:02:00+02:00",
              "space": "2024-05-07 14:02", "late-evening-west": "2024-05-31T23:30:00-05:00",
              "early-morning-east": "2024-06-01T01:15:00+09:00", "bad": "2024-05-07T26:00"}
    source.write_text("".join(json.dumps({"doc_id": doc_id, "published": stamp,
                                          "text": DEPORTED_LAST_MONTH}) + "\n"
                              for doc_id, stamp in stamps.items()), encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "kenya.txt").write_text("Kenyan officials said 90 refugees were deported last "
                                      "month from Nairobi.", encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps(
        [{"file": "kenya.txt", "doc_id": "kenya", "published": "2023-11-02T08:00:00+03:00"}]))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = _records(out)
    published = {doc_id: record["published"] for doc_id, record in records.items()}
    assert published == {"utc": "2024-05-07", "offset": "2024-05-07", "space": "2024-05-07",
                         "late-evening-west": "2024-05-31", "early-morning-east": "2024-06-01",
                         "bad": None, "kenya": "2023-11-02"}
    assert [f["when"] for f in records["early-morning-east"]["facts"]] == ["2024-05"]
    assert [f["when"] for f in records["kenya"]["facts"]] == ["2023-10"]
    assert any("records.jsonl:6: bad:" in line and "invalid published" in line
               for line in result.stderr.splitlines())


def test_published_option_takes_a_timestamp():
    result = runner.invoke(app, ["extract", "-", "--published", "2024-03-04T09:30:00-06:00"],
                           input=DEPORTED_LAST_MONTH)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["published"] == "2024-03-04" and record["facts"][0]["when"] == "2024-02"
    bad = runner.invoke(app, ["extract", "-", "--published", "2024-03-04T9h30"], input="x")
    assert bad.exit_code == 2 and "ISO timestamp" in bad.output


def test_html_published_time_meta_gives_the_local_date(tmp_path):
    paragraph = ("Authorities in Chile said 1,300 migrants were expelled last month, the "
                 "interior ministry announced on Friday in Santiago. ")
    page = tmp_path / "page.html"
    page.write_text('<html><head><title>Expulsions</title><meta property="article:'
                    'published_time" content="2025-02-28T22:45:00-03:00"></head><body>'
                    f"<article><h1>Expulsions</h1><p>{paragraph * 3}</p></article></body></html>",
                    encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(page), "-o", str(out)]).exit_code == 0
    record = _records(out)["page"]
    assert record["published"] == "2025-02-28"
    assert any(f["value"] == 1300 and f["when"] == "2025-01" for f in record["facts"])


def test_format_table_is_a_readable_plain_table_when_piped(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in [
        {"doc_id": "moroccan-coast-guard-report", "published": "2024-09-03", "text":
         "Morocco's interior ministry said 45,015 attempted crossings toward Spain were "
         "blocked in August."},
        {"doc_id": "uk-fund", "published": "2024-02-20", "text":
         "The Home Office pledged GBP 3.5 million to Albania last year."},
        {"doc_id": "no-figures", "text": "The minister met her counterpart in Rabat."},
    ]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(source), "--format", "table"],
                           env={"COLUMNS": "72", "FORCE_COLOR": None, "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    table = result.stdout
    assert "\x1b[" not in table  # no colour codes in a pipe
    lines = table.splitlines()
    assert lines and max(len(line) for line in lines) <= 72  # wide cells wrap
    header = next(line for line in lines if "label" in line)
    assert all(column in header for column in ("doc", "text", "value", "when", "source"))
    assert "45,015" in table and "2024-08" in table and "GBP 3,500,000" in table
    assert "2023" in table and "no-figures" not in table
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines
            if line.startswith("│")]
    sources = [row[5] for row in rows]
    assert "Home" in sources and "Office" in sources  # the source wraps inside its column
    assert "Morocco" in "".join(sources) and "…" not in table  # folded, never cut off
    assert "".join(row[0] for row in rows).startswith("moroccan-coast-guard-report")


def test_format_table_writes_to_a_file_too(tmp_path):
    out = tmp_path / "facts.txt"
    result = runner.invoke(app, ["extract", "-", "--format", "table", "-o", str(out)],
                           input="Officials said 800 people were returned to Haiti in June 2023.")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "REMOVALS" in text and "800" in text and "2023-06" in text and "\x1b[" not in text


def _batch(tmp_path, count: int):
    source = tmp_path / "batch.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i}", "text": SENTENCE}) + "\n"
                              for i in range(count)) + "not json\n", encoding="utf-8")
    return source


def test_progress_without_a_terminal_is_a_periodic_line(tmp_path, monkeypatch):
    import extractor.cli

    monkeypatch.setattr(extractor.cli, "PROGRESS_LOG_DOCUMENTS", 2)
    monkeypatch.setattr(extractor.cli, "PROGRESS_LOG_SECONDS", float("inf"))
    result = runner.invoke(app, ["extract", str(_batch(tmp_path, 5)), "-o",
                                 str(tmp_path / "out.jsonl")])
    assert result.exit_code == 3  # the malformed line is skipped, and counted as done
    progress = [line for line in result.stderr.splitlines() if line.startswith("migrex: ")]
    assert [line.split(" documents")[0] for line in progress] == \
        ["migrex: 2/6", "migrex: 4/6", "migrex: 6/6"]
    assert all(re.search(r" documents, \d+\.\d docs/s", line) for line in progress)
    assert re.search(r", ETA \d+(m\d\d)?s$", progress[0]) and "ETA" not in progress[-1]
    quiet = runner.invoke(app, ["extract", str(_batch(tmp_path, 5)), "-q", "-o",
                                str(tmp_path / "quiet.jsonl")])
    assert quiet.exit_code == 3 and "migrex: " not in quiet.stderr
    assert "5 document(s) extracted, 1 skipped" in quiet.stderr


def test_progress_line_reads_count_total_rate_and_eta():
    from extractor.cli import _ProgressLog

    log = _ProgressLog(5000)
    log.done = 1200
    assert log.line(elapsed=1200 / 38.0) == "migrex: 1200/5000 documents, 38.0 docs/s, ETA 1m40s"
    unknown = _ProgressLog(None)
    unknown.done = 30
    assert unknown.line(elapsed=4.0) == "migrex: 30 documents, 7.5 docs/s"


def test_progress_on_a_terminal_is_a_rich_bar_with_total(tmp_path, monkeypatch):
    import io

    from rich.console import Console

    import extractor.cli

    screen = io.StringIO()
    monkeypatch.setattr(extractor.cli, "err", Console(file=screen, force_terminal=True,
                                                      width=120))
    result = runner.invoke(app, ["extract", str(_batch(tmp_path, 3)), "-o",
                                 str(tmp_path / "out.jsonl")])
    assert result.exit_code == 3
    drawn = screen.getvalue()
    assert "extracting" in drawn and "4/4" in drawn and "migrex: " not in drawn


PORT_TEXT = ("Italian police said 1,450 migrants landed in Lampedusa in July 2023, and Rome paid "
             "EUR 2 million to Tunisia for patrols, the interior ministry said.")


def _at(text: str, part: str, label: str, **attributes) -> dict:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "label": label, "text": part, **attributes}


def _marks(page: str) -> dict[str, tuple[str, str]]:
    """The drawn text of every mark -> (status, error kinds)."""
    return {text: (status, kinds) for status, kinds, text in re.findall(
        r'<mark class="entity (\w+)"[^>]* data-kinds="([^"]*)"[^>]*>([^<]*)<', page)}


def test_show_renders_saved_predictions_with_inline_values_without_extracting(tmp_path,
                                                                              monkeypatch):
    import extractor.pipeline

    def no_extraction(*args, **kwargs):
        raise AssertionError("saved predictions must not be extracted again")

    monkeypatch.setattr(extractor.pipeline, "Extractor", no_extraction)
    saved = tmp_path / "saved.jsonl"
    saved.write_text(json.dumps({"doc_id": "it-1", "published": "2023-08-02", "text": PORT_TEXT,
                                 "spans": [
        _at(PORT_TEXT, "1,450", "PEOPLE", value=1450, when="2023-07"),
        _at(PORT_TEXT, "EUR 2 million", "MONEY", value=2_000_000, currency="EUR", when=None),
        _at(PORT_TEXT, "Rome", "GPE", canonical="Italy"),
    ]}) + "\n", encoding="utf-8")
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", str(saved), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    inline = re.findall(r'<span class="attrs">([^<]*)</span>', html)
    assert inline == ["1,450 · when 2023-07", "→ Italy", "EUR 2,000,000"]  # in text order
    assert "published 2023-08-02" in html and "<script" not in html


def test_show_takes_the_texts_of_saved_extract_output_from_texts(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "pk-1.txt").write_text("Pakistani officials said 2,100 Afghans were deported in "
                                     "November 2023 from Karachi.", encoding="utf-8")
    saved = tmp_path / "saved.jsonl"
    assert runner.invoke(app, ["extract", str(folder), "-o", str(saved)]).exit_code == 0
    assert "text" not in json.loads(saved.read_text())  # extract keeps the text out
    page = tmp_path / "page.html"
    without = runner.invoke(app, ["show", str(saved), "-o", str(page)])
    assert without.exit_code == 3 and "pass its directory with --texts" in without.stderr
    result = runner.invoke(app, ["show", str(saved), "--texts", str(folder), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert '<span class="attrs">2,100 · when 2023-11</span>' in html
    assert "pk-1" in html and "Karachi" in html


def test_show_against_gold_names_each_marks_error_kind(tmp_path):
    text = ("Spanish officials said 2,300 migrants reached the Canary Islands in January 2024, "
            "after Madrid sent EUR 500,000 and 40 officers to Dakar.")
    gold = [_at(text, "2,300", "PEOPLE", value=2300, when="2024-01"),
            _at(text, "January 2024", "DATE", value="2024-01"),
            _at(text, "EUR 500,000", "MONEY", value=500_000, currency="EUR", when="2024-01"),
            _at(text, "40", "PEOPLE", value=40, when="2024-01"),
            _at(text, "Madrid", "GPE", canonical="Madrid"),
            _at(text, "Canary Islands", "GPE", canonical="Canary Islands"),
            _at(text, "Dakar", "GPE", canonical="Dakar")]
    predicted = [_at(text, "2,300", "PEOPLE", value=2300, when="2023-12"),        # WHEN
                 _at(text, "January", "DATE", value="2024-01"),                   # BOUNDARY
                 _at(text, "EUR 500,000", "MONEY", value=500_000, currency="USD",
                     when="2024-01"),                                            # CURRENCY
                 _at(text, "40", "PEOPLE", value=400, when="2024-01"),            # VALUE
                 _at(text, "Madrid", "ORG", canonical="Madrid"),                  # TYPE
                 _at(text, "officials", "PEOPLE", value=1, when=None),            # FP
                 _at(text, "Dakar", "GPE", canonical="Dakar"),                    # match
                 _at(text, "Dakar", "ORG", canonical="Dakar")]  # FP: its gold span is found
    saved, gold_file = tmp_path / "saved.jsonl", tmp_path / "gold.json"
    saved.write_text(json.dumps({"doc_id": "es-1", "text": text, "spans": predicted}) + "\n")
    gold_file.write_text(json.dumps({"doc_id": "es-1", "published": "2024-02-05",
                                     "text_sha256": "0" * 64, "spans": gold}))
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["show", str(saved), "--gold", str(gold_file), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert _marks(html) == {"2,300": ("value", "WHEN"), "January": ("value", "BOUNDARY"),
                            "EUR 500,000": ("value", "CURRENCY"), "40": ("value", "VALUE"),
                            "Madrid": ("fp", "TYPE"), "officials": ("fp", "FP"),
                            "Dakar": ("tp", ""), "Canary Islands": ("fn", "FN")}
    assert "GPE &#x27;Madrid&#x27; at" in html and "TYPE (predicted ORG)" in html
    assert re.search(r"ORG &#x27;Dakar&#x27; at \d+: FP \(not in gold\)", html)
    assert '<span class="kinds">CURRENCY</span>' in html


def test_evaluation_page_has_a_document_index_and_a_css_errors_only_view(tmp_path):
    texts = {"ok": "Officials in Quito said 75 Venezuelans were returned in May 2022.",
             "off": "Officials in Lima said 120 Venezuelans were returned in June 2022."}
    folder, gold_dir = tmp_path / "texts", tmp_path / "gold"
    folder.mkdir()
    gold_dir.mkdir()
    predictions = []
    for doc_id, text in texts.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        figure = text.split(" said ")[1].split()[0]
        month = " ".join(text.rstrip(".").split()[-2:])
        spans = [_at(text, figure, "REMOVALS", value=int(figure), when=None),
                 _at(text, month, "DATE", value="2022-0" + ("5" if "May" in month else "6"))]
        gold_dir.joinpath(f"{doc_id}.json").write_text(json.dumps(
            {"doc_id": doc_id, "published": "2022-07-01", "text_sha256": "0" * 64,
             "spans": spans}))
        if doc_id == "off":
            spans = spans[1:]  # the figure is missed
        predictions.append({"doc_id": doc_id, "spans": spans})
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(record) + "\n" for record in predictions))
    page = tmp_path / "eval.html"
    result = runner.invoke(app, ["evaluate", "--gold", str(gold_dir), "--pred", str(pred),
                                 "--texts", str(folder), "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    index = re.search(r"<table class='index'>(.*?)</table>", html).group(1)
    rows = dict(re.findall(r'<tr(?: class=\'clean\')?><td><a href="#(\w+)">\w+</a></td>'
                           r"<td class='num'>(\d+)</td>", index))
    assert rows == {"ok": "0", "off": "2"}  # the missed figure: FN and FACT_FN
    assert "<tr class='clean'><td><a href=\"#ok\">" in index and "<th>FN</th>" in index
    assert 'id="ok"' in html and 'id="off"' in html
    assert '<section class="doc clean"><h2 id="ok">' in html
    assert '<section class="doc"><h2 id="off">' in html
    assert '<input type="checkbox" id="errors-only">' in html
    assert "#errors-only:checked ~ section.doc.clean" in html  # the switch is CSS alone
    assert "<script" not in html and "script-src 'none'" in html


def test_convert_of_a_missing_source_is_one_line_and_writes_nothing(tmp_path):
    result = runner.invoke(app, ["convert", str(tmp_path / "nowhere.jsonl"), "--to", "prodigy",
                                 "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nowhere.jsonl: no such file or directory" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_library_extract_takes_a_published_timestamp_too(extractor):
    record = extractor.extract("Officials in Honduras said 510 people were deported last month.",
                               published="2024-07-01T00:30:00+06:00")
    assert record["published"] == "2024-07-01"
    assert [fact["when"] for fact in record["facts"]] == ["2024-06"]
    with pytest.raises(ValueError, match="invalid published date"):
        extractor.extract("Officials said 5 people were deported.", published="July 1st")


def test_every_output_follows_the_umask(tmp_path):
    previous = os.umask(0o002)  # a group-writable umask: 0664 files, as any other program's
    try:
        source = tmp_path / "in.jsonl"
        source.write_text(json.dumps({"doc_id": "a", "text": SENTENCE}) + "\n",
                          encoding="utf-8")
        out, page = tmp_path / "out.jsonl", tmp_path / "page.html"
        assert runner.invoke(app, ["extract", str(source), "-o", str(out)]).exit_code == 0
        assert runner.invoke(app, ["show", str(out), "--texts", str(source), "-o",
                                   str(page)]).exit_code == 0
    finally:
        os.umask(previous)
    assert (_mode(out), _mode(page)) == (0o664, 0o664)
