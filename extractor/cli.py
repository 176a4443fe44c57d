"""The `migrex` command line: a thin layer over `extractor.api`."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import __version__

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


@app.callback()
def main(version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None
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
    gold: Annotated[list[Path], typer.Option(help="Gold files or directories; repeatable.")] = None,
    pred: Annotated[Optional[list[Path]], typer.Option(
        help="Predictions to score (JSON/JSONL files or directories). "
             "Without it, the extractor runs on the annotated texts.")] = None,
    texts: TextsOption = None,
    json_file: Annotated[Optional[Path], typer.Option(
        "--json", help="Also write the scores as JSON to this file.")] = None,
    errors: Annotated[bool, typer.Option(
        "--errors", help="List false positives, misses and wrong values with context.")] = False,
) -> None:
    """Score predictions against gold at the spec's five levels, per label and micro."""
    from .api import evaluate as run_evaluation
    from .io import atomic_writer
    from .report import print_errors, score_table

    evaluation = run_evaluation(gold or [Path("annotations")], texts or [Path("corpus")], pred)
    for problem in evaluation.problems:
        err.print(problem, highlight=False, markup=False)
    scores = evaluation.score.as_dict()
    if errors:
        print_errors(out, evaluation.score, evaluation.texts)
    out.print(score_table(scores))
    out.print(f"{evaluation.score.documents} document(s) scored")
    if json_file:
        with atomic_writer(json_file) as stream:
            json.dump(scores, stream, indent=2)
            stream.write("\n")
    if evaluation.score.documents == 0:
        raise typer.Exit(1)


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(
        help="Article files (.txt, .html), directories of them (with an optional "
             "metadata.json), JSONL files of {doc_id, text, published?} records, or - for stdin.")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write here instead of stdout (appears only when complete).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option(
        "--format", help="jsonl/json: one record per document; csv: the facts table.")
    ] = OutputFormat.jsonl,
    published: Annotated[Optional[str], typer.Option(
        help="Publication date (YYYY-MM-DD) for every input; relative dates resolve "
             "against it.")] = None,
    model: Annotated[Optional[str], typer.Option(
        help="Base spaCy pipeline package (default from models/pipeline.json).")] = None,
    batch_size: Annotated[Optional[int], typer.Option(min=1, help="Documents per batch.")] = None,
    n_process: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    errors_file: Annotated[Optional[Path], typer.Option(
        "--errors", help="Also write input problems as JSONL here.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted JSONL run of the same -o file without redoing "
             "finished documents.")] = False,
) -> None:
    """Extract actors, dates and figures; one JSON record per document.

    Exit status: 0 all documents extracted, 2 usage error, 3 some inputs skipped (reported on
    stderr, one line each; the output holds every good document).
    """
    from .api import extract as run_extraction
    from .io import InputProblem, RecordWriter, ResumableOutput, atomic_writer, valid_published

    if published is not None and valid_published(published) is None:
        raise typer.BadParameter(f"{published!r} is not a date (use YYYY-MM-DD)",
                                 param_hint="--published")
    if resume and (output is None or fmt is not OutputFormat.jsonl):
        raise typer.BadParameter("needs -o FILE and --format jsonl", param_hint="--resume")
    sink = ResumableOutput(output, resume) if output else None
    writer = RecordWriter(sink.stream if sink else sys.stdout, fmt.value)
    problems: list[InputProblem] = []
    try:
        with _progress() as progress:
            task = progress.add_task("extracting", total=None)
            for item in run_extraction(paths, published, model, batch_size, n_process,
                                       skip=sink.done if sink else ()):
                if isinstance(item, InputProblem):
                    problems.append(item)
                    err.print(str(item), highlight=False, markup=False)
                    continue
                writer.write(item)
                progress.advance(task)
        writer.close()
    except RuntimeError as error:  # the base pipeline is missing
        err.print(f"error: {error}", highlight=False, markup=False)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        if sink:
            sink.close()
        err.print("interrupted: finished documents are kept in "
                  f"{sink.partial if sink else 'the output'}; rerun with --resume to continue")
        raise typer.Exit(130)
    if sink:
        sink.commit()
    if errors_file:
        with atomic_writer(errors_file) as stream:
            for problem in problems:
                stream.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    skipped = sum(problem.skipped for problem in problems)
    resumed = f" ({len(sink.done)} already done)" if sink and sink.done else ""
    err.print(f"{writer.count} document(s) extracted{resumed}, {skipped} skipped",
              highlight=False)
    raise typer.Exit(3 if skipped else 0)


def _progress():
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), "{task.description}", MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)
