"""The `migrex_facts` component: ties each figure to its date (`when`) and its source."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .attributes import ACTORS_KEY, DATES_KEY, FIGURES_KEY, guarded, text_of
from .periods import PeriodResolver, tree_distance
from .serialise import DataBacked

_PLACE_PREPOSITIONS = {"in", "at", "along", "near", "across", "into", "off"}
# a place in capitals (its region and a wire service in brackets may follow) and a dash
_DATELINE = re.compile(r"^[ \t]*(?P<place>[A-Z][\w.'’]*(?:[ .'’-]+[A-Z][\w.'’]*){0,3}"
                       r"(?:,[ \t]*[A-Z][\w.'’]*(?:[ .][A-Z][\w.'’]*){0,3}){0,2})"
                       r"(?:[ \t]*\([^()\n]{1,40}\)[ \t]*|[ \t]+)(?:—|–|--|-)", re.MULTILINE)


def _within(spans: list[Span], sentence: Span) -> list[Span]:
    """The spans that lie inside `sentence`."""
    return [s for s in spans if s.start >= sentence.start and s.end <= sentence.end]


class FactLinker(DataBacked):
    """Gives every figure its period (`when`, with the rule behind it), source and place."""

    needs = ("sentences",)
    data_files = ("lexicons/figures.json", "lexicons/periods.json", "lexicons/sources.json",
                  "lexicons/dates.json")

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self._load_data()

    def _setup(self) -> None:
        self.periods = PeriodResolver(
            self.data["lexicons/periods.json"],
            set(self.data["lexicons/figures.json"]["CHANGE"]["words"]))
        self.source_verbs = frozenset(self.data["lexicons/dates.json"]["reporting_verbs"]
                                      + self.data["lexicons/sources.json"]["source_verbs"])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        dates = list(doc.spans.get(DATES_KEY, []))
        figures = list(doc.spans.get(FIGURES_KEY, []))
        datelines = dateline_ranges(text_of(doc))
        actors = [a for a in doc.spans.get(ACTORS_KEY, [])
                  if not any(start <= a.start_char < end for start, end in datelines)]
        for figure in figures:
            period = self.periods.resolve(figure, _within(dates, figure.sent),
                                          _within(figures, figure.sent))
            figure._.when, figure._.when_rule = period.value, period.rule
            figure._.source = self._source(figure, actors)
            figure._.where = self._where(figure, actors)
        return doc

    @staticmethod
    def _where(figure: Span, actors: list[Span]) -> str | None:
        """The place a figure happened in: a GPE under 'in'/'at'/'along'/'near' close to it in
        the tree ('137,480 encounters ... in Texas'), the nearest one winning."""
        best, best_distance = None, 5
        for actor in _within(actors, figure.sent):
            if actor.label_ != "GPE":
                continue
            head = actor.root.head
            if actor.root.dep_ == "compound":  # 'in the [San Diego] Sector'
                head = head.head
            if head.lower_ not in _PLACE_PREPOSITIONS or head is actor.root:
                continue
            distance = tree_distance(figure.root, head)
            if distance < best_distance:
                best, best_distance = actor._.canonical, distance
        return best

    def _source(self, figure: Span, actors: list[Span]) -> str | None:
        """The actor that reports or provides the figure, when its sentence says so: the
        object of 'according to', else the subject (or passive agent) of a reporting verb, the
        figure's own verb first. `actors` holds no dateline."""
        sentence = figure.sent
        in_sentence = _within(actors, sentence)
        if not in_sentence:
            return None
        own = [t for t in figure.root.ancestors if self._reports(t)][:1]
        according = [t for t in sentence if t.lower_ == "according"]
        others = [t for t in sentence if self._reports(t) and t not in own]
        for word in according + own + others:
            if word.lower_ == "according":
                phrases = [c for t in word.children if t.lower_ == "to" for c in t.children]
            else:
                phrases = _subjects(word) + [
                    c for a in word.children if a.dep_ == "agent" for c in a.children]
            actor = self._named_by(phrases, in_sentence)
            if actor is not None:
                return actor._.canonical
        return None

    def _named_by(self, phrases: list[Token], actors: list[Span]) -> Span | None:
        """The actor noun phrases name: one a head is in ('the Home Office'), else one that
        modifies or renames a head ('CBP agents', 'the agency Frontex'), else the first inside
        one ('a spokesman for the ministry')."""
        inside = [(head, [a for a in actors if self._names_inside(a.root, head)])
                  for head in phrases]
        tiers = (lambda a, head: a.start <= head.i < a.end,
                 lambda a, head: a.root.head == head and a.root.dep_ in ("compound", "appos"),
                 lambda a, head: True)
        return next((a for tier in tiers for head, found in inside for a in found
                     if tier(a, head)), None)

    def _names_inside(self, name: Token, head: Token) -> bool:
        """A name inside the phrase of `head`, and not only through a verb that does not report
        ('figures released by the ministry' names it, 'a report obtained by a newspaper' not)."""
        for token in [name] + list(name.ancestors):
            if token == head:
                return True
            if token.pos_ == "VERB" and not self._reports(token):
                return False
        return False

    def _reports(self, token: Token) -> bool:
        return token.pos_ == "VERB" and token.lemma_.lower() in self.source_verbs


def _subjects(verb: Token) -> list[Token]:
    """A verb's subjects; a coordinated verb shares its head's ('X arrived and said ...')."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if not subjects and verb.dep_ == "conj":
        return _subjects(verb.head)
    return subjects


def dateline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of datelines: a place before a dash at the start of a line, in
    capitals ('LONDON —', 'McALLEN, Texas —') or with a wire service ('Nairobi, Kenya
    (Reuters) -'), or in any case at the start of the text ('Madrid – ')."""
    start = len(text) - len(text.lstrip())
    return [match.span() for match in _DATELINE.finditer(text)
            if _in_capitals(match.group("place").split()[0]) or "(" in match.group(0)
            or match.start("place") == start]


def _in_capitals(word: str) -> bool:
    return sum(c.isupper() for c in word) > max(1, sum(c.islower() for c in word))


@Language.factory("migrex_facts", assigns=["span._.when", "span._.when_rule", "span._.source",
                                             "span._.where"],
                  requires=["doc.sents", "token.dep", "token.pos"])
def make_fact_linker(nlp: Language, name: str) -> FactLinker:
    return FactLinker(nlp, name)
