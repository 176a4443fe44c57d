"""What surrounds a number: the lexicons of counted nouns and verbs, and the counted noun."""

from __future__ import annotations

from functools import cache
from typing import Callable

from babel import Locale
from spacy.tokens import Span, Token

from ..figure_model import NONE
from ..labels import LabelSpec, typed_by



class FigureLexicon:
    """Lemma -> label maps for counted nouns and governing verbs (`lexicons/figures.json`), for
    the figure labels of the label declaration (`labels.json`)."""

    def __init__(self, data: dict, labels: tuple[LabelSpec, ...],
                 lemmatize: Callable[[str], str] | None = None):
        self.specific = typed_by(labels, "specific")
        (self.general,) = typed_by(labels, "general")
        (self.money,) = typed_by(labels, "currency")
        (self.percent,) = typed_by(labels, "percent")
        self.counts = (self.general,) + self.specific  # the labels a count of people can take
        self.nouns: dict[str, str] = {}
        self.verbs: dict[str, str] = {}
        for label in self.counts:
            entry = data.get(label)
            if entry is None:
                raise ValueError(f"lexicons/figures.json has no entry for the figure label {label}")
            self._add(self.nouns, entry["nouns"], label)
            self._add(self.verbs, entry["verbs"], label)
        self._add(self.nouns, data["NOT_COUNTED"]["nouns"], NONE)
        self.generic = set(data["GENERIC"]["nouns"])
        self.look_through = set(data["LOOK_THROUGH"]["nouns"])
        self.change = set(data["CHANGE"]["words"])
        self.encounter_context = set(data["ENCOUNTER_CONTEXT"]["words"])
        self.encounter_context_nouns = set(data["ENCOUNTER_CONTEXT"]["nouns"])
        self.encounter_label = data["ENCOUNTER_CONTEXT"]["label"]
        self.interior_label = data["INTERIOR_CONTEXT"]["label"]
        self.interior_context = set(data["INTERIOR_CONTEXT"]["words"])
        self.humanitarian_nouns = set(data["HUMANITARIAN_PLACES"]["nouns"])
        self.humanitarian_words = set(data["HUMANITARIAN_PLACES"]["words"])
        self.programmes = set(data["HUMANITARIAN_PLACES"]["programmes"])
        self.places_label = data["HUMANITARIAN_PLACES"]["label"]
        self.ratio_connectors = [tuple(c.split()) for c in data["RATIO"]["connectors"]]
        self.age_words = set(data["AGE"]["words"])
        self.breakdown_cues = set(data["BREAKDOWN"]["cues"])
        self.breakdown_openers = [tuple(o.split()) for o in data["BREAKDOWN"]["openers"]]
        self.breakdown_parts = set(data["BREAKDOWN"]["parts"])
        # a title-case headline tags "Apprehensions" PROPN, whose lemma spaCy leaves as written
        self._lemmatize = cache(lemmatize) if lemmatize else str.lower

    @staticmethod
    def _add(table: dict[str, str], words: list[str], label: str) -> None:
        for word in words:
            if table.get(word, label) != label:
                raise ValueError(f"lexicons/figures.json: {word!r} is listed under both "
                                 f"{table[word]} and {label}")
            table[word] = label

    def lemma(self, token: Token) -> str:
        """The token's lemma, lower case (a proper-noun form lemmatised as a noun)."""
        if token.pos_ == "PROPN" or not token.lemma_:
            return self._lemmatize(token.lower_)
        return token.lemma_.lower()

    def _noun(self, form: str) -> str | None:
        return self.nouns.get(form)

    def noun_label(self, token: Token) -> str | None:
        """Label of a noun, trying 'modifier + noun' before the noun alone."""
        lemma = self.lemma(token)
        for child in token.children:
            if child.dep_ in ("compound", "amod") and child.i == token.i - 1:
                label = self._noun(f"{self.lemma(child)} {lemma}")
                if label:
                    return label
        if token.ent_type_ == "NORP" and token.tag_ in ("NNPS", "NNS", "NNP"):
            return self.general
        doc = token.doc
        if token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 2].whitespace_:
            first = doc[token.i - 2]  # "got-aways": the first part as written or as a lemma
            for form in (f"{first.lower_}-{lemma}", f"{self.lemma(first)}-{lemma}"):
                if self._noun(form):
                    return self._noun(form)
        return self._noun(lemma) or self._noun(token.lower_)

    def modifier_label(self, token: Token) -> str | None:
        """A specific label named by the noun or its modifiers ('deportation flights',
        'a removals drive'): the context a vehicle or an operation gives a count."""
        for word in (token,) + tuple(c for c in token.children if c.dep_ in ("compound", "amod")):
            label = self.noun_label(word)
            if label in self.specific:
                return label
        return None

    def verb_label(self, token: Token) -> str | None:
        """Label of a verb: with its particle and preposition ('turn back to'), its particle
        ('send back'), its preposition and object ('put on plane'), or alone."""
        lemma = self.lemma(token)
        particles = [c.lower_ for c in token.children if c.dep_ in ("prt", "advmod")
                     and c.i > token.i]
        preps = [(c.lower_, [self.lemma(g) for g in c.children if g.dep_ == "pobj"])
                 for c in token.children if c.dep_ in ("prep", "dative") and c.i > token.i]
        forms = [f"{lemma} {p} {prep}" for p in particles for prep, _ in preps]
        forms += [f"{lemma} {p}" for p in particles]
        forms += [f"{lemma} {prep} {obj}" for prep, objects in preps for obj in objects]
        for form in forms + [lemma]:
            if form in self.verbs:
                return self.verbs[form]
        return None

    def context_lemmas(self, token: Token, clause: bool = False) -> set[str]:
        """Lemmas and forms of the token's sentence, or of its clause (the subtree of its
        nearest verb)."""
        tokens = token.sent
        if clause:
            verb = next((t for t in (token, *token.ancestors) if t.pos_ in ("VERB", "AUX")), None)
            tokens = verb.subtree if verb is not None else tokens
        return {form for t in tokens for form in (self.lemma(t), t.lower_)}


_ARGUMENT_DEPS = {"pobj", "dobj", "nsubj", "nsubjpass", "attr", "appos", "conj"}


@cache
def country_names() -> frozenset[str]:
    """CLDR's English names of countries and territories (babel): those with a two-letter
    code, so regions such as 'Europe' (numeric codes) are left out."""
    return frozenset(name for code, name in Locale("en").territories.items()
                     if len(code) == 2 and code.isalpha())


def number_head(tokens: Span) -> Token:
    """The token that ties a number expression to its sentence: its last token, or the
    expression's root when the last hangs inside it ('forty', a conj of 'hundred', in
    'One hundred and forty')."""
    last = tokens[-1]
    inside = last.head is not last and tokens.start <= last.head.i < tokens.end
    return tokens.root if inside else last


def _hyphen_end(token: Token) -> Token:
    """The last part of a hyphenated noun: 'non-citizens' is tokenised 'non', '-', 'citizens'."""
    doc = token.doc
    while token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_ \
            and not doc[token.i + 1].whitespace_:
        token = doc[token.i + 2]
    return token


def counted_noun(last: Token) -> Token | None:
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
