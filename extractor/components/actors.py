"""The `migrex_actors` component: PERSON/ORG/GPE from the statistical NER, corrected by
gazetteers and the spec's span rules, with canonical names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .attributes import ACTORS_KEY, guarded
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
_BYLINE = re.compile(r"^By [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}, (?P<outlet>(?:[A-Z][\w&'-]+ ?){1,4})"
                     r"\s*$", re.MULTILINE)
_MASTHEAD = re.compile(r"^(?P<outlet>(?:[A-Z][\w&'-]+ ?){1,4}) \| ", re.MULTILINE)
_SECTOR = re.compile(r"(?P<place>(?:[A-Z][a-z]+ )?[A-Z][a-z]+) Sector\b")
_STOP_WORDS = {"of", "and", "for", "the", "on", "in", "de", "la", "del", "&"}


@dataclass
class Candidate:
    start: int  # token indices
    end: int
    label: str
    priority: float  # higher wins overlaps: organisation gazetteer 3, NER 2, place gazetteer 1
    key: int | None = None  # gazetteer entry


def _opens_sentence(token) -> bool:
    """The first word of its sentence, bullets and quotes aside."""
    for previous in reversed(token.sent[:token.i - token.sent.start]):
        if previous.is_alpha:
            return False
    return True


class Gazetteer:
    """Organisation alias groups, places with canonical names, and names that are not actors."""

    files = ("gazetteer/orgs.json", "gazetteer/places.json", "gazetteer/not_actors.json",
             "lexicons/titles.json", "lexicons/figures.json")

    def __init__(self, nlp: Language, data: dict):
        orgs = data["gazetteer/orgs.json"]
        places = data["gazetteer/places.json"]["places"]
        blocked = data["gazetteer/not_actors.json"]
        titles = data["lexicons/titles.json"]
        self.org_groups = orgs["groups"]
        self.contextual = {name: set(after) for name, after in orgs["contextual"].items()
                           if not name.startswith("_")}
        self.org_matcher = PhraseMatcher(nlp.vocab)
        self.org_alias: dict[str, int] = {}
        for index, group in enumerate(self.org_groups):
            for name in group["names"] + group["acronyms"]:
                self.org_alias[name] = index
            self.org_matcher.add(f"ORG{index}", list(nlp.tokenizer.pipe(
                group["names"] + group["acronyms"])))
        self.places = places
        self.place_alias: dict[str, int] = {}
        self.place_folded: dict[str, int] = {}
        self.place_matcher = PhraseMatcher(nlp.vocab)
        for index, place in enumerate(places):
            aliases = place["aliases"] + [alias.upper() for alias in place["aliases"]
                                          if len(alias) > 3]
            for alias in aliases:
                self.place_alias[alias] = index
                self.place_folded[alias.casefold()] = index
            self.place_matcher.add(f"GPE{index}", list(nlp.tokenizer.pipe(aliases)))
        self.ambiguous_places = set(blocked["ambiguous_places"])
        self.block_matcher = PhraseMatcher(nlp.vocab)
        names = blocked["regions"] + blocked["programmes"] + blocked["parties_and_groups"] \
            + blocked["boilerplate"]
        self.block_matcher.add("BLOCK", list(nlp.tokenizer.pipe(names)))
        self.name_heads = set(blocked["name_heads"])
        self.government_words = set(blocked["government_words"])
        self.blocked_names = set(names)
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

    # -- candidates ---------------------------------------------------------------------------
    def _gazetteer_orgs(self, doc: Doc) -> list[Candidate]:
        spans = []
        for _, start, end in self.gaz.org_matcher(doc):
            spans.append(Span(doc, start, end, label="ORG"))
        kept = filter_spans(spans)
        found = [Candidate(s.start, s.end, "ORG", 3, self.gaz.org_alias.get(s.text)) for s in kept]
        for token in doc:
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if token.text in self.gaz.contextual and (
                    not self.gaz.contextual[token.text]
                    or following is not None and following.text in self.gaz.contextual[token.text]):
                found.append(Candidate(token.i, token.i + 1, "ORG", 3))
        return found

    def _places(self, doc: Doc) -> list[Candidate]:
        spans = [Span(doc, start, end, label="GPE") for _, start, end in self.gaz.place_matcher(doc)]
        return [Candidate(s.start, s.end, "GPE", 1, self.gaz.place_alias.get(s.text))
                for s in filter_spans(spans)]

    def _ner(self, doc: Doc) -> list[Candidate]:
        found = []
        for ent in doc.ents:
            if ent.label_ not in _ACTOR_NER:
                continue
            for part, (start, end) in enumerate(self._split(doc, ent.start, ent.end)):
                start, end = self._trim(doc, start, end, ent.label_)
                if start >= end:
                    continue
                label = ent.label_
                if end - start > 1 and doc[end - 1].text in self.gaz.government_words \
                        and doc[start:end - 1].text in self.gaz.place_alias:
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
                if text in self.gaz.place_alias and label != "GPE" and (
                        text not in self.gaz.ambiguous_places
                        or start > 0 and doc[start - 1].lower_ in _LOCATIVE):
                    label = "GPE"
                elif doc[end - 1].text == "Sector" or end < len(doc) and doc[end].text == "Sector":
                    label = "GPE"
                elif label in ("PERSON", "ORG") and end - start == 1 and start > 0 \
                        and doc[start - 1].lower_ in _PLACE_PREPOSITIONS \
                        and text not in self.gaz.org_alias:
                    label = "GPE"  # 'off Lampedusa', 'in Agadez'
                if text in self.gaz.org_alias or part > 0 and doc[start - 1].text in _SPLITTERS:
                    label = "ORG"  # 'Andrew Lichtenstein/Corbis via Getty Images': credits
                if label in ("LOC", "NORP", "FAC") or any(
                        t.like_email or t.like_url for t in doc[start:end]):
                    continue
                if label == "PERSON" and (text in self.gaz.not_people or all(
                        t.text in self.gaz.title_words or t.text in self.gaz.office_words
                        for t in doc[start:end])):
                    continue
                found.append(Candidate(start, end, label, 2, self.gaz.place_alias.get(text)
                                       if label == "GPE" else self.gaz.org_alias.get(text)))
        return found

    def _looks_like_name(self, span: Span) -> bool:
        """Not a name: lower-case start, a shouted common word, a figure noun ('Deportations')."""
        first = span[0]
        if first.is_lower and first.is_alpha and first.text not in ("de", "van", "von"):
            return False
        if len(span) == 1 and first.is_upper and len(first.text) > 5 \
                and first.text not in self.gaz.place_alias and first.text not in self.gaz.org_alias:
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
                    or previous.text in self.gaz.place_alias or previous.text in self.gaz.org_alias \
                    or start >= 2 and doc[start - 2].lower_ in ("of", "the", "and"):
                break
            start -= 1
        return start

    def _is_demonym(self, word: str) -> bool:
        """'Guatemalan', 'Mexican', 'Venezuelans': a country's name with a demonym ending."""
        word = word.removesuffix("s")
        for suffix in ("n", "an", "ian", "ean", "ese", "i", "ish"):
            stem = word.removesuffix(suffix)
            if stem != word and any(stem + end in self.gaz.place_alias
                                    for end in ("", "a", "o", "e", "y")):
                return True
        return False

    def _place_then_person(self, doc: Doc, start: int, end: int) -> list[Candidate]:
        """'Ambassador to Guatemala Tobin Bradley' tagged as one name: a place, then a person."""
        for cut in range(start + 1, end - 1):
            place, rest = doc[start:cut], doc[cut:end]
            if place.text in self.gaz.place_alias and place.text not in self.gaz.ambiguous_places \
                    and 2 <= len(rest) <= 3 and all(t.is_title and t.is_alpha for t in rest) \
                    and start > 0 and doc[start - 1].lower_ in ("to", "of", "in", "from") \
                    and rest.text not in self.gaz.org_alias:
                return [Candidate(start, cut, "GPE", 2, self.gaz.place_alias[place.text]),
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
        blocks = [(start, end) for _, start, end in self.gaz.block_matcher(doc)]
        candidates = self._gazetteer_orgs(doc) + self._news_furniture(doc) + self._ner(doc) \
            + self._places(doc)
        candidates = [c for c in candidates if not self._blocked(doc, c, blocks)]
        places = [c for c in candidates if c.priority == 1]
        for place in places:
            if any(c.priority == 2 and c.label == "GPE" and place.start <= c.start
                   and c.end <= place.end and (c.start, c.end) != (place.start, place.end)
                   for c in candidates):
                place.priority = 2.5  # 'Washington, D.C.' over the NER's 'Washington'
        kept: list[Candidate] = []
        for candidate in sorted(candidates, key=lambda c: (-c.priority, c.start)):
            if any(candidate.start < k.end and k.start < candidate.end for k in kept):
                continue
            if candidate.priority == 2 and candidate.label != "PERSON" \
                    and self._only_places(doc, candidate, places):
                continue  # 'U.S.-Mexico' tagged as one ORG: the places come separately
            if candidate.priority < 2 and candidate.key is not None and \
                    self.gaz.places[candidate.key]["aliases"][0] in self.gaz.ambiguous_places \
                    and not self._ner_supports(doc, candidate):
                continue
            kept.append(candidate)
        kept = self._propagate_person_names(doc, kept)
        kept.sort(key=lambda c: c.start)
        spans = [Span(doc, c.start, c.end, label=c.label) for c in kept]
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
                candidate.label = "PERSON"
        pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(form)}(?![\w-])"
                                      for form in sorted(forms, key=len, reverse=True)))
        taken = [(doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1])) for c in kept]
        for match in pattern.finditer(doc.text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            span = doc.char_span(match.start(), match.end())
            if span is not None:
                kept.append(Candidate(span.start, span.end, "PERSON", 2))
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
        for match in _DATELINE.finditer(doc.text):
            place = doc.char_span(match.start("place"), match.end("place"))
            index = self.gaz.place_folded.get(match["place"].casefold())
            if place is not None and index is not None:
                found.append(Candidate(place.start, place.end, "GPE", 3, index))
            outlets.add(match["outlet"].strip())
        outlets.update(m["outlet"].strip() for m in _BYLINE.finditer(doc.text))
        outlets.update(m["outlet"].strip() for m in _MASTHEAD.finditer(doc.text))
        for outlet in sorted(outlets):
            if outlet in self.gaz.place_alias or outlet.isupper() or len(outlet) < 3:
                continue
            for other in re.finditer(rf"(?<!\w){re.escape(outlet)}(?!\w)", doc.text):
                span = doc.char_span(other.start(), other.end())
                if span is not None:  # the outlet wherever it is named
                    found.append(Candidate(span.start, span.end, "ORG", 3,
                                           self.gaz.org_alias.get(outlet)))
        for match in self.gaz.apposition.finditer(doc.text):
            name = match["name"]
            words = name.replace("-", " ").split()
            if name in self.gaz.place_alias or name in self.gaz.org_alias or any(
                    w in self.gaz.organisation_words or w in self.gaz.title_words for w in words):
                continue
            span = doc.char_span(match.start("name"), match.end("name"))
            if span is not None:
                found.append(Candidate(span.start, span.end, "PERSON", 2.4))
        for match in self.gaz.titled_name.finditer(doc.text):
            name = match["name"]
            words = name.split()
            if words[0] in self.gaz.title_words or name in self.gaz.org_alias or any(
                    w in self.gaz.organisation_words or w in self.gaz.place_alias for w in words):
                continue
            span = doc.char_span(match.start("name"), match.end("name"))
            if span is not None:
                found.append(Candidate(span.start, span.end, "PERSON", 2.3))
        for match in _SECTOR.finditer(doc.text):
            span = doc.char_span(match.start("place"), match.end("place"))
            if span is not None and match["place"] not in self.gaz.org_alias:
                found.append(Candidate(span.start, span.end, "GPE", 2.5,
                                       self.gaz.place_alias.get(match["place"])))
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
        group = self.gaz.org_alias.get(span.text)
        if group is not None:
            names = self.gaz.org_groups[group]["names"]
            present = [o.text for o in orgs if o.text in names]
            if present:
                return max(present, key=len)
            return span.text
        if span.text.isupper() and len(span.text) >= 2:
            letters = span.text.replace(".", "")
            for other in orgs:
                initials = "".join(w[0] for w in other.text.split() if w.lower() not in _STOP_WORDS)
                if other is not span and initials.upper() == letters:
                    return other.text
        return self._clean(span.text)

    def _place_canonical(self, span: Span) -> str:
        index = self.gaz.place_alias.get(span.text)
        if index is None:
            index = self.gaz.place_folded.get(span.text.casefold())
        if index is not None:
            return self.gaz.places[index]["canonical"]
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
