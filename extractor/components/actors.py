"""The `migrex_actors` component: PERSON/ORG/GPE from the statistical NER, corrected by
gazetteers and the spec's span rules, with canonical names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable, NamedTuple

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .attributes import ACTORS_KEY, guarded, text_of
from .serialise import DataBacked

_ACTOR_NER = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}  # LOC/NORP/FAC only via gazetteers
_DETERMINERS = {"the", "The", "THE"}
_POSSESSIVE = {"'s", "’s", "'", "’"}
_SPLITTERS = {"/", "via", "|"}
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Za-z.]*[A-Z][A-Za-z. ]*?)(?:,[^()\n]{1,40}?)? "
                       r"\((?P<outlet>[^()\n]{2,40})\)"
                       r" ?[—–-]", re.MULTILINE)
_PLACE_PREPOSITIONS = {"in", "off", "near", "outside"}  # 'in Smith' is rare, 'to Reuters' is not
_LOCATIVE = {"in", "from", "at", "near", "across", "outside", "inside", "to", "toward", "towards"}
_NAME = r"[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]+|von|van|der|de|la|del|di|da|bin|al)){1,3}"
# 'By Ana Ruiz', 'By Ana Ruiz and Tom Lee', 'By Ana Ruiz | The Valley Sun', 'By ANA RUIZ, Staff Writer'
_BYLINE = re.compile(rf"^[Bb][Yy]:? (?P<names>{_NAME}(?:(?:, | and | & ){_NAME})*)"
                     r"(?:\s*(?:[|,/—–]| - )\s*(?P<rest>[^\n]{2,60}?))?[ \t]*$", re.MULTILINE)
_MASTHEAD = re.compile(r"^(?P<outlet>(?:[A-Z][\w&'-]+ ?){1,4}) \| ", re.MULTILINE)
_SECTOR = re.compile(r"(?P<place>(?:[A-Z][a-z]+ )?[A-Z][a-z]+) Sector\b")
_STOP_WORDS = {"of", "and", "for", "the", "on", "in", "de", "la", "del", "&"}
BLOCKED = "BLOCKED"  # the phrase index's label of the block list's names (not_actors.json)


@dataclass
class Candidate:
    start: int  # token indices
    end: int
    label: str
    priority: float  # higher wins overlaps: organisation gazetteer 3, NER 2, place gazetteer 1
    key: str | None = None  # the gazetteer id


def _opens_sentence(token) -> bool:
    """The first word of its sentence, bullets and quotes aside."""
    for previous in reversed(token.sent[:token.i - token.sent.start]):
        if previous.is_alpha:
            return False
    return True


def _is_acronym(name: str) -> bool:
    """'DHS', 'U.N.', 'DoS': one word with two or more capitals."""
    return " " not in name and sum(c.isupper() for c in name) >= 2


def _splits_on_spaces(text: str, words: list[str], special) -> bool:
    """Letters and single spaces only, no tokenizer special case (one test per name, in C)."""
    return text.replace(" ", "").isalpha() and "" not in words and special.isdisjoint(words)


def tokenizer_fingerprint(nlp: Language) -> str:
    """What identifies the tokenizer's rules (its serialised affixes, patterns and special
    cases, a few milliseconds): token splits made by another tokenizer are not used."""
    return hashlib.sha256(nlp.tokenizer.to_bytes(exclude=["vocab"])).hexdigest()


def token_splits(nlp: Language, texts: Iterable[str]) -> dict[str, list[str]]:
    """The tokens of each text that does not split on its spaces alone, by `nlp`'s tokenizer:
    what `models/gazetteer/token_splits.json` holds for the gazetteer's names."""
    special = (nlp.tokenizer.rules or {}).keys()
    return {text: [token.text for token in nlp.tokenizer(text)] for text in texts
            if not _splits_on_spaces(text, text.split(" "), special)}


class PhraseIndex:
    """Phrase patterns ({label, pattern, id}) found by their tokens' texts: the matches
    spaCy's SpanRuler gives, without making a Doc of every pattern at load time (tokenising
    some 20,000 gazetteer names was most of migrex's start-up). A name of plain words that
    are no tokenizer special case is split on its spaces, which is how the tokenizer splits it;
    any other name takes its tokens from `splits` (what this tokenizer made of it before, see
    `token_splits`), else from the pipeline's tokenizer."""

    def __init__(self, nlp: Language, patterns: list[dict],
                 splits: dict[str, list[str]] | None = None):
        # keyed by the words themselves: hashing some 50,000 words cost more at start-up than
        # looking up each document's token texts
        self.phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self.lengths: dict[str, set[int]] = {}
        special = (nlp.tokenizer.rules or {}).keys()
        splits = splits or {}
        for pattern in patterns:
            text = pattern["pattern"]
            words = text.split(" ")
            if not _splits_on_spaces(text, words, special):
                words = splits.get(text) or [token.text for token in nlp.tokenizer(text)]
            if not words:
                continue
            key = tuple(words)
            self.phrases.setdefault(key, []).append((pattern["label"], pattern.get("id", "")))
            self.lengths.setdefault(key[0], set()).add(len(key))

    def match(self, doc: Doc) -> list[Span]:
        """Every match as a Span with the pattern's label and id, sorted (as SpanRuler.match)."""
        strings = doc.vocab.strings
        words = [strings[orth] for orth in doc.to_array(ORTH).tolist()] if len(doc) else []
        found = set()
        for start, word in enumerate(words):
            for length in self.lengths.get(word, ()):
                if start + length > len(words):
                    continue  # a shorter slice could look up another, shorter phrase
                for label, span_id in self.phrases.get(tuple(words[start:start + length]), ()):
                    found.add(Span(doc, start, start + length, label=label, span_id=span_id))
        return sorted(found)


class Phrases(NamedTuple):
    """The actor index's phrase patterns, by part."""

    orgs: list[dict]
    places: list[dict]
    shouted: list[dict]  # the places in capitals
    blocked: list[dict]  # the block list's names, under the label BLOCKED

    @property
    def all(self) -> list[dict]:
        return self.orgs + self.places + self.shouted + self.blocked


class Gazetteer:
    """Organisations and places as span-ruler patterns with ids, names that are not actors."""

    files = ("gazetteer/orgs.patterns.json", "gazetteer/places.patterns.json",
             "gazetteer/org_context.json", "gazetteer/not_actors.json",
             "gazetteer/cleaning.json", "lexicons/titles.json", "lexicons/figures.json",
             "lexicons/dates.json", "gazetteer/token_splits.json")

    @staticmethod
    def phrases(data: dict) -> Phrases:
        """The phrase patterns of the actor index (organisations, places, and places in
        capitals for headlines and datelines: 'MEXICO', 'EL PASO') and of the block list."""
        places = data["gazetteer/places.patterns.json"]
        shouted = [dict(line, pattern=line["pattern"].upper()) for line in places
                   if len(line["pattern"]) > 3 and line["pattern"].upper() != line["pattern"]]
        blocked = data["gazetteer/not_actors.json"]
        names = blocked["regions"] + blocked["programmes"] + blocked["parties_and_groups"] \
            + blocked["boilerplate"]
        return Phrases(data["gazetteer/orgs.patterns.json"], places, shouted,
                       [{"label": BLOCKED, "pattern": name} for name in names])

    def __init__(self, nlp: Language, data: dict):
        phrases = self.phrases(data)
        orgs, places, shouted = phrases.orgs, phrases.places, phrases.shouted
        blocked = data["gazetteer/not_actors.json"]
        titles = data["lexicons/titles.json"]
        self.cleaning = data["gazetteer/cleaning.json"]
        dates = data["lexicons/dates.json"]  # the one vocabulary of month and weekday names
        self.date_words = {word.title() for key in ("months", "weekdays", "month_abbreviations",
                                                    "weekday_abbreviations") for word in dates[key]}
        self.contextual = {name: set(after) for name, after
                           in data["gazetteer/org_context.json"].items() if not name.startswith("_")}
        self.org_id = {line["pattern"]: line["id"] for line in orgs}
        self.org_names: dict[str, list[str]] = {}  # id -> its spelled-out names
        for line in orgs:
            if not _is_acronym(line["pattern"]):
                self.org_names.setdefault(line["id"], []).append(line["pattern"])
        splits = data["gazetteer/token_splits.json"]
        splits = splits["splits"] if splits["tokenizer"] == tokenizer_fingerprint(nlp) else {}
        self.ruler = PhraseIndex(nlp, phrases.all, splits)  # one pass finds both
        named_places = places + shouted
        self.place_id = {line["pattern"]: line["id"] for line in named_places}
        self.place_folded = {alias.casefold(): place for alias, place in self.place_id.items()}
        self.place_names = {line["id"]: line["canonical"] for line in places}
        self.countries = {line["pattern"] for line in places if line["id"].count(":") == 1
                          and len(line["id"]) == len("iso:US")}
        self.needs_context = {line["pattern"] for line in named_places
                              if line.get("needs_context")}
        bodies = self.cleaning["generic_bodies"]
        self.generic = set(bodies["heads"]) | {f"{m} {h}" for m in bodies["modifiers"]
                                               for h in bodies["heads"]}
        self.name_heads = set(blocked["name_heads"])
        self.government_words = set(blocked["government_words"])
        self.blocked_names = {line["pattern"] for line in phrases.blocked}
        self.office_words = set(blocked["office_words"])
        self.not_people = set(blocked["not_people"])
        figures = data["lexicons/figures.json"]
        self.common_nouns = {noun for label in ("ENCOUNTERS", "REMOVALS", "VISAS", "PEOPLE")
                             for noun in figures[label]["nouns"]}
        self.honorifics = set(titles["honorifics"])
        self.organisation_words = set(titles["organisation_words"])
        roles = "|".join(sorted(titles["role_nouns"], key=len, reverse=True))
        # 'Tomasz Wieczorek, IOM's regional director, said': a name in apposition to a role
        self.apposition = re.compile(
            r"(?<![\w.’'-])(?P<name>[A-Z][a-z]+(?:[- ][A-Z][a-z]+){1,2}), (?:[\w’'-]+ ){0,4}?"
            rf"(?:{roles})s?\b")
        self.title_words = set(titles["title_words"]) | self.honorifics
        offices = "|".join(sorted((re.escape(w) for w in titles["title_words"] if w[0].isupper()),
                                  key=len, reverse=True))
        # 'Secretary of Homeland Security Alejandro Mayorkas': a full name right after a title
        self.titled_name = re.compile(
            rf"\b(?:{offices})(?: of(?: [A-Z][\w-]+| and)+)? "
            r"(?P<name>[A-Z][\w'-]+(?: [A-Z]\.)? [A-Z][\w'-]+(?:-[A-Z][\w'-]+)?)\b")


# -- clean-up rules over one NER span ------------------------------------------------------
# Each rule is small and named, with its words in models/gazetteer/cleaning.json under its key
# (in the manner of presidio's recognizers); `apply` returns the span's new (start, end, label),
# or None to drop it. The gazetteer's own names never pass through them.
Edit = tuple[int, int, str] | None


class SpanRule:
    key = ""

    def __init__(self, gaz: "Gazetteer"):
        self.gaz = gaz
        entry = gaz.cleaning[self.key]
        self.words = set(entry.get("words", entry.get("phrases", entry.get("heads", []))))

    def apply(self, doc: Doc, start: int, end: int, label: str) -> Edit:
        raise NotImplementedError


class PressFurniture(SpanRule):
    """'For Immediate Release', 'Press Release', 'Key Takeaways': labels of the page."""
    key = "press_furniture"

    def apply(self, doc, start, end, label):
        text = doc[start:end].text
        line = _line_of(doc, start).strip(" :•-–—")
        return None if text in self.words or line in self.words else (start, end, label)


class DateInName(SpanRule):
    """'Gulf Daily Wire - 4th Feb': the name ends before the date and its dash."""
    key = "dates_in_names"

    def __init__(self, gaz):
        super().__init__(gaz)
        self.words |= gaz.date_words

    def apply(self, doc, start, end, label):
        for token in doc[start + 1:end]:
            if token.text in self.words or token.like_num or token.text[:1].isdigit():
                cut = token.i
                while cut > start and (doc[cut - 1].is_punct or doc[cut - 1].is_space):
                    cut -= 1
                return (start, cut, label) if cut > start else None
        return start, end, label


class HeadlineVerb(SpanRule):
    """'Committee Approves FY24 Bill', 'Senate Passes': a title-case verb ends the name."""
    key = "headline_verbs"

    def apply(self, doc, start, end, label):
        if label == "GPE":
            return start, end, label
        for token in doc[start + 1:end]:
            if token.text in self.words:
                return start, token.i, label
        if end < len(doc) and doc[end].text in self.words and label == "ORG" \
                and _opens_sentence(doc[start]) and doc[start:end].text in self.gaz.generic:
            return None  # 'Committee' of 'Committee Approves'
        return start, end, label


class GenericBody(SpanRule):
    """'the Committee', 'the Full Committee', 'this Administration': no particular body."""
    key = "generic_bodies"

    def __init__(self, gaz):
        super().__init__(gaz)
        self.modifiers = set(gaz.cleaning[self.key]["modifiers"])

    def apply(self, doc, start, end, label):
        words = doc[start:end].text.split()
        if label == "ORG" and words and words[-1] in self.words | {"Force"} \
                and all(w in self.modifiers or w in self.words for w in words[:-1]):
            return None
        return start, end, label


class ReportTitle(SpanRule):
    """'Global Humanitarian Overview', 'Monthly Operational Update', 'UC Encounters': the
    title of a report or a data series, not its publisher."""
    key = "report_titles"

    def apply(self, doc, start, end, label):
        if label == "ORG" and doc[end - 1].text in self.words:
            return None
        return start, end, label


class HeadingLine(SpanRule):
    """An NER organisation on a title-case headline or section heading with no organisation
    word in it ('Illegal Border Crossings in the Central Route Have Doubled')."""
    key = "report_titles"

    def apply(self, doc, start, end, label):
        if label != "ORG" or any(t.text in self.gaz.organisation_words for t in doc[start:end]):
            return start, end, label
        words = [w for w in _line_of(doc, start).split() if w[:1].isalpha()]
        capitalised = [w for w in words if w[0].isupper()]
        content = [w for w in words if w.lower() not in _STOP_WORDS]
        is_heading = len(content) >= 3 and len(capitalised) >= 0.8 * len(content) \
            and not _line_of(doc, start).rstrip().endswith((".", '"', "”"))
        return None if is_heading else (start, end, label)


class LeaderGovernment(SpanRule):
    """'the Lopez administration', 'the Maduro regime': the leader is a PERSON."""
    key = "leader_governments"

    def apply(self, doc, start, end, label):
        last = doc[end - 1].text
        if end - start > 1 and last in self.words:
            end -= 1
        elif not (end < len(doc) and doc[end].text in self.words):
            return start, end, label
        name = doc[start:end]
        if label == "GPE" or name.text in self.gaz.place_id or name.text in self.gaz.org_id \
                or not all(t.is_title and t.is_alpha for t in name) or len(name) > 3:
            return start, end, label
        return start, end, "PERSON"


class NameParticles(SpanRule):
    """'Ursula von der Leyen', 'Ana de la Cruz', 'John F. Kennedy': a person's name goes on
    across lower-case particles and middle initials the NER cut it at."""
    key = "name_particles"

    def apply(self, doc, start, end, label):
        if label != "PERSON":
            return start, end, label
        i = end
        while i < len(doc) and (doc[i].text in self.words or _is_initial(doc[i])):
            i += 1
        if i > end and i < len(doc) and doc[i].is_title and doc[i].is_alpha:
            end = i + 1
        i = start
        while i > 0 and doc[i - 1].text in self.words:
            i -= 1
        if i < start and i > 0 and doc[i - 1].is_title and doc[i - 1].is_alpha \
                and not doc[i - 1].is_sent_start:
            start = i - 1
        return start, end, label


class PlaceHead(SpanRule):
    """'Kandahar Province', 'Harris County' taken as an organisation: a place."""
    key = "place_heads"

    def apply(self, doc, start, end, label):
        if label == "ORG" and 1 < end - start <= 3 and doc[end - 1].text in self.words \
                and not any(t.text in self.gaz.organisation_words for t in doc[start:end - 1]):
            return start, end, "GPE"
        return start, end, label


def _line_of(doc: Doc, i: int) -> str:
    """The text line holding token i."""
    text = text_of(doc)
    begin = text.rfind("\n", 0, doc[i].idx) + 1
    stop = text.find("\n", doc[i].idx)
    return text[begin:stop if stop >= 0 else len(text)]


def _is_initial(token) -> bool:
    """'F.' in 'John F. Kennedy'."""
    return len(token.text) == 2 and token.text[0].isupper() and token.text[1] == "."


SPAN_RULES = (PressFurniture, DateInName, HeadlineVerb, GenericBody, ReportTitle, HeadingLine,
              LeaderGovernment, NameParticles, PlaceHead)


class ActorRecognizer(DataBacked):
    """NER actors corrected by gazetteer rules, canonicalised per document."""

    needs = ("sentences", "entities")
    data_files = Gazetteer.files

    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.nlp = nlp
        self._load_data()

    def _setup(self) -> None:
        self.gaz = Gazetteer(self.nlp, self.data)
        self.rules = [rule(self.gaz) for rule in SPAN_RULES]

    def _clean_up(self, doc: Doc, start: int, end: int, label: str) -> Edit:
        """The span after every clean-up rule, or None when one drops it."""
        if doc[start:end].text in self.gaz.org_id or doc[start:end].text in self.gaz.place_id:
            return start, end, label
        edit: Edit = (start, end, label)
        for rule in self.rules:
            edit = rule.apply(doc, *edit)
            if edit is None or edit[0] >= edit[1]:
                return None
        return edit

    # -- candidates ---------------------------------------------------------------------------
    def _gazetteer(self, doc: Doc, matches: list[Span]) -> list[Candidate]:
        """Organisations (priority 3) and places (priority 1) among the phrase index's matches,
        each kind cut to its longest non-overlapping matches, with the pattern's id as key."""
        found = []
        for label, priority in (("ORG", 3), ("GPE", 1)):
            found += [Candidate(s.start, s.end, label, priority, s.id_)
                      for s in filter_spans([m for m in matches if m.label_ == label])]
        words = [token.text for token in doc]
        for index, word in enumerate(words):
            after = self.gaz.contextual.get(word)
            if after is not None and (not after or index + 1 < len(words)
                                      and words[index + 1] in after):
                found.append(Candidate(index, index + 1, "ORG", 3))
        return found

    def _ner(self, doc: Doc) -> list[Candidate]:
        found = []
        for ent in doc.ents:
            if ent.label_ not in _ACTOR_NER:
                continue
            for part, (start, end) in enumerate(self._split(doc, ent.start, ent.end)):
                start, end = self._trim(doc, start, end, ent.label_)
                if start >= end:
                    continue
                edit = self._clean_up(doc, start, end, ent.label_)
                if edit is None:
                    continue
                start, end, label = edit
                if end - start > 1 and doc[end - 1].text in self.gaz.government_words \
                        and doc[start:end - 1].text in self.gaz.place_id:
                    end, label = end - 1, "GPE"  # 'the United States Government' -> the country
                text = doc[start:end].text
                if not self._looks_like_name(doc[start:end]):
                    continue
                if label != "PERSON" and any(t.text in self.gaz.name_heads
                                             for t in doc[start:end]):
                    continue  # 'Third Los Angeles Declaration Ministerial': an event's name
                if label == "PERSON":
                    start = self._given_names(doc, start)
                split = self._place_then_person(doc, start, end)
                if split:
                    found.extend(split)
                    continue
                if text in self.gaz.place_id and label != "GPE" and (
                        text not in self.gaz.needs_context
                        or start > 0 and doc[start - 1].lower_ in _LOCATIVE):
                    label = "GPE"
                elif doc[end - 1].text == "Sector" or end < len(doc) and doc[end].text == "Sector":
                    label = "GPE"
                elif label in ("PERSON", "ORG") and end - start == 1 and start > 0 \
                        and doc[start - 1].lower_ in _PLACE_PREPOSITIONS \
                        and text not in self.gaz.org_id:
                    label = "GPE"  # 'off Lampedusa', 'in Agadez'
                if text in self.gaz.org_id or part > 0 and doc[start - 1].text in _SPLITTERS:
                    label = "ORG"  # 'Andrew Lichtenstein/Corbis via Getty Images': credits
                if label in ("LOC", "NORP", "FAC") or any(
                        t.like_email or t.like_url for t in doc[start:end]):
                    continue
                if label == "PERSON" and (text in self.gaz.not_people or all(
                        t.text in self.gaz.title_words or t.text in self.gaz.office_words
                        for t in doc[start:end])):
                    continue
                found.append(Candidate(start, end, label, 2, self.gaz.place_id.get(text)
                                       if label == "GPE" else self.gaz.org_id.get(text)))
        return found

    def _looks_like_name(self, span: Span) -> bool:
        """Not a name: lower-case start, a shouted common word, a figure noun ('Deportations')."""
        first = span[0]
        if first.is_lower and first.is_alpha and first.text not in ("de", "van", "von"):
            return False
        if len(span) == 1 and first.is_upper and len(first.text) > 5 \
                and first.text not in self.gaz.place_id and first.text not in self.gaz.org_id:
            return False
        if len(span) == 1 and (first.pos_ == "ADJ" or first.tag_ == "NNS"
                               or self._is_demonym(first.text)
                               or first.lower_.endswith("ing") and _opens_sentence(first)):
            return False  # 'Guatemalan counterparts', '• Fostering regional stability'
        return not (len(span) == 1 and first.lower_ in self.gaz.common_nouns)

    def _given_names(self, doc: Doc, start: int) -> int:
        """'Secretary of State Antony [J. Blinken]': take in capitalised given names the NER
        left out, stopping at titles and at a title's 'of State' tail."""
        for _ in range(2):
            if start == 0:
                break
            previous = doc[start - 1]
            if not (previous.is_title and previous.is_alpha) or previous.is_sent_start \
                    or previous.text in self.gaz.title_words \
                    or previous.text in self.gaz.office_words \
                    or previous.text in self.gaz.place_id or previous.text in self.gaz.org_id \
                    or start >= 2 and doc[start - 2].lower_ in ("of", "the", "and"):
                break
            start -= 1
        return start

    def _is_demonym(self, word: str) -> bool:
        """'Guatemalan', 'Mexican', 'Venezuelans': a country's name with a demonym ending."""
        word = word.removesuffix("s")
        for suffix in ("n", "an", "ian", "ean", "ese", "i", "ish"):
            stem = word.removesuffix(suffix)
            if stem != word and any(stem + end in self.gaz.countries
                                    for end in ("", "a", "o", "e", "y")):
                return True
        return False

    def _place_then_person(self, doc: Doc, start: int, end: int) -> list[Candidate]:
        """'Ambassador to Guatemala Tobin Bradley' tagged as one name: a place, then a person."""
        for cut in range(start + 1, end - 1):
            place, rest = doc[start:cut], doc[cut:end]
            if place.text in self.gaz.place_id and place.text not in self.gaz.needs_context \
                    and 2 <= len(rest) <= 3 and all(t.is_title and t.is_alpha for t in rest) \
                    and start > 0 and doc[start - 1].lower_ in ("to", "of", "in", "from") \
                    and rest.text not in self.gaz.org_id:
                return [Candidate(start, cut, "GPE", 2, self.gaz.place_id[place.text]),
                        Candidate(cut, end, "PERSON", 2)]
        return []

    def _split(self, doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """Photo credits: 'Sandra Sanchez/Border Report' -> two names."""
        parts, begin = [], start
        for token in doc[start:end]:
            if token.text in _SPLITTERS or "\n" in token.text:
                parts.append((begin, token.i))
                begin = token.i + 1
        parts.append((begin, end))
        return [(a, b) for a, b in parts if b > a]

    def _trim(self, doc: Doc, start: int, end: int, label: str) -> tuple[int, int]:
        """Drop 'the', titles, honorifics, possessives and punctuation at the edges."""
        while start < end and (doc[start].text in _DETERMINERS or doc[start].is_punct
                               or doc[start].is_space
                               or label == "PERSON" and doc[start].text in self.gaz.title_words):
            start += 1
        while end > start and (doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_space
                               or doc[end - 1].is_punct and doc[end - 1].text not in (".",)):
            end -= 1
        while end > start and doc[end - 1].text == "Sector":
            end -= 1  # 'the San Diego Sector': the city is the GPE (spec section 4)
        return start, end

    # -- filters ---------------------------------------------------------------------------
    def _blocked(self, doc: Doc, candidate: Candidate, blocks: list[tuple[int, int]]) -> bool:
        for start, end in blocks:
            if start <= candidate.start and candidate.end <= end:
                return True
            if candidate.label == "GPE" and candidate.start <= start and end <= candidate.end:
                return True
        if candidate.start >= 3 and doc[candidate.start - 1].text == "#" \
                and doc[candidate.start - 3].text == "#" and \
                f"{doc[candidate.start - 2].text} {doc[candidate.start:candidate.end].text}" \
                in self.gaz.blocked_names:
            return True  # '#Latin #America'
        after = doc[candidate.end] if candidate.end < len(doc) else None
        if after is not None and after.text in self.gaz.name_heads and candidate.label != "PERSON":
            return True
        if candidate.start >= 2 and doc[candidate.start - 1].lower_ == "of" \
                and doc[candidate.start - 2].text in self.gaz.office_words \
                and candidate.priority < 3:
            return True
        if candidate.label == "ORG" and candidate.priority < 3 and after is not None \
                and after.text in self.gaz.office_words:
            return True
        return False

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        matches = self.gaz.ruler.match(doc)
        blocks = [(span.start, span.end) for span in matches if span.label_ == BLOCKED]
        candidates = self._gazetteer(doc, matches) + self._news_furniture(doc) + self._ner(doc)
        candidates = [c for c in candidates if not self._blocked(doc, c, blocks)]
        places = [c for c in candidates if c.priority == 1]
        for place in places:
            confident = doc[place.start:place.end].text not in self.gaz.needs_context
            if any(c.priority == 2 and (c.label == "GPE" or confident) and place.start <= c.start
                   and c.end <= place.end and (c.start, c.end) != (place.start, place.end)
                   for c in candidates):
                place.priority = 2.5  # 'Cote d'Ivoire' over the NER's PERSON 'Cote'
        kept: list[Candidate] = []
        for candidate in sorted(candidates, key=lambda c: (-c.priority, c.start)):
            if any(candidate.start < k.end and k.start < candidate.end for k in kept):
                continue
            if candidate.priority == 2 and candidate.label != "PERSON" \
                    and self._only_places(doc, candidate, places):
                continue  # 'U.S.-Mexico' tagged as one ORG: the places come separately
            if candidate.priority < 2 and doc[candidate.start:candidate.end].text \
                    in self.gaz.needs_context and not self._ner_supports(doc, candidate):
                continue
            kept.append(candidate)
        kept = self._propagate_person_names(doc, kept)
        kept = self._defined_acronyms(doc, kept)
        kept.sort(key=lambda c: c.start)
        spans = [Span(doc, c.start, c.end, label=c.label, span_id=c.key or 0) for c in kept]
        self._canonicalise(doc, spans)
        doc.spans[ACTORS_KEY] = spans
        return doc

    def _propagate_person_names(self, doc: Doc, kept: list[Candidate]) -> list[Candidate]:
        """A full name seen once makes its surname a PERSON everywhere in the document
        ('Canegallo' tagged ORG, 'Wieczorek' missed after a quote)."""
        names = {doc[c.start:c.end].text for c in kept if c.label == "PERSON" and c.end - c.start > 1}
        surnames = {name.split()[-1] for name in names if name.split()[-1][:1].isupper()}
        forms = names | surnames
        if not forms:
            return kept
        for candidate in kept:
            if candidate.label != "PERSON" and candidate.priority == 2 \
                    and doc[candidate.start:candidate.end].text in forms:
                candidate.label, candidate.key = "PERSON", None
        pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(form)}(?![\w-])"
                                      for form in sorted(forms, key=len, reverse=True)))
        taken = [(doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1])) for c in kept]
        for match in pattern.finditer(text_of(doc)):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            span = doc.char_span(match.start(), match.end())
            if span is not None:
                kept.append(Candidate(span.start, span.end, "PERSON", 2))
                taken.append((match.start(), match.end()))
        return kept

    def _defined_acronyms(self, doc: Doc, kept: list[Candidate]) -> list[Candidate]:
        """'the Lakeshore Resettlement Network (LRN)': the acronym is that organisation
        wherever the document uses it."""
        taken = [(doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1])) for c in kept]
        for candidate in [c for c in kept if c.label == "ORG"]:
            end_char = doc[candidate.end - 1].idx + len(doc[candidate.end - 1])
            defined = re.match(r" ?\((?P<acronym>[A-Z][A-Za-z]{1,7})\)", text_of(doc)[end_char:])
            if not defined or not _is_acronym(defined["acronym"]):
                continue
            for match in re.finditer(rf"(?<![\w-]){defined['acronym']}(?![\w-])", text_of(doc)):
                span = doc.char_span(match.start(), match.end())
                if span is not None and not any(match.start() < end and start < match.end()
                                                for start, end in taken):
                    kept.append(Candidate(span.start, span.end, "ORG", 2, candidate.key))
                    taken.append((match.start(), match.end()))
        return kept

    def _news_furniture(self, doc: Doc) -> list[Candidate]:
        """Names the layout of a news page gives away: the outlet of a dateline
        ('WASHINGTON (Pinecrest Wire) —'), of a byline ('By Dana Whitcomb, Pinecrest Wire') or
        of a masthead line ('Istmo Report | PANAMA CITY | ...'), the dateline's place, people
        named beside their role ('Nadia Okafor, policy director at ...') and Border Patrol
        sectors ('the Swanton Sector')."""
        found = []
        outlets = set()
        for match in _DATELINE.finditer(text_of(doc)):
            place = doc.char_span(match.start("place"), match.end("place"))
            index = self.gaz.place_folded.get(match["place"].casefold())
            if place is not None and index is not None:
                found.append(Candidate(place.start, place.end, "GPE", 3, index))
            outlets.add(match["outlet"].strip())
        found += self._bylines(doc, outlets)
        outlets.update(m["outlet"].strip() for m in _MASTHEAD.finditer(text_of(doc))
                       if not m["outlet"].startswith(("By ", "BY ")))
        for outlet in sorted(outlets):
            if outlet in self.gaz.place_id or outlet.isupper() or len(outlet) < 3:
                continue
            for other in re.finditer(rf"(?<!\w){re.escape(outlet)}(?!\w)", text_of(doc)):
                span = doc.char_span(other.start(), other.end())
                if span is not None:  # the outlet wherever it is named
                    found.append(Candidate(span.start, span.end, "ORG", 3,
                                           self.gaz.org_id.get(outlet)))
        for match in self.gaz.apposition.finditer(text_of(doc)):
            name = match["name"]
            words = name.replace("-", " ").split()
            if name in self.gaz.place_id or name in self.gaz.org_id or any(
                    w in self.gaz.organisation_words or w in self.gaz.title_words for w in words):
                continue
            span = doc.char_span(match.start("name"), match.end("name"))
            if span is not None:
                found.append(Candidate(span.start, span.end, "PERSON", 2.4))
        for match in self.gaz.titled_name.finditer(text_of(doc)):
            name = match["name"]
            words = name.split()
            if words[0] in self.gaz.title_words or name in self.gaz.org_id or any(
                    w in self.gaz.organisation_words or w in self.gaz.place_id for w in words):
                continue
            span = doc.char_span(match.start("name"), match.end("name"))
            if span is not None:
                found.append(Candidate(span.start, span.end, "PERSON", 2.3))
        for match in _SECTOR.finditer(text_of(doc)):
            span = doc.char_span(match.start("place"), match.end("place"))
            if span is not None and match["place"] not in self.gaz.org_id:
                found.append(Candidate(span.start, span.end, "GPE", 2.5,
                                       self.gaz.place_id.get(match["place"])))
        return found

    def _bylines(self, doc: Doc, outlets: set[str]) -> list[Candidate]:
        """Bylines in their many formats: the people (PERSON), and an outlet after '|', a
        dash or a comma (ORG, added to `outlets`), unless it is the writer's role."""
        found = []
        roles = set(self.gaz.cleaning["byline_roles"]["words"])
        for match in _BYLINE.finditer(text_of(doc)):
            names = [(m.start() + match.start("names"), m.group())
                     for m in re.finditer(_NAME, match["names"])]
            rest = (match["rest"] or "").strip()
            if len(names) > 1 and not re.search(r" and | & ", match["names"]) and not rest:
                rest = names.pop()[1]  # 'By Ana Ruiz, Valley Wire': the outlet, not a name
            if rest.startswith(("The ", "the ")):
                rest = rest[4:]
            if rest and rest.split()[0] not in roles and rest[0].isupper():
                outlets.add(rest)
            for start, name in names:
                span = doc.char_span(start, start + len(name))
                if span is not None and not any(w in self.gaz.organisation_words
                                                for w in name.split()):
                    found.append(Candidate(span.start, span.end, "PERSON", 2.6))
        return found

    def _only_places(self, doc: Doc, candidate: Candidate, places: list[Candidate]) -> bool:
        covered = {i for p in places if candidate.start <= p.start and p.end <= candidate.end
                   for i in range(p.start, p.end)}
        rest = [t for t in doc[candidate.start:candidate.end] if t.i not in covered]
        return bool(covered) and all(t.text in ("-", "–", "and", ",") for t in rest)

    def _ner_supports(self, doc: Doc, candidate: Candidate) -> bool:
        """An ambiguous place name ('Darwin', 'Chad', 'Washington') counts when the NER calls
        it a place or a locative preposition introduces it."""
        if candidate.start > 0 and doc[candidate.start - 1].lower_ in _LOCATIVE:
            return True
        return any(t.ent_type_ in ("GPE", "LOC") for t in doc[candidate.start:candidate.end])

    # -- canonical names and roles ------------------------------------------------------------
    def _canonicalise(self, doc: Doc, spans: list[Span]) -> None:
        persons = [s for s in spans if s.label_ == "PERSON"]
        orgs = [s for s in spans if s.label_ == "ORG"]
        for span in spans:
            if span.label_ == "PERSON":
                span._.canonical = self._person_canonical(span, persons)
                span._.role = self._role(span)
            elif span.label_ == "ORG":
                span._.canonical = self._org_canonical(span, orgs)
            else:
                span._.canonical = self._place_canonical(span)

    @staticmethod
    def _clean(text: str) -> str:
        return re.sub(r"\s+", " ", text.replace("[", "").replace("]", "")).strip()

    def _person_canonical(self, span: Span, persons: list[Span]) -> str:
        words = [t.text for t in span if t.is_alpha or "-" in t.text]
        best = span
        for other in persons:
            other_words = [t.text for t in other if t.is_alpha or "-" in t.text]
            if len(other_words) > len([t for t in best if t.is_alpha]) and words \
                    and other_words[-1] == words[-1]:
                best = other
        return self._clean(best.text)

    def _org_canonical(self, span: Span, orgs: list[Span]) -> str:
        """The fullest spelled-out name of the same organisation in the document (by
        gazetteer id, else by initials), else the mention as written (spec section 4)."""
        if span.id_:
            names = self.gaz.org_names.get(span.id_, [])
            present = [o.text for o in orgs if o.id_ == span.id_ and o.text in names]
            return max(present, key=len) if present else self._clean(span.text)
        if span.text.isupper() and len(span.text) >= 2:
            for other in orgs:  # 'the Office for Refugee Support (ORS)': defined in brackets
                following = text_of(span.doc)[other.end_char:other.end_char + len(span.text) + 3]
                if other is not span and following.strip() == f"({span.text})":
                    return self._clean(other.text)
            letters = span.text.replace(".", "")
            for other in orgs:
                initials = "".join(w[0] for w in other.text.split() if w.lower() not in _STOP_WORDS)
                if other is not span and initials.upper() == letters:
                    return other.text
        return self._clean(span.text)

    def _place_canonical(self, span: Span) -> str:
        place = span.id_ or self.gaz.place_folded.get(span.text.casefold())
        if place:
            return self.gaz.place_names[place]
        return span.text.title() if span.text.isupper() and len(span.text) > 3 else span.text

    def _role(self, span: Span) -> str | None:
        doc = span.doc
        start = span.start
        while start > 0 and start > span.start - 8:
            token = doc[start - 1]
            if token.text in self.gaz.honorifics:
                start -= 1
                continue
            if token.is_title or token.is_upper or token.lower_ in ("of", "to", "for", "the") \
                    and start - 1 > span.start - 8 and doc[start - 2].is_title:
                start -= 1
                continue
            break
        words = [t.text for t in doc[start:span.start] if t.text not in self.gaz.honorifics]
        while words and words[0].lower() in ("of", "to", "for", "the"):
            words.pop(0)
        if words and any(w in self.gaz.title_words for w in words):
            return " ".join(words)
        for child in span.root.children:
            if child.dep_ == "appos":
                text = " ".join(t.text for t in child.subtree if t.dep_ != "det" and not t.is_punct)
                return text or None
        return None


@Language.factory("migrex_actors", assigns=["doc.spans", "span._.canonical", "span._.role"],
                  requires=["doc.sents", "doc.ents"])
def make_actor_recognizer(nlp: Language, name: str) -> ActorRecognizer:
    return ActorRecognizer(nlp, name)
