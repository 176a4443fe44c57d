"""Accuracy per category of tests/cases/dates.jsonl through the real date component.

Usage: python eval/scripts/date_case_report.py [--failures FILE]
Prints a Markdown table (passed/total per category); --failures writes every failing case
with its expected and predicted spans, one JSON object a line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from test_date_cases import expected_spans, load_cases, predict_all  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", type=Path, help="write the failing cases here (JSONL)")
    arguments = parser.parse_args()
    from extractor.pipeline import build_nlp

    cases = load_cases()
    predicted = predict_all(build_nlp(), cases)
    total, passed, failures = Counter(), Counter(), []
    for case in cases:
        total[case["category"]] += 1
        if predicted[case["id"]] == expected_spans(case):
            passed[case["category"]] += 1
        else:
            failures.append({"id": case["id"], "category": case["category"],
                             "text": case["text"], "published": case["published"],
                             "country": case["country"], "expected": expected_spans(case),
                             "predicted": predicted[case["id"]]})
    print("| category | passed | total | accuracy |\n|---|---:|---:|---:|")
    for category in sorted(total):
        print(f"| {category} | {passed[category]} | {total[category]} | "
              f"{passed[category] / total[category]:.0%} |")
    all_passed, all_cases = sum(passed.values()), sum(total.values())
    print(f"| **all** | **{all_passed}** | **{all_cases}** | **{all_passed / all_cases:.0%}** |")
    if arguments.failures:
        arguments.failures.write_text("".join(json.dumps(failure, ensure_ascii=False) + "\n"
                                              for failure in failures), encoding="utf-8")


if __name__ == "__main__":
    main()
