"""Accuracy per category of tests/cases/numbers.jsonl through the real pipeline's figures.

Usage: python eval/scripts/number_case_report.py [--failures FILE] [--devset BEFORE AFTER]
Prints Markdown: passed/total per category; the spelled-out numbers of the tables parsed by
our word grammar and by text2num (when `text_to_num` is importable); with --devset, the figure
rows of two `migrex evaluate --json` files (values level, per label). --failures writes every
failing case with its expected and predicted figures, one JSON object a line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from case_tables import known_failures, load_cases  # noqa: E402
from test_number_cases import KNOWN_FAILURES, TABLE, predict_all, same_figures  # noqa: E402

FIGURE_LABELS = ("MONEY", "ENCOUNTERS", "REMOVALS", "VISAS", "PEOPLE", "PERCENT")


def category_table(cases: list[dict], predicted: dict[str, list[dict]]) -> tuple[str, list]:
    total, passed, failures = Counter(), Counter(), []
    reasons = known_failures(KNOWN_FAILURES)
    for case in cases:
        total[case["category"]] += 1
        if same_figures(case["expected"], predicted[case["id"]]):
            passed[case["category"]] += 1
        else:
            failures.append({**case, "predicted": predicted[case["id"]],
                             "known_failure": reasons.get(case["id"])})
    lines = ["| category | passed | total | accuracy |", "|---|---:|---:|---:|"]
    for category in sorted(total):
        lines.append(f"| {category} | {passed[category]} | {total[category]} | "
                     f"{passed[category] / total[category]:.0%} |")
    all_passed, all_cases = sum(passed.values()), sum(total.values())
    lines.append(f"| **all** | **{all_passed}** | **{all_cases}** | "
                 f"**{all_passed / all_cases:.0%}** |")
    return "\n".join(lines), failures


def word_parsers(cases: list[dict]) -> str:
    """Every expected count written in words only, parsed by each word grammar."""
    from extractor.normalize.numbers import parse_number

    spans = [(item["text"], item["value"]) for case in cases for item in case["expected"]
             if item["kind"] == "count" and not re.search(r"\d", item["text"])]
    parsers = {"migrex word grammar": parse_number}
    try:
        from text_to_num import text2num

        def text2num_en(text: str):
            try:
                return text2num(text, "en")
            except ValueError:
                return None

        parsers["text2num"] = text2num_en
    except ImportError:
        parsers["text2num (not installed)"] = None
    lines = ["| parser | right | spans |", "|---|---:|---:|"]
    for name, parse in parsers.items():
        right = "·" if parse is None else sum(parse(text) == value for text, value in spans)
        lines.append(f"| {name} | {right} | {len(spans)} |")
    return "\n".join(lines)


def devset_rows(before: dict, after: dict) -> str:
    lines = ["| level | label | before P / R / F1 (tp/pred/gold) | after P / R / F1 (tp/pred/gold) |",
             "|---|---|---|---|"]

    def cell(row: dict) -> str:
        return f"{row['p']:.3f} / {row['r']:.3f} / {row['f']:.3f} ({row['tp']}/{row['pred']}/{row['gold']})"

    for level in ("mentions_lenient", "values", "facts"):
        for label in ("micro",) + FIGURE_LABELS:
            if label in before[level] and label in after[level]:
                lines.append(f"| {level} | {label} | {cell(before[level][label])} | "
                             f"{cell(after[level][label])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", type=Path, help="write the failing cases here (JSONL)")
    parser.add_argument("--devset", type=Path, nargs=2, metavar=("BEFORE", "AFTER"),
                        help="two `migrex evaluate --json` files of the devset")
    arguments = parser.parse_args()
    from extractor.pipeline import build_nlp

    cases = load_cases(TABLE)
    table, failures = category_table(cases, predict_all(build_nlp(), cases))
    print(table)
    print("\nSpelled-out counts of the tables:\n")
    print(word_parsers(cases))
    if arguments.devset:
        before, after = (json.loads(path.read_text(encoding="utf-8")) for path in arguments.devset)
        print("\nDevset figure rows:\n")
        print(devset_rows(before, after))
    if arguments.failures:
        arguments.failures.write_text("".join(json.dumps(failure, ensure_ascii=False) + "\n"
                                              for failure in failures), encoding="utf-8")


if __name__ == "__main__":
    main()
