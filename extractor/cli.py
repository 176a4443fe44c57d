"""The `migrex` command line: a thin layer over `extractor.api`."""

from __future__ import annotations

import json
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
