"""The spec's five scoring levels (section 6): lenient, strict, values, actors, facts."""

from __future__ import annotations

import string
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .schema import ACTOR_LABELS, FIGURE_LABELS, LABELS, VALUE_LABELS

LEVELS = ("mentions_lenient", "mentions_strict", "values", "actors", "facts")
VALUE_TOLERANCE = 0.005
_PUNCTUATION = str.maketrans("", "", string.punctuation + "’‘“”–—")


@dataclass
class Counts:
    """True positives, predictions and gold items for one label."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    def as_dict(self) -> dict:
        p = self.tp / self.pred if self.pred else (1.0 if not self.gold else 0.0)
        r = self.tp / self.gold if self.gold else (1.0 if not self.pred else 0.0)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4),
                "tp": self.tp, "pred": self.pred, "gold": self.gold}


@dataclass
class SpanError:
    """A false positive, a miss, or a matched span whose value disagrees."""

    doc_id: str
    kind: str  # "FP", "FN" or "VALUE"
    label: str
    start: int
    end: int
    text: str
    detail: str = ""


@dataclass
class Score:
    """Counts per level and label, plus the errors behind them."""

    counts: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: {level: defaultdict(Counts) for level in LEVELS})
    errors: list[SpanError] = field(default_factory=list)
    documents: int = 0

    def as_dict(self) -> dict:
        result = {}
        for level in LEVELS:
            labels = self.counts[level]
            micro = Counts()
            for counts in labels.values():
                micro.add(counts)
            result[level] = {"micro": micro.as_dict()}
            result[level].update({label: labels[label].as_dict()
                                  for label in LABELS if label in labels})
        return result


def values_agree(gold_value: object, pred_value: object) -> bool:
    """Numbers within 0.5% of the gold value; anything else as equal values."""
    if isinstance(gold_value, (int, float)) and isinstance(pred_value, (int, float)) \
            and not isinstance(pred_value, bool):
        return abs(pred_value - gold_value) <= VALUE_TOLERANCE * abs(gold_value)
    return gold_value == pred_value


def fold_canonical(name: str) -> str:
    """Case-fold, drop punctuation and a leading 'the' (actor comparison)."""
    words = name.casefold().translate(_PUNCTUATION).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def match_spans(gold: Sequence[dict], pred: Sequence[dict],
                compatible: Callable[[dict, dict], bool]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, largest overlap first, among compatible same-label pairs."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g["label"] == p["label"] and _overlap(g, p) > 0 and compatible(g, p):
                pairs.append((-_overlap(g, p), gi, pi))
    pairs.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matches = []
    for _, gi, pi in pairs:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            matches.append((gi, pi))
    return matches


def _count_matches(level: dict[str, Counts], gold: Sequence[dict], pred: Sequence[dict],
                   matches: Iterable[tuple[int, int]]) -> None:
    for span in gold:
        level[span["label"]].gold += 1
    for span in pred:
        level[span["label"]].pred += 1
    for gi, _ in matches:
        level[gold[gi]["label"]].tp += 1


def _match_sets(level: dict[str, Counts], gold: set[tuple], pred: set[tuple],
                same: Callable[[tuple, tuple], bool]) -> None:
    """One-to-one matching of (label, ...) tuples under `same`, counted per label."""
    unmatched = sorted(pred, key=repr)
    for item in gold:
        level[item[0]].gold += 1
    for item in pred:
        level[item[0]].pred += 1
    for item in sorted(gold, key=repr):
        for candidate in unmatched:
            if same(item, candidate):
                level[item[0]].tp += 1
                unmatched.remove(candidate)
                break


def _facts(spans: Iterable[dict]) -> set[tuple]:
    return {(s["label"], float(s["value"]), s.get("when")) for s in spans
            if s["label"] in FIGURE_LABELS and isinstance(s.get("value"), (int, float))}


def _same_fact(gold: tuple, pred: tuple) -> bool:
    return gold[0] == pred[0] and gold[2] == pred[2] and values_agree(gold[1], pred[1])


def score_document(score: Score, doc_id: str, text: str | None,
                   gold: Sequence[dict], pred: Sequence[dict]) -> None:
    """Add one document's comparison to `score` (spans as plain dicts)."""
    score.documents += 1
    counts = score.counts
    lenient = match_spans(gold, pred, lambda g, p: True)
    _count_matches(counts["mentions_lenient"], gold, pred, lenient)
    strict = match_spans(gold, pred, lambda g, p: (g["start"], g["end"]) == (p["start"], p["end"]))
    _count_matches(counts["mentions_strict"], gold, pred, strict)
    gold_values = [s for s in gold if s["label"] in VALUE_LABELS]
    pred_values = [s for s in pred if s["label"] in VALUE_LABELS]
    valued = match_spans(gold_values, pred_values,
                         lambda g, p: values_agree(g.get("value"), p.get("value")))
    _count_matches(counts["values"], gold_values, pred_values, valued)
    _match_sets(counts["actors"],
                {(s["label"], fold_canonical(s["canonical"])) for s in gold
                 if s["label"] in ACTOR_LABELS},
                {(s["label"], fold_canonical(s.get("canonical") or s["text"])) for s in pred
                 if s["label"] in ACTOR_LABELS},
                lambda g, p: g == p)
    _match_sets(counts["facts"], _facts(gold), _facts(pred), _same_fact)
    _collect_errors(score, doc_id, gold, pred, lenient)


def _collect_errors(score: Score, doc_id: str, gold: Sequence[dict], pred: Sequence[dict],
                    lenient: list[tuple[int, int]]) -> None:
    matched_gold = {gi: pi for gi, pi in lenient}
    matched_pred = set(matched_gold.values())
    for gi, g in enumerate(gold):
        if gi not in matched_gold:
            score.errors.append(SpanError(doc_id, "FN", g["label"], g["start"], g["end"], g["text"],
                                          _describe(g)))
            continue
        p = pred[matched_gold[gi]]
        if g["label"] in VALUE_LABELS and not (
                values_agree(g.get("value"), p.get("value")) and g.get("when") == p.get("when")):
            score.errors.append(SpanError(
                doc_id, "VALUE", g["label"], g["start"], g["end"], g["text"],
                f"gold {_describe(g)} / predicted {p['text']!r} {_describe(p)}"))
    for pi, p in enumerate(pred):
        if pi not in matched_pred:
            score.errors.append(SpanError(doc_id, "FP", p["label"], p["start"], p["end"], p["text"],
                                          _describe(p)))
    score.errors.sort(key=lambda e: (e.doc_id, e.start, e.kind))


def _describe(span: dict) -> str:
    keys = ("value", "currency", "when", "canonical")
    return " ".join(f"{k}={span[k]!r}" for k in keys if k in span)
