"""The `migrex_ner` component: the base pipeline's statistical NER, decoded in bulk.

The entities are those the base NER sets itself (same model, same moves; see `decoding.py`)
at a fraction of its decoding cost. Documents with entities already set, and models of
another shape, go to the base NER itself.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from .attributes import guarded, guarded_pipe
from .decoding import BiluoDecoder, token_batches


class BulkEntityRecognizer:
    """Sets `doc.ents` as the base pipeline's NER component `component` would."""

    def __init__(self, nlp: Language, name: str, component: str):
        if component not in nlp.component_names:
            raise ValueError(f"{name} decodes the entity recognizer {component!r}, which this "
                             f"pipeline lacks (it has {', '.join(nlp.component_names)}); pass "
                             "config={\"component\": NAME} naming its NER")
        self.nlp = nlp
        self.name = name
        self.component = component
        # read at the first call: a saved pipeline's NER gets its moves and weights only after
        # this component is made
        self._decoder: BiluoDecoder | None | bool = False

    @property
    def ner(self):
        return self.nlp.get_pipe(self.component)

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        self._recognise([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        yield from guarded_pipe(self, docs, batch_size, self._recognise)

    def _recognise(self, batch: list[Doc]) -> None:
        docs = [doc for doc in batch if len(doc)]
        if not docs:
            return
        if self._decoder is False:
            self._decoder = BiluoDecoder.of(self.ner)
        if self._decoder is None or any(doc.has_annotation("ENT_IOB") for doc in docs):
            for _ in self.ner.pipe(docs, batch_size=len(docs)):
                pass
            return
        for group in token_batches(docs):
            for doc, entities in zip(group, self._decoder.decode(group)):
                doc.set_ents([Span(doc, start, end, label=label)
                              for start, end, label in entities], default="outside")


@Language.factory("migrex_ner", default_config={"component": "ner"},
                  assigns=["doc.ents", "token.ent_iob", "token.ent_type"])
def make_entities(nlp: Language, name: str, component: str) -> BulkEntityRecognizer:
    return BulkEntityRecognizer(nlp, name, component)
