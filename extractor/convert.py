"""Interchange between migrex records (gold or output) and other annotation formats:
spaCy DocBin, Prodigy JSONL, Label Studio JSON and brat standoff."""

from __future__ import annotations

import json
from pathlib import Path

FORMATS = ("migrex", "spacy", "prodigy", "labelstudio", "brat")
_CORE_KEYS = ("start", "end", "label", "text")


def _attributes(span: dict) -> dict:
    return {key: value for key, value in span.items() if key not in _CORE_KEYS}


def _meta(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ("spans", "facts", "text")}


def _span(start: int, end: int, label: str, text: str, attributes: dict) -> dict:
    return {"start": start, "end": end, "label": label, "text": text[start:end], **attributes}


# --- Prodigy -------------------------------------------------------------------------------

def to_prodigy(records: list[dict]) -> list[dict]:
    """Prodigy's span format: `text`, `spans` (attributes kept on each span), `meta`."""
    return [{"text": r["text"], "spans": [dict(s) for s in r["spans"]], "meta": _meta(r)}
            for r in records]


def from_prodigy(tasks: list[dict]) -> list[dict]:
    return [{**task["meta"], "text": task["text"],
             "spans": [_span(s["start"], s["end"], s["label"], task["text"], _attributes(s))
                       for s in task["spans"]]} for task in tasks]


# --- Label Studio --------------------------------------------------------------------------

def to_labelstudio(records: list[dict]) -> list[dict]:
    """Label Studio tasks with one annotation of `labels` regions; attributes in `meta`."""
    tasks = []
    for record in records:
        results = [{"id": f"s{index}", "from_name": "label", "to_name": "text", "type": "labels",
                    "value": {"start": s["start"], "end": s["end"], "text": s["text"],
                              "labels": [s["label"]]},
                    "meta": {"text": [json.dumps(_attributes(s), ensure_ascii=False)]}}
                   for index, s in enumerate(record["spans"])]
        tasks.append({"data": {"text": record["text"], **_meta(record)},
                      "annotations": [{"result": results}]})
    return tasks


def from_labelstudio(tasks: list[dict]) -> list[dict]:
    records = []
    for task in tasks:
        data = dict(task["data"])
        text = data.pop("text")
        results = task["annotations"][0]["result"] if task.get("annotations") else []
        spans = [_span(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], text,
                       json.loads(r.get("meta", {}).get("text", ["{}"])[0]))
                 for r in results if r.get("type") == "labels"]
        records.append({**data, "text": text, "spans": spans})
    return records


# --- brat standoff -------------------------------------------------------------------------

def to_brat(record: dict) -> tuple[str, str]:
    """(`.txt`, `.ann`) contents: a text-bound annotation per span, attributes as notes."""
    lines = []
    for index, span in enumerate(record["spans"], start=1):
        surface = record["text"][span["start"]:span["end"]].replace("\n", " ")
        lines.append(f"T{index}\t{span['label']} {span['start']} {span['end']}\t{surface}")
        lines.append(f"#{index}\tAnnotatorNotes T{index}\t"
                     + json.dumps(_attributes(span), ensure_ascii=False))
    return record["text"], "\n".join(lines) + ("\n" if lines else "")


def from_brat(text: str, ann: str, meta: dict) -> dict:
    bounds: dict[str, tuple[str, int, int]] = {}
    notes: dict[str, dict] = {}
    for line in ann.splitlines():
        if line.startswith("T"):
            key, middle, _ = line.split("\t", 2)
            label, start, end = middle.split(" ")[:3]
            bounds[key] = (label, int(start), int(end))
        elif line.startswith("#"):
            _, middle, note = line.split("\t", 2)
            notes[middle.split(" ")[1]] = json.loads(note)
    spans = [_span(start, end, label, text, notes.get(key, {}))
             for key, (label, start, end) in bounds.items()]
    return {**meta, "text": text, "spans": sorted(spans, key=lambda s: (s["start"], s["end"]))}


# --- spaCy DocBin --------------------------------------------------------------------------

def to_docbin(records: list[dict], nlp=None):
    """A DocBin: non-overlapping spans in `doc.ents`, all of them in `doc.spans['migrex']`,
    attributes and metadata in the user data."""
    import spacy
    from spacy.tokens import DocBin

    nlp = nlp or spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    for record in records:
        doc = nlp.make_doc(record["text"])
        spans = []
        for span in record["spans"]:
            token_span = doc.char_span(span["start"], span["end"], label=span["label"],
                                       alignment_mode="expand")
            spans.append(token_span)
        doc.spans["migrex"] = spans
        doc.set_ents([s for s in _non_overlapping(spans)])
        doc.user_data["migrex_meta"] = _meta(record)
        doc.user_data["migrex_spans"] = [dict(s) for s in record["spans"]]  # exact offsets
        docbin.add(doc)
    return docbin


def from_docbin(docbin, nlp=None) -> list[dict]:
    import spacy

    nlp = nlp or spacy.blank("en")
    records = []
    for doc in docbin.get_docs(nlp.vocab):
        spans = doc.user_data.get("migrex_spans")
        if spans is None:  # a DocBin from elsewhere: take its span group or entities
            group = doc.spans.get("migrex", doc.ents)
            spans = [{"start": s.start_char, "end": s.end_char, "label": s.label_,
                      "text": s.text} for s in group]
        records.append({**doc.user_data.get("migrex_meta", {}), "text": doc.text,
                        "spans": [dict(s) for s in spans]})
    return records


def _non_overlapping(spans):
    kept, end = [], -1
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if span.start >= end:
            kept.append(span)
            end = span.end
    return kept


# --- files ---------------------------------------------------------------------------------

class ConvertError(ValueError):
    """A source record or file convert cannot read: `where` is file (and line) or record."""

    def __init__(self, where: str, message: str, hint: str = "fix or remove it"):
        super().__init__(f"{where}: {message}; {hint}")
        self.where, self.message, self.hint = where, message, hint


def brat_file_stems(records: list[dict]) -> list[str]:
    """One file stem per record, safe in any directory: the doc_id when it is a plain name,
    else a slug with a short hash; never two alike, even on a case-insensitive disk."""
    from .io import safe_file_stem

    used: set[str] = set()
    stems = []
    for record in records:
        doc_id = str(record.get("doc_id", ""))
        stem, n = safe_file_stem(doc_id), 1
        while stem.lower() in used:
            n += 1
            stem = safe_file_stem(f"{doc_id}\x00{n}", readable=doc_id)
        used.add(stem.lower())
        stems.append(stem)
    return stems


def write(records: list[dict], fmt: str, output: Path) -> None:
    """Write records (each with its `text`) in `fmt` to `output` (a directory for brat),
    atomically: the complete output appears, or the previous one stays untouched."""
    from .io import atomic_directory, atomic_writer

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "brat":
        with atomic_directory(output) as directory:
            for record, stem in zip(records, brat_file_stems(records)):
                text, ann = to_brat(record)  # the real doc_id stays in the .meta.json
                (directory / f"{stem}.txt").write_bytes(text.encode("utf-8"))
                (directory / f"{stem}.ann").write_text(ann, encoding="utf-8")
                (directory / f"{stem}.meta.json").write_text(
                    json.dumps(_meta(record), ensure_ascii=False), encoding="utf-8")
        return
    with atomic_writer(output, "wb" if fmt == "spacy" else "w") as stream:
        if fmt == "migrex":
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif fmt == "prodigy":
            for task in to_prodigy(records):
                stream.write(json.dumps(task, ensure_ascii=False) + "\n")
        elif fmt == "labelstudio":
            stream.write(json.dumps(to_labelstudio(records), ensure_ascii=False, indent=1))
        else:
            stream.write(to_docbin(records).to_bytes())


def _text(path: Path, encoding: str = "utf-8-sig") -> str:
    try:
        return path.read_bytes().decode(encoding)
    except UnicodeDecodeError as error:
        raise ConvertError(str(path), f"not UTF-8 (byte {error.start})",
                           "save it as UTF-8") from None


def _json(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConvertError(where, f"malformed JSON ({error.msg})") from None


def _json_lines(path: Path) -> list[tuple[str, object]]:
    return [(f"{path}:{n}", _json(line, f"{path}:{n}"))
            for n, line in enumerate(_text(path).splitlines(), start=1) if line.strip()]


def _each(items, convert, what: str) -> list[dict]:
    """`convert` every (location, item); a wrongly shaped item is a ConvertError naming it."""
    records = []
    for where, item in items:
        try:
            record = convert(item)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            if isinstance(error, ConvertError):
                raise
            detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise ConvertError(where, f"not a {what} record ({type(error).__name__}: "
                                      f"{detail})") from None
        if not isinstance(record.get("text"), str):
            raise ConvertError(where, f"not a {what} record (no string text)")
        records.append(record)
    return records


def read(fmt: str, source: Path) -> list[dict]:
    """Records with their `text` from a file (or brat directory) in `fmt`; a malformed file or
    record raises ConvertError naming the file and line."""
    if fmt == "migrex":
        return _each(_json_lines(source), dict, "migrex")
    if fmt == "prodigy":
        return _each(_json_lines(source), lambda task: from_prodigy([task])[0], "Prodigy")
    if fmt == "labelstudio":
        tasks = _json(_text(source), str(source))
        if not isinstance(tasks, list):
            raise ConvertError(str(source), "not a Label Studio export (a JSON list of tasks)")
        return _each([(f"{source}[{i}]", task) for i, task in enumerate(tasks)],
                     lambda task: from_labelstudio([task])[0], "Label Studio")
    if fmt == "spacy":
        from spacy.tokens import DocBin

        try:
            docbin = DocBin().from_bytes(source.read_bytes())
        except Exception as error:  # noqa: BLE001 - msgpack/zlib errors of a damaged file
            raise ConvertError(str(source), f"not a spaCy DocBin ({type(error).__name__})",
                               "pass a .spacy file written by DocBin.to_disk") from None
        return from_docbin(docbin)
    if fmt == "brat":
        if not source.is_dir():
            raise ConvertError(str(source), "not a directory of brat .ann/.txt files")
        items = []
        for ann in sorted(source.glob("*.ann")):
            stem = ann.name[:-len(".ann")]
            meta_file = source / f"{stem}.meta.json"
            meta = _json(_text(meta_file), str(meta_file)) if meta_file.exists() \
                else {"doc_id": stem}
            text_file = source / f"{stem}.txt"
            if not text_file.exists():
                raise ConvertError(str(ann), f"no {text_file.name} beside it")
            items.append((str(ann), (_text(text_file, "utf-8"), _text(ann), meta)))
        return _each(items, lambda item: from_brat(*item), "brat")
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
