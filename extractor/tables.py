"""Parquet through pyarrow (the parquet extra): corpora in, documents and facts tables out."""

from __future__ import annotations

import json
import os
from itertools import islice
from pathlib import Path
from typing import Iterator

from .io import FACT_COLUMNS

DOCUMENT_COLUMNS = ("doc_id", "published", "title", "source", "n_spans", "spans_json")


def read_parquet_records(path: Path) -> Iterator[dict]:
    """Records of a Parquet corpus, streamed (columns doc_id, text, published?, ...)."""
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=256):
        yield from batch.to_pylist()


def _document_rows(records_file: Path) -> Iterator[dict]:
    with records_file.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            yield {"doc_id": record["doc_id"], "published": record.get("published"),
                   "title": record.get("title"), "source": record.get("source"),
                   "n_spans": len(record["spans"]),
                   "spans_json": json.dumps(record["spans"], ensure_ascii=False)}


def _fact_rows(records_file: Path) -> Iterator[dict]:
    with records_file.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            for fact in record["facts"]:
                row = {column: fact.get(column) for column in FACT_COLUMNS}
                row["doc_id"] = record["doc_id"]
                row["value"] = float(fact["value"])
                yield row


def write_parquet_tables(records_file: Path, directory: Path) -> tuple[Path, Path]:
    """`documents.parquet` (spans as JSON text) and `facts.parquet` from a JSONL of records."""
    import pyarrow
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    text = pyarrow.string()
    documents = pyarrow.schema([(name, text) for name in ("doc_id", "published", "title",
                                                          "source")]
                               + [("n_spans", pyarrow.int32()), ("spans_json", text)])
    facts = pyarrow.schema([(column, pyarrow.float64() if column == "value" else
                             pyarrow.int32() if column in ("start", "end") else text)
                            for column in FACT_COLUMNS])
    paths = (directory / "documents.parquet", directory / "facts.parquet")
    temporary = [path.with_name(f".{path.name}.tmp") for path in paths]
    try:
        for rows, schema, tmp in ((_document_rows, documents, temporary[0]),
                                  (_fact_rows, facts, temporary[1])):
            stream = rows(records_file)
            with pq.ParquetWriter(tmp, schema) as writer:
                while chunk := list(islice(stream, 10_000)):
                    writer.write_table(pyarrow.Table.from_pylist(chunk, schema=schema))
        for tmp, path in zip(temporary, paths):  # both tables complete: swap them in together
            os.replace(tmp, path)
    finally:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)
    return paths
