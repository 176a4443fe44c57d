#!/usr/bin/env python3
"""Independent reference scorer for annotation-guidelines v2, section 6 (stdlib only).

Usage: spec_scorer.py --gold DIR_OR_FILE [--gold ...] --pred PRED.jsonl|PRED.json [--json OUT]

Interpretations of the spec (section 6 unless stated):
 I1  Matching is per document and per label (labels equal, [start,end) ranges overlap by >= 1
     char). Greedy one-to-one: candidate pairs are taken by largest overlap; ties go to the
     smaller union (so an exact-offset prediction beats a longer one of equal overlap), then
     gold order, then prediction order. Each prediction also matches at most one gold span.
 I2  Strict = the lenient matches whose start and end are identical. With non-overlapping gold
     spans and the I1 tie-break this equals an exact-offset one-to-one matching.
 I3  Values = the lenient matches ("a match counts only if...") for DATE + six figure labels
     whose values agree; it is NOT a re-matching of all overlapping pairs under the value
     condition. pred/gold = all predicted/gold spans of those 7 labels; "when" is not used.
 I4  Numbers agree when |pred - gold| <= 0.005 * |gold| (inclusive; exact rational arithmetic;
     gold 0 needs pred 0). A number is a JSON int/float that is finite and not a bool; numeric
     strings ("578") are wrong-typed and never agree. Gold must be a number too.
 I5  MONEY values/facts also need currency strings that are equal exactly (case-sensitive).
 I6  DATE values agree when both are equal strings, or both are explicitly null. A predicted
     DATE with no "value" key (or a non-string, non-null value) fails, even against null gold.
 I7  Actors: per document the SET of (label, key) for PERSON/ORG/GPE. key = canonical; a span
     whose canonical is missing, null, non-string or blank uses its "text" instead (gold
     too); with neither, the span adds no actor. Normalisation: casefold, delete every
     Unicode punctuation char (category P*, e.g. . , ' - & ") without inserting a space,
     collapse whitespace runs and strip, then delete one leading "the " word. Empty keys dropped.
 I8  Facts: per document the SET (exact duplicates merged) of (label, value, when) for the six
     figure labels, MONEY (label, value, currency, when). A figure whose value is not a number
     (I4) forms no fact. A missing/wrong-typed "when" (not str/null) or MONEY currency (not str)
     still forms a fact that can match nothing (counts in pred). Edges need equal label, equal
     when (null == null), equal currency and I4 value agreement; tp = MAXIMUM one-to-one
     matching (Kuhn augmenting paths), not a greedy one.
 I9  Scores: tp/pred/gold summed over documents; P = tp/pred, R = tp/gold, 0 when the
     denominator is 0; F = 2PR/(P+R), 0 when P+R = 0. Micro = over all labels of the level.
 I10 Labels are case-sensitive exact strings. Predicted spans with an unknown label are
     ignored (one stderr line). Spans that are not objects or lack an int start, int end or
     string label are skipped (one stderr line). Spans with end <= start are mentions that
     overlap nothing.
 I11 Gold documents without a prediction score as empty; prediction docs without gold,
     repeated prediction doc_ids (first one kept) and unparsable lines are reported. A pred
     doc whose "spans" is not a list is scored as empty (reported). A document counts as scored
     when it is a gold document, so exit 2 only when no gold document loads (or the pred file
     is missing/unreadable). A gold span with unknown label or bad offsets is fatal (exit 2).
 I12 Pred file: parsed as one JSON value (object or list of objects); if that fails, as JSONL.
     Gold: every *.json in a --gold directory (non-recursive), or the file itself; doc_id is
     taken from the file, else its stem. Duplicate gold doc_ids: first kept, reported.
"""
import argparse
import json
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

ACTORS = ("PERSON", "ORG", "GPE")
FIGURES = ("MONEY", "ENCOUNTERS", "REMOVALS", "VISAS", "PEOPLE", "PERCENT")
LABELS = ACTORS + ("DATE",) + FIGURES
LEVELS = {"mentions_lenient": LABELS, "mentions_strict": LABELS,
          "values": ("DATE",) + FIGURES, "actors": ACTORS, "facts": FIGURES}
BAD = object()  # sentinel for a missing or wrong-typed attribute inside a fact tuple
Span = dict[str, Any]


def report(msg: str) -> None:
    """Print one report line on stderr."""
    print(f"spec_scorer: {msg}", file=sys.stderr)


def fail(msg: str) -> None:
    """Report one line and exit with status 2."""
    report(msg)
    sys.exit(2)


def is_num(x: Any) -> bool:
    """True for a finite JSON number (bool excluded)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def num_agree(pred: Any, gold: Any) -> bool:
    """I4: pred within 0.5% (inclusive) of gold, both numbers, exact arithmetic."""
    if not (is_num(pred) and is_num(gold)):
        return False
    return abs(Fraction(pred) - Fraction(gold)) * 200 <= abs(Fraction(gold))


def value_agree(p: Span, g: Span) -> bool:
    """I5/I6: value agreement of a matched pair of the same label."""
    if g["label"] == "DATE":
        if "value" not in p:
            return False
        pv, gv = p["value"], g.get("value")
        return (pv is None and gv is None) or (isinstance(pv, str) and pv == gv)
    if not num_agree(p.get("value"), g.get("value")):
        return False
    if g["label"] == "MONEY":
        pc, gc = p.get("currency"), g.get("currency")
        return isinstance(pc, str) and pc == gc
    return True


def valid_span(s: Any) -> bool:
    """A span can be a mention only with int start, int end and a string label."""
    return (isinstance(s, dict) and isinstance(s.get("label"), str)
            and all(isinstance(s.get(k), int) and not isinstance(s.get(k), bool)
                    for k in ("start", "end")))


def load_gold(paths: list[str]) -> dict[str, list[Span]]:
    """Load gold documents from directories / files; fatal on malformed gold spans."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.glob("*.json"))
        elif p.is_file():
            files.append(p)
        else:
            fail(f"gold path not found: {p}")
    gold: dict[str, list[Span]] = {}
    for f in files:
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            fail(f"cannot read gold file {f}: {e}")
        doc_id = d.get("doc_id") or f.stem
        for i, s in enumerate(d.get("spans", [])):
            if not valid_span(s) or s["label"] not in LABELS:
                fail(f"gold {f} span {i}: unknown label or bad start/end: {s!r}")
        if doc_id in gold:
            report(f"duplicate gold doc_id {doc_id} in {f}: first kept")
            continue
        gold[doc_id] = list(d.get("spans", []))
    return gold


def load_pred(path: str) -> tuple[dict[str, Any], Counter]:
    """Load predictions (JSON object/list or JSONL); returns doc_id -> raw spans and notes."""
    notes: Counter = Counter()
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read pred file {path}: {e}")
    try:
        whole = json.loads(raw)
        objs = whole if isinstance(whole, list) else [whole]
    except ValueError:
        objs = []
        for line in filter(str.strip, raw.splitlines()):
            try:
                objs.append(json.loads(line))
            except ValueError:
                notes["unparsable lines"] += 1
    pred: dict[str, Any] = {}
    for o in objs:
        if not isinstance(o, dict) or not isinstance(o.get("doc_id"), str):
            notes["objects without doc_id"] += 1
        elif o["doc_id"] in pred:
            notes["repeated doc_ids (first kept)"] += 1
        else:
            pred[o["doc_id"]] = o.get("spans")
    return pred, notes


def clean_pred(spans: Any, notes: Counter, unknown: Counter) -> list[Span]:
    """Keep the predicted spans that can be mentions with a known label (I10)."""
    if not isinstance(spans, list):
        notes["docs whose spans is not a list (scored empty)"] += 1
        return []
    out = []
    for s in spans:
        if not valid_span(s):
            notes["malformed spans skipped"] += 1
        elif s["label"] not in LABELS:
            unknown[s["label"]] += 1
        else:
            out.append(s)
    return out


def match(gold: list[Span], pred: list[Span]) -> list[tuple[Span, Span]]:
    """I1: greedy one-to-one matching by largest overlap (same label)."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if p["label"] == g["label"] and ov > 0:
                union = max(g["end"], p["end"]) - min(g["start"], p["start"])
                cands.append((-ov, union, gi, pi))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], pred[pi]))
    return pairs


def norm_actor(s: Span) -> str | None:
    """I7: normalised actor key from canonical (else text), or None."""
    name = s.get("canonical")
    if not isinstance(name, str) or not name.strip():
        name = s.get("text")  # choice: predicted actor without canonical uses its text
    if not isinstance(name, str):
        return None
    name = "".join(c for c in name.casefold() if not unicodedata.category(c).startswith("P"))
    name = " ".join(name.split())
    if name.startswith("the "):
        name = name[4:]
    return name or None


def fact(s: Span) -> tuple | None:
    """I8: fact tuple of a figure span, or None when its value is not a number."""
    if not is_num(s.get("value")):
        return None
    when = s.get("when", BAD)
    when = when if when is None or isinstance(when, str) else BAD
    cur = s.get("currency") if isinstance(s.get("currency"), str) else BAD
    return (s["label"], s["value"], cur if s["label"] == "MONEY" else None, when)


def fact_edge(p: tuple, g: tuple) -> bool:
    """Can predicted fact p match gold fact g?"""
    return (p[0] == g[0] and p[2] is not BAD and p[2] == g[2] and p[3] is not BAD
            and g[3] is not BAD and p[3] == g[3] and num_agree(p[1], g[1]))


def max_matching(pf: list[tuple], gf: list[tuple]) -> list[tuple]:
    """I8: maximum one-to-one matching (Kuhn); returns the matched gold facts."""
    adj = [[j for j, g in enumerate(gf) if fact_edge(p, g)] for p in pf]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(pf)):
        augment(i, set())
    return [gf[j] for j in owner]


def score(gold: dict[str, list[Span]], pred: dict[str, Any], notes: Counter) -> dict:
    """Count tp/pred/gold per level and label, summed over gold documents."""
    cnt = {lv: {lab: Counter() for lab in labs} for lv, labs in LEVELS.items()}
    unknown: Counter = Counter()

    def add(level: str, key: str, items: list[str]) -> None:
        for lab in items:
            cnt[level][lab][key] += 1

    for doc_id, gspans in gold.items():
        pspans = clean_pred(pred.get(doc_id, []), notes, unknown)
        for lv in ("mentions_lenient", "mentions_strict"):
            add(lv, "gold", [s["label"] for s in gspans])
            add(lv, "pred", [s["label"] for s in pspans])
        add("values", "gold", [s["label"] for s in gspans if s["label"] in LEVELS["values"]])
        add("values", "pred", [s["label"] for s in pspans if s["label"] in LEVELS["values"]])
        for g, p in match(gspans, pspans):
            add("mentions_lenient", "tp", [g["label"]])
            if (g["start"], g["end"]) == (p["start"], p["end"]):
                add("mentions_strict", "tp", [g["label"]])
            if g["label"] in LEVELS["values"] and value_agree(p, g):
                add("values", "tp", [g["label"]])
        ga, pa = ({(s["label"], k) for s in sp if s["label"] in ACTORS
                   and (k := norm_actor(s)) is not None} for sp in (gspans, pspans))
        add("actors", "gold", [a[0] for a in ga])
        add("actors", "pred", [a[0] for a in pa])
        add("actors", "tp", [a[0] for a in ga & pa])
        gf, pf = ([f for f in {fact(s) for s in sp if s["label"] in FIGURES} if f]
                  for sp in (gspans, pspans))
        add("facts", "gold", [f[0] for f in gf])
        add("facts", "pred", [f[0] for f in pf])
        add("facts", "tp", [f[0] for f in max_matching(pf, gf)])
    if unknown:
        report("ignored spans with unknown labels: "
               + ", ".join(f"{k!r} x{v}" for k, v in sorted(unknown.items())))
    return {lv: finish(c) for lv, c in cnt.items()}


def prf(c: Counter) -> dict:
    """Precision, recall, F1 from a tp/pred/gold counter (I9)."""
    tp, np_, ng = c["tp"], c["pred"], c["gold"]
    p, r = (tp / np_ if np_ else 0.0), (tp / ng if ng else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "pred": np_, "gold": ng}


def finish(by_label: dict[str, Counter]) -> dict:
    """Micro scores plus per-label scores for one level."""
    micro = sum(by_label.values(), Counter())
    return {"micro": prf(micro), **{lab: prf(c) for lab, c in by_label.items()}}


def main() -> None:
    """Parse arguments, score, print the table and optionally write JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", action="append", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not Path(args.pred).is_file():
        fail(f"pred file not found: {args.pred}")
    gold = load_gold(args.gold)
    pred, notes = load_pred(args.pred)
    if not gold:
        fail("zero documents scored (no gold documents loaded)")
    extra = sorted(set(pred) - set(gold))
    if extra:
        more = ", ..." if len(extra) > 5 else ""
        notes[f"pred docs without gold ignored ({', '.join(extra[:5])}{more})"] += len(extra)
    missing = [d for d in gold if d not in pred]
    if missing:
        notes["gold docs without prediction (scored empty)"] += len(missing)
    res = score(gold, pred, notes)
    for what, n in notes.items():
        report(f"{what}: {n}")
    print(f"{len(gold)} documents scored")
    print(f"{'level':<18}{'P':>7}{'R':>7}{'F1':>7}  tp/pred/gold   per-label F1")
    for lv, r in res.items():
        m = r["micro"]
        labs = " ".join(f"{k}={v['f']:.3f}" for k, v in r.items() if k != "micro")
        print(f"{lv:<18}{m['p']:>7.3f}{m['r']:>7.3f}{m['f']:>7.3f}  "
              f"{m['tp']}/{m['pred']}/{m['gold']:<8} {labs}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
