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

def write(records: list[dict], fmt: str, output: Path) -> None:
    """Write records (each with its `text`) in `fmt` to `output` (a directory for brat)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "migrex":
        output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                          encoding="utf-8")
    elif fmt == "prodigy":
        output.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n"
                                  for t in to_prodigy(records)), encoding="utf-8")
    elif fmt == "labelstudio":
        output.write_text(json.dumps(to_labelstudio(records), ensure_ascii=False, indent=1),
                          encoding="utf-8")
    elif fmt == "spacy":
        to_docbin(records).to_disk(output)
    elif fmt == "brat":
        output.mkdir(parents=True, exist_ok=True)
        for record in records:
            text, ann = to_brat(record)
            (output / f"{record['doc_id']}.txt").write_bytes(text.encode("utf-8"))
            (output / f"{record['doc_id']}.ann").write_text(ann, encoding="utf-8")
            (output / f"{record['doc_id']}.meta.json").write_text(
                json.dumps(_meta(record), ensure_ascii=False), encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def read(fmt: str, source: Path) -> list[dict]:
    """Records with their `text` from a file (or brat directory) in `fmt`."""
    if fmt == "migrex":
        return [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    if fmt == "prodigy":
        return from_prodigy([json.loads(line) for line in
                             source.read_text(encoding="utf-8").splitlines() if line.strip()])
    if fmt == "labelstudio":
        return from_labelstudio(json.loads(source.read_text(encoding="utf-8")))
    if fmt == "spacy":
        from spacy.tokens import DocBin

        return from_docbin(DocBin().from_disk(source))
    if fmt == "brat":
        records = []
        for ann in sorted(source.glob("*.ann")):
            stem = ann.name[:-len(".ann")]
            meta_file = source / f"{stem}.meta.json"
            meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() \
                else {"doc_id": stem}
            text = (source / f"{stem}.txt").read_bytes().decode("utf-8")  # keep line endings
            records.append(from_brat(text, ann.read_text(encoding="utf-8"), meta))
        return records
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")

