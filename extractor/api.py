"""Library entry points: extract documents, evaluate predictions against gold."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pydantic import ValidationError

from .io import (
    Document,
    InputProblem,
    annotation_files,
    iter_inputs,
    load_json_documents,
)
from .schema import OutputDocument
from .scoring import Score, score_document
from .validate import GoldProblem, load_texts, validate_against


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
            skip: Iterable[str] = (), with_text: bool = False) -> Iterator[dict | InputProblem]:
    """Output records for every readable document under `paths`, problems in between.

    Inputs are read lazily and records come out in input order as they are done.
    `skip` names doc_ids already done (a resumed run); `with_text` adds each analysed text.
    """
    from .pipeline import Extractor  # the spaCy pipeline loads only when needed

    extractor = Extractor(model=model, batch_size=batch_size, n_process=n_process)
    skipped = set(skip)
    problems: list[InputProblem] = []

    def documents() -> Iterator[Document]:
        for item in iter_inputs(paths, published):
            if isinstance(item, InputProblem):
                problems.append(item)
            elif item.doc_id not in skipped:
                yield item

    texts: dict[str, str] = {}

    def remembered() -> Iterator[Document]:
        for document in documents():
            if with_text:
                texts[document.doc_id] = document.text
            yield document

    for record in extractor.extract_many(remembered()):
        yield from _drain(problems)
        if with_text and isinstance(record, dict):
            record.setdefault("text", texts.pop(record["doc_id"], ""))
        yield record
    yield from _drain(problems)


def _drain(problems: list[InputProblem]) -> Iterator[InputProblem]:
    while problems:
        yield problems.pop(0)


def load_predictions(paths: list[Path]) -> tuple[dict[str, list[dict]], list[str]]:
    """Predicted spans per doc_id from output files (JSON, JSONL or directories of them)."""
    predictions: dict[str, list[dict]] = {}
    problems: list[str] = []
    for file in annotation_files(paths):
        if not file.exists():
            problems.append(f"{file}: no such file")
            continue
        for location, record in load_json_documents(file):
            if isinstance(record, InputProblem):
                problems.append(str(record))
                continue
            try:
                document = OutputDocument.model_validate(record)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                problems.append(f"{location}: invalid prediction ({where}: {first['msg']}); "
                                "document scored as empty")
                continue
            predictions[document.doc_id] = [span.model_dump() for span in document.spans]
    return predictions, problems


def load_records_with_text(paths: list[Path], text_dirs: list[Path]
                           ) -> tuple[list[dict], list[str]]:
    """Gold or output records from files, each completed with its document's `text`."""
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


def evaluate(gold_paths: list[Path], text_dirs: list[Path],
             pred_paths: list[Path] | None = None) -> Evaluation:
    """Score predictions (files, or a fresh extraction when None) against valid gold files."""
    documents = load_texts(text_dirs)
    gold_documents, gold_problems = validate_against(gold_paths, documents)
    problems = [str(problem) for problem in gold_problems]
    texts = {doc_id: document.text for doc_id, document in documents.items()}
    if pred_paths is None:
        predictions, extraction_problems = _extract_for_gold(gold_documents, documents)
        problems.extend(extraction_problems)
    else:
        predictions, pred_problems = load_predictions(pred_paths)
        problems.extend(pred_problems)
    score = Score()
    gold_spans = {}
    for gold in gold_documents:
        predicted = predictions.get(gold.doc_id)
        if predicted is None:
            problems.append(f"{gold.doc_id}: no prediction; scored as an empty document")
        gold_spans[gold.doc_id] = [span.model_dump() for span in gold.spans]
        score_document(score, gold.doc_id, texts.get(gold.doc_id), gold_spans[gold.doc_id],
                       predicted or [])
    known = {gold.doc_id for gold in gold_documents}
    for doc_id in sorted(set(predictions) - known):
        problems.append(f"{doc_id}: prediction has no gold file; not scored")
    return Evaluation(score, texts, problems, gold_spans, predictions)


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


__all__ = ["Evaluation", "GoldProblem", "evaluate", "extract", "load_predictions"]
