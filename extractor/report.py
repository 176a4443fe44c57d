"""Readable score tables and error listings (rich)."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .labels import LABELS
from .scoring import ERROR_KINDS, LEVELS, Score, SpanError

_KIND_STYLES = {"FP": "red", "FN": "yellow", "BOUNDARY": "cyan", "VALUE": "magenta",
                "CURRENCY": "magenta", "WHEN": "blue", "FACT_FN": "yellow", "FACT_FP": "red",
                "ACTOR_FN": "yellow", "ACTOR_FP": "red"}


def score_table(scores: dict) -> Table:
    """One row per level and label: P, R, F1 and the counts."""
    table = Table(title="migrex evaluation", show_lines=False)
    for column in ("level", "label", "P", "R", "F1", "tp", "pred", "gold"):
        table.add_column(column, justify="left" if column in ("level", "label") else "right")
    for level in LEVELS:
        rows = scores[level]
        for label in ("micro",) + LABELS:
            if label not in rows:
                continue
            row = rows[label]
            style = "bold" if label == "micro" else None
            table.add_row(level if label == "micro" else "", label,
                          f"{row['p']:.3f}", f"{row['r']:.3f}", f"{row['f']:.3f}",
                          str(row["tp"]), str(row["pred"]), str(row["gold"]), style=style)
        table.add_section()
    return table


def print_errors(console: Console, score: Score, texts: dict[str, str], width: int = 40) -> None:
    """Every error behind every level, per document, with context when the text is known."""
    counts: dict[str, int] = {}
    for error in score.errors:
        counts[error.kind] = counts.get(error.kind, 0) + 1
    legend = Table(title="errors by kind", show_lines=False)
    for column in ("kind", "level", "count", "what"):
        legend.add_column(column, justify="right" if column == "count" else "left")
    for kind, (level, what) in ERROR_KINDS.items():
        if kind in counts:
            legend.add_row(kind, level, str(counts[kind]), what, style=_KIND_STYLES[kind])
    console.print(legend)
    current = None
    for error in score.errors:
        if error.doc_id != current:
            current = error.doc_id
            console.rule(f"[bold]{current}")
        console.print(_error_line(error, texts.get(error.doc_id), width), highlight=False,
                      soft_wrap=True)


def _error_line(error: SpanError, text: str | None, width: int) -> Text:
    line = Text()
    line.append(f"{error.kind:9} ", style=_KIND_STYLES[error.kind])
    line.append(f"{error.label:10} {error.start:>6}  {error.text!r} {error.detail}")
    if text is not None:
        left = text[max(0, error.start - width):error.start].replace("\n", " ")
        right = text[error.end:error.end + width].replace("\n", " ")
        line.append(f"  …{left}")
        line.append(f"[{error.text}]", style="bold")
        line.append(f"{right}…")
    return line


def display_number(value: object) -> str:
    """A figure's number with thousands separators; anything else as it is."""
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else str(value)


def display_value(span: dict) -> str:
    """A span's value as a reader writes it: the currency code before a money amount."""
    value = display_number(span.get("value"))
    return f"{span['currency']} {value}" if span.get("currency") else value


_FACT_TABLE_COLUMNS = {"doc": {"overflow": "fold"}, "label": {"no_wrap": True},
                       "text": {"ratio": 3, "overflow": "fold"},
                       "value": {"justify": "right", "no_wrap": True}, "when": {"no_wrap": True},
                       "source": {"ratio": 2, "overflow": "fold"},
                       "where": {"ratio": 1, "overflow": "fold"}}


class FactsTableWriter:
    """`extract --format table`: the facts of every record as a rich table (one row per
    figure; wide cells wrap to the console's width; no colour codes when it is not a
    terminal). Rows are printed in tables of about `rows_per_table`, so memory stays flat."""

    def __init__(self, stream: IO[str], rows_per_table: int = 500):
        self.console = Console(file=stream, markup=False, emoji=False, highlight=False)
        self.rows_per_table = rows_per_table
        self.rows: list[tuple[str, ...]] = []
        self.count = 0
        self.printed = False

    def write(self, record: dict) -> None:
        rows = [(str(record["doc_id"]), fact["label"], fact["text"], display_value(fact),
                 str(fact.get("when") or ""), str(fact.get("source") or ""),
                 str(fact.get("where") or "")) for fact in record["facts"]]
        "".join(cell for row in rows for cell in row).encode("utf-8")  # a lone surrogate raises
        self.rows.extend(rows)  # here, before anything is printed
        self.count += 1
        if len(self.rows) >= self.rows_per_table:
            self._print()

    def _print(self) -> None:
        table = Table(show_lines=False, expand=False)
        for column, options in _FACT_TABLE_COLUMNS.items():
            table.add_column(column, **options)
        for row in self.rows:
            table.add_row(*row)
        self.console.print(table)
        self.rows = []
        self.printed = True

    def close(self) -> None:
        if self.rows or not self.printed:  # an empty table still shows the columns
            self._print()
        self.console.file.flush()
