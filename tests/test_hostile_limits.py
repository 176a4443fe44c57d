"""Hostile input, limits: a huge document streams through in small batches, a folder's
metadata is read once, absurd numbers and years are rejected without dropping documents."""

import json

from typer.testing import CliRunner

from extractor.cli import app
from extractor.io import Document, InputProblem

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
