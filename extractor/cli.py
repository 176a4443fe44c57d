"""The `migrex` command line: a thin layer over `extractor.api`."""

from __future__ import annotations

import errno
import gc
import itertools
import json
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import ProgressColumn, Task
from rich.text import Text

from . import __version__
from .memory import keep_freed_memory

app = typer.Typer(help="migrex: actors, dates and figures from migration-policy news.",
                  no_args_is_help=True, add_completion=False)
err = Console(stderr=True, soft_wrap=True)
out = Console()

TextsOption = Annotated[list[Path], typer.Option(
    "--texts", help="Directory of the annotated texts (with metadata.json); repeatable.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"migrex {__version__}")
        raise typer.Exit()


def run() -> None:
    """The console command: malloc set to keep what a batch freed (`extractor.memory`),
    `app`, then the heap frozen before the interpreter's exit, whose final collections would
    otherwise walk every object of the loaded pipeline (about 0.4 s of a one-article run);
    exit handlers and output flushing run as usual."""
    keep_freed_memory()
    try:
        app(prog_name="migrex")
    finally:
        gc.freeze()


@app.callback()
def main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False
         ) -> None:
    """migrex: actors, dates and figures from migration-policy news."""


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Gold files or directories of them.")] = None,
    texts: TextsOption = None,
) -> None:
    """Check gold files against their texts: hash, offsets, labels, attributes, overlaps."""
    from .validate import validate_paths

    paths = paths or [Path("annotations")]
    documents, problems = validate_paths(paths, texts or [Path("corpus")])
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False)
    spans = sum(len(doc.spans) for doc in documents)
    out.print(f"{len(documents)} valid gold document(s), {spans} spans; {len(problems)} problem(s)")
    raise typer.Exit(1 if problems else 0)


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Option(
        help="Gold files or directories (default: annotations/); repeatable.")] = None,
    pred: Annotated[Optional[list[Path]], typer.Option(
        help="Predictions to score: JSON/JSONL files (or directories) shaped as spec section 7, "
             "from migrex or any other system. Without it, migrex extracts from --texts.")
    ] = None,
    texts: Annotated[Optional[list[Path]], typer.Option(
        "--texts", help="Directory of the texts (repeatable). Not needed to score --pred; "
                        "adds context to --errors and checks offsets against the text. "
                        "Default with the default gold or without --pred: corpus/.")] = None,
    json_file: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write the scores as JSON to this file.")] = None,
    errors: Annotated[bool, typer.Option(
        "--errors", help="List every error behind every level: misses, false positives, "
                         "boundaries, values, currencies, periods, actor canonicals.")] = False,
    html_file: Annotated[Optional[Path], typer.Option(
        "--html", help="Also write a self-contained HTML review of every document "
                       "(needs the texts).")] = None,
) -> None:
    """Score predictions against gold at the spec's five levels, per label and micro."""
    from .api import EvaluationError
    from .api import evaluate as run_evaluation
    from .io import atomic_writer
    from .report import print_errors, score_table

    if gold is None and not Path("annotations").is_dir():
        err.print("error: no gold here (the default annotations/ is in a migrex checkout): "
                  "pass --gold DIR with --pred FILE or --texts DIR", highlight=False,
                  markup=False)
        raise typer.Exit(2)
    if texts is None and (pred is None or gold is None):
        texts = [Path("corpus")]  # the default gold's texts, or what a fresh extraction reads
    try:
        evaluation = run_evaluation(gold or [Path("annotations")], texts, pred)
    except EvaluationError as error:
        err.print(f"error: {error}", highlight=False, markup=False)
        raise typer.Exit(2)
    for problem in evaluation.problems:
        err.print(f"warning: {problem}", highlight=False, markup=False)
    scores = evaluation.score.as_dict()
    if errors:
        print_errors(out, evaluation.score, evaluation.texts)
    out.print(score_table(scores))
    out.print(f"{evaluation.score.documents} document(s) scored")
    if json_file:
        with atomic_writer(json_file) as stream:
            json.dump(scores, stream, indent=2)
            stream.write("\n")
    if html_file:
        from .report_html import DocumentView, render_page

        missing = [doc_id for doc_id in evaluation.gold if doc_id not in evaluation.texts]
        if missing:
            err.print(f"error: --html needs the texts of {len(missing)} document(s) "
                      f"(first: {missing[0]}); pass --texts DIR", highlight=False, markup=False)
            raise typer.Exit(2)
        views = [DocumentView(doc_id, evaluation.texts[doc_id],
                              evaluation.predictions.get(doc_id, []), gold)
                 for doc_id, gold in evaluation.gold.items()]
        with atomic_writer(html_file) as stream:
            stream.write(render_page(views, "migrex evaluation", scores))
        err.print(f"wrote {html_file}", highlight=False)


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    actors = "actors"
    parquet = "parquet"
    table = "table"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class Ops(str, Enum):  # pipeline.OPS, named here so that --help imports no spaCy
    numpy = "numpy"
    blis = "blis"


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(
        help="Article files (.txt, .html), directories of them (with an optional "
             "metadata.json), JSONL files of {doc_id, text, published?} records, or - for stdin.")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write here instead of stdout (appears only when complete).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option(
        "--format", help="jsonl/json: one record per document; csv: the facts table; "
                         "actors: a CSV of actor mentions (doc_id, label, text, canonical, id, "
                         "start, end; `id` is the same for one actor in every document); "
                         "parquet: -o DIR gets documents.parquet and facts.parquet; table: "
                         "the facts as a table to read in the terminal (doc, label, text, "
                         "value, when, source, where).")
    ] = OutputFormat.jsonl,
    published: Annotated[Optional[str], typer.Option(
        help="Publication date (YYYY-MM-DD, or an ISO timestamp such as "
             "2024-05-07T14:02:00+02:00: its date as written) for every input; relative "
             "dates resolve against it.")] = None,
    model: Annotated[Optional[str], typer.Option(
        help="Base spaCy pipeline package (default from models/pipeline.json).")] = None,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Documents per batch.")] = None,
    n_process: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ops: Annotated[Optional[Ops], typer.Option(
        help="thinc's matrix products: numpy or blis (default from models/pipeline.json; "
             "bench/RESULTS.md measures both).")] = None,
    errors_file: Annotated[Optional[Path], typer.Option(
        "--errors", help="Also write input problems as JSONL here.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted JSONL run of the same -o file without redoing "
             "finished documents.")] = False,
    engine: Annotated[Engine, typer.Option(
        help="local, or dask: partitions of one JSONL/Parquet corpus on a Dask cluster, "
             "written as -o DIR/part-*.jsonl (needs the dask extra).")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option(
        help="Dask scheduler address (tcp://host:8786); default: a local cluster.")] = None,
    blocksize: Annotated[str, typer.Option(help="Dask partition size of a JSONL input.")
                         ] = "8MiB",
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress on stderr (problems and the summary still).")
    ] = False,
) -> None:
    """Extract actors, dates and figures; one JSON record per document.

    Progress goes to stderr: a bar with the count, total, rate and ETA on a terminal, else a
    line every 1000 documents or 10 seconds (--quiet: none).

    Exit status: 0 all documents extracted, 2 usage or output error (one line: a bad option,
    a missing input path, -o unwritable, a directory, an input, inside an input folder, or
    in use by another run; a full disk), 3 some inputs skipped (reported on stderr, one line
    each; the output holds every good document). Duplicate doc_ids are reported and skipped.
    """
    from .api import extract as run_extraction
    from .io import (
        InputProblem,
        OutputLocked,
        ResumableOutput,
        atomic_writer,
        check_published,
        count_documents,
    )

    if published is not None and check_published(published)[0] is None:
        raise typer.BadParameter(f"{published!r}: {check_published(published)[1]} (use "
                                 "YYYY-MM-DD or an ISO timestamp)", param_hint="--published")
    if resume and (output is None or fmt not in (OutputFormat.jsonl, OutputFormat.parquet)):
        raise typer.BadParameter("needs -o and --format jsonl or parquet", param_hint="--resume")
    _require_inputs(paths)
    _require_extras(paths, fmt, engine)
    for target in (output, errors_file):
        if target is not None:
            _refuse_input_as_output(paths, target)
    if engine is Engine.dask:
        _extract_on_dask(paths, output, scheduler, published, model, blocksize)
    if fmt is OutputFormat.parquet and output is None:
        raise typer.BadParameter("parquet output needs -o DIR", param_hint="--format")
    if output is not None:
        _check_output(output, directory=fmt is OutputFormat.parquet)
    if errors_file is not None:
        _check_output(errors_file)
    records_path = output / "records.jsonl" if fmt is OutputFormat.parquet else output
    try:
        sink = ResumableOutput(records_path, resume) if records_path else None
    except OutputLocked as error:
        _fail(f"{error}; wait for it to finish or choose another -o")
    except OSError as error:
        _fail(_write_error(records_path, error))
    writer = _record_writer(sink.stream if sink else sys.stdout, fmt)
    problems: list[InputProblem] = []

    def report(problem: InputProblem) -> None:
        problems.append(problem)
        err.print(str(problem), highlight=False, markup=False)

    total = None if quiet else count_documents(paths)
    if total is not None and sink:
        total = max(total - len(sink.done), 0)
    try:
        with _progress(total, quiet) as advance:
            for item in run_extraction(paths, published, model, batch_size, n_process,
                                       skip=sink.done if sink else (),
                                       ops=ops.value if ops else None):
                if isinstance(item, InputProblem):
                    report(item)
                else:
                    try:
                        writer.write(item)
                    except UnicodeEncodeError as error:  # never abort the batch at the writer
                        item = InputProblem(str(item.get("doc_id")), f"cannot be written "
                                            f"({error})", "fix the input record",
                                            doc_id=item.get("doc_id"))
                        report(item)
                if not isinstance(item, InputProblem) or item.skipped:  # one document done
                    advance()
        writer.close()
    except OSError as error:  # full disk, output gone: the finished documents stay
        if sink:
            sink.close()
        kept = f"; finished documents are kept in {sink.partial}, rerun with --resume" \
            if sink else ""
        _fail(_write_error(records_path or Path("<stdout>"), error) + kept)
    except typer.Exit:
        raise
    except RuntimeError as error:  # the base pipeline is missing
        err.print(f"error: {error}", highlight=False, markup=False)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        if sink:
            sink.close()
        err.print("interrupted: finished documents are kept in "
                  f"{sink.partial if sink else 'the output'}; rerun with --resume to continue")
        raise typer.Exit(130)
    try:
        if sink:
            sink.commit()
        if fmt is OutputFormat.parquet:
            from .tables import write_parquet_tables

            for table in write_parquet_tables(records_path, output):
                err.print(f"wrote {table}", highlight=False)
        if errors_file:
            with atomic_writer(errors_file) as stream:
                for problem in problems:
                    stream.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    except OSError as error:
        _fail(_write_error(Path(error.filename) if error.filename else output, error))
    skipped = sum(problem.skipped for problem in problems)
    resumed = f" ({len(sink.done)} already done)" if sink and sink.done else ""
    err.print(f"{writer.count} document(s) extracted{resumed}, {skipped} skipped",
              highlight=False)
    raise typer.Exit(3 if skipped else 0)


def _record_writer(stream, fmt: OutputFormat):
    """The writer of one output format (Parquet goes through a JSONL of the records)."""
    from .io import RecordWriter

    if fmt is OutputFormat.table:
        from .report import FactsTableWriter

        return FactsTableWriter(stream)
    return RecordWriter(stream, "jsonl" if fmt is OutputFormat.parquet else fmt.value)


def _require_inputs(paths: list[str]) -> None:
    """Exit 2 (usage) before any work, and before any output exists, when an input is missing."""
    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            _fail(f"{raw}: no such file or directory; check the path (nothing written)")


def _refuse_input_as_output(paths: list[str], target: Path) -> None:
    """Exit 2 before any work when `target` is an input or lies inside an input folder."""
    resolved = target.resolve()
    for raw in paths:
        if raw == "-":
            continue
        source = Path(raw).resolve()
        if resolved == source or source in resolved.parents:
            where = "an input" if resolved == source else f"inside the input folder {raw}"
            _fail(f"{target}: is {where}; write the output elsewhere")


def _require_extras(paths: list[str], fmt: OutputFormat, engine: Engine) -> None:
    """Exit 2 with one line naming the extra, before any work, when one is missing."""
    from .extras import MissingExtra, require

    try:
        if engine is Engine.dask:
            require("dask", "--engine dask")
        if fmt is OutputFormat.parquet:
            require("parquet", "--format parquet")
        if any(path.lower().endswith(".parquet") for path in paths):
            require("parquet", "a Parquet input")
    except MissingExtra as error:
        err.print(f"error: {error}", highlight=False, markup=False)
        raise typer.Exit(2)


def _extract_on_dask(paths: list[str], output: Optional[Path], scheduler: Optional[str],
                     published: Optional[str], model: Optional[str], blocksize: str) -> None:
    """`--engine dask`: one corpus file in, -o DIR/part-*.jsonl out; exits with the status."""
    if len(paths) != 1 or not paths[0].endswith((".jsonl", ".parquet")) or output is None:
        raise typer.BadParameter("the dask engine takes one .jsonl or .parquet corpus and -o DIR",
                                 param_hint="--engine")
    try:
        from .distributed import ClusterRunFailed, extract_with_dask
    except ImportError as error:
        err.print(f"error: the dask engine needs the extra: pip install -e '.[dask]' ({error})")
        raise typer.Exit(2)
    _check_output(output, directory=True)
    others = [p.name for p in output.iterdir() if not re.fullmatch(r"part-\d+\.jsonl", p.name)] \
        if output.is_dir() else []
    if others:
        _fail(f"{output}: holds files other than part-*.jsonl ({others[0]}, ...); "
              "give --engine dask a new or empty directory")
    try:  # the parts appear together (old parts replaced) or not at all
        count, problems = extract_with_dask(Path(paths[0]), output, scheduler, published,
                                            model, blocksize)
    except OSError as error:
        _fail(_write_error(output, error) + "; no parts written")
    except Exception as error:  # noqa: BLE001 - a lost scheduler or worker: nothing half-done
        why = error if isinstance(error, ClusterRunFailed) else f"{type(error).__name__}: {error}"
        _fail(f"{output}: the Dask run failed ({why}); no parts written, rerun when the "
              "cluster is back")
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False)
    skipped = sum(problem.skipped for problem in problems)
    err.print(f"{count} document(s) extracted into {output}, {skipped} skipped", highlight=False)
    raise typer.Exit(3 if skipped else 0)


PROGRESS_LOG_DOCUMENTS = 1000  # without a terminal: a progress line every this many documents
PROGRESS_LOG_SECONDS = 10.0  # ... or after this many seconds, whichever comes first


@contextmanager
def _progress(total: int | None, quiet: bool) -> Iterator[Callable[[], None]]:
    """`advance()`, called once per document done or skipped: a rich bar (count, total, rate,
    ETA) when stderr is a terminal, a periodic line when it is not, nothing when quiet."""
    if quiet:
        yield lambda: None
    elif err.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(SpinnerColumn(), "{task.description}", BarColumn(), MofNCompleteColumn(),
                      _RateColumn(), TimeRemainingColumn(), TimeElapsedColumn(), console=err,
                      transient=True) as progress:
            task = progress.add_task("extracting", total=total)
            yield lambda: progress.advance(task)
    else:
        yield _ProgressLog(total).advance


class _RateColumn(ProgressColumn):
    """Documents per second in the rich progress bar."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} docs/s" if task.speed else "", style="progress.data.speed")


class _ProgressLog:
    """Progress for a stderr that is not a terminal (a log file, CI): one line such as
    `migrex: 1200/5000 documents, 38.2 docs/s, ETA 1m40s` now and then."""

    def __init__(self, total: int | None):
        self.total = total
        self.done = 0
        self.logged = 0
        self.untimed = 0  # documents done before the clock started
        self.start = self.last = 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done == 1:  # the clock starts here: loading the pipeline is not the rate
            self.untimed, self.start, self.last = 1, now, now
        if self.done - self.logged >= PROGRESS_LOG_DOCUMENTS or \
                now - self.last >= PROGRESS_LOG_SECONDS:
            self.logged, self.last = self.done, now
            err.print(self.line(now - self.start), highlight=False, markup=False)

    def line(self, elapsed: float) -> str:
        rate = (self.done - self.untimed) / elapsed if elapsed > 0 else 0.0
        line = f"migrex: {self.done}" + (f"/{self.total}" if self.total else "") + \
            f" documents, {rate:.1f} docs/s"
        if self.total and rate > 0 and self.done < self.total:
            line += f", ETA {_duration((self.total - self.done) / rate)}"
        return line


def _duration(seconds: float) -> str:
    """1m40s, 2h05m, 45s: an ETA as a person reads it."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes \
        else f"{secs}s"


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr, then exit (2: usage or output error)."""
    err.print(f"error: {message}", highlight=False, markup=False)
    raise typer.Exit(code)


_WRITE_HINTS = {errno.ENOSPC: "free disk space and rerun", errno.EDQUOT: "free disk space and rerun",
                errno.EACCES: "choose a writable -o", errno.EPERM: "choose a writable -o",
                errno.EROFS: "choose a writable -o", errno.EISDIR: "give -o a file name",
                errno.ENOTDIR: "check the -o path"}


def _write_error(path: Path, error: OSError) -> str:
    hint = _WRITE_HINTS.get(error.errno, "check the -o path")
    return f"{path}: cannot write ({error.strerror or error}); {hint}"


def _check_output(output: Path, directory: bool = False) -> None:
    """Before any work: -o is the right kind of path and its directory takes files."""
    if directory and output.exists() and not output.is_dir():
        _fail(f"{output}: exists and is not a directory; give -o a directory")
    if not directory and output.is_dir():
        _fail(f"{output}: is a directory; give -o a file name")
    parent = output if directory and output.is_dir() else output.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        _fail(f"{output}: {parent} is not a directory; check the -o path")
    try:
        fd, probe = tempfile.mkstemp(prefix=".migrex-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        _fail(_write_error(output, error))


@app.command()
def show(
    paths: Annotated[list[str], typer.Argument(
        help="Article files or directories to extract and show, or saved predictions to show "
             "as they are: the JSONL of `migrex extract` (records with `spans`) or JSON "
             "files of spec-shaped records.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    gold: Annotated[Optional[Path], typer.Option(
        help="A gold file (or directory): marks matches, false positives and misses.")] = None,
    published: Annotated[Optional[str], typer.Option(help="Publication date for every input.")
                         ] = None,
    texts: Annotated[Optional[list[Path]], typer.Option(
        "--texts", help="Directory (or JSONL file) of the texts of saved predictions whose "
                        "records hold no `text` (repeatable).")] = None,
) -> None:
    """Write a self-contained HTML page with each document's actors, dates and figures: each
    span's label, value and period after it in the text and, against --gold, the scorer's
    error kind of each mark.

    Exit status: 0 page written, 2 usage error (a malformed --gold is one line naming the file
    and span; nothing is extracted), 3 page written but some inputs skipped (or, in saved
    predictions, documents without a text or spans that cannot be drawn).
    """
    from .api import extract as run_extraction
    from .api import load_saved_predictions
    from .io import InputProblem, atomic_writer
    from .report_html import DocumentView, render_page

    _require_inputs(paths)
    _check_output(output)
    gold_documents = _load_show_gold(gold) if gold is not None else {}
    saved = [raw for raw in paths if _holds_saved_predictions(Path(raw))]
    fresh = [raw for raw in paths if raw not in saved]
    records, saved_problems = load_saved_predictions([Path(raw) for raw in saved], texts or []) \
        if saved else ([], [])
    for problem in saved_problems:
        err.print(problem, highlight=False, markup=False)
    skipped = len(saved_problems)
    views = []
    extracted = run_extraction(fresh, published, with_text=True) if fresh else ()
    for item in itertools.chain(records, extracted):
        if isinstance(item, InputProblem):
            err.print(str(item), highlight=False, markup=False)
            skipped += item.skipped
            continue
        gold_spans = None
        if gold is not None and item["doc_id"] in gold_documents:
            location, document = gold_documents[item["doc_id"]]
            text = item["text"]
            for index, span in enumerate(document.spans):
                if not (span.start < span.end <= len(text)
                        and text[span.start:span.end] == span.text):
                    _fail(f"{location}: span {index}: {span.text!r} at {span.start}-{span.end} "
                          "is not in the text; fix the gold file or run migrex validate "
                          "(no page written)")
            gold_spans = [span.model_dump() for span in document.spans]
        views.append(DocumentView(item["doc_id"], item["text"], item["spans"], gold_spans,
                                  item.get("published")))
    try:
        with atomic_writer(output) as stream:
            stream.write(render_page(views, "migrex: " + ", ".join(paths)))
    except OSError as error:
        _fail(_write_error(output, error))
    err.print(f"wrote {output} ({len(views)} document(s))", highlight=False)
    raise typer.Exit(3 if skipped else 0)


def _holds_saved_predictions(path: Path) -> bool:
    """A .json file, or a .jsonl file whose first record has a `spans` list: records to show
    as they are, not articles to extract from."""
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in (".json", ".jsonl"):
        return False
    if suffix == ".json":
        return True
    with path.open("rb") as stream:
        first = next((line for line in stream if line.strip()), b"")
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and isinstance(record.get("spans"), list)


def _load_show_gold(gold: Path) -> dict:
    """doc_id -> (location, GoldDocument) of every gold document under `gold`, validated
    before any work; the first problem is one line and exit 2."""
    from pydantic import ValidationError

    from .io import UNREADABLE_FILE_ERRORS, InputProblem, annotation_files, load_json_documents
    from .schema import GoldDocument

    if not gold.exists():
        _fail(f"{gold}: no such gold file or directory; check --gold")
    documents: dict = {}
    for file in annotation_files([gold]):
        try:
            for location, record in load_json_documents(file):
                if isinstance(record, InputProblem):
                    _fail(f"{record}; run migrex validate")
                try:
                    document = GoldDocument.model_validate(record)
                except ValidationError as error:
                    first = error.errors()[0]
                    field = ".".join(str(part) for part in first["loc"]) or "file"
                    _fail(f"{location}: invalid gold ({field}: {first['msg']}); "
                          "fix it or run migrex validate")
                if document.doc_id in documents:
                    _fail(f"{location}: doc_id {document.doc_id!r} is also in "
                          f"{documents[document.doc_id][0]}; keep one gold record per document")
                documents[document.doc_id] = (location, document)
        except (*UNREADABLE_FILE_ERRORS, ValueError) as error:
            _fail(f"{file}: cannot read the gold file ({type(error).__name__}); "
                  "save it as UTF-8 JSON")
    return documents


@app.command("train-figures")
def train_figures(
    cv: Annotated[bool, typer.Option(
        "--cv", help="Compare rules, classifier, combined and stacked typing leaving one "
                     "document out; the report goes beside the model.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Directory for the model (classifier.npz, classifier.json) and, "
                               "with --cv, figure_typing.md (default out/figures).")] = None,
    root: Annotated[Path, typer.Option(
        help="The migrex checkout whose annotated documents train the model.")] = Path("."),
    update_shipped: Annotated[bool, typer.Option(
        "--update-shipped", help="Overwrite the shipped model (ROOT/models/figures), the report "
                                 "ROOT/eval/figure_typing.md and, with --cv, the default typing "
                                 "in ROOT/models/pipeline.json.")] = False,
    embeddings: Annotated[bool, typer.Option(
        help="Add MiniLM sentence embeddings (needs the transformers extra).")] = False,
) -> None:
    """Train the figure-typing classifier on every annotated document (needs the train extra).
    Use the model with the figure component's config {"model": "DIR"}."""
    from .extras import MissingExtra
    from .training import train, training_sets

    if update_shipped and output is not None:
        raise typer.BadParameter("--update-shipped writes the shipped files; drop -o",
                                 param_hint="--output")
    name = "figures-embeddings" if embeddings else "figures"
    output = root / "models" / name if update_shipped else output or Path("out") / name
    report = root / "eval" / "figure_typing.md" if update_shipped else None
    command = "migrex train-figures" + (" --cv" if cv else "") + \
        (" --embeddings" if embeddings else "") + (" --update-shipped" if update_shipped else "")
    try:
        training_sets(root)
        winner, results = train(root, output, cv, command, embeddings, report,
                                root / "models" / "pipeline.json" if update_shipped else None)
    except (MissingExtra, ValueError) as error:
        err.print(f"error: {error}", highlight=False, markup=False)
        raise typer.Exit(2)
    if results:
        from rich.table import Table

        table = Table(title="figure typing, leave one document out")
        for column in ("variant", "label", "P", "R", "F1"):
            table.add_column(column)
        for variant, rows in results.items():
            for label, row in rows.items():
                table.add_row(variant if label == "micro" else "", label, f"{row['p']:.3f}",
                              f"{row['r']:.3f}", f"{row['f']:.3f}")
            table.add_section()
        out.print(table)
        where = "now the default" if update_shipped else "--update-shipped makes it the default"
        out.print(f"winner: {winner} ({where}); report in {report or output / 'figure_typing.md'}")
    out.print(f"model written to {output}")


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Records to convert: migrex gold/output files "
                                                "(or a directory of them), or a file/directory "
                                                "in the --from format.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (brat: a "
                                                                "directory).")],
    to: Annotated[str, typer.Option("--to", help="spacy, prodigy, labelstudio, brat or migrex.")
                  ] = "prodigy",
    source_format: Annotated[str, typer.Option("--from", help="Format of SOURCE.")] = "migrex",
    texts: TextsOption = None,
    results_as: Annotated[Optional[str], typer.Option(
        "--as", help="labelstudio: put the results under 'annotations' or 'predictions' "
                     "(default: predictions for extract output, annotations for gold).")] = None,
    config_out: Annotated[Optional[Path], typer.Option(
        "--config-out", help="labelstudio: also write the labeling config XML for migrex's "
                             "labels and attributes to this file.")] = None,
) -> None:
    """Convert annotations between migrex JSON and spaCy DocBin, Prodigy, Label Studio, brat.

    Exit status: 0 all records converted, 2 usage error or unreadable SOURCE (nothing
    written), 3 some records skipped (reported on stderr). The output appears complete or
    not at all; brat file names are safe slugs of the doc_id (the doc_id is kept inside).
    What a reader skipped or filled in (Prodigy tasks answered reject/ignore, defaults for
    spans drawn in the other tool) is said on stderr, one line each.
    """
    from .api import load_records_with_text
    from .convert import FORMATS, LABELSTUDIO_KEYS, ConvertError, read, write, \
        write_labelstudio_config

    for name, value, known in (("--to", to, FORMATS), ("--from", source_format, FORMATS),
                               ("--as", results_as or LABELSTUDIO_KEYS[0], LABELSTUDIO_KEYS)):
        if value not in known:
            raise typer.BadParameter(f"{value!r}; choose one of {', '.join(known)}",
                                     param_hint=name)
    if to != "labelstudio" and (results_as or config_out):
        raise typer.BadParameter("only with --to labelstudio", param_hint="--as/--config-out")
    if not source.exists():
        _fail(f"{source}: no such file or directory; check the path")
    _check_output(output, directory=to == "brat")
    if config_out:
        _check_output(config_out)
    notes: list[str] = []
    try:
        if source_format == "migrex":
            records, problems = load_records_with_text([source], texts or [Path("corpus")])
        else:
            records, problems = read(source_format, source, notes), []
    except ConvertError as error:
        _fail(f"{error} (nothing written)")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{source}: cannot read ({error}); check the file (nothing written)")
    for problem in problems:
        err.print(problem, highlight=False, markup=False)
    try:
        write(records, to, output, results_as=results_as, notes=notes)
    except OSError as error:
        _fail(_write_error(output, error))
    if config_out:
        try:
            write_labelstudio_config(config_out)
        except OSError as error:
            _fail(_write_error(config_out, error))
    for note in notes:
        err.print(note, highlight=False, markup=False)
    err.print(f"{len(records)} document(s) written to {output} ({to})", highlight=False)
    raise typer.Exit(3 if problems else 0)
