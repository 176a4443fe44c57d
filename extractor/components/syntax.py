"""The `migrex_syntax` component: tagging, lemmas and the dependency parse only where migrex
reads them (sentences with a number or a date whose resolution needs the verb's tense); the
parse is decoded in bulk (`decoding.py`), with the heads and labels of the parser's own."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import numpy
from spacy.attrs import (DEP, HEAD, IDX, LEMMA, LENGTH, MORPH, ORTH, POS, SENT_START, SPACY,
                         TAG)
from spacy.language import Language
from spacy.tokens import Doc

from ..normalize.numbers import number_words

DATE_VOCABULARY = "lexicons/dates.json"
# pattern slots filled from the date vocabulary's keys
_DATE_SLOTS = {"{weekdays}": ("weekdays",), "{months}": ("months", "month_abbreviations"),
               "{named_days}": ("named_days",), "{seasons}": ("seasons",)}
from .attributes import guarded, guarded_pipe, text_of
from .decoding import ArcEagerDecoder, Unsupported
from .serialise import DataBacked

_ATTRS = [TAG, POS, LEMMA, HEAD, DEP]


def _copy_tokens(doc: Doc, tokens: list[list[int]], start: int, end: int) -> Doc:
    """A new Doc of tokens start..end, from the document's [ORTH, SPACY] rows read once
    (Span.as_doc copies every annotation and is ~10x slower)."""
    strings = doc.vocab.strings
    rows = tokens[start:end]
    return Doc(doc.vocab, words=[strings[orth] for orth, _ in rows],
               spaces=[bool(space) for _, space in rows])


class SyntaxOnDemand(DataBacked):
    """Runs the base pipeline's syntax components on the sentences that need them; the other
    sentences get a flat tree (first token as root) so their boundaries survive."""

    needs = ("sentences",)

    def __init__(self, nlp: Language, name: str, components: list[str], trigger: str):
        self.name = name
        self.nlp = nlp
        self.component_names = components
        missing = [component for component in components if component not in nlp.component_names]
        if missing:
            raise ValueError(f"{name} runs {', '.join(missing)} of the base pipeline, which has "
                             f"none of that name (it has {', '.join(nlp.component_names)}); "
                             "pass config={\"components\": [...]} naming the ones it has")
        self.components = [nlp.get_pipe(component) for component in components]
        self.lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in components else None
        self.lemmas = CachedLemmas(self.lemmatizer) if self.lemmatizer is not None else None
        self.data_files = (trigger, DATE_VOCABULARY)
        self.trigger_file = trigger
        self._load_data()
        # the tag-to-POS map is read from the attribute ruler at the first call: when a saved
        # pipeline loads, the ruler's patterns arrive only after this component is created
        self._pos_of_tag = None
        self._decoders: dict[str, ArcEagerDecoder | None] = {}

    def _setup(self) -> None:
        # "{number_words}": the number vocabulary from two up ("one" alone is rarely a figure)
        words = "|".join(re.escape(word) for word in number_words(minimum=2))
        pattern = self.data[self.trigger_file]["pattern"].replace("{number_words}", words)
        dates = self.data[DATE_VOCABULARY]  # month, weekday and named-day names: one vocabulary
        for slot, keys in _DATE_SLOTS.items():
            names = sorted({name for key in keys for name in dates[key] if not name.startswith("_")},
                           key=len, reverse=True)
            pattern = pattern.replace(slot, "|".join(re.escape(name) for name in names))
        self.trigger = re.compile(pattern, re.IGNORECASE)
        self._pos_of_tag = None

    @property
    def pos_of_tag(self):
        if "attribute_ruler" in self.component_names:
            return None
        if self._pos_of_tag is None:
            self._pos_of_tag = _tag_to_pos(self.nlp)
        return self._pos_of_tag

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        self._analyse([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        yield from guarded_pipe(self, docs, batch_size, self._analyse)

    def chosen(self, doc: Doc) -> list[tuple[int, int]]:
        """(start, end) token offsets of the sentences that need the parse, found from one
        array read of the document (Span objects for every sentence cost more than the test)."""
        if not len(doc):
            return []
        rows = doc.to_array([SENT_START, IDX, LENGTH])
        starts = numpy.flatnonzero(rows[:, 0] == 1)
        bounds = numpy.concatenate(([0], starts[starts > 0], [len(doc)])).tolist()
        text, idx, length = text_of(doc), rows[:, 1].tolist(), rows[:, 2].tolist()
        return [(start, end) for start, end in zip(bounds, bounds[1:])
                if self.trigger.search(text[idx[start]:idx[end - 1] + length[end - 1]])]

    def _analyse(self, batch: list[Doc]) -> None:
        """Parse the sentences that need it, in one batch, and write the results back."""
        wanted = []
        for doc in batch:
            chosen = self.chosen(doc)
            tokens = doc.to_array([ORTH, SPACY]).tolist() if chosen else []
            wanted += [(doc, start, end, _copy_tokens(doc, tokens, start, end))
                       for start, end in chosen]
        parsed = [piece for *_, piece in wanted]
        for component in self.components:
            if component is self.lemmatizer:
                parsed = [self.lemmas(piece) for piece in parsed]
            elif self._decoder_of(component) is not None:
                try:
                    self._decoder_of(component).annotate(parsed)
                except Unsupported:
                    parsed = list(component.pipe(parsed))
            else:
                parsed = list(component.pipe(parsed))
            if self.pos_of_tag is not None and getattr(component, "name", "") == "tagger":
                for piece in parsed:
                    self.pos_of_tag(piece)
        by_doc: dict[int, list[tuple[int, int, Doc]]] = {}
        for (doc, start, end, _), piece in zip(wanted, parsed):
            by_doc.setdefault(id(doc), []).append((start, end, piece))
        for doc in batch:
            self._write_back(doc, by_doc.get(id(doc), []))

    def _decoder_of(self, component) -> ArcEagerDecoder | None:
        """The bulk decoder of a dependency parser among the components (None for the
        others), made at the first call: a saved pipeline's weights arrive after creation."""
        if component.name not in self._decoders:
            self._decoders[component.name] = ArcEagerDecoder.of(component) \
                if hasattr(component, "moves") else None
        return self._decoders[component.name]

    @staticmethod
    def _write_back(doc: Doc, pieces: list[tuple[int, int, Doc]]) -> None:
        """The parsed pieces' annotations, and flat trees (each token's head the first token
        of its sentence) elsewhere, so the sentence boundaries survive."""
        if not len(doc):
            return
        starts = doc.to_array([SENT_START]).reshape(-1) == 1
        starts[0] = True
        first = numpy.maximum.accumulate(numpy.where(starts, numpy.arange(len(doc)), 0))
        array = numpy.zeros((len(doc), len(_ATTRS)), dtype="uint64")
        array[:, _ATTRS.index(DEP)] = numpy.where(starts, doc.vocab.strings.add("ROOT"),
                                                  doc.vocab.strings.add("dep"))
        array[:, _ATTRS.index(HEAD)] = (first - numpy.arange(len(doc))).astype("uint64")
        for start, end, piece in pieces:
            array[start:end] = piece.to_array(_ATTRS)
        doc.from_array(_ATTRS, array)


class _WordList(list):
    """A lemma index's list of words whose membership test is a set lookup. spaCy's rule
    lemmatizer asks `form in index` of these lists (57,528 nouns in en_core_web_sm) for every
    rule that fits a new word, about 200 microseconds a word; the list, its order and how it
    is saved (msgpack writes it as a list) are as they were. The index is read-only."""

    def __init__(self, words: list[str]):
        super().__init__(words)
        self._members = frozenset(words)

    def __contains__(self, word: object) -> bool:
        return word in self._members


class CachedLemmas:
    """The base pipeline's lemmatizer, applied through a cache: its lemma is a function of a
    token's ORTH, POS and MORPH (rule or lookup mode alike), so each distinct triple is
    lemmatized once and the rest is one array write (the component's per-token Python loop
    cost more than the tagger and parser together)."""

    def __init__(self, lemmatizer):
        self.lemmatizer = lemmatizer
        self.cache: dict[tuple[int, int, int], int] = {}
        self._indexed = None  # the lemma index table whose word lists are _WordLists
        self._index_words()  # now, so forked workers share it

    def _index_words(self) -> None:
        """The lemmatizer's index lists as _WordLists: when made, and again at a call after
        its lookups are replaced (a saved pipeline's arrive after this component is made)."""
        table = self.lemmatizer.lookups.get_table("lemma_index", None)
        if table is None or table is self._indexed:
            return
        for key, words in list(table.items()):
            if not isinstance(words, _WordList):
                table[key] = _WordList(words)
        self._indexed = table

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        self._index_words()
        keys = doc.to_array([ORTH, POS, MORPH]).tolist()
        cache, strings = self.cache, doc.vocab.strings
        lemmas = []
        for index, key in enumerate(map(tuple, keys)):
            lemma = cache.get(key)
            if lemma is None:
                lemma = cache[key] = strings.add(self.lemmatizer.lemmatize(doc[index])[0])
            lemmas.append(lemma)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc


def _tag_to_pos(nlp: Language):
    """POS from the tag alone, as the base pipeline's attribute ruler maps it: a vectorised
    stand-in for the ruler's matcher, which costs more than the tagger itself."""
    keys, values = [], []
    if "attribute_ruler" in nlp.component_names:
        for rule in nlp.get_pipe("attribute_ruler").patterns:
            pattern = rule["patterns"][0]
            if len(pattern) == 1 and set(pattern[0]) == {"TAG"} and "POS" in rule["attrs"]:
                keys.append(nlp.vocab.strings.add(pattern[0]["TAG"]))
                values.append(nlp.vocab.strings.add(rule["attrs"]["POS"]))
    order = numpy.argsort(numpy.array(keys, dtype="uint64"))
    sorted_keys = numpy.array(keys, dtype="uint64")[order]
    sorted_values = numpy.array(values, dtype="uint64")[order]

    def assign(doc: Doc) -> None:
        if not len(doc) or not len(sorted_keys):
            return
        tags = doc.to_array([TAG]).reshape(-1)
        index = numpy.clip(numpy.searchsorted(sorted_keys, tags), 0, len(sorted_keys) - 1)
        found = sorted_keys[index] == tags
        pos = numpy.where(found, sorted_values[index], 0).astype("uint64")
        doc.from_array([POS], pos.reshape(-1, 1))

    return assign


@Language.factory("migrex_syntax", default_config={
    "components": ["tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser"],
    "trigger": "lexicons/syntax_trigger.json"},
    assigns=["token.tag", "token.pos", "token.lemma", "token.dep", "token.head"],
    requires=["doc.sents"])
def make_syntax(nlp: Language, name: str, components: list[str], trigger: str) -> SyntaxOnDemand:
    return SyntaxOnDemand(nlp, name, components, trigger)
