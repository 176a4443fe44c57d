"""Check gold (and output) files against their texts: schema, hash, offsets, overlaps."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .io import (
    Document,
    InputProblem,
    UNREADABLE_FILE_ERRORS,
    annotation_files,
    iter_inputs,
    load_json_documents,
)
from .labels import LABELS
from .schema import TIMEX_PATTERN, GoldDocument


@dataclass
class GoldProblem:
    """One thing wrong with a gold file, located by file and span index."""

    location: str
    message: str
    span_index: int | None = None

    def __str__(self) -> str:
        where = f"{self.location}: span {self.span_index}" if self.span_index is not None \
            else self.location
        return f"{where}: {self.message}"


def load_texts(directories: list[Path]) -> dict[str, Document]:
    """Documents of the text directories, keyed by doc_id."""
    texts: dict[str, Document] = {}
    for directory in directories:
        for item in iter_inputs([str(directory)]):
            if isinstance(item, Document):
                texts[item.doc_id] = item
    return texts


def _message(item: dict) -> str:
    if item["type"] == "string_pattern_mismatch" and item["ctx"]["pattern"] == TIMEX_PATTERN:
        return (f"{item['input']!r} is not a TIMEX value (e.g. 2024-05-07, 2023-12, 2024, "
                "FY2024, 2024-Q1, 2023-W52, 2019-SU, or START/END)")
    if item["type"] == "string_pattern_mismatch":
        return f"{item['input']!r} does not match {item['ctx']['pattern']}"
    return item["msg"]


def _schema_problems(location: str, record: dict, error: ValidationError) -> list[GoldProblem]:
    problems = []
    spans = record.get("spans") if isinstance(record.get("spans"), list) else []
    for item in error.errors():
        loc = item["loc"]
        if len(loc) >= 2 and loc[0] == "spans" and isinstance(loc[1], int):
            index = loc[1]
            span = spans[index] if index < len(spans) and isinstance(spans[index], dict) else {}
            field = ".".join(str(part) for part in loc[3:]) or "label"
            what = f"{span.get('label', '?')} {span.get('text', '')!r}"
            message = _message(item)
            if item["type"] == "union_tag_invalid":
                message = f"unknown label {span.get('label')!r} (known: {', '.join(LABELS)})"
            problems.append(GoldProblem(location, f"{what}: {field}: {message}", index))
        else:
            field = ".".join(str(part) for part in loc) or "file"
            problems.append(GoldProblem(location, f"{field}: {_message(item)}"))
    return problems


def check_spans(location: str, gold: GoldDocument) -> list[GoldProblem]:
    """What can be checked without the text: span lengths and overlaps."""
    problems: list[GoldProblem] = []
    previous = None
    for index, span in sorted(enumerate(gold.spans), key=lambda pair: pair[1].start):
        if span.end <= span.start:
            problems.append(GoldProblem(location, f"offsets {span.start}-{span.end}: end must "
                                                  "be after start", index))
            continue
        if len(span.text) != span.end - span.start:
            problems.append(GoldProblem(
                location, f"text {span.text!r} has {len(span.text)} characters but its offsets "
                          f"{span.start}-{span.end} span {span.end - span.start}", index))
        if previous is not None and span.start < gold.spans[previous].end:
            problems.append(GoldProblem(
                location, f"overlaps span {previous} ({gold.spans[previous].text!r})", index))
        if previous is None or span.end > gold.spans[previous].end:
            previous = index
    return problems


def check_against_text(location: str, gold: GoldDocument, document: Document) -> list[GoldProblem]:
    """The text hash, and each span's text at its offsets."""
    problems: list[GoldProblem] = []
    text = document.text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != gold.text_sha256:
        problems.append(GoldProblem(
            location, f"text_sha256 does not match the text of {gold.doc_id} "
                      f"({document.origin}): the text changed since annotation"))
    for index, span in enumerate(gold.spans):
        if span.end > len(text):
            problems.append(GoldProblem(
                location, f"offsets {span.start}-{span.end} outside the text "
                          f"(length {len(text)})", index))
        elif text[span.start:span.end] != span.text:
            problems.append(GoldProblem(
                location, f"text {span.text!r} but the document has "
                          f"{text[span.start:span.end]!r} at {span.start}-{span.end}", index))
    if document.published and gold.published != document.published:
        problems.append(GoldProblem(location, f"published {gold.published} differs from the "
                                              f"metadata's {document.published}"))
    return problems


def parse_gold_file(path: Path) -> tuple[list[tuple[str, GoldDocument]], list[GoldProblem]]:
    """Every schema-valid gold document in `path` with its location, and the problems."""
    documents: list[tuple[str, GoldDocument]] = []
    problems: list[GoldProblem] = []
    try:
        records = list(load_json_documents(path))
    except UNREADABLE_FILE_ERRORS as error:
        return [], [GoldProblem(str(path), f"cannot read ({error.__class__.__name__}: {error}); "
                                           "gold files are UTF-8 JSON")]
    for location, record in records:
        if isinstance(record, InputProblem):
            problems.append(GoldProblem(location, record.message))
            continue
        if not isinstance(record, dict):
            problems.append(GoldProblem(location, f"a gold document is a JSON object, not "
                                                  f"{type(record).__name__}"))
            continue
        try:
            gold = GoldDocument.model_validate(record)
        except ValidationError as error:
            problems.extend(_schema_problems(location, record, error))
            continue
        found = check_spans(location, gold)
        problems.extend(found)
        if not found:
            documents.append((location, gold))
    return documents, problems


def validate_gold_file(path: Path, texts: dict[str, Document] | None
                       ) -> tuple[list[GoldDocument], list[GoldProblem]]:
    """Parse and check every gold document in `path`; against its text when `texts` is given.

    With `texts`, a document whose text is missing (from `texts` and from the record itself)
    or disagrees is a problem and left out;
    without, only what needs no text is checked (the scorer's case).
    """
    parsed, problems = parse_gold_file(path)
    documents: list[GoldDocument] = []
    for location, gold in parsed:
        if texts is not None:
            document = texts.get(gold.doc_id) or _own_text(location, gold)
            if document is None:
                problems.append(GoldProblem(location, f"no text found for doc_id "
                                                      f"{gold.doc_id!r}; pass its directory "
                                                      "with --texts"))
                continue
            found = check_against_text(location, gold, document)
            if found:
                problems.extend(found)
                continue
        documents.append(gold)
    return documents, problems


def _own_text(location: str, gold: GoldDocument) -> Document | None:
    """The text a record carries itself (convert's JSONL from Label Studio or Prodigy)."""
    text = (gold.model_extra or {}).get("text")
    return Document(gold.doc_id, text, origin=location) if isinstance(text, str) else None


def validate_paths(paths: list[Path], text_dirs: list[Path]
                   ) -> tuple[list[GoldDocument], list[GoldProblem]]:
    """Validate every gold file under `paths`; returns the good documents and all problems."""
    return validate_against(paths, load_texts(text_dirs))


def validate_against(paths: list[Path], texts: dict[str, Document] | None
                     ) -> tuple[list[GoldDocument], list[GoldProblem]]:
    """Validate every gold file under `paths` against texts already loaded (None: no texts)."""
    files = annotation_files(paths)
    documents: list[GoldDocument] = []
    problems: list[GoldProblem] = []
    if not files:
        problems.append(GoldProblem(", ".join(map(str, paths)), "no gold files found"))
    for file in files:
        if not file.exists():
            problems.append(GoldProblem(str(file), "no such file"))
            continue
        good, bad = validate_gold_file(file, texts)
        documents.extend(good)
        problems.extend(bad)
    return documents, problems
