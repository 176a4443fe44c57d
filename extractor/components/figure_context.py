"""What surrounds a number: the lexicons of counted nouns and verbs, and the counted noun."""

from __future__ import annotations

from spacy.tokens import Token

SPECIFIC = ("ENCOUNTERS", "REMOVALS", "VISAS")


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
