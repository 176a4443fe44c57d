"""The `migrex_ner` component: the base pipeline's statistical NER, decoded in bulk.

spaCy's greedy decoder steps every token of a batch through its transition loop, which cost
three quarters of the NER's time here (about 85 microseconds a token). The decisions it makes
are these, made another way with the same weights and the same arithmetic:

- Outside an entity the model's features are the token itself and two padding rows, so the
  Begin/Unit/Out decision at every such token comes from one matrix product over the batch.
- Inside an entity only In and Last (of the open entity's label) are valid; those tokens,
  a few per entity, are decided one step at a time from the entity's first token.

What this does not cover (entities already set on a document, beam search, another model
shape) is handed to the base NER itself.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy
from blis.py import gemm  # spaCy's decoder multiplies with blis whatever thinc's ops are
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from .attributes import guarded, guarded_pipe

_MOVES = "BILUO"  # spaCy's BILUO move letters: Begin, In, Last, Unit, Out
BEGIN, IN, LAST, UNIT, OUT = range(len(_MOVES))


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
        self._weights: _DecoderWeights | None | bool = False  # read at the first call: a
        # saved pipeline's NER gets its moves and weights only after this component is made

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
        if self._weights is False:
            self._weights = _DecoderWeights.of(self.ner)
        model = self._weights
        if model is None or any(doc.has_annotation("ENT_IOB") for doc in docs):
            for _ in self.ner.pipe(docs, batch_size=len(docs)):
                pass
            return
        for doc, entities in zip(docs, model.decode(docs)):
            doc.set_ents([Span(doc, start, end, label=label) for start, end, label in entities],
                         default="outside")


class _DecoderWeights:
    """The NER model's layers and its move table, for a greedy BILUO model with a maxout
    hidden layer over three state features (spaCy's NER model since v3.0)."""

    def __init__(self, ner):
        self.tok2vec, self.lower, self.upper = ner.model.layers
        names = [ner.moves.get_class_name(index) for index in range(ner.moves.n_moves)]
        self.moves = numpy.array([_MOVES.index(name[0]) for name in names])
        self.labels = [name[2:] if "-" in name else "" for name in names]
        # the move index of (In, label) and (Last, label), for the steps inside an entity
        self.inside = {label: (names.index(f"I-{label}"), names.index(f"L-{label}"))
                       for label in set(self.labels) if label}
        labelled = numpy.array([bool(label) for label in self.labels])
        self.may_begin = (self.moves == BEGIN) & labelled
        self.may_unit = (self.moves == UNIT) & labelled
        self.may_out = self.moves == OUT

    @classmethod
    def of(cls, ner) -> "_DecoderWeights | None":
        """The weights of `ner`, or None when its model is one this decoder does not cover."""
        model = ner.model
        try:
            lower, upper = model.get_ref("lower"), model.get_ref("upper")
            covered = (ner.cfg.get("beam_width") == 1 and model.attrs.get("has_upper")
                       and not model.attrs.get("unseen_classes")
                       and lower.get_dim("nF") == 3 and lower.get_dim("nP") >= 2
                       and upper.get_param("W").shape[0] == ner.moves.n_moves
                       and all(ner.moves.get_class_name(index)[0] in _MOVES
                               for index in range(ner.moves.n_moves)))
        except (KeyError, ValueError, AttributeError):
            return None
        return cls(ner) if covered else None

    def decode(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) of each document's entities, in token offsets."""
        lengths = numpy.array([len(doc) for doc in docs])
        offsets = numpy.concatenate(([0], numpy.cumsum(lengths)[:-1]))
        ends = offsets + lengths
        # per feature f, row 1 + t is token t of the batch and row 0 the padding
        features = self.lower.predict(self.tok2vec.predict(docs))
        features = features.reshape(features.shape[0], features.shape[1], -1)
        space = numpy.concatenate([doc.to_array([IS_SPACE]).reshape(-1) for doc in docs]) == 1
        starts = numpy.concatenate([doc.to_array([SENT_START]).reshape(-1) for doc in docs])
        # the next token of the same document starts a sentence (or there is none)
        last = numpy.zeros(len(starts), dtype=bool)
        last[ends - 1] = True
        next_starts = numpy.append(starts[1:] == 1, False) & ~last
        # outside an entity the features are (token, padding, padding)
        outside = self._scores(features[1:, 0] + features[0, 1] + features[0, 2])
        valid = (self.may_out[None, :]
                 | (self.may_unit[None, :] & ~space[:, None])
                 | (self.may_begin[None, :] & ~(space | last | next_starts)[:, None]))
        outside[~valid] = -numpy.inf
        choice = outside.argmax(axis=1)
        entities: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        resume = 0  # the first token not inside an entity already decoded
        for token in numpy.flatnonzero(self.moves[choice] != OUT).tolist():
            if token < resume:
                continue
            document = int(numpy.searchsorted(ends, token, side="right"))
            label = self.labels[choice[token]]
            end = token + 1
            if self.moves[choice[token]] == BEGIN:
                end = self._entity_end(features, token, label, last | next_starts)
            resume = end
            base = int(offsets[document])
            entities[document].append((token - base, end - base, label))
        return entities

    def _scores(self, summed: numpy.ndarray) -> numpy.ndarray:
        """Move scores of states whose three feature rows add up to `summed` (in spaCy's
        order: features first, then the bias; the maxout; the output layer)."""
        bias = self.lower.get_param("b").reshape(-1)
        hidden = (summed + bias).reshape(len(summed), -1, self.lower.get_dim("nP")).max(axis=2)
        scores = gemm(numpy.ascontiguousarray(hidden), self.upper.get_param("W"), trans2=True)
        scores += self.upper.get_param("b")
        return scores

    def _entity_end(self, features: numpy.ndarray, first: int, label: str,
                    stops: numpy.ndarray) -> int:
        """The end (exclusive) of the entity that begins at token `first`: at each token
        the features are (token, the entity's first token, the token before); `stops`
        marks the tokens after which no entity goes on."""
        inside, closing = self.inside[label]
        token = first + 1
        while True:
            scores = self._scores(features[token + 1, 0][None] + features[first + 1, 1]
                                  + features[token, 2])[0]
            may_go_on = not stops[token]  # In needs a next token in the same sentence
            # the first of equal best scores wins, as in spaCy's arg_max_if_valid
            go_on = may_go_on and (scores[inside] > scores[closing]
                                   or (scores[inside] == scores[closing] and inside < closing))
            if not go_on:
                return token + 1
            token += 1


@Language.factory("migrex_ner", default_config={"component": "ner"},
                  assigns=["doc.ents", "token.ent_iob", "token.ent_type"])
def make_entities(nlp: Language, name: str, component: str) -> BulkEntityRecognizer:
    return BulkEntityRecognizer(nlp, name, component)
