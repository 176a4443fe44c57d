"""Hostile input, limits: a huge document streams through in small batches, a folder's
metadata is read once, absurd numbers and years are rejected without dropping documents."""

import json
import multiprocessing.pool
import pickle

from typer.testing import CliRunner

from extractor.cli import app
from extractor.io import Document, InputProblem
from extractor.normalize.numbers import find_numbers, scan_numbers
from extractor.pipeline import Extractor

runner = CliRunner()
PARAGRAPH = "In March 2024, agents made {n:,} arrests near Yuma, Arizona, officials said."


def test_pieces_of_a_large_document_stream_in_small_batches(extractor, monkeypatch):
    text = "\n\n".join(PARAGRAPH.format(n=1000 + i) for i in range(300))  # ~24,000 chars
    original = extractor.nlp.pipe
    sizes = []

    def counting_pipe(units, *args, **kwargs):
        units = list(units)
        sizes.append(len(units))
        return original(units, *args, **kwargs)

    monkeypatch.setattr(extractor.nlp, "pipe", counting_pipe)
    monkeypatch.setattr(extractor, "chunk_chars", 1000)
    monkeypatch.setattr(extractor, "max_batch_chars", 2000)
    (record,) = list(extractor.extract_many([Document(doc_id="big", text=text)]))
    assert sum(sizes) >= 24 and max(sizes) <= 2  # never all pieces at once
    monkeypatch.setattr(extractor, "max_batch_chars", 10**9)
    sizes.clear()
    (together,) = list(extractor.extract_many([Document(doc_id="big", text=text)]))
    assert max(sizes) >= 24 and record == together  # same pieces, same record
    assert len(record["facts"]) > 250
    assert all(text[f["start"]:f["end"]] == f["text"] for f in record["facts"])


def test_a_large_document_reaches_the_workers_in_small_chunks(extractor, monkeypatch):
    text = "\n\n".join(PARAGRAPH.format(n=2000 + i) for i in range(150))  # ~12,000 chars
    text += "\n\nA clerk once typed " + "7" * 300 + " detainees into the log."
    monkeypatch.setattr(extractor, "chunk_chars", 600)
    alone = list(extractor.extract_many([Document(doc_id="big", text=text)]))
    workers = Extractor(nlp=extractor.nlp, n_process=2)
    monkeypatch.setattr(workers, "chunk_chars", 600)
    monkeypatch.setattr(workers, "max_chunk_chars", 1500)
    sent = []  # pickled bytes of each chunk handed to a worker
    apply_async = multiprocessing.pool.Pool.apply_async

    def counting(pool, func, args=(), *rest, **kwargs):
        sent.append(len(pickle.dumps(args)))
        return apply_async(pool, func, args, *rest, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "apply_async", counting)
    parallel = list(workers.extract_many([Document(doc_id="big", text=text)]))
    assert len(sent) >= len(text) // 1500 and max(sent) < 2 * 1500  # never the whole text
    assert sum(sent) < 2 * len(text)  # each piece carries its own text only
    assert parallel == alone
    *warnings, record = parallel
    assert [(w.doc_id, w.skipped, "7777777" in w.message) for w in warnings] == \
        [("big", False, True)]
    assert len(record["facts"]) > 120
    assert all(text[f["start"]:f["end"]] == f["text"] for f in record["facts"])


def test_numbers_too_large_to_be_figures_are_kept_apart_for_a_warning():
    text = ("Cabinet asked for 5,000 trillion pesos, got 999 trillion pesos, and a form read "
            + "3" * 250 + " applicants; 1,200 were real.")
    kept, too_large = scan_numbers(text)
    assert [n.text for n in too_large] == ["5,000 trillion pesos", "3" * 250]
    assert [n.value for n in kept] == [999 * 10**12, 1200] == [n.value for n in find_numbers(text)]


def test_a_number_too_large_to_be_a_figure_is_a_warning_not_a_skip(tmp_path):
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"doc_id": "typo", "text": f"Agents counted {'4' * 300} people at Lukeville and "
                                   "2,150 more at Sasabe in June."},
        {"doc_id": "scale", "text": "The ministry asked for 5,000 trillion pesos and got 80 "
                                    "million pesos to house 1,200 asylum seekers."},
        {"doc_id": "clean", "text": "Coast guards rescued 311 people off Lampedusa on Sunday."},
    ]) + "\n", encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out), "--errors", str(errors)])
    assert result.exit_code == 0 and "Traceback" not in result.output
    records = {r["doc_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert [f["value"] for f in records["typo"]["facts"]] == [2150]
    assert [f["value"] for f in records["scale"]["facts"]] == [80_000_000, 1200]
    warned = [line for line in result.stderr.splitlines() if "not a figure" in line]
    assert len(warned) == 2
    assert "records.jsonl:1: typo:" in warned[0] and "'4444" in warned[0]
    assert "records.jsonl:2: scale:" in warned[1] and "'5,000 trillion pesos'" in warned[1]
    rows = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(r["doc_id"], r["line"], r["skipped"]) for r in rows] == \
        [("typo", 1, False), ("scale", 2, False)]
    assert "0 skipped" in result.stderr


def test_extract_of_one_text_returns_the_record_not_its_warning(extractor):
    record = extractor.extract("Volunteers logged " + "8" * 200 + " arrivals by mistake; "
                               "64 people reached Ceuta on Friday.", published="2025-02-08")
    assert [f["value"] for f in record["facts"]] == [64]
