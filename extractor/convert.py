"""Interchange between migrex records (gold or output) and other annotation formats:
spaCy DocBin, Prodigy JSONL, Label Studio JSON and brat standoff.

Every reader gives spans drawn in the other tool the attributes they lack (`_fill_defaults`),
and readers and writers say in `notes` (one line each) what they skipped, chose or filled in."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from . import __version__
from .labels import declared_labels
from .normalize.numbers import find_numbers, parse_number
from .normalize.setting import detect_country, dollar_currency
from .labels import DATE_LABEL

FORMATS = ("migrex", "spacy", "prodigy", "labelstudio", "brat")
LABELSTUDIO_KEYS = ("annotations", "predictions")  # where a Label Studio task holds results
BRAT_CONF_FILES = ("annotation.conf", "visual.conf")
_CORE_KEYS = ("start", "end", "label", "text")
_PRODIGY_TOKEN_KEYS = ("token_start", "token_end")  # Prodigy's own span keys, not attributes
_PRODIGY_SKIPPED = ("reject", "ignore")


def _attributes(span: dict) -> dict:
    return {key: value for key, value in span.items() if key not in _CORE_KEYS}


def _meta(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ("spans", "facts", "text")}


def _span(start: int, end: int, label: str, text: str, attributes: dict) -> dict:
    return {"start": start, "end": end, "label": label, "text": text[start:end], **attributes}


def _attributes_json(text: str) -> dict | None:
    """The attributes migrex wrote as a JSON object in a tool's free-text field; None for
    anything else (a note a user typed there)."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _label_attributes() -> dict[str, tuple[str, ...]]:
    """The attributes each declared label carries (models/labels.json)."""
    return {spec.name: spec.attributes for spec in declared_labels()}


# --- defaults for spans drawn in another tool ---------------------------------------------

def _fill_defaults(record: dict, notes: list[str]) -> int:
    """Give each span the label's attributes it lacks, as the spec allows: an actor's
    canonical is its text, a DATE value and a figure's `when` are null, a figure's value (and
    MONEY's currency) is what migrex's number reader reads in its text. Returns how many spans
    got a default; a figure whose number cannot be read is named in `notes`."""
    attributes_of = _label_attributes()
    country = None
    completed = 0
    for span in record["spans"]:
        missing = [key for key in attributes_of.get(span["label"], ()) if key not in span]
        if not missing:
            continue
        completed += 1
        number = None
        if span["label"] != DATE_LABEL and ("value" in missing or "currency" in missing):
            country = country or detect_country(record["text"])
            found = find_numbers(span["text"], country)
            number = found[0] if len(found) == 1 else None
        for key in missing:
            if key == "canonical":
                span[key] = span["text"]
            elif key == "when" or span["label"] == DATE_LABEL:
                span[key] = None
            elif number is not None and key == "value":
                span[key] = number.value
            elif key == "currency" and number is not None and number.currency:
                span[key] = dollar_currency(country) if number.currency == "$" \
                    else number.currency
            else:
                notes.append(f"{record.get('doc_id')}: {span['label']} {span['start']}-"
                             f"{span['end']} {span['text']!r}: no {key} can be read from the "
                             "text; fill it in")
    return completed


# --- Prodigy -------------------------------------------------------------------------------

def to_prodigy(records: list[dict]) -> list[dict]:
    """Prodigy's span format: `text`, `spans` (attributes kept on each span), `meta`."""
    return [{"text": r["text"], "spans": [dict(s) for s in r["spans"]], "meta": _meta(r)}
            for r in records]


def from_prodigy(task: dict, line: int, counts: Counter) -> dict:
    """A record from one Prodigy task (line `line` of its file). A task without migrex's
    `meta` gets its doc_id from Prodigy's `_input_hash`, else from the line number."""
    meta = dict(task.get("meta") or {})
    if "doc_id" not in meta:
        source = "_input_hash" if "_input_hash" in task else "line number"
        counts[source] += 1
        meta["doc_id"] = str(task["_input_hash"]) if "_input_hash" in task else f"line-{line}"
    spans = [_span(s["start"], s["end"], s["label"], task["text"],
                   {k: v for k, v in _attributes(s).items() if k not in _PRODIGY_TOKEN_KEYS})
             for s in task.get("spans") or []]
    return {**meta, "text": task["text"], "spans": spans}


# --- Label Studio --------------------------------------------------------------------------

def _entered(value: object) -> str:
    """An attribute as typed into a Label Studio TextArea."""
    return value if isinstance(value, str) else json.dumps(value)


def to_labelstudio(records: list[dict], results_as: str = "annotations") -> list[dict]:
    """Label Studio tasks, results under `results_as` ("annotations" or "predictions"): a
    `labels` region per span, each non-null attribute of its label in a per-region TextArea
    result (same id), other keys and null attributes as JSON in the region's `meta`."""
    attributes_of = _label_attributes()
    tasks = []
    for record in records:
        results = []
        for index, span in enumerate(record["spans"]):
            where = {"start": span["start"], "end": span["end"]}
            attributes = _attributes(span)
            typed = {key: value for key, value in attributes.items()
                     if key in attributes_of.get(span["label"], ()) and value is not None}
            rest = {key: value for key, value in attributes.items() if key not in typed}
            region = {"id": f"s{index}", "from_name": "label", "to_name": "text",
                      "type": "labels",
                      "value": {**where, "text": span["text"], "labels": [span["label"]]}}
            if rest:
                region["meta"] = {"text": [json.dumps(rest, ensure_ascii=False)]}
            results.append(region)
            results += [{"id": f"s{index}", "from_name": key, "to_name": "text",
                         "type": "textarea", "value": {**where, "text": [_entered(value)]}}
                        for key, value in typed.items()]
        entry: dict = {"result": results}
        if results_as == "predictions":
            entry["model_version"] = f"migrex {__version__}"
        tasks.append({"data": {"text": record["text"], **_meta(record)}, results_as: [entry]})
    return tasks


def default_results_key(records: list[dict]) -> str:
    """"predictions" for `migrex extract` output (its records carry `facts`), else
    "annotations" (gold)."""
    return "predictions" if records and all("facts" in r for r in records) else "annotations"


def labelstudio_config() -> str:
    """A Label Studio labeling config for migrex's labels (models/labels.json): the text,
    a `Labels` control named "label", and one per-region TextArea per attribute, shown when
    a region of a label that carries it is selected."""
    view = ElementTree.Element("View")
    ElementTree.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; }"
    labels = ElementTree.SubElement(view, "Labels", name="label", toName="text")
    for spec in declared_labels():
        ElementTree.SubElement(labels, "Label", value=spec.name, background=spec.colour)
    ElementTree.SubElement(view, "Text", name="text", value="$text")
    carriers: dict[str, list[str]] = {}
    for spec in declared_labels():
        for key in spec.attributes:
            carriers.setdefault(key, []).append(spec.name)
    for key, names in carriers.items():
        panel = ElementTree.SubElement(view, "View", visibleWhen="region-selected",
                                       whenLabelValue=",".join(names))
        ElementTree.SubElement(panel, "Header", value=f"{key} ({', '.join(names)})")
        ElementTree.SubElement(panel, "TextArea", name=key, toName="text", perRegion="true",
                               editable="true", maxSubmissions="1", rows="1")
    ElementTree.indent(view)
    return ElementTree.tostring(view, encoding="unicode") + "\n"


def _typed_attribute(label: str, key: str, entered: str) -> object:
    """An attribute typed into Label Studio, as the spec types it: a figure's value is a
    number (digits, or words migrex's number reader knows), everything else a string."""
    if key != "value" or label == DATE_LABEL:
        return entered
    for kind in (int, float):
        try:
            return kind(entered.replace(",", ""))
        except ValueError:
            pass
    number = parse_number(entered)
    return entered if number is None else number


def _region_meta(result: dict, counts: Counter) -> dict:
    """The attributes migrex wrote as JSON in a region's `meta` ({} for a note typed there)."""
    meta = _attributes_json((result.get("meta", {}).get("text") or ["{}"])[0])
    if meta is None:
        counts["meta not JSON"] += 1
    return meta or {}


def _task_results(task: dict, counts: Counter) -> list[dict]:
    """The results of a task's first annotation not cancelled, else of its first prediction."""
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if len(annotations) > 1:
        counts["several annotations"] += 1
    if annotations:
        return annotations[0].get("result") or []
    if task.get("predictions"):
        counts["predictions"] += 1
        return task["predictions"][0].get("result") or []
    return []


def from_labelstudio(task: dict, index: int, counts: Counter) -> dict:
    """A record from one Label Studio task (the `index`-th of its file): `labels` regions
    with their per-region TextArea/Choices attributes and the JSON in their `meta`."""
    data = dict(task["data"])
    text = data.pop("text")
    if "doc_id" not in data:
        counts["no doc_id"] += 1
        data["doc_id"] = str(task["id"]) if "id" in task else f"task-{index}"
    attributes_of = _label_attributes()
    regions: dict[str, tuple[int, int, str, dict]] = {}
    entered: dict[str, dict[str, str]] = {}
    for n, result in enumerate(_task_results(task, counts)):
        region_id, value = result.get("id", f"#{n}"), result["value"]
        if result.get("type") == "labels":
            regions[region_id] = (value["start"], value["end"], value["labels"][0],
                                  _region_meta(result, counts))
        elif result.get("type") in ("textarea", "choices"):
            items = value.get("text") or value.get("choices") or [""]
            entered.setdefault(region_id, {})[result["from_name"]] = str(items[0]).strip()
    spans = []
    for region_id, (start, end, label, attributes) in regions.items():
        for key, typed in entered.get(region_id, {}).items():
            if key in attributes_of.get(label, ()):
                attributes.pop(key, None)  # what the annotator typed wins; empty: the default
                if typed:
                    attributes[key] = _typed_attribute(label, key, typed)
        spans.append(_span(start, end, label, text, attributes))
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {**data, "text": text, "spans": spans}


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


def brat_configs() -> dict[str, str]:
    """`annotation.conf` and `visual.conf` for migrex's labels (models/labels.json). brat
    attributes take only fixed values, so a span's attributes (free values: a canonical name,
    a number, a date) are a JSON object in its AnnotatorNotes; the conf lists them in comments."""
    labels = declared_labels()
    annotation = ["# migrex's labels. Each span's attributes are a JSON object in its "
                  "AnnotatorNotes (brat's Notes field):"]
    annotation += [f"#   {spec.name}: {', '.join(spec.attributes)}" for spec in labels]
    annotation += ["[entities]", *(spec.name for spec in labels),
                   "", "[relations]", "", "[events]", "", "[attributes]", ""]
    visual = ["[drawing]", *(f"{spec.name}\tbgColor:{spec.colour}" for spec in labels), ""]
    return dict(zip(BRAT_CONF_FILES, ("\n".join(annotation), "\n".join(visual))))


def from_brat(text: str, ann: str, meta: dict, notes: list[str]) -> dict:
    """A record from a brat `.txt`/`.ann` pair; a note that is not migrex's JSON (typed in
    brat) is reported in `notes` and its span gets the defaults."""
    bounds: dict[str, tuple[str, int, int]] = {}
    attributes: dict[str, dict] = {}
    for line in ann.splitlines():
        if line.startswith("T"):
            key, middle, _ = line.split("\t", 2)
            label, start, end = middle.split(" ")[:3]
            bounds[key] = (label, int(start), int(end))
        elif line.startswith("#"):
            _, middle, note = line.split("\t", 2)
            target = middle.split(" ")[1]
            parsed = _attributes_json(note)
            if parsed is None:
                notes.append(f"{meta.get('doc_id')}: {target}: note {note!r} is not a JSON "
                             "object of attributes; defaults used")
            attributes[target] = parsed or {}
    spans = [_span(start, end, label, text, attributes.get(key, {}))
             for key, (label, start, end) in bounds.items()]
    return {**meta, "text": text, "spans": sorted(spans, key=lambda s: (s["start"], s["end"]))}


# --- spaCy DocBin --------------------------------------------------------------------------

def to_docbin(records: list[dict], nlp=None, notes: list[str] | None = None):
    """A DocBin tokenised as the extractor tokenises: non-overlapping spans in `doc.ents`, all
    of them in `doc.spans['migrex']`, exact spans, attributes and metadata in the user data.
    A span that does not fall on token boundaries stays out of the entities and the span
    group (it would teach wrong boundaries) and is named in `notes`."""
    from spacy.tokens import DocBin

    from .tokenizer import blank_english

    nlp = nlp or blank_english()
    docbin = DocBin(store_user_data=True)
    for record in records:
        doc = nlp.make_doc(record["text"])
        spans = []
        for span in record["spans"]:
            token_span = doc.char_span(span["start"], span["end"], label=span["label"])
            if token_span is None:
                if notes is not None:
                    notes.append(f"{record.get('doc_id')}: {span['label']} {span['start']}-"
                                 f"{span['end']} {span['text']!r} does not fall on token "
                                 "boundaries: kept in user_data, not in doc.ents")
                continue
            spans.append(token_span)
        doc.spans["migrex"] = spans
        doc.set_ents(_non_overlapping(spans))
        doc.user_data["migrex_meta"] = _meta(record)
        doc.user_data["migrex_spans"] = [dict(s) for s in record["spans"]]  # exact offsets
        docbin.add(doc)
    return docbin


def from_docbin(docbin, nlp=None) -> list[dict]:
    """Records from a DocBin: migrex's exact spans when it wrote them, else the span group
    `migrex` or the entities (doc_id `doc-N` when the user data has none)."""
    from .tokenizer import blank_english

    nlp = nlp or blank_english()
    records = []
    for index, doc in enumerate(docbin.get_docs(nlp.vocab)):
        spans = doc.user_data.get("migrex_spans")
        if spans is None:  # a DocBin from elsewhere: take its span group or entities
            group = doc.spans.get("migrex", doc.ents)
            spans = [{"start": s.start_char, "end": s.end_char, "label": s.label_,
                      "text": s.text} for s in group]
        meta = doc.user_data.get("migrex_meta") or {"doc_id": f"doc-{index}"}
        records.append({**meta, "text": doc.text, "spans": [dict(s) for s in spans]})
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


def write(records: list[dict], fmt: str, output: Path, *, results_as: str | None = None,
          notes: list[str] | None = None) -> None:
    """Write records (each with its `text`) in `fmt` to `output` (a directory for brat, with
    its annotation.conf and visual.conf), atomically: the complete output appears, or the
    previous one stays untouched. `results_as`: where Label Studio tasks hold their results
    ("annotations" or "predictions"; default: `default_results_key`). `notes` receives what
    the output could not hold exactly (a span off the DocBin's token boundaries)."""
    from .io import atomic_directory, atomic_writer

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "brat":
        with atomic_directory(output) as directory:
            for name, content in brat_configs().items():
                (directory / name).write_text(content, encoding="utf-8")
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
            tasks = to_labelstudio(records, results_as or default_results_key(records))
            stream.write(json.dumps(tasks, ensure_ascii=False, indent=1))
        else:
            stream.write(to_docbin(records, notes=notes).to_bytes())


def write_labelstudio_config(output: Path) -> None:
    """Write `labelstudio_config()` to `output`, atomically."""
    from .io import atomic_writer

    with atomic_writer(output) as stream:
        stream.write(labelstudio_config())


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


def _json_lines(path: Path) -> list[tuple[str, int, object]]:
    """(location, line number, value) of every non-blank line of a JSONL file."""
    return [(f"{path}:{n}", n, _json(line, f"{path}:{n}"))
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


def _prodigy_tasks(source: Path, skipped: Counter) -> list[tuple[str, tuple[dict, int]]]:
    """(location, (task, line)) of a Prodigy file, without tasks answered reject or ignore."""
    items = []
    for where, line, task in _json_lines(source):
        answer = task.get("answer") if isinstance(task, dict) else None
        if answer in _PRODIGY_SKIPPED:
            skipped[answer] += 1
        else:
            items.append((where, (task, line)))
    return items


def _read_records(fmt: str, source: Path, notes: list[str]) -> list[dict]:
    if fmt == "migrex":
        return _each([(where, record) for where, _, record in _json_lines(source)], dict,
                     "migrex")
    if fmt == "prodigy":
        skipped: Counter = Counter()
        counts: Counter = Counter()
        records = _each(_prodigy_tasks(source, skipped),
                        lambda item: from_prodigy(*item, counts), "Prodigy")
        if skipped:
            notes.append(f"{source}: skipped {sum(skipped.values())} Prodigy task(s) answered "
                         + ", ".join(f"{answer} ({n})" for answer, n in sorted(skipped.items())))
        if counts:
            notes.append(f"{source}: {sum(counts.values())} Prodigy task(s) without a doc_id in "
                         "meta: doc_id from " + ", ".join(f"{how} ({n})" for how, n
                                                          in sorted(counts.items()))
                         + ", published null")
        return records
    if fmt == "labelstudio":
        tasks = _json(_text(source), str(source))
        if not isinstance(tasks, list):
            raise ConvertError(str(source), "not a Label Studio export (a JSON list of tasks)")
        counts: Counter = Counter()
        records = _each([(f"{source}[{i}]", (task, i)) for i, task in enumerate(tasks)],
                        lambda item: from_labelstudio(*item, counts), "Label Studio")
        for key, message in (
                ("predictions", "task(s) had no annotation: their predictions taken"),
                ("several annotations", "task(s) had several annotations: the first not "
                                        "cancelled taken"),
                ("no doc_id", "task(s) had no doc_id: the task id taken"),
                ("meta not JSON", "region(s) had a meta that is not migrex's JSON "
                                  "attributes: ignored")):
            if counts[key]:
                notes.append(f"{source}: {counts[key]} {message}")
        return records
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
        return _each(items, lambda item: from_brat(*item, notes), "brat")
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def read(fmt: str, source: Path, notes: list[str] | None = None) -> list[dict]:
    """Records with their `text` from a file (or brat directory) in `fmt`; a malformed file or
    record raises ConvertError naming the file and line. A record gets the `published` (null)
    and `text_sha256` a gold file needs when it lacks them, and spans drawn in the other tool
    the attributes they lack (`_fill_defaults`); `notes` receives one line for each thing
    skipped, chosen or filled in."""
    notes = [] if notes is None else notes
    records = _read_records(fmt, source, notes)
    if fmt != "migrex":
        for record in records:  # what a gold file needs and a tool's own document lacks
            record.setdefault("published", None)
            record.setdefault("text_sha256",
                              hashlib.sha256(record["text"].encode("utf-8")).hexdigest())
        completed = sum(_fill_defaults(record, notes) for record in records)
        if completed:
            notes.append(f"{source}: {completed} span(s) lacked attributes: defaults filled "
                         "(canonical = text; DATE value and when null; a figure's value and "
                         "currency read from its text)")
    return records
