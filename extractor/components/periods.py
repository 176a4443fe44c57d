"""Period resolution (spec v2 section 5): which date expression(s) in a figure's sentence give
the period the figure counts, and the name of the rule that chose it (`Span._.when_rule`).

It runs after the dates are valued: anaphoric dates ("the same period in 2021", "the month
before") arrive with their values from the date component; nothing here looks outside the
figure's sentence, so a figure whose sentence names no date has no period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from .attributes import text_of

if not Span.has_extension("when_rule"):
    Span.set_extension("when_rule", default=None)

_COMPARISON_TAGS = {"JJS", "RBS", "JJR", "RBR"}
_NEAR_TOKENS = 6  # at most this many words between a figure and a date that is its own
_LIST_GLUE = re.compile(r"^\s*(?:,\s*)?(?:and|or)?\s*$")


@dataclass(frozen=True)
class Period:
    """The period a figure counts (a TIMEX value, or None) and the rule that chose it."""

    value: str | None
    rule: str


@dataclass(frozen=True)
class _Candidate:
    start: int  # token range of the date expression(s)
    end: int
    value: str | None
    rule: str


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


def _word_before(span: Span) -> str:
    return span.doc[span.start - 1].lower_ if span.start > 0 else ""


def _is_as_of(date: Span) -> bool:
    """'as of March 31': the end of a running total."""
    return _word_before(date) == "of" and date.start > 1 and \
        date.doc[date.start - 2].lower_ == "as"


def _span_value(first: str | None, last: str | None) -> str | None:
    """The range from the start of `first` to the end of `last` (either may be a range)."""
    return f"{first.split('/')[0]}/{last.split('/')[-1]}" if first and last else None


def _is_participle(token: Token) -> bool:
    """'migrants detained in March': a participle that modifies the counted noun."""
    return token.dep_ == "acl" and token.tag_ in ("VBN", "VBG")


class PeriodResolver:
    """Picks, for one figure, the period its sentence gives it (spec v2 section 5)."""

    def __init__(self, words: dict, change_words: set[str]):
        def vocabulary(key: str) -> set[str]:
            return set(words[key]["words"])

        self.range_open = vocabulary("RANGE_OPEN")
        self.range_link = re.compile(
            r"^[^.;]{0,80}?\b(?:%s)\s*$" % "|".join(map(re.escape, words["RANGE_LINK"]["words"]))
            + r"|^\s*[-–]\s*$", re.IGNORECASE)
        self.range_link_alone = vocabulary("RANGE_LINK_ALONE")
        self.since = vocabulary("SINCE")
        self.baseline_intro = vocabulary("BASELINE_INTRO")
        self.comparison = vocabulary("COMPARISON")
        self.superlative = vocabulary("SUPERLATIVE")
        self.clause_markers = vocabulary("CLAUSE_MARKERS")
        self.respectively = vocabulary("RESPECTIVELY")
        self.change_words = change_words

    def resolve(self, figure: Span, dates: list[Span], figures: list[Span]) -> Period:
        """The period of `figure` from the `dates` and `figures` of its sentence."""
        if not dates:
            return Period(None, "none-no-date")
        paired = self._respectively(figure, dates, figures)
        if paired is not None:
            return Period(paired._.value, "respectively")
        candidates, excluded = self._candidates(figure, dates)
        kept = []
        for candidate in candidates:
            if self._crosses_clause(figure, candidate):
                excluded.append((candidate, "none-other-clause"))
            else:
                kept.append(candidate)
        if not kept:
            nearest = min(excluded, key=lambda item: self._distance(figure, item[0]))
            return Period(None, nearest[1])
        owned = [(candidate, self._owner(candidate, figures)) for candidate in kept]

        def rank(item: tuple[_Candidate, Span | None]) -> tuple[int, int, int, int]:
            candidate, owner = item  # a date in the figure's own phrase first, then nearest
            return (int(owner != figure),) + self._distance(figure, candidate)

        best, owner = min(owned, key=rank)
        rule = "same-phrase" if best.rule == "same-clause" and owner == figure else best.rule
        return Period(best.value, rule)

    def _candidates(self, figure: Span, dates: list[Span]
                    ) -> tuple[list[_Candidate], list[tuple[_Candidate, str]]]:
        """The periods the sentence offers this figure, and the dates it may not take (with
        the rule that says why)."""
        doc = figure.doc
        candidates: list[_Candidate] = []
        excluded: list[tuple[_Candidate, str]] = []
        used: set[int] = set()
        as_of = next((i for i, d in enumerate(dates) if _is_as_of(d)), None)
        for index, date in enumerate(dates):
            if _word_before(date) not in self.since:
                continue
            used.add(index)
            candidate = _Candidate(date.start, date.end, None, "since-total")
            reason = self._since_qualifies(doc[date.start - 1], figure)
            if reason:
                excluded.append((candidate, reason))
                continue
            end = dates[as_of]._.value if as_of is not None else doc._.published
            if as_of is not None:
                used.add(as_of)
            candidates.append(_Candidate(date.start, date.end, _span_value(date._.value, end),
                                         "since-total"))
        for index in range(len(dates) - 1):
            first, second = dates[index], dates[index + 1]
            if {index, index + 1} & used or not self._joins_range(first, second):
                continue
            candidates.append(_Candidate(first.start, second.end,
                                         _span_value(first._.value, second._.value), "range"))
            used.update((index, index + 1))
        for index, date in enumerate(dates):
            if index in used:
                continue
            role = self._baseline_role(figure, date)
            rule = "as-of" if _is_as_of(date) else \
                "baseline-own-period" if role == "own" else "same-clause"
            candidate = _Candidate(date.start, date.end, date._.value, rule)
            if role == "other":
                excluded.append((candidate, "none-baseline-only"))
            elif self._dates_something_else(figure, date, dates):
                excluded.append((candidate, "none-event-date"))
            else:
                candidates.append(candidate)
        return candidates, excluded

    def _joins_range(self, first: Span, second: Span) -> bool:
        """'from A to B', 'between A and B', 'A through B', 'A - B'."""
        link = text_of(first.doc)[first.end_char:second.start_char]
        if _word_before(first) in self.range_open and self.range_link.match(link):
            return True
        return link.strip().lower() in self.range_link_alone

    def _since_qualifies(self, since: Token, figure: Span) -> str | None:
        """Why a 'since' gives no total: it qualifies a superlative or comparison ('the highest
        total since 2012', 'the first time since 2016') or a change the figure measures
        ('down 60% since May', 'fell by 2,000 since April')."""
        head = since.head
        words = [head] + [child for child in head.children if child.dep_ in ("amod", "advmod")]
        if any(t.tag_ in _COMPARISON_TAGS or t.lemma_.lower() in self.superlative
               for t in words):
            return "none-superlative-since"
        measure = figure.root.head
        if measure.lower_ == "by":
            measure = measure.head
        if self._is_change(head) and measure == head:
            return "none-change-since"
        return None

    def _is_change(self, token: Token) -> bool:
        return token.lemma_.lower() in self.change_words or token.lower_ in self.change_words

    def _introduces_baseline(self, token: Token) -> bool:
        return token.lower_ in self.comparison or token.lower_ in self.baseline_intro and any(
            self._is_change(t) for t in (token.head, token.head.head))

    def _baseline_role(self, figure: Span, date: Span) -> str | None:
        """'other' when the date is the base of a comparison the figure is not the base of
        ('a 45% drop from December', '$2 billion above the 2022 level'); 'own' when the figure
        is that base too ('up from 700 the month before': the 700 takes the month before)."""
        for token in [date.root] + list(date.root.ancestors)[:6]:
            if self._introduces_baseline(token):
                base = [t for t in token.subtree if t.i > token.i]
                return "own" if figure.root in base else "other"
        return None

    @staticmethod
    def _dates_something_else(figure: Span, date: Span, dates: list[Span]) -> bool:
        """A date that names the year of an event or a law, not a period counted: a
        possessive on another noun ('after last year's ruling') or 'of YEAR' after a name
        ('the Refugee Act of 1980')."""
        head = date.root.head
        if date.root.dep_ == "poss":
            return figure.root not in head.subtree
        if head.lower_ == "of" and date.root.dep_ == "pobj":
            name = head.head
            return name.pos_ == "PROPN" and name.is_title and \
                not any(d.start <= name.i < d.end for d in dates)
        return False

    def _crosses_clause(self, figure: Span, candidate: _Candidate) -> bool:
        """True when the date belongs to another clause than the figure: one with its own
        subject that is coordinated or contrasted ('..., while only 9,900 were granted in
        2023'), or one opened by a clause word between them ('..., so the cap doubles for
        2025')."""
        doc = figure.doc
        low, high = (figure.end, candidate.start) if candidate.start >= figure.end else \
            (candidate.end, figure.start)
        if any(t.lower_ in self.clause_markers and t.dep_ in ("mark", "cc", "advmod")
               and t.head.pos_ in ("VERB", "AUX") for t in doc[low:high]):
            return True
        return all(self._tree_crosses_clause(figure.root, t)
                   for t in doc[candidate.start:candidate.end])

    def _tree_crosses_clause(self, a: Token, b: Token) -> bool:
        ancestors_a = [a] + list(a.ancestors)
        ancestors_b = [b] + list(b.ancestors)
        common = next((t for t in ancestors_a if t in ancestors_b), None)
        path = [t for t in ancestors_a + ancestors_b if common is None or t.i != common.i
                and (t in ancestors_a[:ancestors_a.index(common)] or
                     t in ancestors_b[:ancestors_b.index(common)])]
        return any(t.pos_ in ("VERB", "AUX") and self._own_clause(t) and any(
            child.dep_ in ("nsubj", "nsubjpass", "expl") for child in t.children) for t in path)

    def _own_clause(self, verb: Token) -> bool:
        return verb.dep_ == "conj" or verb.dep_ == "advcl" and any(
            child.dep_ == "mark" and child.lower_ in self.clause_markers
            for child in verb.children)

    @staticmethod
    def _distance(figure: Span, candidate: _Candidate) -> tuple[int, int, int]:
        """Nearest in the tree, then in the text, then before the figure."""
        doc = figure.doc
        after = candidate.end > figure.start
        gap = candidate.start - figure.end if after else figure.start - candidate.end
        tree = min(tree_distance(figure.root, token)
                   for token in doc[candidate.start:candidate.end])
        return (tree, max(gap, 0), int(after))

    @staticmethod
    def _owner(candidate: _Candidate, figures: list[Span]) -> Span | None:
        """The figure a date directly follows within its own phrase ('2,100 in May',
        '$12 million in aid for 2025', '700 the month before'), if any."""
        before = [f for f in figures if f.end <= candidate.start]
        if not before:
            return None
        figure = max(before, key=lambda f: f.end)
        between = figure.doc[figure.end:candidate.start]
        if len(between) > _NEAR_TOKENS:
            return None
        for token in between:
            if token.pos_ in ("VERB", "AUX") and not _is_participle(token) or \
                    token.pos_ in ("PUNCT", "SCONJ", "PRON") and token.text != "-":
                return None
        return figure

    def _respectively(self, figure: Span, dates: list[Span], figures: list[Span]
                      ) -> Span | None:
        """'6,100 and 7,400 in May and June, respectively': the date in the same place of a
        list of dates as the figure in its list of figures."""
        if not any(t.lower_ in self.respectively for t in figure.sent):
            return None
        doc = figure.doc
        group = _list_around(figure, figures, text_of(doc))
        for date in dates:
            date_group = _list_around(date, dates, text_of(doc))
            if len(date_group) == len(group) > 1 and date_group[0].start > group[-1].end:
                return date_group[group.index(figure)]
        return None


def _list_around(span: Span, spans: list[Span], text: str) -> list[Span]:
    """The run of spans joined only by commas, 'and' or 'or' that holds `span`."""
    ordered = sorted(spans, key=lambda s: s.start)
    index = ordered.index(span)
    low = high = index
    while low > 0 and _LIST_GLUE.match(text[ordered[low - 1].end_char:ordered[low].start_char]):
        low -= 1
    while high + 1 < len(ordered) and \
            _LIST_GLUE.match(text[ordered[high].end_char:ordered[high + 1].start_char]):
        high += 1
    return ordered[low:high + 1]
