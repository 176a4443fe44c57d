"""Parquet through Hugging Face `datasets`: corpora in, documents and facts tables out."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Iterator

from .schema import FACT_COLUMNS

DOCUMENT_COLUMNS = ("doc_id", "published", "title", "source", "n_spans", "spans_json")


def read_parquet_records(path: Path) -> Iterator[dict]:
    """Records of a Parquet corpus, streamed (columns doc_id, text, published?, ...)."""
    from datasets import load_dataset

    yield from load_dataset("parquet", data_files=str(path), split="train", streaming=True)


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
    from datasets import Dataset, Features, Value

    directory.mkdir(parents=True, exist_ok=True)
    text = Value("string")
    documents = Features({"doc_id": text, "published": text, "title": text, "source": text,
                          "n_spans": Value("int32"), "spans_json": text})
    facts = Features({column: Value("float64") if column == "value" else
                      Value("int32") if column in ("start", "end") else text
                      for column in FACT_COLUMNS})
    paths = (directory / "documents.parquet", directory / "facts.parquet")
    with tempfile.TemporaryDirectory(prefix="migrex-arrow-") as cache:  # never a stale cache
        for rows, features, path in ((_document_rows, documents, paths[0]),
                                     (_fact_rows, facts, paths[1])):
            dataset = Dataset.from_generator(rows, features=features, cache_dir=cache,
                                             gen_kwargs={"records_file": records_file})
            tmp = path.with_name(path.name + ".tmp")
            dataset.to_parquet(str(tmp))
            tmp.replace(path)
    return paths
