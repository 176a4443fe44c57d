"""Building migrex's spaCy pipeline and running it over documents."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections import deque
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import use_ops
from threadpoolctl import ThreadpoolController

from . import components  # noqa: F401  (registers the factories)
from .components.attributes import ERROR_KEY, OVERSIZED_KEY, TEXT_KEY, groups
from .data import load_json
from .io import Document, InputProblem, check_published
from .memory import keep_freed_memory
from .normalize.numbers import MAX_FIGURE_VALUE
from .output import doc_to_record
from .tokenizer import TOKENIZER, customise_tokenizer


def pipeline_config() -> dict:
    return load_json("pipeline.json")


OPS = ("numpy", "blis")  # thinc's CPU matrix products: numpy's BLAS, or the blis package


def build_nlp(model: str | None = None, figures: dict | None = None,
              ops: str | None = None) -> Language:
    """The base English pipeline plus migrex's components, as `models/pipeline.json` says;
    `figures` overrides the figure component's config ({"typing": "rules"}, or
    {"embeddings": True, "model": "figures-embeddings"} with the transformers extra);
    `ops` ("numpy" or "blis", default the config's "ops") chooses thinc's matrix products."""
    with _collector_paused():
        return _build_nlp(model, figures, ops)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic collector off while the pipeline is built: nearly everything the build
    makes lives on, and the collections it set off walked it again and again (about 0.1 s of
    a one-article start-up)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_nlp(model: str | None, figures: dict | None, ops: str | None) -> Language:
    config = pipeline_config()
    name = model or os.environ.get("MIGREX_BASE_MODEL") or config["base_model"]
    ops = ops or config["ops"]
    if ops not in OPS:
        raise ValueError(f"ops must be one of {', '.join(OPS)}, not {ops!r}")
    # a package is loaded with migrex's tokenizer in place of its own (it saves spaCy's
    # default); a directory may be a saved migrex pipeline, which keeps the tokenizer it saved
    saved = Path(name).is_dir()
    exclude, overrides = list(config["exclude"]), {}
    if not saved:
        exclude.append("tokenizer")
        overrides = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}}
    try:
        with use_ops("numpy", use_blis=ops == "blis"):  # models take the ops current at load
            nlp = spacy.load(name, exclude=exclude, config=overrides)
    except OSError as error:
        raise RuntimeError(f"spaCy pipeline {name!r} is not installed; install the package "
                           "(pip install migrex) or pass --model NAME") from error
    if all(component in nlp.pipe_names for component in config["components"]):
        if figures:
            raise RuntimeError(f"{name} is a saved migrex pipeline: its figure typing is "
                               "part of it and cannot be overridden")
        return nlp  # a migrex pipeline saved with nlp.to_disk: used as it was saved
    if saved:
        customise_tokenizer(nlp)
    for name in nlp.pipe_names:
        nlp.disable_pipe(name)  # kept loaded: migrex_ner and migrex_syntax run them
    for component in config["sentences"]:  # before the NER, whose entities respect them
        nlp.add_pipe(component)
    if config["entities"] in nlp.component_names:
        nlp.add_pipe("migrex_ner", config={"component": config["entities"]})
    syntax = [name for name in config["syntax_on_demand"] if name in nlp.component_names]
    nlp.add_pipe("migrex_syntax", config={"components": syntax})
    component_config = {name: dict(values) for name, values in config["component_config"].items()}
    component_config["migrex_figures"].update(figures or {})
    for component in config["components"]:
        nlp.add_pipe(component, config=component_config.get(component, {}))
    return nlp


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """Pieces of at most `limit` characters with their offsets, cut at paragraph breaks
    (else line breaks, sentence ends, spaces) so very large documents fit in memory."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max(window.rfind(sep) + len(sep) for sep in ("\n\n", "\n", ". ", " "))
        cut = cut if cut > limit // 4 else limit
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


class Piece(NamedTuple):
    """What one piece of a document gave: its record (offsets in the whole document) or why
    it failed, and warnings about its text."""

    offset: int
    result: dict | InputProblem
    warnings: list[InputProblem]


_FORKED_EXTRACTOR: "Extractor | None" = None  # the pipeline forked workers inherit


def _extract_chunk(pieces: list[tuple[Document, int]]) -> list[Piece]:
    """In a forked worker: one chunk's pieces, by the pipeline loaded before the fork."""
    return list(_FORKED_EXTRACTOR._analyse(pieces))


def _start_worker() -> None:
    """In a forked worker, before its first chunk."""
    _die_with_parent()
    keep_freed_memory()


def _die_with_parent() -> None:
    """In a forked worker: end when the parent process dies (even by SIGKILL), so a killed
    --n-process run leaves no orphan workers (Linux prctl; elsewhere a watch thread)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Extractor:
    """Extracts actors, dates and figures from documents, one output record each."""

    def __init__(self, model: str | None = None, batch_size: int | None = None,
                 n_process: int = 1, figures: dict | None = None, nlp: Language | None = None,
                 ops: str | None = None):
        """`model`: the base pipeline (a package name or directory; a saved migrex pipeline is
        used as it is); `nlp`: an already built migrex pipeline instead (e.g. `spacy.load` of
        one saved with `nlp.to_disk`); `ops`: thinc's matrix products (see `build_nlp`)."""
        config = pipeline_config()
        self.nlp = nlp if nlp is not None else build_nlp(model, figures, ops)
        self.batch_size = batch_size or config["batch_size"]
        self.n_process = n_process
        self.chunk_chars = config["max_chunk_chars"]
        self.blas_threads = config["blas_threads"]
        self._blas = ThreadpoolController()  # made once: each threadpool_limits made one (2 ms)

    def _pieces(self, documents: Iterable[Document]) -> Iterator[tuple[Document, int]]:
        """Each document in pieces of at most `chunk_chars` characters: (the piece as a
        document of its own, its offset in the whole)."""
        for document in documents:
            for offset, piece in split_text(document.text, self.chunk_chars):
                yield replace(document, text=piece), offset

    def extract_many(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        """Records in input order, computed lazily batch by batch. A document the pipeline
        fails on is reported as a problem and the batch goes on without it; warnings
        (problems with `skipped` False: a number too large to be a figure) come just before
        their document's record."""
        if self.n_process > 1:
            yield from self._in_workers(documents)
        else:
            yield from self._in_process(documents)

    def _in_process(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        yield from self._join(self._analyse(self._pieces(documents)))

    def _in_workers(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        """`extract_many` in `n_process` forked workers that share this loaded pipeline: each
        gets chunks of at most `batch_size` pieces and `max_chunk_chars` characters (the
        pieces of a large document spread over the workers) and sends back finished piece
        records (not Docs); at most two chunks per worker are in flight, so memory stays flat
        and order is kept."""
        global _FORKED_EXTRACTOR
        _FORKED_EXTRACTOR = self
        # the loaded pipeline out of the collector's reach while the workers run: their
        # collections then neither walk nor copy (on write) the pages they share with this one
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(self.n_process, initializer=_start_worker) as pool:
                yield from self._join(self._from_workers(pool, documents))
        finally:
            if not frozen_before:  # a caller's own freeze is left as it was
                gc.unfreeze()

    def _from_workers(self, pool, documents: Iterable[Document]) -> Iterator[Piece]:
        pending: deque = deque()
        chunks = groups(self._pieces(documents), self.batch_size, self.max_chunk_chars,
                        _piece_size)
        for chunk in _last_spread(chunks, self.n_process):
            pending.append(pool.apply_async(_extract_chunk, (chunk,)))
            if len(pending) >= 2 * self.n_process:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()

    max_batch_chars = 200_000  # characters analysed together, so peak memory stays flat
    max_chunk_chars = 40_000  # characters a worker gets at once: seconds of work, so the
    # workers stay evenly busy while a chunk's pickling costs next to nothing

    def _analyse(self, pieces: Iterable[tuple[Document, int]]) -> Iterator[Piece]:
        """`nlp.pipe` over the pieces in groups of at most `batch_size` pieces and
        `max_batch_chars` characters: the pieces of a split document stream through. A group
        the pipeline raises on is redone piece by piece, so only the failing document is lost.
        Each group runs with at most `blas_threads` BLAS threads (models/pipeline.json), the
        caller's limit restored between groups."""
        for group in groups(pieces, self.batch_size, self.max_batch_chars, _piece_size):
            with self._blas.limit(limits=self.blas_threads, user_api="blas"):
                try:
                    done = list(self._analyse_group(group))
                except Exception:  # noqa: BLE001 - isolate the piece that fails, keep the rest
                    done = [self._analyse_alone(piece, offset) for piece, offset in group]
            yield from done

    def _analyse_group(self, group: list[tuple[Document, int]]) -> Iterator[Piece]:
        units = []
        for piece, offset in group:
            doc = self.nlp.make_doc(piece.text)
            doc.user_data[TEXT_KEY] = piece.text
            doc._.published = piece.published
            units.append((doc, (piece, offset)))
        for doc, (piece, offset) in self.nlp.pipe(units, as_tuples=True, batch_size=len(units)):
            yield Piece(offset, _piece_record(doc, piece, offset),
                        _figure_warnings(doc, piece, offset))

    def _analyse_alone(self, piece: Document, offset: int) -> Piece:
        try:
            return next(self._analyse_group([(piece, offset)]))
        except Exception as error:  # noqa: BLE001
            return Piece(offset, _failed(piece, f"{type(error).__name__}: {error}"), [])

    @staticmethod
    def _join(pieces: Iterable[Piece]) -> Iterator[dict | InputProblem]:
        """One record per document from its pieces (a piece at offset 0 starts a document),
        after its warnings; a document one of whose pieces failed becomes that problem."""
        pending: dict | InputProblem | None = None
        warnings: list[InputProblem] = []
        for piece in pieces:
            if piece.offset == 0 and pending is not None:
                yield from _finished(pending, warnings)
                pending, warnings = None, []
            warnings.extend(piece.warnings)
            if isinstance(pending, InputProblem):
                continue
            if pending is None or isinstance(piece.result, InputProblem):
                pending = piece.result
            else:
                pending["spans"].extend(piece.result["spans"])
                pending["facts"].extend(piece.result["facts"])
                if "text" in pending:  # the pieces are consecutive: their texts add up
                    pending["text"] += piece.result["text"]
        if pending is not None:
            yield from _finished(pending, warnings)

    def extract(self, text: str, published: str | None = None, doc_id: str = "doc") -> dict:
        """One text to one record; `published` is an ISO date or timestamp (its date as
        written), as everywhere else; anything else raises ValueError."""
        day, why = check_published(published) if published is not None else (None, None)
        if why:
            raise ValueError(why)
        document = Document(doc_id=doc_id, text=text, published=day)
        result = next(result for result in self.extract_many([document])
                      if not (isinstance(result, InputProblem) and not result.skipped))
        if isinstance(result, InputProblem):
            raise RuntimeError(result.message)
        return result


def _piece_size(piece: tuple[Document, int]) -> int:
    return len(piece[0].text)


def _last_spread(chunks: Iterable[list], parts: int) -> Iterator[list]:
    """The chunks, the last `parts` of them each cut into `parts` of about equal characters,
    so that the workers finish together instead of one doing a whole chunk while the others
    wait (the cost: `parts` chunks read ahead)."""
    ahead: deque[list] = deque()
    for chunk in chunks:
        ahead.append(chunk)
        if len(ahead) > parts:
            yield ahead.popleft()
    for chunk in ahead:
        yield from _cut(chunk, parts)


def _cut(chunk: list, parts: int) -> Iterator[list]:
    """`chunk` in at most `parts` consecutive runs of about equal characters."""
    total = sum(map(_piece_size, chunk))
    part, done, cuts = [], 0, 1
    for piece in chunk:
        part.append(piece)
        done += _piece_size(piece)
        if cuts < parts and done * parts >= total * cuts:
            yield part
            part, cuts = [], cuts + 1
    if part:
        yield part


def _failed(piece: Document, why: str) -> InputProblem:
    return InputProblem(piece.origin or piece.doc_id, f"extraction failed ({why})",
                        "please report this document", line=piece.line, doc_id=piece.doc_id)


def _finished(result: dict | InputProblem, warnings: list[InputProblem]) -> list:
    """A document's warnings (none when it failed), then its record or problem."""
    return [*warnings, result] if isinstance(result, dict) else [result]


def _piece_record(doc: Doc, piece: Document, offset: int) -> dict | InputProblem:
    """The record of one analysed piece, its offsets shifted into the whole document."""
    if ERROR_KEY in doc.user_data:
        return _failed(piece, doc.user_data[ERROR_KEY])
    record = doc_to_record(doc, piece)
    for item in record["spans"] + record["facts"]:
        item["start"] += offset
        item["end"] += offset
    return record


def _figure_warnings(doc: Doc, piece: Document, offset: int) -> list[InputProblem]:
    """A warning for each number in the piece too large to be a figure (dropped, not a skip)."""
    return [InputProblem(piece.origin or piece.doc_id,
                         f"{_shown(text)} at character {offset + start} is not "
                         "a figure (its value is not finite or "
                         f"above {MAX_FIGURE_VALUE:g}); the rest of the document is kept",
                         "check the number in the source", line=piece.line,
                         doc_id=piece.doc_id, skipped=False)
            for start, text in doc.user_data.get(OVERSIZED_KEY, [])]


def _shown(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"
