"""Markdown tables of `migrex evaluate --json` files: micro F1 per level, and F1 per label.

Usage: python eval/scripts/score_tables.py NAME=scores.json [NAME=scores.json ...]
"""

from __future__ import annotations

import json
import sys

LEVELS = ("mentions_lenient", "mentions_strict", "values", "actors", "facts")
LABELS = ("PERSON", "ORG", "GPE", "DATE", "MONEY", "ENCOUNTERS", "REMOVALS", "VISAS", "PEOPLE",
          "PERCENT")


def main(arguments: list[str]) -> None:
    sets = [(name, json.load(open(path, encoding="utf-8")))
            for name, path in (argument.split("=", 1) for argument in arguments)]
    print("| set | " + " | ".join(LEVELS) + " |")
    print("|---|" + "---|" * len(LEVELS))
    for name, scores in sets:
        print(f"| {name} | " + " | ".join(f"{scores[level]['micro']['f']:.3f}"
                                           for level in LEVELS) + " |")
    for name, scores in sets:
        print(f"\n{name}, F1 per label (tp/pred/gold in the JSON):\n")
        print("| level | " + " | ".join(LABELS) + " |")
        print("|---|" + "---|" * len(LABELS))
        for level in LEVELS:
            cells = [f"{scores[level][label]['f']:.3f}" if label in scores[level] else "·"
                     for label in LABELS]
            print(f"| {level} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
