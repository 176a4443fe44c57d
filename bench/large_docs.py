"""Peak memory of one large document: `migrex extract` on a single N MB article.

    python bench/large_docs.py --sizes 1 5 20 [--n-process 2] [--write bench/LARGE_DOCS.md]

Each size is one synthetic article (paragraphs of sentences written for this benchmark, with
figures, dates and places, varied so no two paragraphs are alike) extracted by a fresh
`migrex extract` process; the table gives wall seconds, peak RSS (MiB, `ru_maxrss` of the
child) and the figures found. Runs one size at a time (never two heavy processes at once).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

from bench import run_measured  # the one measuring probe (this folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PLACES = ["Yuma", "El Paso", "Tucson", "San Diego", "Laredo", "Del Rio", "Nogales", "Brownsville"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def paragraph(index: int) -> str:
    place, month = PLACES[index % len(PLACES)], MONTHS[index % 12]
    year = 2015 + index % 10
    return (f"Agents in the {place} sector reported {1000 + index * 7 % 90000:,} encounters "
            f"in {month} {year}, the agency said in report number {index}. "
            f"Officials deported {100 + index % 900} people on {2 + index % 30} flights, and "
            f"the department set aside ${1 + index % 99} million for shelters near {place}. "
            f"Local groups said the numbers rose {index % 40} percent over the year before.")


def build(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1_000_000)
    size, index = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while size < target:
            piece = paragraph(index) + "\n\n"
            out.write(piece)
            size += len(piece.encode("utf-8"))
            index += 1
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20])
    parser.add_argument("--n-process", type=int, default=1,
                        help="worker processes of migrex extract (peak RSS: the largest one)")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="migrex-large-") as tmp:
        for megabytes in args.sizes:
            article = Path(tmp) / f"large-{megabytes:g}mb.txt"
            size = build(article, megabytes)
            out = Path(tmp) / "out.jsonl"
            seconds, _, peak, code = run_measured([str(BIN / "migrex"), "extract", str(article),
                                                   "--published", "2024-05-07", "-o", str(out),
                                                   "--n-process", str(args.n_process)])
            rss = int(peak)
            facts = len(json.loads(out.read_text(encoding="utf-8"))["facts"]) if code == 0 else 0
            rows.append((megabytes, size, seconds, rss, code, facts))
            print(f"{megabytes:g} MB ({size:,} bytes): {seconds:.1f} s, peak RSS {rss} MiB, "
                  f"exit {code}, {facts:,} facts", flush=True)
    if args.write:
        lines = ["# One large document: peak memory", "",
                 f"Machine: {platform.machine()}, Python {platform.python_version()}; command: "
                 f"`python bench/large_docs.py --sizes {' '.join(f'{s:g}' for s in args.sizes)} "
                 f"--n-process {args.n_process} --write {args.write}`.", "",
                 f"Each row is one fresh `migrex extract ARTICLE.txt -o out.jsonl --n-process "
                 f"{args.n_process}` on a single synthetic article of that size (start-up "
                 "included).", "",
                 "| size (MB) | bytes | seconds | peak RSS (MiB) | exit | facts |",
                 "|---|---|---|---|---|---|"]
        lines += [f"| {m:g} | {b:,} | {s:.1f} | {r:,} | {c} | {f:,} |"
                  for m, b, s, r, c, f in rows]
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
