"""The `migrex_dates` component: date expressions with TIMEX values in `doc.spans`."""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..normalize.setting import detect_country
from ..normalize.timex import DateContext, Tense, find_dates, published_date, rules
from .attributes import DATES_KEY, char_span, guarded, text_of
from .serialise import DataBacked

_FUTURE_AUX = {"will", "'ll", "shall", "wo", "must", "should"}  # modals of what is due
_BARE_YEAR = re.compile(r"^(?:19|20)\d\d$")
# a year that frames what follows ('In 2022, ... in November'), not a modifier ('a 2015 law')
_YEAR_INTRO = re.compile(r"\b(?:[Ii]n|[Dd]uring|[Ff]or|[Tt]hroughout|[Oo]f|[Bb]y)\s+$")


_REPORTED = {"nsubj", "nsubjpass", "ccomp"}  # a date reached through these is in what is said


def tense_of(token: Token, cues: dict) -> Tense:
    """'past', 'present', 'future' or None from the governing verb and nearby cue words."""
    before = " " + " ".join(t.lower_ for t in token.doc[max(0, token.i - 3):token.i]) + " "
    if any(f" {cue} " in before for cue in cues["future"]):
        return "future"
    if any(f" {cue} " in before for cue in cues["past"]):
        return "past"
    verb, path = token, []
    for _ in range(8):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
            break
        path.append(verb.dep_)
        verb = verb.head
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    # 'the November election' is the coming one unless the verb says it is over
    upcoming = "future" if following is not None and following.lower_ in cues["future_after"] \
        else None
    if verb.pos_ not in ("VERB", "AUX"):
        return upcoming
    # 'Applications open Jan. 15, the department said': the saying is past, not the date
    if verb.lemma_ in cues["reporting"] and _REPORTED.intersection(path):
        return upcoming
    auxiliaries = [child for child in verb.children if child.dep_ in ("aux", "auxpass")]
    auxiliaries += [grand for aux in auxiliaries for grand in aux.children if grand.dep_ == "aux"]
    if any(aux.lower_ in _FUTURE_AUX for aux in auxiliaries) or verb.lower_ in _FUTURE_AUX:
        return "future"
    if any(aux.lemma_ == "go" and aux.tag_ == "VBG" for aux in auxiliaries):
        return "future"
    # 'proposed 25 August as the date': a past verb of planning names a date still to come
    if verb.lemma_ in cues["planning"]:
        return upcoming
    # a participle alone ('wants the camps emptied by April') says nothing about time, unless
    # it is a past verb the tagger took for one: heading the sentence or what a reporting verb
    # reports, with a subject ('The post reopened on the 3rd', '..., volunteers said'), or
    # read as a modifier of the sentence's only noun ('The route reopened in autumn.')
    subject = any(child.dep_ == "nsubj" for child in verb.children)
    reported = verb.dep_ == "ccomp" and verb.head.lemma_ in cues["reporting"]
    misread = verb.dep_ == "acl" and verb.head.dep_ == "ROOT" \
        and verb.head.pos_ in ("NOUN", "PROPN") and verb.i == verb.head.i + 1
    finite_participle = verb.tag_ in ("VBN", "VBD") and not auxiliaries \
        and (subject and (verb.dep_ == "ROOT" or reported) or misread)
    if verb.tag_ == "VBD" or finite_participle or any(aux.tag_ == "VBD" for aux in auxiliaries):
        return "past"
    if any(aux.lemma_ == "have" for aux in auxiliaries):
        return "past"
    # 'Applications are accepted March 1st-15th', 'The strategy expires in December'
    if verb.tag_ in ("VBZ", "VBP") or any(aux.tag_ in ("VBZ", "VBP") for aux in auxiliaries):
        return upcoming or "present"
    return upcoming


class _LazyYears:
    """Bare years ('In 2022, ...') framing a sentence, found only if an expression without a
    year asks for them."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self._offsets: list[int] | None = None
        self._years: list[int] = []
        self._sentence_starts: list[int] = []

    def _load(self) -> None:
        if self._offsets is None:
            text = text_of(self.doc)
            found = [d for d in find_dates(text) if _BARE_YEAR.match(d.text)
                     and _YEAR_INTRO.search(text[max(0, d.start - 12):d.start])]
            self._offsets = [d.start for d in found]
            self._years = [int(d.text) for d in found]
            self._sentence_starts = [sent.start_char for sent in self.doc.sents]

    def in_sentence(self, offset: int) -> int | None:
        self._load()
        starts = self._sentence_starts
        sentence_start = starts[bisect_right(starts, offset) - 1] if starts else 0
        index = bisect_right(self._offsets, offset) - 1
        if index >= 0 and self._offsets[index] >= sentence_start:
            return self._years[index]
        return None


class DateRecognizer(DataBacked):
    """Finds dates with migrex's grammar and resolves them against `doc._.published`."""

    needs = ("sentences",)
    data_files = ("lexicons/dates.json", "lexicons/date_rules.json")

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self._load_data()

    def _setup(self) -> None:
        lexicon = self.data["lexicons/dates.json"]
        self.cues = {"future": lexicon["future_cues"], "past": lexicon["past_cues"],
                     "future_after": set(lexicon["future_after"]),
                     "planning": set(lexicon["planning_verbs"]),
                     "reporting": set(lexicon["reporting_verbs"])}
        rules()  # the grammar compiled now, not at the first document: forked workers share it

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        published = published_date(doc._.published) if doc._.published else None
        if doc._.published and published is None:
            raise ValueError(f"doc._.published is {doc._.published!r}: give an ISO date "
                             "(2024-05-07) or timestamp (2024-05-07T14:02:00Z)")
        if doc._.country is None:
            doc._.country = detect_country(text_of(doc))
        years = _LazyYears(doc)

        def tense_at(offset: int) -> Tense:
            span = doc.char_span(offset, offset + 1, alignment_mode="expand")
            return tense_of(span[0], self.cues) if span is not None and len(span) else None

        def tag_at(offset: int) -> str | None:
            span = doc.char_span(offset, offset + 1, alignment_mode="expand")
            return span[0].tag_ if span is not None and len(span) else None

        ctx = DateContext(published=published, tense_at=tense_at, country=doc._.country,
                          sentence_year=years.in_sentence, tag_at=tag_at)
        spans: list[Span] = []
        for found in find_dates(text_of(doc), ctx):
            span = char_span(doc, found.start, found.end, "DATE")
            if span is None:
                continue
            span._.value = found.value
            spans.append(span)
        doc.spans[DATES_KEY] = spans
        return doc


@Language.factory("migrex_dates", assigns=["doc.spans", "span._.value", "doc._.country"],
                  requires=["doc.sents"])
def make_date_recognizer(nlp: Language, name: str) -> DateRecognizer:
    return DateRecognizer(nlp, name)
