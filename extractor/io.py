"""Reading documents and annotation files, writing output files atomically."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Iterable, Iterator

from charset_normalizer import from_bytes

from .html import html_to_text, looks_like_html
from .schema import FACT_COLUMNS

METADATA_FILE = "metadata.json"
INPUT_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".parquet")


@dataclass
class Document:
    """One article to analyse; `text` is exactly what offsets refer to."""

    doc_id: str
    text: str
    published: str | None = None
    title: str | None = None
    source: str | None = None
    origin: str = ""
    encoding: str = "utf-8"
    input_text_differs: bool = False


@dataclass
class InputProblem:
    """A problem with one input (file, line, document), reported and skipped."""

    path: str
    message: str
    hint: str = ""
    line: int | None = None
    doc_id: str | None = None
    skipped: bool = True

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        who = f" {self.doc_id}:" if self.doc_id else ""
        hint = f", {self.hint}" if self.hint else ""
        return f"{where}:{who} {self.message}{hint}"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "doc_id": self.doc_id,
                "message": self.message, "hint": self.hint, "skipped": self.skipped}


def valid_published(value: object) -> str | None:
    """The ISO date string if `value` is a real calendar date, else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode text: UTF-8 first, else the charset detected; None for binary junk."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    try:  # several legacy code pages decode Western text alike: name the common one
        if data.decode("cp1252") == text:
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    return text, best.encoding


def read_metadata(directory: Path) -> dict[str, dict]:
    """Metadata records of a corpus directory keyed by file name and by doc_id."""
    path = directory / METADATA_FILE
    if not path.is_file():
        return {}
    records = json.loads(path.read_text(encoding="utf-8"))
    index: dict[str, dict] = {}
    for record in records:
        index[record["file"]] = record
        index[record["doc_id"]] = record
    return index


def _document_from_record(record: dict, origin: str, published_override: str | None,
                          problems: list[InputProblem], line: int | None = None) -> Document:
    doc_id = str(record["doc_id"])
    raw_published = published_override or record.get("published")
    if isinstance(raw_published, date):  # Parquet date columns
        raw_published = raw_published.isoformat()[:10]
    published = valid_published(raw_published)
    if raw_published is not None and published is None:
        problems.append(InputProblem(origin, f"invalid published date {raw_published!r}",
                                     "use YYYY-MM-DD; relative dates stay unresolved",
                                     line=line, doc_id=doc_id, skipped=False))
    return Document(doc_id=doc_id, text=record["text"], published=published,
                    title=record.get("title"), source=record.get("source"), origin=origin)


def _read_text_file(path: Path, metadata: dict[str, dict], published_override: str | None
                    ) -> Iterator[Document | InputProblem]:
    decoded = decode_bytes(path.read_bytes())
    if decoded is None:
        yield InputProblem(str(path), "not text (binary or undecodable)",
                           "convert it to UTF-8 text or remove it")
        return
    text, encoding = decoded
    record = dict(metadata.get(path.name) or {"doc_id": path.stem})
    record["text"] = text
    is_html = path.suffix.lower() in (".html", ".htm") or looks_like_html(text)
    if is_html:
        try:
            article = html_to_text(text)
        except Exception as error:  # noqa: BLE001 - a page the extractor cannot read is skipped
            yield InputProblem(str(path), f"cannot extract the article text from HTML "
                                          f"({type(error).__name__}: {error})",
                               "save the article as plain text")
            return
        record["text"] = article.text
        record.setdefault("title", article.title)
        if not record.get("published"):
            record["published"] = article.published
    problems: list[InputProblem] = []
    document = _document_from_record(record, str(path), published_override, problems)
    yield from problems
    document.encoding = encoding
    document.input_text_differs = is_html
    yield document


def parse_json_lines(lines: Iterable[str], origin: str
                     ) -> Iterator[tuple[int, object | InputProblem]]:
    """(line number, parsed value) of each non-blank JSONL line; a malformed line becomes a
    problem naming its file and line."""
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as error:
            yield line_no, InputProblem(origin, f"malformed JSON ({error.msg})",
                                        "fix or remove the line", line=line_no)


def _read_jsonl(stream: IO[str], origin: str, published_override: str | None
                ) -> Iterator[Document | InputProblem]:
    yield from read_records(parse_json_lines(stream, origin), origin, published_override)


def _read_parquet(path: Path, published_override: str | None
                  ) -> Iterator[Document | InputProblem]:
    from .tables import read_parquet_records  # needs the datasets extra

    rows = enumerate(read_parquet_records(path), start=1)
    yield from read_records(rows, str(path), published_override)


def read_records(records: Iterator[tuple[int, object]], origin: str,
                  published_override: str | None) -> Iterator[Document | InputProblem]:
    """Documents from numbered records ({doc_id, text, published?, title?, source?})."""
    for line_no, record in records:
        if isinstance(record, InputProblem):
            yield record
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            doc_id = record.get("doc_id") if isinstance(record, dict) else None
            yield InputProblem(origin, "record has no string 'text'",
                               "each line needs {\"doc_id\", \"text\"}", line=line_no,
                               doc_id=doc_id)
            continue
        if record.get("doc_id") is None:
            record["doc_id"] = f"{Path(origin).stem}-{line_no}"
        problems: list[InputProblem] = []
        document = _document_from_record(record, origin, published_override, problems, line_no)
        yield from problems
        yield document


def iter_inputs(paths: list[str], published_override: str | None = None
                ) -> Iterator[Document | InputProblem]:
    """Yield documents lazily from files, directories, JSONL files or '-' (stdin)."""
    for raw in paths:
        if raw == "-":
            data = sys.stdin.read()
            if data.lstrip().startswith("{"):
                yield from _read_jsonl(iter(data.splitlines(keepends=True)), "<stdin>",
                                       published_override)
            else:
                record = {"doc_id": "stdin", "text": data, "published": published_override}
                yield _document_from_record(record, "<stdin>", None, [])
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            if not files:
                yield InputProblem(raw, "directory holds no .txt, .html or .jsonl files",
                                   "point migrex at article files")
            for file in files:
                yield from _iter_file(file, published_override)
        elif path.is_file():
            yield from _iter_file(path, published_override)
        else:
            yield InputProblem(raw, "no such file or directory", "check the path")


def _iter_file(path: Path, published_override: str | None) -> Iterator[Document | InputProblem]:
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open(encoding="utf-8", errors="replace", newline="") as stream:
                yield from _read_jsonl(stream, str(path), published_override)
        elif path.suffix.lower() == ".parquet":
            yield from _read_parquet(path, published_override)
        else:
            yield from _read_text_file(path, read_metadata(path.parent), published_override)
    except (OSError, json.JSONDecodeError) as error:
        yield InputProblem(str(path), f"cannot read ({error})", "check the file")


def load_json_documents(path: Path) -> Iterator[tuple[str, dict | InputProblem]]:
    """Records of a JSON (object or list) or JSONL annotation file, with their locations."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        for line_no, record in parse_json_lines(text.splitlines(), str(path)):
            yield f"{path}:{line_no}", record
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield str(path), InputProblem(str(path), f"malformed JSON ({error.msg})",
                                      "fix the file", line=error.lineno)
        return
    for index, record in enumerate(data if isinstance(data, list) else [data]):
        yield (f"{path}[{index}]" if isinstance(data, list) else str(path)), record


def annotation_files(paths: list[Path]) -> list[Path]:
    """Gold or prediction files named by paths: files as given, directories' *.json/*.jsonl."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in (".json", ".jsonl") and p.name != METADATA_FILE))
        else:
            found.append(path)
    return found


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8",
                       newline=None if "b" in mode else "") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                   *(f"lpt{i}" for i in range(10))}


def safe_file_stem(name: str, readable: str | None = None, limit: int = 80) -> str:
    """A file name stem that stays inside any directory: `name` itself when it is a plain
    name (letters, digits, '.', '_', '-'), else a slug of `readable` (default `name`) plus a
    short hash of `name`. Never empty, never '.', '..', a path or a device name."""
    slug = _UNSAFE_NAME.sub("-", readable if readable is not None else name).strip("._-")
    if slug and slug == name and len(name) <= limit and name.split(".")[0].lower() not in _RESERVED_NAMES:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug[:limit] or 'doc'}-{digest}"


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """A directory filled in a temporary sibling and swapped into place only on success:
    the complete new directory, or the old one untouched."""
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a directory", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class RecordWriter:
    """Streams output records as JSONL, a JSON array, or a CSV table of facts."""

    def __init__(self, stream: IO[str], fmt: str):
        self.stream = stream
        self.fmt = fmt
        self.count = 0
        if fmt == "csv":
            import csv

            self.csv = csv.DictWriter(stream, fieldnames=FACT_COLUMNS, extrasaction="ignore")
            self.csv.writeheader()
        elif fmt == "json":
            stream.write("[")

    def write(self, record: dict) -> None:
        if self.fmt == "jsonl":
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self.stream.write(("," if self.count else "") + "\n"
                              + json.dumps(record, ensure_ascii=False, indent=1))
        else:
            for fact in record["facts"]:
                self.csv.writerow({"doc_id": record["doc_id"], **fact})
        self.count += 1
        self.stream.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("\n]\n")


class ResumableOutput:
    """An output file written as `<name>.partial` and renamed into place when complete, so a
    killed run leaves the previous file untouched and a partial file `--resume` continues."""

    def __init__(self, path: Path, resume: bool = False):
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.done: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.partial.exists():
            self.done = self._complete_records()
        self.stream = self.partial.open("a" if resume else "w", encoding="utf-8", newline="")

    def _complete_records(self) -> set[str]:
        """doc_ids of the complete lines; a line cut off by the kill is dropped."""
        data = self.partial.read_bytes()
        complete = data[:data.rfind(b"\n") + 1]
        done = set()
        good = 0
        for line in complete.splitlines(keepends=True):
            try:
                done.add(json.loads(line)["doc_id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                break
            good += len(line)
        with self.partial.open("r+b") as stream:
            stream.truncate(good)
        return done

    def commit(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self.partial, self.path)

    def close(self) -> None:
        self.stream.close()
