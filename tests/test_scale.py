"""Parquet tables through pyarrow, and the Dask engine against a local run."""

import json

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
ARTICLES = [
    "Border agents made 12,500 arrests in March, the Department of Homeland Security said.",
    "Officials said 4,100 migrants were deported in April 2024 on 30 flights to Guatemala.",
    "The State Department pledged $35 million on Tuesday to help 20,000 refugees in Peru.",
    "Frontex detected 9,800 irregular crossings in the first quarter, up 12% from 2023.",
]


def _corpus(path, copies=6):
    records = [{"doc_id": f"doc-{i:03d}", "published": "2024-05-07", "text": text}
               for i, text in enumerate(ARTICLES * copies)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def _facts(records):
    return sorted((r["doc_id"], f["label"], f["value"], f["when"], f["start"])
                  for r in records for f in r["facts"])


def test_parquet_in_and_out(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow
    import pyarrow.parquet as pq

    source = tmp_path / "corpus.jsonl"
    _corpus(source)
    first = tmp_path / "first"
    assert runner.invoke(app, ["extract", str(source), "--format", "parquet", "-o",
                               str(first)]).exit_code == 0
    documents = pq.read_table(first / "documents.parquet").to_pylist()
    facts = pq.read_table(first / "facts.parquet").to_pylist()
    assert len(documents) == len(ARTICLES) * 6
    assert {"doc_id", "label", "value", "when", "sentence"} <= set(facts[0])
    assert any(f["label"] == "REMOVALS" and f["value"] == 4100 for f in facts)
    # the same corpus as Parquet in gives the same facts
    rows = [json.loads(line) for line in source.read_text().splitlines()]
    pq.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "corpus.parquet")
    second = tmp_path / "second.jsonl"
    assert runner.invoke(app, ["extract", str(tmp_path / "corpus.parquet"), "-o",
                               str(second)]).exit_code == 0
    again = [json.loads(line) for line in second.read_text().splitlines()]
    assert sorted((f["doc_id"], f["label"], f["value"]) for f in facts) == \
        sorted((r["doc_id"], f["label"], f["value"]) for r in again for f in r["facts"])


def test_dask_run_matches_local_run(tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    source = tmp_path / "corpus.jsonl"
    _corpus(source)
    local = tmp_path / "local.jsonl"
    assert runner.invoke(app, ["extract", str(source), "-o", str(local)]).exit_code == 0
    local_records = [json.loads(line) for line in local.read_text().splitlines()]
    with LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        result = runner.invoke(app, ["extract", str(source), "--engine", "dask", "--scheduler",
                                     cluster.scheduler_address, "--blocksize", "1KiB",
                                     "-o", str(out)])
    assert result.exit_code == 0, result.output
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) > 1  # really partitioned
    dask_records = [json.loads(line) for part in parts for line in part.read_text().splitlines()]
    assert _facts(dask_records) == _facts(local_records)
    assert sorted(json.dumps(r, sort_keys=True) for r in dask_records) == \
        sorted(json.dumps(r, sort_keys=True) for r in local_records)
