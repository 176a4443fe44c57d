"""The `migrex_figures` component: number expressions typed by what they count."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..data import MODELS_DIR
from ..labels import LABELS_FILE, names_in, parse_labels
from ..figure_model import NONE, FigureTypingModel
from ..normalize.numbers import NumberExpression, compile_grammar, scan_numbers
from ..normalize.setting import detect_country, dollar_currency
from .attributes import (DATES_KEY, FIGURES_KEY, OVERSIZED_KEY, char_span, guarded, guarded_pipe,
                         text_of)
from .figure_context import FigureLexicon, counted_noun, country_names, number_head
from .figure_features import candidate_features
from .serialise import DATA_FILE, DataBacked

INHERIT = "INHERIT"  # a bare number that takes the label of a neighbouring figure
SUBCOUNT = "SUBCOUNT"  # "..., including 105,000 family members": part of the previous figure
_CLAUSE_DEPS = {"acl", "relcl", "advcl"}
_PLACES_AND_NAMES = {"GPE", "LOC", "FAC", "PERSON", "PRODUCT", "DATE", "TIME", "EVENT", "LAW",
                     "WORK_OF_ART", "MONEY", "PERCENT", "QUANTITY"}
_CONTEXT_PREPS = {"on", "in", "under", "through", "via", "during", "aboard"}


def _ancestors(token: Token, limit: int = 5):
    current = token
    for _ in range(limit):
        if current.head is current:
            return
        current = current.head
        yield current


def _follows(doc: Doc, index: int, words: tuple[str, ...]) -> bool:
    """The tokens from `index` on spell `words` (lower case)."""
    return index + len(words) <= len(doc) and \
        all(doc[index + i].lower_ == word for i, word in enumerate(words))


class FigureClassifier:
    """Decides a count's label from the counted noun, the dependency path and its verb."""

    def __init__(self, lexicon: FigureLexicon):
        self.lexicon = lexicon

    def classify(self, tokens: Span) -> str | None:
        if self._is_ratio(tokens) or self._is_age(tokens):
            return None
        head = number_head(tokens)
        noun = counted_noun(head)
        if noun is not None:
            return self._counted(noun)
        return self._bare(head)

    def _counted(self, noun: Token) -> str | None:
        lexicon = self.lexicon
        if _is_size_modifier(noun):
            return None  # "a 30-member alliance", "12-person teams": the size of something else
        noun = self._looked_through(noun)
        label = lexicon.noun_label(noun)
        if label == NONE:
            return None
        if label in lexicon.specific:
            return self._refined(noun, label)
        if label == lexicon.general:
            specific = self._specific_above(noun)
            return self._refined(noun, specific) if specific else lexicon.general
        if lexicon.lemma(noun) in lexicon.generic:
            return INHERIT
        if lexicon.lemma(noun) in lexicon.programmes:
            return self._programme_places(noun)
        if noun.pos_ == "PROPN" and noun.ent_type_ not in _PLACES_AND_NAMES:
            # "4,000 Rohingya": a people the NER missed (it is no place, person or product)
            return self._specific_above(noun) or lexicon.general
        return self._specific_above(noun) if label is None and noun.pos_ == "ADJ" else None

    def _programme_places(self, programme: Token) -> str:
        """A number a programme caps or sizes counts its places: visas, or people in a
        humanitarian programme (spec section 8)."""
        lexicon = self.lexicon
        if lexicon.context_lemmas(programme) & lexicon.humanitarian_words:
            return lexicon.general
        return lexicon.places_label

    def _looked_through(self, noun: Token) -> Token:
        """'54,000 cases of illegal crossings' counts crossings: the 'of' object of a container
        noun, when the lexicon knows it."""
        if self.lexicon.lemma(noun) not in self.lexicon.look_through:
            return noun
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for inner in child.children:
                    if inner.dep_ == "pobj" and self.lexicon.noun_label(inner) not in (None, NONE):
                        return inner
        return noun

    def _refined(self, anchor: Token, label: str) -> str:
        """The sentence's context on a typed count: crossings that no border authority
        detected, arrests in raids inland and places in a humanitarian programme are PEOPLE."""
        lexicon = self.lexicon
        words = lexicon.context_lemmas(anchor)
        if label == lexicon.interior_label and \
                lexicon.context_lemmas(anchor, clause=True) & lexicon.interior_context:
            return lexicon.general
        if label == lexicon.encounter_label and lexicon.lemma(anchor) in lexicon.encounter_context_nouns \
                and not words & lexicon.encounter_context:
            return lexicon.general
        if lexicon.lemma(anchor) in lexicon.humanitarian_nouns and words & lexicon.humanitarian_words \
                and not any(lexicon.nouns.get(word) == label for word in words
                            if word not in lexicon.humanitarian_nouns):
            return lexicon.general
        return label

    def _specific_above(self, noun: Token) -> str | None:
        """An encounter/removal/visa word governing a count of people ('removed 690,000
        people', 'put 300 Haitians on deportation flights')."""
        for child in noun.children:
            if child.dep_ in _CLAUSE_DEPS and child.pos_ == "VERB" and self._specific_verb(child):
                return self._specific_verb(child)
        below = noun
        for ancestor in _ancestors(noun):
            coordinated, below = below.dep_ == "conj", ancestor
            if ancestor.pos_ in ("VERB", "AUX"):
                # coordinated verbs count too: "removed or returned"; so does what its object
                # is helped or made to do: "assisted 230 Sudanese to return"
                for verb in (ancestor,) + tuple(ancestor.conjuncts) + _done_by_object(ancestor,
                                                                                     noun):
                    if self._specific_verb(verb):
                        return self._specific_verb(verb)
                context = self._verb_context(ancestor)
                if context:
                    return context
                if ancestor.dep_ not in ("xcomp", "conj", "ccomp", "prep", "acl") \
                        and ancestor.lemma_ != "include":
                    return None
            elif ancestor.pos_ in ("NOUN", "PROPN") and not coordinated:
                # "2,480 returnees and 310 evacuees": a coordinated noun is no head
                label = self.lexicon.noun_label(ancestor)
                if label in self.lexicon.specific:
                    return label
        return None

    def _verb_context(self, verb: Token) -> str | None:
        """A removal operation or vehicle around the verb: its subject ('deportation flights
        carried ...') or the object of 'on', 'in', 'under' ('... on repatriation flights')."""
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass", "agent"):
                label = self.lexicon.modifier_label(child)
                if label:
                    return label
            if child.dep_ == "prep" and child.lower_ in _CONTEXT_PREPS:
                for inner in child.children:
                    if inner.dep_ == "pobj" and self.lexicon.noun_label(inner) == NONE:
                        label = self.lexicon.modifier_label(inner)
                        if label:
                            return label
        return None

    def _specific_verb(self, verb: Token) -> str | None:
        """The encounter/removal/visa label a verb gives, if any."""
        label = self.lexicon.verb_label(verb)
        return label if label in self.lexicon.specific else None

    def _bare(self, last: Token) -> str | None:
        """A number that is its own noun phrase: look at what it is the object or total of."""
        if last.pos_ not in ("NUM", "NOUN", "PROPN", "X", "SYM"):
            return None
        first = last.doc[last.left_edge.i] if last.left_edge.i < last.i else last
        colon = last.doc[first.i - 1] if first.i > 0 else None
        if colon is not None and colon.text == ":" and colon.i > 0:
            return self._label_before_colon(last.doc[colon.i - 1])
        for ancestor in _ancestors(last, limit=4):
            counted = self._looked_through(ancestor) if ancestor.pos_ == "NOUN" else ancestor
            if counted.pos_ in ("NOUN", "PROPN") and \
                    self.lexicon.noun_label(counted) in self.lexicon.counts:
                # "Encounters by the Coast Guard (3,480)", "a detainee population of 4,100",
                # "thousands of migrants — 7,500 by one count —"
                return self._refined(counted, self.lexicon.noun_label(counted))
            if ancestor.pos_ in ("VERB", "AUX"):
                if self._specific_verb(ancestor):
                    return self._refined(ancestor, self._specific_verb(ancestor))
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
        lexicon = self.lexicon
        if token.pos_ in ("VERB", "ADJ") and lexicon.verb_label(token) in lexicon.specific:
            return lexicon.verb_label(token)
        label = lexicon.noun_label(token)
        if label == NONE:
            return None
        return label or None

    def _subject_label(self, subject: Token) -> str | None:
        """What a verb's subject or object counts ('the number of refugees', 'UC encounters')."""
        lexicon = self.lexicon
        if lexicon.lemma(subject) in lexicon.programmes:
            return self._programme_places(subject)
        for token in subject.subtree:
            label = lexicon.noun_label(token)
            if label in lexicon.counts:
                return self._refined(token, label)
        return INHERIT if lexicon.lemma(subject) in lexicon.generic else None

    def _is_ratio(self, tokens: Span) -> bool:
        """'1 in 73', 'two out of three', 'one of every five': both numbers."""
        doc = tokens.doc
        for connector in self.lexicon.ratio_connectors:
            after = tokens.end
            if _follows(doc, after, connector) and after + len(connector) < len(doc) \
                    and doc[after + len(connector)].pos_ == "NUM":
                return True
            before = tokens.start - len(connector)
            if before > 0 and _follows(doc, before, connector) and doc[before - 1].pos_ == "NUM":
                return True
        return False

    def _is_age(self, tokens: Span) -> bool:
        """'aged 12 to 17', 'between the ages of 5 and 11': ages, not counts."""
        doc = tokens.doc
        for token in reversed(doc[max(tokens.sent.start, tokens.start - 4):tokens.start]):
            if token.is_punct and token.text != "-":
                return False
            if token.lower_ in self.lexicon.age_words:
                return True
        return False

    def named_before(self, tokens: Span) -> str | None:
        """The specific label a verb or noun before a breakdown names in its sentence, when
        the total it breaks down is no figure ('Nationals of 40 countries were apprehended;
        the largest groups were Ecuador (4,100)')."""
        lexicon = self.lexicon
        for token in reversed(tokens.doc[tokens.sent.start:tokens.start]):
            if token.pos_ == "VERB":
                label = lexicon.verb_label(token)
            elif token.pos_ == "NOUN":
                label = lexicon.noun_label(token)
            else:
                continue
            if label in lexicon.specific:
                return label
        return None

    def is_breakdown(self, tokens: Span, label: str | None) -> bool:
        """A part of a count given before: after 'including' or 'among', in a sentence opened
        by 'Of these', a list of parts ('62 women, 46 men and 8 children') or a count by
        nationality ('Afghanistan (1,234)')."""
        lexicon = self.lexicon
        if label not in (lexicon.general, INHERIT):
            return False
        doc = tokens.doc
        before = {t.lower_ for t in doc[max(tokens.sent.start, tokens.start - 3):tokens.start]}
        if label == lexicon.general and before & lexicon.breakdown_cues:
            return True
        if any(_follows(doc, tokens.sent.start, opener) for opener in lexicon.breakdown_openers):
            return True
        if _after_country_in_brackets(tokens):
            return True
        noun = counted_noun(number_head(tokens))
        if label != lexicon.general or noun is None:
            return False
        is_part = lexicon.lemma(noun) in lexicon.breakdown_parts or noun.ent_type_ == "NORP"
        listed = noun.dep_ == "conj" or any(c.dep_ == "conj" for c in noun.children)
        return is_part and listed


def _done_by_object(verb: Token, noun: Token) -> tuple[Token, ...]:
    """The infinitive after a verb's object that the object itself does ('assisted 230
    Sudanese to return'): intransitive, so 'asked 40 people to return their forms' is not."""
    if noun.dep_ != "dobj" or noun.head != verb:
        return ()
    return tuple(child for child in verb.children
                 if child.dep_ in ("xcomp", "advcl") and child.pos_ == "VERB" and child.i > noun.i
                 and any(c.lower_ == "to" and c.dep_ == "aux" for c in child.children)
                 and not any(c.dep_ == "dobj" for c in child.children))


def _after_country_in_brackets(tokens: Span) -> bool:
    """'Afghanistan (1,234)', 'Eritreans (870)': a count by nationality, part of a total."""
    doc = tokens.doc
    if tokens.start < 2 or doc[tokens.start - 1].text != "(" or tokens.end >= len(doc) \
            or doc[tokens.end].text != ")":
        return False
    name = doc[tokens.start - 2]
    if name.ent_type_ == "NORP":
        return True
    start = name.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    return doc[start:name.i + 1].text in country_names()


def _is_size_modifier(noun: Token) -> bool:
    """A number glued to its noun by a hyphen, the pair modifying another noun ('30-member')."""
    doc = noun.doc
    return noun.i >= 2 and doc[noun.i - 1].text == "-" and not doc[noun.i - 2].whitespace_ \
        and not doc[noun.i - 1].whitespace_ and doc[noun.i - 2].like_num \
        and noun.dep_ in ("compound", "amod", "nmod") and noun.head.i > noun.i


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
    data_files = ("lexicons/figures.json", LABELS_FILE)

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
        self.lemmatize = _noun_lemmatizer(nlp)
        self._load_data()
        compile_grammar()  # at build time, once for every forked worker

    def _setup(self) -> None:
        self.label_specs = parse_labels(self.data[LABELS_FILE])
        self.lexicon = FigureLexicon(self.data["lexicons/figures.json"], self.label_specs,
                                     self.lemmatize)
        self.classifier = FigureClassifier(self.lexicon)
        if self.model is not None:
            self.model.check_classes(names_in(self.label_specs, "figures"))

    def candidates(self, doc: Doc) -> list[tuple[Span, NumberExpression, str | None]]:
        """Every number expression outside a date, with the rules' label (None: not a figure)."""
        if doc._.country is None:
            doc._.country = detect_country(text_of(doc))
        dates = [(s.start_char, s.end_char) for s in doc.spans.get(DATES_KEY, [])]
        pending: list[tuple[Span, str | None, NumberExpression]] = []
        numbers, too_large = scan_numbers(text_of(doc), doc._.country)
        doc.user_data[OVERSIZED_KEY] = [(number.start, number.text) for number in too_large]
        for number in numbers:
            if any(number.start < end and start < number.end for start, end in dates):
                continue
            span = char_span(doc, number.start, number.end, "")
            if span is None or not len(span):
                continue
            label = None if _is_name_number(doc, span) else self._label(number, span)
            pending.append((span, label, number))
        found: list[tuple[Span, NumberExpression, str | None]] = []
        for index, (span, label, number) in enumerate(pending):
            if label == INHERIT:
                label = self._neighbour_label(pending, index) or \
                    self._previous_label(found, span, self.lexicon.counts)
            elif label == SUBCOUNT:
                label = self._previous_label(found, span, self.lexicon.specific) or \
                    self.classifier.named_before(span) or self.lexicon.general
            found.append((span, number, label))
        return found

    def _neighbour_label(self, pending: list[tuple[Span, str | None, NumberExpression]],
                         index: int) -> str | None:
        """The count label of the nearest typed figure in the same sentence (ellipsis, ranges)."""
        span = pending[index][0]
        best, distance = None, None
        for other, label, _ in pending:
            if other is span or label not in self.lexicon.counts \
                    or other.sent.start != span.sent.start:
                continue
            gap = abs(other.start - span.start)
            if distance is None or gap < distance:
                best, distance = label, gap
        return best

    @staticmethod
    def _previous_label(found: list[tuple[Span, NumberExpression, str | None]], span: Span,
                        wanted: tuple[str, ...]) -> str | None:
        """The label (one of `wanted`) of the last figure before `span` in its sentence, else
        in the sentence before: the count a breakdown or a list breaks down."""
        sentence = span.sent
        previous = span.doc[sentence.start - 1].sent if sentence.start > 0 else None
        for scope in (sentence, previous):
            for other, _, label in reversed(found):
                if scope is not None and other.sent.start == scope.start and label in wanted:
                    return label
        return None

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
            if label == self.lexicon.money:
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
            return self.lexicon.percent
        if number.currency:
            return self.lexicon.money
        if number.from_words and number_head(span).dep_ not in ("nummod", "compound", "amod") \
                and number.value < 1000:
            return None  # "one", "two" alone are pronouns or counts of anything
        label = self.classifier.classify(span)
        if number.from_words and label == INHERIT:
            return None
        return SUBCOUNT if self.classifier.is_breakdown(span, label) else label

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


def _noun_lemmatizer(nlp: Language):
    """The pipeline's rule lemmatizer applied to a word as a noun (None without one)."""
    if "lemmatizer" not in nlp.component_names:
        return None
    lemmatizer = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", None) != "rule":
        return None

    def lemmatize(word: str) -> str:
        token = Doc(nlp.vocab, words=[word])[0]
        token.pos_ = "NOUN"
        return lemmatizer.rule_lemmatize(token)[0].lower()
    return lemmatize


# the defaults are the command line's (models/pipeline.json; tests/test_plugin.py checks)
@Language.factory("migrex_figures",
                  default_config={"typing": "rules", "model": "figures", "embeddings": False},
                  assigns=["doc.spans", "span._.value", "span._.currency", "doc._.country"],
                  requires=["doc.sents", "token.dep", "token.pos", "token.lemma"])
def make_figure_recognizer(nlp: Language, name: str, typing: str, model: str, embeddings: bool
                           ) -> FigureRecognizer:
    return FigureRecognizer(nlp, name, typing, model, embeddings)
