"""Library entry points: extract documents, evaluate predictions against gold."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .io import (
    Document,
    InputProblem,
    UNREADABLE_FILE_ERRORS,
    annotation_files,
    iter_inputs,
    load_json_documents,
)
from .scoring import Score, clean_predictions, score_document


@dataclass
class Evaluation:
    """A score with the texts it was computed on and every problem met on the way."""

    score: Score
    texts: dict[str, str]
    problems: list[str] = field(default_factory=list)
    gold: dict[str, list[dict]] = field(default_factory=dict)
    predictions: dict[str, list[dict]] = field(default_factory=dict)


def extract(paths: list[str], published: str | None = None, model: str | None = None,
            batch_size: int | None = None, n_process: int = 1,
            skip: Iterable[str] = (), with_text: bool = False,
            ops: str | None = None) -> Iterator[dict | InputProblem]:
    """Output records for every readable document under `paths`, problems in between.

    Inputs are read lazily and records come out in input order as they are done.
    `skip` names doc_ids already done (a resumed run); `with_text` adds each analysed text;
    `ops` is thinc's "numpy" or "blis" matrix products (default: models/pipeline.json).
    """
    from .pipeline import Extractor  # the spaCy pipeline loads only when needed

    extractor = Extractor(model=model, batch_size=batch_size, n_process=n_process, ops=ops)
    skipped = set(skip)
    problems: list[InputProblem] = []
    seen: dict[str, str] = {}  # doc_id -> where it first came from: doc_ids are the key

    def documents() -> Iterator[Document]:
        for item in iter_inputs(paths, published):
            if isinstance(item, InputProblem):
                problems.append(item)
                continue
            where = item.origin + (f":{item.line}" if item.line else "")
            if item.doc_id in seen:
                problems.append(InputProblem(
                    item.origin, f"duplicate doc_id (first at {seen[item.doc_id]}); skipped",
                    "give every document a unique doc_id", line=item.line, doc_id=item.doc_id))
                continue
            seen[item.doc_id] = where
            if item.doc_id not in skipped:
                yield item

    texts: deque[str] = deque()  # by position: one record or skip per document, in order

    def remembered() -> Iterator[Document]:
        for document in documents():
            if with_text:
                texts.append(document.text)
            yield document

    for record in extractor.extract_many(remembered()):
        yield from _drain(problems)
        if with_text and (isinstance(record, dict) or record.skipped):  # not a warning
            text = texts.popleft()
            if isinstance(record, dict):
                record.setdefault("text", text)
        yield record
    yield from _drain(problems)


def _drain(problems: list[InputProblem]) -> Iterator[InputProblem]:
    while problems:
        yield problems.pop(0)


class EvaluationError(Exception):
    """A reason the evaluation cannot produce a score (one line for the user; exit 2)."""


@dataclass
class Predictions:
    """Predicted spans per doc_id, fit for scoring, and what was dropped on the way."""

    spans: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unknown_labels: Counter = field(default_factory=Counter)
    unusable_spans: int = 0

    def summary(self) -> list[str]:
        """One line each for the spans skipped over the whole run."""
        lines = []
        if self.unknown_labels:
            labels = ", ".join(f"{label} ({n})" for label, n in self.unknown_labels.most_common())
            lines.append(f"skipped {sum(self.unknown_labels.values())} predicted span(s) with "
                         f"unknown labels: {labels}")
        if self.unusable_spans:
            lines.append(f"skipped {self.unusable_spans} predicted span(s) without integer "
                         "start/end and a string label")
        return lines


def load_predictions(paths: list[Path]) -> Predictions:
    """Predicted spans per doc_id from output files of any system (spec section 7).

    A missing or unreadable file raises EvaluationError; a record without a doc_id or a
    spans list, a repeated doc_id, and spans that cannot be mentions are reported.
    """
    predictions = Predictions()
    files = annotation_files(paths)
    if not files:
        raise EvaluationError(f"{', '.join(map(str, paths))}: no prediction files (.json or "
                              ".jsonl) found; pass the output of `migrex extract` with --pred")
    for file in files:
        if not file.is_file():
            raise EvaluationError(f"{file}: no such prediction file; pass the output of "
                                  "`migrex extract` (or any spec-shaped JSON/JSONL) with --pred")
        try:
            records = list(load_json_documents(file))
        except UNREADABLE_FILE_ERRORS as error:
            raise EvaluationError(f"{file}: cannot read the prediction file "
                                  f"({error.__class__.__name__}); it must be UTF-8 JSON or JSONL")
        for location, record in records:
            _add_prediction(predictions, location, record)
    return predictions


def _add_prediction(predictions: Predictions, location: str, record: object) -> None:
    if isinstance(record, InputProblem):
        predictions.problems.append(f"{record}; record not scored")
        return
    doc_id = record.get("doc_id") if isinstance(record, dict) else None
    if not isinstance(doc_id, str) or not doc_id:
        predictions.problems.append(f"{location}: a prediction record needs a string doc_id; "
                                    "record not scored")
        return
    if doc_id in predictions.spans:
        predictions.problems.append(f"{location}: doc_id {doc_id!r} predicted again; the first "
                                    "record is scored")
        return
    spans = record.get("spans")
    if not isinstance(spans, list):
        predictions.problems.append(f"{location}: {doc_id}: 'spans' is not a list; scored as "
                                    "an empty prediction")
    cleaned = clean_predictions(spans)
    predictions.spans[doc_id] = cleaned.spans
    predictions.unknown_labels.update(cleaned.unknown_labels)
    predictions.unusable_spans += cleaned.unusable


def load_records_with_text(paths: list[Path], text_dirs: list[Path]
                           ) -> tuple[list[dict], list[str]]:
    """Gold or output records from files, each completed with its document's `text`."""
    from .validate import load_texts

    texts = None
    records: list[dict] = []
    problems: list[str] = []
    for file in annotation_files(paths):
        for location, record in load_json_documents(file):
            if isinstance(record, InputProblem):
                problems.append(str(record))
                continue
            if "text" not in record:
                texts = texts if texts is not None else load_texts(text_dirs)
                document = texts.get(record.get("doc_id"))
                if document is None:
                    problems.append(f"{location}: no text for doc_id {record.get('doc_id')!r}; "
                                    "pass its directory with --texts")
                    continue
                record = {**record, "text": document.text}
            records.append(record)
    return records, problems


def load_saved_predictions(paths: list[Path], text_dirs: list[Path]
                           ) -> tuple[list[dict], list[str]]:
    """Saved output records (of `extract`, or any spec-shaped predictions) with their texts,
    from each record's `text` or the --texts directories: spans that cannot be drawn on the
    text (no offsets, unknown label, outside the text) are dropped, and every drop is said."""
    records, problems = load_records_with_text(paths, text_dirs)
    shown = []
    for record in records:
        doc_id, text = record.get("doc_id"), record.get("text")
        if not isinstance(doc_id, str) or not doc_id or not isinstance(text, str):
            problems.append(f"{doc_id!r}: a saved record needs a string doc_id and text; "
                            "not shown")
            continue
        cleaned = clean_predictions(record.get("spans"))
        dropped = cleaned.unusable + sum(cleaned.unknown_labels.values())
        if dropped:
            problems.append(f"{doc_id}: {dropped} span(s) without integer offsets or with an "
                            "unknown label not shown")
        problems.extend(_offset_disagreements(doc_id, text, cleaned.spans))
        spans = [span for span in cleaned.spans if 0 <= span["start"] < span["end"] <= len(text)]
        shown.append({**record, "spans": spans})
    return shown, problems


def evaluate(gold_paths: list[Path], text_dirs: list[Path] | None = None,
             pred_paths: list[Path] | None = None) -> Evaluation:
    """Score predictions (files, or a fresh extraction of the texts when None) against gold.

    Scoring needs only gold and prediction files; texts, when given, add context to errors
    and are checked against the gold and predicted offsets (disagreements are reported).
    Raises EvaluationError when no document can be scored or a prediction file is unusable.
    """
    from .validate import check_against_text, load_texts, validate_against

    if pred_paths is None and not text_dirs:
        raise EvaluationError("a fresh extraction needs the texts: pass --texts DIR, or "
                              "score existing predictions with --pred FILE")
    documents = load_texts(text_dirs) if text_dirs else {}
    gold_documents, gold_problems = validate_against(gold_paths, None)
    problems = [str(problem) for problem in gold_problems]
    if pred_paths is None:
        problems.extend(f"{gold.doc_id}: no text to extract from; pass its directory with --texts"
                        for gold in gold_documents if gold.doc_id not in documents)
        gold_documents = [gold for gold in gold_documents if gold.doc_id in documents]
        predicted, extraction_problems = _extract_for_gold(gold_documents, documents)
        problems.extend(extraction_problems)
    else:
        loaded = load_predictions(pred_paths)
        predicted = loaded.spans
        problems.extend(loaded.problems + loaded.summary())
    score = Score()
    gold_spans = {}
    for gold in gold_documents:
        document = documents.get(gold.doc_id)
        spans = [span.model_dump() for span in gold.spans]
        if document is not None:
            problems.extend(str(p) for p in check_against_text(gold.doc_id, gold, document))
        if gold.doc_id not in predicted:
            problems.append(f"{gold.doc_id}: no prediction; scored as an empty document")
        pred = predicted.get(gold.doc_id, [])
        if document is not None:
            problems.extend(_offset_disagreements(gold.doc_id, document.text, pred))
        gold_spans[gold.doc_id] = spans
        score_document(score, gold.doc_id, spans, pred)
    for doc_id in sorted(set(predicted) - set(gold_spans)):
        problems.append(f"{doc_id}: prediction has no gold file; not scored")
    if score.documents == 0:
        raise EvaluationError("no document scored: " + (problems[0] if problems else
                              f"no gold files under {', '.join(map(str, gold_paths))}"))
    texts = {doc_id: document.text for doc_id, document in documents.items()}
    return Evaluation(score, texts, problems, gold_spans, predicted)


def _offset_disagreements(doc_id: str, text: str, spans: list[dict]) -> list[str]:
    """One line for the predicted spans whose `text` is not the document's text at their offsets."""
    wrong = [span for span in spans if not (0 <= span["start"] < span["end"] <= len(text))
             or ("text" in span and text[span["start"]:span["end"]] != span["text"])]
    if not wrong:
        return []
    first = wrong[0]
    return [f"{doc_id}: {len(wrong)} predicted span(s) disagree with the text at their offsets "
            f"(first: {first['start']}-{first['end']} {first.get('text')!r}); were they made "
            "from another version of the text?"]


def _extract_for_gold(gold_documents, documents: dict[str, Document]
                      ) -> tuple[dict[str, list[dict]], list[str]]:
    from .pipeline import Extractor  # the spaCy pipeline loads only when needed

    wanted = [documents[gold.doc_id] for gold in gold_documents]
    predictions: dict[str, list[dict]] = {}
    problems: list[str] = []
    for result in Extractor().extract_many(wanted):
        if isinstance(result, InputProblem):
            problems.append(str(result))
        else:
            predictions[result["doc_id"]] = result["spans"]
    return predictions, problems


__all__ = ["Evaluation", "EvaluationError", "evaluate", "extract",
           "load_predictions", "load_saved_predictions"]
