"""The `migrex_facts` component: ties each figure to its date (`when`) and its source."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .attributes import ACTORS_KEY, DATES_KEY, FIGURES_KEY, guarded
from .serialise import DataBacked

_RANGE_LINK = re.compile(r"^[^.;]{0,80}?\b(?:until|till|to|through|thru|and)\s*$|^\s*[-–]\s*$",
                         re.IGNORECASE)
_RANGE_OPEN = {"from", "between", "From", "Between"}
_BASELINE_INTRO = {"from", "than", "compared", "over", "versus", "vs", "vs.", "on", "with"}
_COMPARISON = {"compared", "against", "versus", "vs", "vs."}  # '..., against 600 in late 2023'
_CONTRAST = {"while", "whereas", "although", "though"}
_COMPARISON_TAGS = {"JJS", "RBS", "JJR", "RBR"}
_COMPARISON_WORDS = {"record", "first", "highest", "lowest", "most", "fewest", "least", "any"}
_PLACE_PREPOSITIONS = {"in", "at", "along", "near", "across", "into", "off"}
_REPORT_VERBS = {"report", "say", "announce", "pledge", "record", "cite", "tell", "issue",
                 "estimate", "count", "log", "publish", "release", "show", "commit", "provide",
                 "approve", "allocate", "grant"}


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens in the dependency tree (a large number across sentences)."""
    steps = {a.i: 0}
    for depth, ancestor in enumerate(a.ancestors, start=1):
        steps[ancestor.i] = depth
    if b.i in steps:
        return steps[b.i]
    for depth, ancestor in enumerate(b.ancestors, start=1):
        if ancestor.i in steps:
            return depth + steps[ancestor.i]
    return 1000


def crosses_clause(a: Token, b: Token) -> bool:
    """True when the tree path between two tokens passes into a clause with its own subject
    that is coordinated ('..., and the budget for 2024 stands at ...') or contrasted
    ('..., while only 9,900 workers were granted permits ...')."""
    ancestors_a = [a] + list(a.ancestors)
    ancestors_b = [b] + list(b.ancestors)
    common = next((t for t in ancestors_a if t in ancestors_b), None)
    path = [t for t in ancestors_a + ancestors_b if common is None or t.i != common.i
            and (t in ancestors_a[:ancestors_a.index(common)] or
                 t in ancestors_b[:ancestors_b.index(common)])]
    return any(t.pos_ in ("VERB", "AUX") and _own_clause(t) and any(
        child.dep_ in ("nsubj", "nsubjpass", "expl") for child in t.children) for t in path)


def _word_before(span: Span) -> str:
    return span.doc[span.start - 1].lower_ if span.start > 0 else ""


def _is_as_of(date: Span) -> bool:
    """'as of March 31': the end of a running total."""
    return _word_before(date) == "of" and date.start > 1 and \
        date.doc[date.start - 2].lower_ == "as"


def _qualifies_comparison(since: Token) -> bool:
    """A 'since' under a superlative, comparative, 'record' or 'first' ('the highest total
    since 2012', 'the first time since 2016', 'lower than at any point since 2020')."""
    head = since.head
    words = [head] + [child for child in head.children if child.dep_ in ("amod", "advmod")]
    return any(t.tag_ in _COMPARISON_TAGS or t.lemma_.lower() in _COMPARISON_WORDS
               for t in words)


def _within(spans: list[Span], sentence: Span) -> list[Span]:
    """The spans that lie inside `sentence`."""
    return [s for s in spans if s.start >= sentence.start and s.end <= sentence.end]


def _own_clause(verb: Token) -> bool:
    return verb.dep_ == "conj" or verb.dep_ == "advcl" and any(
        child.dep_ == "mark" and child.lower_ in _CONTRAST for child in verb.children)


class FactLinker(DataBacked):
    """Chooses, for every figure, the date in its sentence that it counts or reports."""

    needs = ("sentences",)
    data_files = ("lexicons/figures.json",)

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self._load_data()

    def _setup(self) -> None:
        self.change_words = set(self.data["lexicons/figures.json"]["CHANGE"]["words"])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        dates = list(doc.spans.get(DATES_KEY, []))
        actors = list(doc.spans.get(ACTORS_KEY, []))
        for figure in doc.spans.get(FIGURES_KEY, []):
            figure._.when = self._when(doc, figure, _within(dates, figure.sent))
            figure._.source = self._source(figure, actors)
            figure._.where = self._where(figure, actors)
        return doc

    def _is_baseline(self, doc: Doc, figure: Span, date: Span) -> bool:
        """'a 45% drop from December 2023', 'up from 44,000 over the whole of 2018-19': a date
        under 'from'/'than'/'on' that hangs off a change word is the comparison base."""
        for token in [date.root] + list(date.root.ancestors)[:6]:
            is_intro = token.lower_ in _COMPARISON or token.lower_ in _BASELINE_INTRO and any(
                self._is_change(t) for t in (token.head, token.head.head))
            if is_intro:
                # the figure under the same phrase is the compared one: the date is its own
                return figure.root not in token.subtree
        return False

    def _is_change(self, token: Token) -> bool:
        return token.lemma_.lower() in self.change_words or token.lower_ in self.change_words

    def _when(self, doc: Doc, figure: Span, dates: list[Span]) -> str | None:
        options: list[tuple[int, int, str | None]] = []  # (start token, end token, value)
        used: set[int] = set()
        since = [i for i, d in enumerate(dates) if _word_before(d) == "since"]
        as_of = next((i for i, d in enumerate(dates) if _is_as_of(d)), None)
        for index in since:
            used.add(index)
            if _qualifies_comparison(doc[dates[index].start - 1]):
                continue  # 'the highest total since 2012' sets no period
            end = dates[as_of]._.value if as_of is not None else doc._.published
            if as_of is not None:
                used.add(as_of)
            start = dates[index]._.value
            options.append((dates[index].start, dates[index].end,
                            f"{start.split('/')[0]}/{end.split('/')[-1]}" if start and end
                            else None))
        for index, first in enumerate(dates):
            if index + 1 < len(dates) and first.start > 0 and \
                    doc[first.start - 1].text in _RANGE_OPEN:
                second = dates[index + 1]
                link = doc.text[first.end_char:second.start_char]
                if _RANGE_LINK.match(link) and first._.value and second._.value:
                    options.append((first.start, second.end,
                                    f"{first._.value}/{second._.value}"))
                    used.update((index, index + 1))
        for index, date in enumerate(dates):
            if index not in used and not self._is_baseline(doc, figure, date):
                options.append((date.start, date.end, date._.value))
        options = [o for o in options
                   if not all(crosses_clause(figure.root, t) for t in doc[o[0]:o[1]])]
        if not options:
            return None

        def distance(option: tuple[int, int, str | None]) -> tuple[int, int, int]:
            start, end, _ = option
            gap = figure.start - end if end <= figure.start else start - figure.end
            tree = min(tree_distance(figure.root, token) for token in doc[start:end])
            return (tree, max(gap, 0), 0 if end <= figure.start else 1)

        return min(options, key=distance)[2]

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

    @staticmethod
    def _source(figure: Span, actors: list[Span]) -> str | None:
        """The actor that reports or provides the figure, when the sentence says so."""
        sentence = figure.sent
        in_sentence = _within(actors, sentence)
        if not in_sentence:
            return None
        for token in sentence:
            if token.lower_ == "according" and token.i + 1 < sentence.end:
                for actor in in_sentence:
                    if actor.start > token.i and actor.start <= token.i + 4:
                        return actor._.canonical
            if token.pos_ == "VERB" and token.lemma_.lower() in _REPORT_VERBS:
                for child in token.children:
                    if child.dep_ in ("nsubj", "nsubjpass"):
                        for actor in in_sentence:  # the subject, or its name ('CBP agents')
                            if actor.start <= child.i < actor.end or \
                                    actor.root.head is child and actor.root.dep_ == "compound":
                                return actor._.canonical
        return None


@Language.factory("migrex_facts", assigns=["span._.when", "span._.source", "span._.where"],
                  requires=["doc.sents", "token.dep", "token.pos"])
def make_fact_linker(nlp: Language, name: str) -> FactLinker:
    return FactLinker(nlp, name)
