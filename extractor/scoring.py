"""The spec's five scoring levels (v2 section 6): lenient, strict, values, actors, facts.

Scoring needs only gold and predicted spans as plain dicts; texts only add context to errors.
One matching (lenient: same label, overlapping ranges, greedy largest overlap first) underlies
the first three levels: a strict match is a lenient match with identical offsets, a value match
one whose values agree. Actors and facts are per-document sets.
"""

from __future__ import annotations

import math
import string
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .labels import ACTOR_LABELS, CURRENCY_LABELS, FIGURE_LABELS, LABELS, VALUE_LABELS

LEVELS = ("mentions_lenient", "mentions_strict", "values", "actors", "facts")
VALUE_TOLERANCE = 0.005
_PUNCTUATION = str.maketrans("", "", string.punctuation + "’‘“”–—")

# What each error kind means, and the level it costs (for --errors and reports).
ERROR_KINDS: dict[str, tuple[str, str]] = {
    "FP": ("mentions_lenient", "predicted span that overlaps no gold span of its label"),
    "FN": ("mentions_lenient", "gold span that no prediction of its label overlaps"),
    "BOUNDARY": ("mentions_strict", "matched, but start or end differs"),
    "VALUE": ("values", "matched, but the value disagrees"),
    "CURRENCY": ("values", "matched MONEY with the right amount and another currency"),
    "WHEN": ("facts", "a fact with the right label and value and another period"),
    "FACT_FN": ("facts", "gold fact that no predicted fact matches"),
    "FACT_FP": ("facts", "predicted fact that matches no gold fact"),
    "ACTOR_FN": ("actors", "gold (label, canonical) missing from the predictions"),
    "ACTOR_FP": ("actors", "predicted (label, canonical) that gold does not have"),
}


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
    """One error behind one level, located by the span (or the first span of a fact)."""

    doc_id: str
    kind: str  # a key of ERROR_KINDS
    label: str
    start: int
    end: int
    text: str
    detail: str = ""

    @property
    def level(self) -> str:
        return ERROR_KINDS[self.kind][0]


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


def is_number(value: object) -> bool:
    """A finite int or float (not a bool): the only thing a figure value can be."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def values_agree(gold_value: object, pred_value: object) -> bool:
    """Numbers within 0.5% of the gold value; dates (or nulls) as equal values."""
    if is_number(gold_value):
        return is_number(pred_value) and \
            abs(pred_value - gold_value) <= VALUE_TOLERANCE * abs(gold_value)
    if gold_value is None or isinstance(gold_value, str):
        return type(pred_value) is type(gold_value) and pred_value == gold_value
    return False


def span_values_agree(gold: dict, pred: dict) -> bool:
    """The values level's test: the value agrees and, for MONEY, the currency is the same."""
    if "value" not in pred or not values_agree(gold.get("value"), pred["value"]):
        return False
    return gold["label"] not in CURRENCY_LABELS or pred.get("currency") == gold.get("currency")


def fold_canonical(name: str) -> str:
    """Case-fold, drop punctuation and a leading 'the' (actor comparison)."""
    words = name.casefold().translate(_PUNCTUATION).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def overlapping_pairs(gold: Sequence[dict], pred: Sequence[dict]) -> Iterable[tuple[int, int]]:
    """Every (gold index, pred index) of the same label whose ranges overlap, by sorted sweep.

    Runs in O(n log n + pairs + active spans) instead of comparing every pair.
    """
    events = sorted([(s["start"], 0, i) for i, s in enumerate(gold)]
                    + [(s["start"], 1, i) for i, s in enumerate(pred)])
    active: tuple[list[int], list[int]] = ([], [])
    sides = (gold, pred)
    for start, side, index in events:
        for which in (0, 1):
            active[which][:] = [i for i in active[which] if sides[which][i]["end"] > start]
        span = sides[side][index]
        if span["end"] <= span["start"]:
            continue
        for other in active[1 - side]:
            if sides[1 - side][other]["label"] == span["label"]:
                yield (index, other) if side == 0 else (other, index)
        active[side].append(index)


def match_spans(gold: Sequence[dict], pred: Sequence[dict],
                compatible: Callable[[dict, dict], bool] | None = None
                ) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of same-label overlapping spans, largest overlap first.

    Ties go to the pair covering fewer characters (an exact prediction beats a longer one).
    """
    ranked = []
    for gi, pi in overlapping_pairs(gold, pred):
        g, p = gold[gi], pred[pi]
        if compatible is None or compatible(g, p):
            covered = max(g["end"], p["end"]) - min(g["start"], p["start"])
            ranked.append((-_overlap(g, p), covered, gi, pi))
    ranked.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matches = []
    for _, _, gi, pi in ranked:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            matches.append((gi, pi))
    return matches


def _count(level: dict[str, Counts], gold: Iterable[dict], pred: Iterable[dict],
           hits: Iterable[dict]) -> None:
    for span in gold:
        level[span["label"]].gold += 1
    for span in pred:
        level[span["label"]].pred += 1
    for span in hits:
        level[span["label"]].tp += 1


def _actor_key(span: dict) -> tuple[str, str] | None:
    name = span.get("canonical")
    if not isinstance(name, str) or not name.strip():
        name = span.get("text")
    folded = fold_canonical(name) if isinstance(name, str) else ""
    return (span["label"], folded) if folded else None


def _actor_set(spans: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """(label, folded canonical) -> the first span that names it."""
    found: dict[tuple[str, str], dict] = {}
    for span in spans:
        if span["label"] in ACTOR_LABELS and (key := _actor_key(span)) is not None:
            found.setdefault(key, span)
    return found


def _fact_key(span: dict) -> tuple | None:
    """(label, value, currency, when) of a figure span with a numeric value, else None."""
    if span["label"] not in FIGURE_LABELS or not is_number(span.get("value")):
        return None
    currency = span.get("currency") if span["label"] in CURRENCY_LABELS else None
    return (span["label"], float(span["value"]), _hashable(currency), _hashable(span.get("when")))


def _hashable(attribute: object) -> object:
    """A string or None as it is; anything else as a marker that equals no string or None."""
    return attribute if attribute is None or isinstance(attribute, str) else ("invalid",
                                                                               repr(attribute))


def _fact_set(spans: Iterable[dict]) -> dict[tuple, dict]:
    found: dict[tuple, dict] = {}
    for span in spans:
        if (key := _fact_key(span)) is not None:
            found.setdefault(key, span)
    return found


def _same_fact(gold: tuple, pred: tuple) -> bool:
    label, value, currency, when = gold
    return pred[0] == label and pred[2] == currency and _same_when(when, pred[3]) \
        and values_agree(value, pred[1])


def _same_when(gold: object, pred: object) -> bool:
    return (pred is None or isinstance(pred, str)) and pred == gold


def match_facts(gold: Sequence[tuple], pred: Sequence[tuple]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of facts under the 0.5% tolerance (augmenting paths)."""
    options = [[pi for pi, p in enumerate(pred) if _same_fact(g, p)] for g in gold]
    owner: dict[int, int] = {}

    def augment(gi: int, seen: set[int]) -> bool:
        for pi in options[gi]:
            if pi not in seen:
                seen.add(pi)
                if pi not in owner or augment(owner[pi], seen):
                    owner[pi] = gi
                    return True
        return False

    for gi in range(len(gold)):
        if options[gi]:
            augment(gi, set())
    return sorted((gi, pi) for pi, gi in owner.items())


def score_document(score: Score, doc_id: str, gold: Sequence[dict], pred: Sequence[dict]
                   ) -> None:
    """Add one document's comparison to `score` (no text needed).

    Spans are dicts with int `start`/`end` and a known `label` (see `clean_predictions`);
    other attributes may be missing or of any type: they fail only the levels needing them.
    """
    score.documents += 1
    counts = score.counts
    matches = match_spans(gold, pred)
    pairs = [(gold[gi], pred[pi]) for gi, pi in matches]
    _count(counts["mentions_lenient"], gold, pred, (g for g, _ in pairs))
    _count(counts["mentions_strict"], gold, pred,
           (g for g, p in pairs if (g["start"], g["end"]) == (p["start"], p["end"])))
    _count(counts["values"], (s for s in gold if s["label"] in VALUE_LABELS),
           (s for s in pred if s["label"] in VALUE_LABELS),
           (g for g, p in pairs if g["label"] in VALUE_LABELS and span_values_agree(g, p)))
    gold_actors, pred_actors = _actor_set(gold), _actor_set(pred)
    _count(counts["actors"], gold_actors.values(), pred_actors.values(),
           (gold_actors[key] for key in gold_actors.keys() & pred_actors.keys()))
    gold_facts, pred_facts = _fact_set(gold), _fact_set(pred)
    gold_keys, pred_keys = list(gold_facts), list(pred_facts)
    fact_matches = match_facts(gold_keys, pred_keys)
    _count(counts["facts"], gold_facts.values(), pred_facts.values(),
           (gold_facts[gold_keys[gi]] for gi, _ in fact_matches))
    errors = _span_errors(doc_id, gold, pred, matches)
    errors += _actor_errors(doc_id, gold_actors, pred_actors)
    errors += _fact_errors(doc_id, gold_keys, pred_keys, gold_facts, pred_facts, fact_matches)
    score.errors.extend(sorted(errors, key=lambda e: (e.start, e.kind)))


def _span_errors(doc_id: str, gold: Sequence[dict], pred: Sequence[dict],
                 matches: list[tuple[int, int]]) -> list[SpanError]:
    errors = []
    matched = dict(matches)
    for gi, g in enumerate(gold):
        if gi not in matched:
            errors.append(_error(doc_id, "FN", g, describe(g)))
            continue
        p = pred[matched[gi]]
        if (g["start"], g["end"]) != (p["start"], p["end"]):
            errors.append(_error(doc_id, "BOUNDARY", g, f"predicted {p['start']}-{p['end']} "
                                                      f"{p.get('text')!r}"))
        if g["label"] in VALUE_LABELS and not span_values_agree(g, p):
            kind = "CURRENCY" if g["label"] in CURRENCY_LABELS and values_agree(
                g.get("value"), p.get("value")) else "VALUE"
            errors.append(_error(doc_id, kind, g, f"gold {describe(g)} / predicted {describe(p)}"))
    used = set(matched.values())
    errors += [_error(doc_id, "FP", p, describe(p)) for pi, p in enumerate(pred)
               if pi not in used]
    return errors


def _actor_errors(doc_id: str, gold: dict[tuple, dict], pred: dict[tuple, dict]
                  ) -> list[SpanError]:
    return [_error(doc_id, "ACTOR_FN", gold[key], f"canonical {key[1]!r}")
            for key in gold.keys() - pred.keys()] + \
           [_error(doc_id, "ACTOR_FP", pred[key], f"canonical {key[1]!r}")
            for key in pred.keys() - gold.keys()]


def _fact_errors(doc_id: str, gold_keys: list[tuple], pred_keys: list[tuple],
                 gold_spans: dict[tuple, dict], pred_spans: dict[tuple, dict],
                 matches: list[tuple[int, int]]) -> list[SpanError]:
    """Unmatched facts; a gold fact whose label and value a spare prediction has is a WHEN error."""
    errors = []
    spare = set(range(len(pred_keys))) - {pi for _, pi in matches}
    for gi in sorted(set(range(len(gold_keys))) - {gi for gi, _ in matches}):
        label, value, currency, when = gold_keys[gi]
        near = next((pi for pi in sorted(spare) if pred_keys[pi][0] == label
                     and pred_keys[pi][2] == currency and values_agree(value, pred_keys[pi][1])),
                    None)
        span = gold_spans[gold_keys[gi]]
        if near is None:
            errors.append(_error(doc_id, "FACT_FN", span, f"when={when!r}"))
        else:
            spare.discard(near)
            rule = pred_spans[pred_keys[near]].get("when_rule")
            errors.append(_error(doc_id, "WHEN", span,
                                 f"gold when={when!r} / predicted when={pred_keys[near][3]!r}"
                                 + (f" (rule {rule})" if rule else "")))
    errors += [_error(doc_id, "FACT_FP", pred_spans[pred_keys[pi]],
                      f"when={pred_keys[pi][3]!r}") for pi in sorted(spare)]
    return errors


def _error(doc_id: str, kind: str, span: dict, detail: str) -> SpanError:
    text = span.get("text")
    return SpanError(doc_id, kind, span["label"], span["start"], span["end"],
                     text if isinstance(text, str) else "", detail)


def describe(span: dict) -> str:
    """The attributes the levels compare, and the period rule behind `when`, as `key=value`."""
    keys = ("value", "currency", "when", "when_rule", "canonical")
    return " ".join(f"{k}={span[k]!r}" for k in keys if k in span)


@dataclass
class CleanedSpans:
    """Spans fit for scoring, and what was dropped from one document's predictions."""

    spans: list[dict]
    unknown_labels: dict[str, int] = field(default_factory=dict)
    unusable: int = 0


def clean_predictions(spans: object) -> CleanedSpans:
    """Keep every predicted span that can be a mention: int offsets and a known label.

    Missing or mistyped attributes are kept as they are (they fail only the levels that need
    them); spans with an unknown label are counted per label, those without offsets counted.
    """
    cleaned = CleanedSpans([])
    for span in spans if isinstance(spans, list) else []:
        if not isinstance(span, dict):
            cleaned.unusable += 1
            continue
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)) \
                or not isinstance(label, str):
            cleaned.unusable += 1
        elif label not in LABELS:
            cleaned.unknown_labels[label] = cleaned.unknown_labels.get(label, 0) + 1
        else:
            cleaned.spans.append(span)
    return cleaned
