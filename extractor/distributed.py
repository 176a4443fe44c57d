"""Extraction on a Dask cluster: a JSONL or Parquet corpus in partitions, the pipeline loaded
once per worker process, partitioned JSONL out (same records as a local run)."""

from __future__ import annotations

import json
from pathlib import Path

from .io import Document, InputProblem, atomic_directory, parse_json_lines, read_records

_WORKER_EXTRACTOR = None  # one pipeline per worker process, built on first use


class ClusterRunFailed(RuntimeError):
    """The Dask run failed (a lost scheduler or worker, an unreachable cluster): one line."""


def _extractor(model: str | None):
    global _WORKER_EXTRACTOR
    if _WORKER_EXTRACTOR is None:
        from .pipeline import Extractor

        _WORKER_EXTRACTOR = Extractor(model=model)
    return _WORKER_EXTRACTOR


def extract_partition(items: list, origin: str, published: str | None,
                      model: str | None) -> list[str]:
    """Output lines for one partition: records, and problems marked with '_problem'."""
    items = list(items)  # a partition may arrive as any iterable
    if items and isinstance(items[0], str):  # JSONL lines; Parquet rows come as dicts
        numbered = parse_json_lines(items, origin, strict=False)
    else:
        numbered = enumerate((dict(item) for item in items), start=1)
    problems: list[InputProblem] = []
    documents: list[Document] = []
    for item in read_records(numbered, origin, published):
        (problems if isinstance(item, InputProblem) else documents).append(item)
    lines = []
    for result in _extractor(model).extract_many(documents):
        if isinstance(result, InputProblem):
            problems.append(result)
        else:
            lines.append(json.dumps(result, ensure_ascii=False))
    for problem in problems:
        problem.line = None  # line numbers are not known inside a partition
        lines.append(json.dumps({"_problem": problem.to_dict()}, ensure_ascii=False))
    return lines


def extract_with_dask(path: Path, out_dir: Path, scheduler: str | None,
                      published: str | None = None, model: str | None = None,
                      blocksize: str = "8MiB") -> tuple[int, list[InputProblem]]:
    """Run over `path` on the cluster at `scheduler` (a local one on 127.0.0.1 if None): the
    parts appear in `out_dir` complete, or not at all. A file error (full disk) is raised as
    it is; any other failure as ClusterRunFailed (distributed's messages span lines, and its
    connection errors are OSErrors without an errno)."""
    try:
        return _run_on_dask(path, out_dir, scheduler, published, model, blocksize)
    except Exception as error:
        if isinstance(error, OSError) and error.errno is not None:
            raise
        why = " ".join(str(error).split())
        raise ClusterRunFailed(f"{type(error).__name__}: {why}") from error


def _run_on_dask(path: Path, out_dir: Path, scheduler: str | None, published: str | None,
                 model: str | None, blocksize: str) -> tuple[int, list[InputProblem]]:
    import dask
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1,
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        if path.suffix.lower() == ".parquet":
            import dask.dataframe as dd

            bag = dd.read_parquet(str(path)).to_bag(format="dict")
        else:
            bag = db.read_text(str(path), blocksize=blocksize).filter(str.strip)
        lines = bag.map_partitions(extract_partition, str(path), published, model)
        with atomic_directory(out_dir) as tmp:  # complete parts, or the old folder untouched
            records = lines.filter(lambda line: not line.startswith('{"_problem"'))
            writes = records.to_textfiles(str(tmp / "part-*.jsonl"), compute=False,
                                          last_endline=True)
            counted = records.count()
            problem_lines = lines.filter(lambda line: line.startswith('{"_problem"'))
            *_, count, problem_records = dask.compute(*writes, counted, problem_lines)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    problems = [InputProblem(**json.loads(line)["_problem"]) for line in problem_records]
    return count, problems
