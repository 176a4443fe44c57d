"""Building migrex's spaCy pipeline and running it over documents."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from thinc.api import use_ops

from . import components  # noqa: F401  (registers the factories)
from .components.attributes import ERROR_KEY, TEXT_KEY, batches, text_of
from .data import load_json
from .io import Document, InputProblem
from .output import doc_to_record
from .tokenizer import customise_tokenizer


def pipeline_config() -> dict:
    return load_json("pipeline.json")


OPS = ("numpy", "blis")  # thinc's CPU matrix products: numpy's BLAS, or the blis package


def build_nlp(model: str | None = None, figures: dict | None = None,
              ops: str | None = None) -> Language:
    """The base English pipeline plus migrex's components, as `models/pipeline.json` says;
    `figures` overrides the figure component's config ({"typing": "rules"}, or
    {"embeddings": True, "model": "figures-embeddings"} with the transformers extra);
    `ops` ("numpy" or "blis", default the config's "ops") chooses thinc's matrix products."""
    config = pipeline_config()
    name = model or os.environ.get("MIGREX_BASE_MODEL") or config["base_model"]
    ops = ops or config["ops"]
    if ops not in OPS:
        raise ValueError(f"ops must be one of {', '.join(OPS)}, not {ops!r}")
    try:
        with use_ops("numpy", use_blis=ops == "blis"):  # models take the ops current at load
            nlp = spacy.load(name, exclude=config["exclude"])
    except OSError as error:
        raise RuntimeError(f"spaCy pipeline {name!r} is not installed; install the package "
                           "(pip install migrex) or pass --model NAME") from error
    if all(component in nlp.pipe_names for component in config["components"]):
        if figures:
            raise RuntimeError(f"{name} is a saved migrex pipeline: its figure typing is "
                               "part of it and cannot be overridden")
        return nlp  # a migrex pipeline saved with nlp.to_disk: used as it was saved
    customise_tokenizer(nlp)
    for name in nlp.pipe_names:
        if name not in config["base_components"]:
            nlp.disable_pipe(name)  # kept loaded: migrex_syntax runs some on chosen sentences
    first = nlp.pipe_names[0] if nlp.pipe_names else None
    for component in config["sentences"]:  # before the NER, whose entities respect them
        if first:
            nlp.add_pipe(component, before=first)
        else:
            nlp.add_pipe(component)
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


def _groups(items: Iterable, count: int, chars: int, size_of) -> Iterator[list]:
    """Lists of at most `count` items whose `size_of` adds up to at most `chars` (an item
    larger than that goes alone)."""
    group: list = []
    total = 0
    for item in items:
        size = size_of(item)
        if group and (len(group) >= count or total + size > chars):
            yield group
            group, total = [], 0
        group.append(item)
        total += size
    if group:
        yield group


_FORKED_EXTRACTOR: "Extractor | None" = None  # the pipeline forked workers inherit


def _extract_chunk(documents: list[Document]) -> list[dict | InputProblem]:
    """In a forked worker: one chunk's records, by the pipeline loaded before the fork."""
    return list(_FORKED_EXTRACTOR._in_process(documents))


def _start_worker() -> None:
    """A forked worker: one BLAS thread (the workers fill the cores; numpy's ops with
    OpenBLAS's own threads in every worker ran two workers no faster than one), and it ends
    with its parent."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    _die_with_parent()


def _die_with_parent() -> None:
    """In a forked worker: end when the parent process dies (even by SIGKILL), so a killed
    --n-process run leaves no orphan workers (Linux prctl; elsewhere a watch thread)."""
    parent = os.getppid()
    try:
        import ctypes

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

    def _units(self, documents: Iterable[Document]):
        for document in documents:
            for offset, piece in split_text(document.text, self.chunk_chars):
                doc = self.nlp.make_doc(piece)
                doc.user_data[TEXT_KEY] = piece
                doc._.published = document.published
                yield doc, (document, offset)

    def extract_many(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        """Records in input order, computed lazily batch by batch. A document the pipeline
        fails on is reported as a problem and the batch goes on without it."""
        if self.n_process > 1:
            yield from self._in_workers(documents)
        else:
            yield from self._in_process(documents)

    def _in_process(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        for batch in batches(documents, self.batch_size):
            try:
                records = list(self._merge(self._analyse(self._units(batch))))
            except Exception:  # noqa: BLE001 - isolate the document that fails, keep the rest
                records = list(self._one_by_one(batch))
            yield from records

    def _in_workers(self, documents: Iterable[Document]) -> Iterator[dict | InputProblem]:
        """`extract_many` in `n_process` forked workers that share this loaded pipeline: each
        gets chunks of at most `batch_size` documents and `max_chunk_chars` characters and
        sends back finished records (not Docs); at most two chunks per worker are in flight,
        so memory stays flat and order is kept."""
        global _FORKED_EXTRACTOR
        _FORKED_EXTRACTOR = self
        context = multiprocessing.get_context("fork")
        with context.Pool(self.n_process, initializer=_start_worker) as pool:
            pending: deque = deque()
            for chunk in _groups(documents, self.batch_size, self.max_chunk_chars,
                                 lambda document: len(document.text)):
                pending.append(pool.apply_async(_extract_chunk, (chunk,)))
                if len(pending) >= 2 * self.n_process:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    max_batch_chars = 200_000  # characters analysed together, so peak memory stays flat
    max_chunk_chars = 40_000  # characters a worker gets at once: seconds of work, so the
    # workers stay evenly busy while a chunk's pickling costs next to nothing

    def _analyse(self, units):
        """`nlp.pipe` over the units in groups of at most `batch_size` pieces and
        `max_batch_chars` characters: the pieces of a split document stream through."""
        for group in _groups(units, self.batch_size, self.max_batch_chars,
                             lambda unit: len(text_of(unit[0]))):
            yield from self.nlp.pipe(group, as_tuples=True, batch_size=len(group))

    def _one_by_one(self, batch: list[Document]) -> Iterator[dict | InputProblem]:
        for document in batch:
            try:
                yield from self._merge(self._analyse(self._units([document])))
            except Exception as error:  # noqa: BLE001
                yield InputProblem(document.origin or document.doc_id,
                                   f"extraction failed ({type(error).__name__}: {error})",
                                   "please report this document", doc_id=document.doc_id)

    @staticmethod
    def _merge(analysed) -> Iterator[dict | InputProblem]:
        """One record per document from its pieces (a piece at offset 0 starts a document),
        offsets shifted back; a document a component could not analyse becomes a problem."""
        pending: dict | InputProblem | None = None
        for doc, (document, offset) in analysed:
            if offset == 0 and pending is not None:
                yield pending
                pending = None
            if isinstance(pending, InputProblem):
                continue
            if ERROR_KEY in doc.user_data:
                pending = InputProblem(document.origin or document.doc_id,
                                       f"extraction failed ({doc.user_data[ERROR_KEY]})",
                                       "please report this document", doc_id=document.doc_id)
                continue
            piece = doc_to_record(doc, document)
            for item in piece["spans"] + piece["facts"]:
                item["start"] += offset
                item["end"] += offset
            if pending is None:
                pending = piece
            else:
                pending["spans"].extend(piece["spans"])
                pending["facts"].extend(piece["facts"])
        if pending is not None:
            yield pending

    def extract(self, text: str, published: str | None = None, doc_id: str = "doc") -> dict:
        """One text to one record."""
        result = next(self.extract_many([Document(doc_id=doc_id, text=text, published=published)]))
        if isinstance(result, InputProblem):
            raise RuntimeError(result.message)
        return result
