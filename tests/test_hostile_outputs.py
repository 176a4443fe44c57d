"""Hostile conditions on the output side: concurrent runs, -o in the wrong place, read-only
and full disks, half-written tables, killed worker pools. Each is one line and the right exit
status, checked before the work starts where possible; nothing finished is lost."""

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from typer.testing import CliRunner

from extractor.cli import app

runner = CliRunner()
SENTENCE = "Border agents made 12,500 arrests in March, the agency said."


def _source(tmp_path, count=3):
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i}", "text": SENTENCE}) + "\n"
                              for i in range(count)), encoding="utf-8")
    return source


def _one_error_line(result):
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_second_run_on_the_same_output_fails_at_once(tmp_path):
    source, out = _source(tmp_path), tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    partial.write_text('{"doc_id": "first-run"}\n', encoding="utf-8")
    with partial.open("a") as held:  # the first run holds the lock
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = runner.invoke(app, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "another migrex run" in _one_error_line(result)
    assert partial.read_text() == '{"doc_id": "first-run"}\n' and not out.exists()


@pytest.mark.parametrize("where", ["the-input", "inside-input-folder", "errors-is-input"])
def test_output_on_an_input_is_refused_before_any_work(where, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text(SENTENCE, encoding="utf-8")
    args = {"the-input": [str(article), "-o", str(article)],
            "inside-input-folder": [str(folder), "-o", str(folder / "out.jsonl")],
            "errors-is-input": [str(article), "-o", str(tmp_path / "o.jsonl"), "--errors",
                                str(article)]}[where]
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 2
    assert "write the output elsewhere" in _one_error_line(result)
    assert article.read_text(encoding="utf-8") == SENTENCE
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_output_at_an_existing_directory_is_one_line(tmp_path):
    (tmp_path / "taken").mkdir()
    result = runner.invoke(app, ["extract", str(_source(tmp_path)), "-o", str(tmp_path / "taken")])
    assert result.exit_code == 2 and "is a directory" in _one_error_line(result)
    result = runner.invoke(app, ["convert", str(_source(tmp_path)), "--to", "prodigy", "-o",
                                 str(tmp_path / "taken")])
    assert result.exit_code == 2 and "is a directory" in _one_error_line(result)


def test_read_only_output_directory_is_one_line_before_work(tmp_path, monkeypatch):
    read_only = tmp_path / "ro"
    read_only.mkdir()
    real_mkstemp = tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):  # as root, chmod cannot make a read-only folder
        if dir is not None and str(dir).startswith(str(read_only)):
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    for command in (["extract", str(_source(tmp_path))], ["show", str(_source(tmp_path))],
                    ["convert", str(_source(tmp_path)), "--to", "prodigy"]):
        result = runner.invoke(app, [*command, "-o", str(read_only / "out")])
        assert result.exit_code == 2
        assert "Permission denied" in _one_error_line(result) and "writable" in result.stderr
    assert list(read_only.iterdir()) == []


def test_full_disk_is_one_line_and_keeps_the_finished_documents(tmp_path, monkeypatch):
    from extractor.io import RecordWriter

    original = RecordWriter.write

    def write(self, record):
        if self.count == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, record)

    monkeypatch.setattr(RecordWriter, "write", write)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(_source(tmp_path, 4)), "-o", str(out)])
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "No space left on device" in line and "--resume" in line
    assert not out.exists()
    kept = (tmp_path / "out.jsonl.partial").read_text().splitlines()
    assert [json.loads(r)["doc_id"] for r in kept] == ["d0", "d1"]


def test_full_disk_in_convert_leaves_no_output(tmp_path, monkeypatch):
    import extractor.io

    out = tmp_path / "out.prodigy"
    out.write_text("previous\n")

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extractor.io.os, "fsync", fsync)
    result = runner.invoke(app, ["convert", str(_records_with_spans(tmp_path)), "--to",
                                 "prodigy", "-o", str(out)])
    assert result.exit_code == 2 and "No space left" in _one_error_line(result)
    assert out.read_text() == "previous\n" and sorted(p.name for p in tmp_path.iterdir()) == \
        ["in.jsonl", "out.prodigy"]


def _records_with_spans(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"doc_id": "a", "text": SENTENCE, "spans": []}) + "\n")
    return source


@pytest.mark.parametrize("content,where", [
    ('{"text": "x", "spans": [{"start": 0}]}\n', ":1"),
    ('{"meta": {}, "text": "x", "spans": []}\nnot json\n', ":2"),
    ('[1, 2]\n', ":1"),
])
def test_malformed_input_to_convert_names_file_and_line(content, where, tmp_path):
    source = tmp_path / "tasks.jsonl"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["convert", str(source), "--from", "prodigy", "--to", "migrex",
                                 "-o", str(out)])
    assert result.exit_code == 2
    assert f"{source}{where}" in _one_error_line(result) and not out.exists()


def test_parquet_tables_are_replaced_together_or_not_at_all(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    import extractor.tables

    tables = tmp_path / "tables"
    assert runner.invoke(app, ["extract", str(_source(tmp_path)), "--format", "parquet", "-o",
                               str(tables)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in tables.glob("*.parquet")}
    assert sorted(before) == ["documents.parquet", "facts.parquet"]

    def failing_rows(records_file):
        raise OSError(errno.ENOSPC, "No space left on device")
        yield  # pragma: no cover

    monkeypatch.setattr(extractor.tables, "_fact_rows", failing_rows)
    result = runner.invoke(app, ["extract", str(_source(tmp_path, 5)), "--format", "parquet",
                                 "-o", str(tables)])
    assert result.exit_code == 2 and "No space left" in _one_error_line(result)
    assert {p.name: p.read_bytes() for p in tables.glob("*.parquet")} == before
    assert not list(tables.glob(".*.tmp"))


def test_dask_output_folder_with_other_files_is_refused(tmp_path):
    pytest.importorskip("dask.distributed")
    out = tmp_path / "parts"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["extract", str(_source(tmp_path)), "--engine", "dask", "-o",
                                 str(out)])
    assert result.exit_code == 2 and "notes.txt" in _one_error_line(result)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_killing_an_n_process_run_leaves_no_orphan_workers(tmp_path):
    psutil = pytest.importorskip("psutil")
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i}", "text": SENTENCE * 3}) + "\n"
                              for i in range(3000)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "extractor", "extract", str(source),
                                "-o", str(tmp_path / "out.jsonl"), "--n-process", "2",
                                "--batch-size", "8"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = tmp_path / "out.jsonl.partial"
    deadline = time.time() + 240
    workers = []
    while time.time() < deadline:
        workers = [w for w in psutil.Process(process.pid).children(recursive=True)
                   if "resource_tracker" not in " ".join(w.cmdline())]
        if len(workers) >= 2 and partial.exists() and partial.stat().st_size > 0:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the workers never started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    for worker in alive:  # clean up before failing
        worker.kill()
    assert alive == []



@pytest.fixture
def quick_dask_timeouts():
    """Connections to a closed scheduler give up after a second, not distributed's 30."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        yield


def test_a_dask_run_that_loses_its_scheduler_fails_in_one_line_and_swaps_nothing_in(
        tmp_path, monkeypatch, quick_dask_timeouts):
    import threading

    from dask.distributed import LocalCluster

    import extractor.distributed as distributed

    source = tmp_path / "corpus.jsonl"
    source.write_text("".join(json.dumps({"doc_id": f"d{i:02d}", "text": SENTENCE}) + "\n"
                              for i in range(40)), encoding="utf-8")
    out = tmp_path / "parts"
    out.mkdir()
    (out / "part-0.jsonl").write_text('{"doc_id": "from an earlier run"}\n')
    first_done, lost = threading.Event(), threading.Event()

    class LosingItsScheduler:
        """The workers' pipeline: the first partition goes through, the others wait until
        the scheduler is gone (the records' content does not matter here)."""

        def extract_many(self, documents):
            if first_done.is_set():
                lost.wait(20)
            first_done.set()
            return [{"doc_id": d.doc_id, "spans": [], "facts": []} for d in documents]

    monkeypatch.setattr(distributed, "_extractor", lambda model: LosingItsScheduler())
    with LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                      dashboard_address=None) as cluster:

        def lose_the_scheduler():
            first_done.wait(20)
            cluster.sync(cluster.scheduler.close)
            lost.set()

        closer = threading.Thread(target=lose_the_scheduler, daemon=True)
        closer.start()
        result = runner.invoke(app, ["extract", str(source), "--engine", "dask", "--scheduler",
                                     cluster.scheduler_address, "--blocksize", "256B",
                                     "-o", str(out)])
        closer.join(20)
    assert lost.is_set()
    line = _one_error_line(result)
    assert result.exit_code == 2 and "the Dask run failed" in line and "scheduler" in line
    assert "ClusterRunFailed" not in line  # the cause, not migrex's own wrapper, is named
    assert [p.name for p in out.iterdir()] == ["part-0.jsonl"]  # the old parts, untouched
    assert out.joinpath("part-0.jsonl").read_text() == '{"doc_id": "from an earlier run"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl", "parts"]


def test_an_unreachable_dask_scheduler_is_one_line_not_a_write_error(
        tmp_path, quick_dask_timeouts):
    out = tmp_path / "parts"
    result = runner.invoke(app, ["extract", str(_source(tmp_path)), "--engine", "dask",
                                 "--scheduler", "tcp://127.0.0.1:9", "-o", str(out)])
    line = _one_error_line(result)
    assert result.exit_code == 2 and "the Dask run failed" in line and "cannot write" not in line
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


def test_a_failed_directory_leaves_nothing_behind_when_a_straggler_writes_while_it_is_removed(
        tmp_path, monkeypatch):
    """A cluster task still running after the run failed may open a part by its path while
    the temporary directory is being emptied; that open must fail, not land in a directory
    the removal then cannot delete."""
    import shutil

    from extractor import io as migrex_io

    out = tmp_path / "parts"
    straggler = {}

    def emptied_while_a_part_is_written(path, ignore_errors=False):
        for entry in os.scandir(path):  # what rmtree listed is removed...
            os.unlink(entry.path)
        try:  # ...then a late task writes its part by the path it was given
            (straggler["tmp"] / "part-9.jsonl").write_text("{}\n")
            straggler["landed"] = True
        except FileNotFoundError:
            straggler["landed"] = False
        try:
            os.rmdir(path)
        except OSError:
            assert ignore_errors

    monkeypatch.setattr(shutil, "rmtree", emptied_while_a_part_is_written)
    with pytest.raises(RuntimeError, match="the run failed"):
        with migrex_io.atomic_directory(out) as tmp:
            straggler["tmp"] = tmp
            (tmp / "part-0.jsonl").write_text("{}\n")
            raise RuntimeError("the run failed")
    assert straggler["landed"] is False
    assert list(tmp_path.iterdir()) == []
