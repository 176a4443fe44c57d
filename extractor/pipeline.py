"""Building migrex's spaCy pipeline and running it over documents."""

from __future__ import annotations

import os
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex

from . import components  # noqa: F401  (registers the factories)
from .data import load_json
from .io import Document
from .output import doc_to_record

# "U.S.-Mexico" must split so each place is its own span (the spec's span rules)
_EXTRA_INFIXES = [r"(?<=[A-Z]\.)[-–](?=[A-Z])"]


def pipeline_config() -> dict:
    return load_json("pipeline.json")


def build_nlp(model: str | None = None) -> Language:
    """The base English pipeline plus migrex's components, as `models/pipeline.json` says."""
    config = pipeline_config()
    name = model or os.environ.get("MIGREX_BASE_MODEL") or config["base_model"]
    try:
        nlp = spacy.load(name, exclude=config["exclude"])
    except OSError as error:
        raise RuntimeError(f"spaCy pipeline {name!r} is not installed; install the package "
                           "(pip install -e .) or pass --model NAME") from error
    infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    first = "parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0]
    for component in config["before_parser"]:
        nlp.add_pipe(component, before=first)
    for component in config["components"]:
        nlp.add_pipe(component)
    return nlp


class Extractor:
    """Extracts actors, dates and figures from documents, one output record each."""

    def __init__(self, model: str | None = None, batch_size: int | None = None,
                 n_process: int = 1):
        self.nlp = build_nlp(model)
        self.batch_size = batch_size or pipeline_config()["batch_size"]
        self.n_process = n_process

    def _docs(self, documents: Iterable[Document]):
        for document in documents:
            doc = self.nlp.make_doc(document.text)
            doc._.published = document.published
            yield doc, document

    def extract_many(self, documents: Iterable[Document]) -> Iterator[dict]:
        """Records in input order, computed lazily in batches."""
        for doc, document in self.nlp.pipe(self._docs(documents), as_tuples=True,
                                           batch_size=self.batch_size, n_process=self.n_process):
            yield doc_to_record(doc, document)

    def extract(self, text: str, published: str | None = None, doc_id: str = "doc") -> dict:
        """One text to one record."""
        return next(self.extract_many([Document(doc_id=doc_id, text=text, published=published)]))
