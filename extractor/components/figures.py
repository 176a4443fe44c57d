"""The `migrex_figures` component: number expressions typed by what they count."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..data import MODELS_DIR
from ..figure_model import NONE, FigureTypingModel
from ..normalize.numbers import NumberExpression, find_numbers
from ..normalize.setting import detect_country, dollar_currency
from .attributes import DATES_KEY, FIGURES_KEY, char_span, guarded, guarded_pipe
from .figure_context import SPECIFIC, FigureLexicon, counted_noun
from .figure_features import candidate_features
from .serialise import DATA_FILE, DataBacked

INHERIT = "INHERIT"  # a bare number that takes the label of a neighbouring figure
SUBCOUNT = "SUBCOUNT"  # "..., including 105,000 family members": part of the previous figure
_SUBCOUNT_CUES = {"including", "includes", "include", "included", "among"}
_CLAUSE_DEPS = {"acl", "relcl", "advcl"}


def _ancestors(token: Token, limit: int = 5):
    current = token
    for _ in range(limit):
        if current.head is current:
            return
        current = current.head
        yield current


class FigureClassifier:
    """Decides a count's label from the counted noun, the dependency path and its verb."""

    def __init__(self, lexicon: FigureLexicon):
        self.lexicon = lexicon

    def classify(self, tokens: Span) -> str | None:
        last = tokens[-1]
        noun = counted_noun(last)
        if noun is not None:
            label = self.lexicon.noun_label(noun)
            if label == "NONE":
                return None
            if label in SPECIFIC:
                return self._crossings(noun, label)
            if label == "PEOPLE":
                return self._specific_above(noun) or "PEOPLE"
            if noun.lower_ in self.lexicon.generic:
                return INHERIT
            return self._specific_above(noun) if label is None and noun.pos_ == "ADJ" else None
        return self._bare(last)

    def _crossings(self, noun: Token, label: str) -> str:
        """'crossings' are encounters when detected by a border authority, else arrivals."""
        if noun.lemma_.lower() not in ("crossing",) or label != "ENCOUNTERS":
            return label
        window = noun.sent.text.lower()
        return label if any(word in window for word in self.lexicon.encounter_context) else "PEOPLE"

    def _specific_above(self, noun: Token) -> str | None:
        """An encounter/removal/visa word governing a count of people ('removed 690,000 people')."""
        for child in noun.children:
            if child.dep_ in _CLAUSE_DEPS and child.pos_ == "VERB" and self._specific_verb(child):
                return self._specific_verb(child)
        for ancestor in _ancestors(noun):
            if ancestor.pos_ in ("VERB", "AUX"):
                # coordinated verbs count too: "removed or returned"
                for verb in (ancestor,) + tuple(ancestor.conjuncts):
                    if self._specific_verb(verb):
                        return self._specific_verb(verb)
                if ancestor.dep_ not in ("xcomp", "conj", "ccomp", "prep", "acl") \
                        and ancestor.lemma_ != "include":
                    return None
            elif ancestor.pos_ in ("NOUN", "PROPN"):
                label = self.lexicon.noun_label(ancestor)
                if label in SPECIFIC:
                    return label
        return None

    def _specific_verb(self, verb: Token) -> str | None:
        """The encounter/removal/visa label a verb gives, if any."""
        label = self.lexicon.verb_label(verb)
        return label if label in SPECIFIC else None

    def _bare(self, last: Token) -> str | None:
        """A number that is its own noun phrase: look at what it is the object or total of."""
        if last.pos_ not in ("NUM", "NOUN", "PROPN", "X", "SYM"):
            return None
        first = last.doc[last.left_edge.i] if last.left_edge.i < last.i else last
        colon = last.doc[first.i - 1] if first.i > 0 else None
        if colon is not None and colon.text == ":" and colon.i > 0:
            return self._label_before_colon(last.doc[colon.i - 1])
        for ancestor in _ancestors(last, limit=4):
            if ancestor.pos_ in ("NOUN", "PROPN") and ancestor.lower_ in self.lexicon.generic:
                return INHERIT
            if ancestor.pos_ in ("VERB", "AUX"):
                if self._specific_verb(ancestor):
                    return self._specific_verb(ancestor)
                for child in ancestor.children:
                    if child.dep_ in ("nsubj", "nsubjpass", "dobj", "acomp", "attr") \
                            and child.i != last.i and last not in child.subtree:
                        found = self._subject_label(child)
                        if found:
                            return found
                return INHERIT
        return INHERIT

    def _label_before_colon(self, token: Token) -> str | None:
        """'ICE removals: 21.3K', 'Children apprehended: 1.1K' (stat boxes)."""
        if token.pos_ in ("VERB", "ADJ") and self.lexicon.verb_label(token) in SPECIFIC:
            return self.lexicon.verb_label(token)
        label = self.lexicon.noun_label(token)
        if label == "NONE":
            return None
        if label in SPECIFIC:
            return label
        return label or None

    def _subject_label(self, subject: Token) -> str | None:
        for token in subject.subtree:
            label = self.lexicon.noun_label(token)
            if label in SPECIFIC or label == "PEOPLE":
                return label
        return INHERIT if subject.lower_ in self.lexicon.generic else None


def _is_name_number(doc: Doc, tokens: Span) -> bool:
    """'Title 42', 'Section 8': a number right after a capitalised name word."""
    if tokens.start == 0:
        return False
    previous = doc[tokens.start - 1]
    return previous.is_title and previous.pos_ == "PROPN" and not previous.whitespace_ == "" \
        and previous.ent_type_ not in ("GPE", "LOC", "NORP") and tokens[0].like_num \
        and not tokens.text.startswith(("$", "£", "€"))


TYPINGS = ("rules", "classifier", "combined", "stacked")


class FigureRecognizer(DataBacked):
    """Finds number expressions, parses their values and decides their labels: by the rules,
    by the learned model, or by both (`typing`: rules, classifier, combined, stacked)."""

    needs = ("sentences",)
    data_files = ("lexicons/figures.json",)

    def __init__(self, nlp: Language, name: str, typing: str, model: str, embeddings: bool):
        if typing not in TYPINGS:
            raise ValueError(f"{name}: typing {typing!r} is not one of {', '.join(TYPINGS)}")
        self.name = name
        self.typing = typing
        self.embeddings = embeddings
        # a name under the data directory ("figures") or a directory (train-figures -o DIR)
        self.model_dir = MODELS_DIR / model
        self.model: FigureTypingModel | None = None
        if typing != "rules":
            if not (self.model_dir / "classifier.npz").is_file():
                raise ValueError(f"{name}: no figure-typing model in {self.model_dir} (config "
                                 "'model': a name under the data directory or a directory "
                                 "written by migrex train-figures -o DIR)")
            self.model = FigureTypingModel.load(self.model_dir)
        self._load_data()

    def _setup(self) -> None:
        self.lexicon = FigureLexicon(self.data["lexicons/figures.json"])
        self.classifier = FigureClassifier(self.lexicon)

    def candidates(self, doc: Doc) -> list[tuple[Span, NumberExpression, str | None]]:
        """Every number expression outside a date, with the rules' label (None: not a figure)."""
        if doc._.country is None:
            doc._.country = detect_country(doc.text)
        dates = [(s.start_char, s.end_char) for s in doc.spans.get(DATES_KEY, [])]
        pending: list[tuple[Span, str | None, NumberExpression]] = []
        for number in find_numbers(doc.text):
            if any(number.start < end and start < number.end for start, end in dates):
                continue
            span = char_span(doc, number.start, number.end, "")
            if span is None or not len(span):
                continue
            label = None if _is_name_number(doc, span) else self._label(number, span)
            pending.append((span, label, number))
        found = []
        for index, (span, label, number) in enumerate(pending):
            if label == INHERIT:
                label = _neighbour_label(pending, index)
            elif label == SUBCOUNT:
                label = _previous_specific(pending, index) or "PEOPLE"
            found.append((span, number, None if label == INHERIT else label))
        return found

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        self._type([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Batches share one call of the learned model (its per-call cost dominates)."""
        yield from guarded_pipe(self, docs, batch_size, self._type)

    def _type(self, docs: list[Doc]) -> None:
        found = [(doc, self.candidates(doc)) for doc in docs]
        rows = [(doc, span, number, rule) for doc, candidates in found
                for span, number, rule in candidates]
        labels = [rule for *_, rule in rows]
        if self.model is not None and rows:
            features = [candidate_features(span, number.value, number.currency, number.percent,
                                           number.from_words, self.lexicon,
                                           (rule or NONE) if self.typing == "stacked" else None)
                        for _, span, number, rule in rows]
            if self.embeddings:
                features = self._with_embeddings(features, [span for _, span, _, _ in rows])
            learned = [None if label == NONE else label for label in self.model.predict(features)]
            labels = [rule or guess for rule, guess in zip(labels, learned)] \
                if self.typing == "combined" else learned
        spans: dict[int, list[Span]] = {id(doc): [] for doc in docs}
        for (doc, span, number, _), label in zip(rows, labels):
            if label is None:
                continue
            figure = Span(doc, span.start, span.end, label=label)
            figure._.value = number.value
            if label == "MONEY":
                currency = number.currency or "$"
                figure._.currency = dollar_currency(doc._.country) if currency == "$" else currency
            spans[id(doc)].append(figure)
        for doc in docs:
            doc.spans[FIGURES_KEY] = spans[id(doc)]

    @staticmethod
    def _with_embeddings(features: list[dict], spans: list[Span]) -> list[dict]:
        """Add the MiniLM vector of each candidate's sentence (the transformers extra)."""
        from ..embeddings import embed, embedding_features

        sentences = sorted({span.sent.text for span in spans})
        vectors = dict(zip(sentences, embed(sentences)))
        return [{**feature, **embedding_features(vectors[span.sent.text])}
                for feature, span in zip(features, spans)]

    def _label(self, number: NumberExpression, span: Span) -> str | None:
        if number.percent:
            return "PERCENT"
        if number.currency:
            return "MONEY"
        if number.from_words and span[-1].dep_ != "nummod" and number.value < 1000:
            return None  # "one", "two" alone are pronouns or counts of anything
        label = self.classifier.classify(span)
        if number.from_words and label == INHERIT:
            return None
        before = {t.lower_ for t in span.doc[max(0, span.start - 3):span.start]}
        if label == "PEOPLE" and before & _SUBCOUNT_CUES:
            return SUBCOUNT
        return label

    def to_disk(self, path, exclude=()) -> None:
        """The lexicon and the learned model travel with the pipeline when it is saved."""
        super().to_disk(path, exclude)
        if self.model is not None:
            self.model.save(Path(path))

    def from_disk(self, path, exclude=()) -> "FigureRecognizer":
        if (Path(path) / DATA_FILE).exists():  # pipelines saved before 0.2 kept only the model
            super().from_disk(path, exclude)
        if (Path(path) / "classifier.npz").exists():
            self.model = FigureTypingModel.load(Path(path))
        return self

    def to_bytes(self, exclude=()) -> bytes:
        payload = self._data_payload()
        if self.model is not None:
            payload["model"] = self.model.to_dict()
        return srsly.msgpack_dumps(payload)

    def from_bytes(self, data: bytes, exclude=()) -> "FigureRecognizer":
        payload = srsly.msgpack_loads(data)
        self._restore(payload)
        if "model" in payload:
            self.model = FigureTypingModel.from_dict(payload["model"])
        return self


def _neighbour_label(pending: list[tuple[Span, str | None, NumberExpression]], index: int
                     ) -> str | None:
    """The count label of the nearest typed figure in the same sentence (ellipsis, ranges)."""
    span = pending[index][0]
    best, distance = None, None
    for other, label, _ in pending:
        if other is span or label in (None, INHERIT, "MONEY", "PERCENT") \
                or other.sent.start != span.sent.start:
            continue
        gap = abs(other.start - span.start)
        if distance is None or gap < distance:
            best, distance = label, gap
    return best


def _previous_specific(pending: list[tuple[Span, str | None, NumberExpression]], index: int
                       ) -> str | None:
    """The label of the figure a sub-count belongs to, when it is an encounter/removal/visa."""
    span = pending[index][0]
    for other, label, _ in reversed(pending[:index]):
        if other.sent.start == span.sent.start and label in SPECIFIC:
            return label
    return None


# the defaults are the command line's (models/pipeline.json; tests/test_plugin.py checks)
@Language.factory("migrex_figures",
                  default_config={"typing": "stacked", "model": "figures", "embeddings": False},
                  assigns=["doc.spans", "span._.value", "span._.currency", "doc._.country"],
                  requires=["doc.sents", "token.dep", "token.pos", "token.lemma"])
def make_figure_recognizer(nlp: Language, name: str, typing: str, model: str, embeddings: bool
                           ) -> FigureRecognizer:
    return FigureRecognizer(nlp, name, typing, model, embeddings)
