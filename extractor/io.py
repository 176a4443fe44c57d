"""Reading documents and annotation files, writing output files atomically."""

from __future__ import annotations

import errno
import hashlib
import io
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
from .labels import ACTOR_LABELS
from .normalize.timex import published_date

# the facts table (`extract --format csv`, Parquet facts) and the actors table (`--format
# actors`: one row per actor mention; `id` joins documents)
FACT_COLUMNS: tuple[str, ...] = ("doc_id", "label", "value", "currency", "when", "when_rule",
                                 "text", "start", "end", "source", "where", "sentence")
ACTOR_COLUMNS: tuple[str, ...] = ("doc_id", "label", "text", "canonical", "id", "start", "end")

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
    line: int | None = None  # the record's line in a JSONL/Parquet input


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


PUBLISHED_YEARS = (1900, 2100)  # a publication date outside these years is a typo or junk


def check_published(value: object) -> tuple[str | None, str | None]:
    """(ISO date, None) for a real calendar date within PUBLISHED_YEARS, else (None, why)."""
    if isinstance(value, date):  # Parquet date and timestamp columns
        value = value.isoformat()[:10]
    parsed = published_date(value) if isinstance(value, str) else None
    if parsed is None:
        return None, f"invalid published date {_short(value)}"
    low, high = PUBLISHED_YEARS
    if not low <= parsed.year <= high:
        return None, f"published date {value} is outside the years {low}-{high}"
    return parsed.isoformat(), None


def valid_published(value: object) -> str | None:
    """The ISO date string if `value` is a real calendar date in a sane range, else None."""
    return check_published(value)[0]


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


BINARY_SHARE = 0.01  # more control bytes (NUL and the like) than this: binary, not text
_CONTROL_BYTES = [bytes([code]) for code in (*range(0, 9), *range(14, 27), *range(28, 32))]


def decode_bytes(data: bytes) -> tuple[str, str, int] | None:
    """(text, encoding, bad bytes replaced) of a text file: UTF-8 first; UTF-8 with a few bad
    bytes stays UTF-8 (each replaced by U+FFFD) rather than being charset-detected into
    mojibake; else the charset detected. None for binary junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        try:
            return data.decode("utf-16"), "utf-16", 0
        except UnicodeDecodeError:
            return None
    if sum(data.count(byte) for byte in _CONTROL_BYTES) > max(8, len(data) * BINARY_SHARE):
        return None  # text has almost no control bytes; a few NULs are kept (and replaced)
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    valid_multibyte = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
    if valid_multibyte >= 2 * bad:  # mostly well-formed UTF-8: a few damaged bytes
        return replaced, "utf-8", bad
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    try:  # several legacy code pages decode Western text alike: name the common one
        if data.decode("cp1252") == text:
            return text, "cp1252", 0
    except UnicodeDecodeError:
        pass
    return text, best.encoding, 0


class Metadata:
    """`metadata.json` of each corpus directory, read once per run; a malformed or wrongly
    shaped file is reported once (with its path) and the directory's files go on without it."""

    def __init__(self):
        self._cache: dict[Path, dict[str, dict]] = {}

    def problems_and_index(self, directory: Path) -> tuple[list[InputProblem], dict[str, dict]]:
        if directory in self._cache:
            return [], self._cache[directory]
        problems: list[InputProblem] = []
        self._cache[directory] = index = {}
        path = directory / METADATA_FILE
        if not path.is_file():
            return problems, index
        hint = 'make it a JSON list of {"file", "doc_id", "published", ...}'
        try:
            records = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            why = error.msg if isinstance(error, json.JSONDecodeError) else type(error).__name__
            problems.append(InputProblem(str(path), f"cannot read the metadata ({why}); "
                                         "the directory's files go on without it", hint))
            return problems, index
        if not isinstance(records, list):
            problems.append(InputProblem(str(path), "metadata is not a list; the directory's "
                                         "files go on without it", hint))
            return problems, index
        for position, record in enumerate(records):
            if not isinstance(record, dict) or not isinstance(record.get("file"), str) \
                    or not isinstance(record.get("doc_id", ""), str):
                problems.append(InputProblem(f"{path}[{position}]", "metadata entry needs a "
                                             "string 'file' (and a string 'doc_id'); ignored",
                                             hint, skipped=False))
                continue
            record = {"doc_id": Path(record["file"]).stem, **record}
            index[record["file"]] = record
            index.setdefault(record["doc_id"], record)
        return problems, index


def read_metadata(directory: Path) -> dict[str, dict]:
    """Metadata records of a corpus directory keyed by file name and by doc_id."""
    return Metadata().problems_and_index(directory)[1]


_RECORD_FIELDS = ("doc_id", "text", "published", "title", "source")


def _document_from_record(record: dict, origin: str, published_override: str | None,
                          problems: list[InputProblem], line: int | None = None
                          ) -> Document | InputProblem:
    """The Document of one record, or the problem that skips it (a lone surrogate in a field:
    it could never be written). A bad `published` is reported and dropped; NUL characters
    become spaces (offsets unchanged) and are reported."""
    doc_id = str(record["doc_id"])
    for key, value in record.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                return InputProblem(origin, f"field {key!r} holds a lone surrogate "
                                            f"({value[error.start]!r} at {error.start})",
                                    "fix the \\ud800-\\udfff escape", line=line,
                                    doc_id=doc_id if key != "doc_id" else None)
    raw_published = published_override or record.get("published")
    published, why = check_published(raw_published)
    if raw_published is not None and published is None:
        problems.append(InputProblem(origin, why,
                                     "use YYYY-MM-DD or an ISO timestamp; relative dates stay "
                                     "unresolved",
                                     line=line, doc_id=doc_id, skipped=False))
    text = record["text"]
    document = Document(doc_id=doc_id, text=text, published=published,
                        title=record.get("title"), source=record.get("source"), origin=origin,
                        line=line)
    if "\x00" in text:
        problems.append(InputProblem(origin, f"{text.count(chr(0))} NUL character(s) replaced "
                                             "by spaces (offsets unchanged; the text is in "
                                             "the record)", "remove them from the input",
                                     line=line, doc_id=doc_id, skipped=False))
        document.text = text.replace("\x00", " ")
        document.input_text_differs = True
    return document


def _read_text_file(path: Path, metadata: dict[str, dict], published_override: str | None
                    ) -> Iterator[Document | InputProblem]:
    decoded = decode_bytes(path.read_bytes())
    if decoded is None:
        yield InputProblem(str(path), "not text (binary or undecodable)",
                           "convert it to UTF-8 text or remove it")
        return
    text, encoding, bad_bytes = decoded
    if bad_bytes:
        yield InputProblem(str(path), f"{bad_bytes} byte(s) are not valid UTF-8; decoded as "
                                      "UTF-8, each bad byte replaced by U+FFFD",
                           "fix the damaged bytes", skipped=False)
    record = dict(metadata.get(path.name) or {"doc_id": path.stem})
    record["text"] = text
    is_html = path.suffix.lower() in (".html", ".htm") or looks_like_html(text)
    if is_html:
        try:
            article = html_to_text(text)
        except Exception as error:  # noqa: BLE001 - a page the extractor cannot read is skipped
            yield InputProblem(str(path), f"cannot extract the article text from HTML "
                                          f"({type(error).__name__}: {_short(str(error))})",
                               "save the article as plain text")
            return
        if not article.text.strip() and text.strip():
            yield InputProblem(str(path), "no article text found in the HTML (empty, too "
                                          "deeply nested or malformed)",
                               "save the article as plain text")
            return
        record["text"] = article.text
        record.setdefault("title", article.title)
        if not record.get("published"):
            record["published"] = article.published
    problems: list[InputProblem] = []
    document = _document_from_record(record, str(path), published_override, problems)
    yield from problems
    if isinstance(document, Document):
        document.encoding = encoding
        document.input_text_differs = document.input_text_differs or is_html
    yield document


def parse_json_lines(lines: Iterable[str], origin: str, strict: bool = True
                     ) -> Iterator[tuple[int, object | InputProblem]]:
    """(line number, parsed value) of each non-blank JSONL line; a malformed line becomes a
    problem naming its file and line (`strict=False` lets control characters such as NUL
    through inside strings)."""
    for line_no, line in enumerate(lines, start=1):
        if isinstance(line, InputProblem):
            yield line_no, line
            continue
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line, strict=strict)
        except json.JSONDecodeError as error:
            yield line_no, InputProblem(origin, f"malformed JSON ({error.msg})",
                                        "fix or remove the line", line=line_no)
        except RecursionError:
            yield line_no, InputProblem(origin, "JSON nested too deeply",
                                        "fix or remove the line", line=line_no)


def utf8_lines(stream: IO[bytes], origin: str) -> Iterator[str | InputProblem]:
    """Lines of a JSONL file, which must be UTF-8 (a byte order mark is accepted): a line in
    another encoding is a problem naming its line, never silently turned into U+FFFD."""
    for line_no, raw in enumerate(stream, start=1):
        if line_no == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                yield InputProblem(origin, "the file is UTF-16, JSONL must be UTF-8",
                                   "save it as UTF-8", line=1)
                return
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield InputProblem(origin, f"line is not UTF-8 (byte {error.start + 1})",
                               "save the file as UTF-8", line=line_no)


def _read_jsonl(stream: IO[str], origin: str, published_override: str | None
                ) -> Iterator[Document | InputProblem]:
    yield from read_records(parse_json_lines(stream, origin, strict=False), origin,
                            published_override)


def _read_parquet(path: Path, published_override: str | None
                  ) -> Iterator[Document | InputProblem]:
    from .tables import read_parquet_records  # needs the datasets extra

    rows = enumerate(read_parquet_records(path), start=1)
    try:
        yield from read_records(rows, str(path), published_override)
    except Exception as error:  # noqa: BLE001 - pyarrow/datasets errors of a damaged file
        yield InputProblem(str(path), f"cannot read the Parquet file ({type(error).__name__}: "
                                      f"{_short(str(error), 120)})",
                           "check the file (truncated or not Parquet?)")


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
                               doc_id=doc_id if isinstance(doc_id, str) else None)
            continue
        if record.get("doc_id") is None:
            record["doc_id"] = f"{Path(origin).stem}-{line_no}"
        problems: list[InputProblem] = []
        document = _document_from_record(record, origin, published_override, problems, line_no)
        yield from problems
        yield document


def _walk(directory: Path, problems: list[InputProblem]) -> list[Path]:
    """Input files under `directory`, sorted; an unreadable sub-folder is a problem."""
    def unreadable(error: OSError) -> None:
        problems.append(InputProblem(error.filename or str(directory),
                                     f"cannot read the folder ({error.strerror or error})",
                                     "check its permissions"))

    files = []
    for root, _, names in os.walk(directory, onerror=unreadable):
        files.extend(Path(root) / name for name in names
                     if Path(name).suffix.lower() in INPUT_SUFFIXES)
    return sorted(file for file in files if file.is_file())


def iter_inputs(paths: list[str], published_override: str | None = None
                ) -> Iterator[Document | InputProblem]:
    """Yield documents lazily from files, directories, JSONL files or '-' (stdin)."""
    metadata = Metadata()
    for raw in paths:
        if raw == "-":
            data = sys.stdin.read()
            if data.lstrip().startswith("{"):
                yield from _read_jsonl(iter(data.splitlines(keepends=True)), "<stdin>",
                                       published_override)
            else:
                record = {"doc_id": "stdin", "text": data, "published": published_override}
                problems: list[InputProblem] = []
                document = _document_from_record(record, "<stdin>", None, problems)
                yield from problems
                yield document
            continue
        path = Path(raw)
        if path.is_dir():
            problems = []
            files = _walk(path, problems)
            yield from problems
            if not files:
                yield InputProblem(raw, "directory holds no .txt, .html or .jsonl files",
                                   "point migrex at article files")
            for file in files:
                yield from _iter_file(file, published_override, metadata)
        elif path.is_file():
            yield from _iter_file(path, published_override, metadata)
        else:
            yield InputProblem(raw, "no such file or directory", "check the path")


def count_documents(paths: list[str]) -> int | None:
    """About how many documents `iter_inputs(paths)` yields, for a progress total: a JSONL
    file counts its non-blank lines, a Parquet file its rows, any other file one; None when
    unknown (stdin)."""
    if "-" in paths:
        return None
    total = 0
    for raw in paths:
        path = Path(raw)
        for file in _walk(path, []) if path.is_dir() else [path]:
            total += _count_in_file(file)
    return total


def _count_in_file(path: Path) -> int:
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as stream:
                return sum(1 for line in stream if line.strip())
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - an unreadable file is one reported problem
        return 1
    return 1


def _iter_file(path: Path, published_override: str | None, metadata: Metadata | None = None
               ) -> Iterator[Document | InputProblem]:
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as stream:
                yield from _read_jsonl(utf8_lines(stream, str(path)), str(path),
                                       published_override)
        elif path.suffix.lower() == ".parquet":
            yield from _read_parquet(path, published_override)
        else:
            problems, index = (metadata or Metadata()).problems_and_index(path.parent)
            yield from problems
            yield from _read_text_file(path, index, published_override)
    except (OSError, json.JSONDecodeError) as error:
        yield InputProblem(str(path), f"cannot read ({error})", "check the file")


# what load_json_documents raises for a file it cannot read at all (missing, not UTF-8, too deep)
UNREADABLE_FILE_ERRORS = (OSError, UnicodeDecodeError, RecursionError)


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


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask


def give_normal_permissions(path: str | Path, directory: bool = False) -> None:
    """A temporary file (0600) or directory (0700) of tempfile gets the permissions of an
    ordinary new one (0666 or 0777 less the umask) before it is renamed into place."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


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
        give_normal_permissions(tmp)
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
        give_normal_permissions(tmp, directory=True)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        _discard(tmp)
        raise


def _discard(directory: Path) -> None:
    """Remove a directory that a straggling writer (a cluster task still running after the
    run failed) may be adding to: renamed first, so that a late open by its path fails
    instead of landing in it while it is emptied (rmtree would then leave it behind)."""
    doomed = directory.with_name(directory.name + ".discarded")
    try:
        os.replace(directory, doomed)
    except OSError:
        doomed = directory
    shutil.rmtree(doomed, ignore_errors=True)


def _actor_rows(record: dict) -> list[dict]:
    return [span for span in record["spans"] if span["label"] in ACTOR_LABELS]


# CSV tables: format name -> (columns, the rows of one record)
TABLE_ROWS = {"csv": (FACT_COLUMNS, lambda record: record["facts"]),
              "actors": (ACTOR_COLUMNS, _actor_rows)}


class RecordWriter:
    """Streams output records as JSONL, a JSON array, or a CSV table (facts, or actor mentions
    with their gazetteer id, to join across documents). Each record is
    serialised whole before anything is written, so a record that cannot be encoded raises
    UnicodeEncodeError and leaves the output as it was."""

    def __init__(self, stream: IO[str], fmt: str):
        self.stream = stream
        self.fmt = fmt
        self.count = 0
        if fmt in TABLE_ROWS:
            import csv

            self._buffer = io.StringIO()
            self.csv = csv.DictWriter(self._buffer, fieldnames=TABLE_ROWS[fmt][0],
                                      extrasaction="ignore")
            self.csv.writeheader()
            self._emit()
        elif fmt == "json":
            stream.write("[")

    def _emit(self) -> None:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        self.stream.write(text)

    def write(self, record: dict) -> None:
        if self.fmt == "jsonl":
            text = json.dumps(record, ensure_ascii=False) + "\n"
        elif self.fmt == "json":
            text = ("," if self.count else "") + "\n" + json.dumps(record, ensure_ascii=False,
                                                                  indent=1)
        else:
            for row in TABLE_ROWS[self.fmt][1](record):
                self.csv.writerow({"doc_id": record["doc_id"], **row})
            text = self._buffer.getvalue()
            self._buffer.seek(0)
            self._buffer.truncate()
        text.encode("utf-8")  # a lone surrogate raises here, before the output is touched
        self.stream.write(text)
        self.count += 1
        self.stream.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write("\n]\n")
        self.stream.flush()


class OutputLocked(OSError):
    """Another run is writing the same output."""


class ResumableOutput:
    """An output file written as `<name>.partial` and renamed into place when complete, so a
    killed run leaves the previous file untouched and a partial file `--resume` continues.
    The .partial is locked (exclusive, non-blocking) for the whole run: a second run on the
    same output fails at once instead of interleaving or truncating the first one's work."""

    def __init__(self, path: Path, resume: bool = False):
        import fcntl

        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.done: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.partial, os.O_RDWR | os.O_CREAT, 0o666)  # less the umask
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputLocked(errno.EBUSY, f"{path}: another migrex run is writing it "
                                            f"(lock on {self.partial.name} held)") from None
        if resume:
            self.done = self._complete_records()
        else:
            os.ftruncate(fd, 0)
        self.stream = os.fdopen(fd, "a", encoding="utf-8", newline="")

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
        os.replace(self.partial, self.path)
        self.stream.close()  # the lock goes with the last descriptor, after the rename

    def close(self) -> None:
        self.stream.close()
