"""The `migrex_figures` component: number expressions typed by what they count."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..data import load_json
from ..normalize.numbers import NumberExpression, find_numbers
from ..normalize.setting import detect_country, dollar_currency
from .attributes import DATES_KEY, FIGURES_KEY, char_span

SPECIFIC = ("ENCOUNTERS", "REMOVALS", "VISAS")
INHERIT = "INHERIT"  # a bare number that takes the label of a neighbouring figure
SUBCOUNT = "SUBCOUNT"  # "..., including 105,000 family members": part of the previous figure
_SUBCOUNT_CUES = {"including", "includes", "include", "included", "among"}
_CLAUSE_DEPS = {"acl", "relcl", "advcl"}


class FigureLexicon:
    """Lemma -> label maps for counted nouns and governing verbs, from `models/lexicons`."""

    def __init__(self, data: dict):
        self.nouns: dict[str, str] = {}
        self.verbs: dict[str, str] = {}
        for label in ("PEOPLE", "VISAS", "REMOVALS", "ENCOUNTERS"):  # later wins: specific last
            for noun in data[label]["nouns"]:
                self.nouns[noun] = label
            for verb in data[label]["verbs"]:
                self.verbs[verb] = label
        for noun in data["NOT_COUNTED"]["nouns"]:
            self.nouns[noun] = "NONE"
        self.generic = set(data["GENERIC"]["nouns"])
        self.change = set(data["CHANGE"]["words"])
        self.encounter_context = set(data["ENCOUNTER_CONTEXT"]["words"])

    def noun_label(self, token: Token) -> str | None:
        """Label of a noun, trying 'compound + noun' before the noun alone."""
        for child in token.children:
            if child.dep_ in ("compound", "amod") and child.i == token.i - 1:
                for form in (f"{child.lower_} {token.lower_}", f"{child.lemma_.lower()} {token.lemma_.lower()}"):
                    if form in self.nouns:
                        return self.nouns[form]
        if token.ent_type_ == "NORP" and token.tag_ in ("NNPS", "NNS", "NNP"):
            return "PEOPLE"
        doc = token.doc
        if token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 2].whitespace_:
            hyphenated = f"{doc[token.i - 2].lower_}-{token.lower_}"
            if hyphenated in self.nouns:
                return self.nouns[hyphenated]
        return self.nouns.get(token.lower_) or self.nouns.get(token.lemma_.lower())

    def verb_label(self, token: Token) -> str | None:
        """Label of a verb, phrasal particles included ('send back')."""
        lemma = token.lemma_.lower()
        for child in token.children:
            if child.dep_ in ("prt", "advmod") and child.i > token.i:
                phrase = f"{lemma} {child.lower_}"
                if phrase in self.verbs:
                    return self.verbs[phrase]
        label = self.verbs.get(lemma) or self.verbs.get(token.lower_)
        if label == "REMOVALS" and lemma in ("send", "fly"):
            return None  # only with a particle: "sent back", "flown home"
        return label


_ARGUMENT_DEPS = {"pobj", "dobj", "nsubj", "nsubjpass", "attr", "appos", "conj"}


def _hyphen_end(token: Token) -> Token:
    """The last part of a hyphenated noun: 'non-citizens' is tokenised 'non', '-', 'citizens'."""
    doc = token.doc
    while token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_ \
            and not doc[token.i + 1].whitespace_:
        token = doc[token.i + 2]
    return token


def _counted_noun(last: Token) -> Token | None:
    """The noun a number token counts: its head when it modifies one, the object of its
    'of' ("3,210 of the people"), else a noun just right of it."""
    if last.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod") and last.head.i > last.i \
            and last.head.pos_ in ("NOUN", "PROPN", "ADJ"):
        return _hyphen_end(last.head)
    for child in last.children if last.like_num and not last.is_alpha else ():
        if child.dep_ == "prep" and child.lower_ == "of":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and grandchild.pos_ in ("NOUN", "PROPN"):
                    return grandchild
    if last.dep_ in _ARGUMENT_DEPS and not any(c.dep_ in ("nummod", "quantmod") for c in last.children):
        return None  # the number is itself an argument: "fell to 1.1 million last year"
    for token in last.doc[last.i + 1:last.i + 4]:
        if token.ent_type_ in ("DATE", "TIME"):
            break
        if token.pos_ in ("NOUN",) or token.ent_type_ == "NORP":
            return _hyphen_end(token)
        if token.pos_ not in ("ADJ", "NUM", "ADV") and token.dep_ != "compound":
            break
    return None


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
        noun = _counted_noun(last)
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
            if child.dep_ in _CLAUSE_DEPS and child.pos_ == "VERB":
                label = self.lexicon.verb_label(child)
                if label in SPECIFIC:
                    return label
        for ancestor in _ancestors(noun):
            if ancestor.pos_ in ("VERB", "AUX"):
                label = self.lexicon.verb_label(ancestor)
                if label in SPECIFIC:
                    return label
                # coordinated verbs: "removed or returned"
                for conj in ancestor.conjuncts:
                    label = self.lexicon.verb_label(conj)
                    if label in SPECIFIC:
                        return label
                if ancestor.dep_ not in ("xcomp", "conj", "ccomp", "prep", "acl") \
                        and ancestor.lemma_ != "include":
                    return None
            elif ancestor.pos_ in ("NOUN", "PROPN"):
                label = self.lexicon.noun_label(ancestor)
                if label in SPECIFIC:
                    return label
        return None

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
                label = self.lexicon.verb_label(ancestor)
                if label in SPECIFIC:
                    return label
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


class FigureRecognizer:
    """Finds number expressions, parses their values and decides their labels."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.classifier = FigureClassifier(FigureLexicon(load_json("lexicons/figures.json")))

    def __call__(self, doc: Doc) -> Doc:
        if doc._.country is None:
            doc._.country = detect_country(doc.text)
        dates = [(s.start_char, s.end_char) for s in doc.spans.get(DATES_KEY, [])]
        pending: list[tuple[Span, str | None, NumberExpression]] = []
        for number in find_numbers(doc.text):
            if any(number.start < end and start < number.end for start, end in dates):
                continue
            span = char_span(doc, number.start, number.end, "")
            if span is None or not len(span) or _is_name_number(doc, span):
                continue
            pending.append((span, self._label(number, span), number))
        spans = []
        for index, (span, label, number) in enumerate(pending):
            if label == INHERIT:
                label = _neighbour_label(pending, index)
            elif label == SUBCOUNT:
                label = _previous_specific(pending, index) or "PEOPLE"
            if label is None or label == INHERIT:
                continue
            figure = Span(doc, span.start, span.end, label=label)
            figure._.value = number.value
            if label == "MONEY":
                currency = number.currency
                figure._.currency = dollar_currency(doc._.country) if currency == "$" else currency
            spans.append(figure)
        doc.spans[FIGURES_KEY] = spans
        return doc

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


@Language.factory("migrex_figures")
def make_figure_recognizer(nlp: Language, name: str) -> FigureRecognizer:
    return FigureRecognizer(nlp, name)
