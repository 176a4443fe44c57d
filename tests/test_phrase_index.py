"""PhraseIndex finds exactly what spaCy's SpanRuler finds for the same phrase patterns, with
the shipped token splits of the gazetteer's names as with its own tokenizer."""

import pytest
import spacy
from spacy.pipeline.span_ruler import SpanRuler

from extractor.components.actors import (Gazetteer, PhraseIndex, token_splits,
                                         tokenizer_fingerprint)

PATTERNS = [
    {"label": "ORG", "pattern": "Red Cross", "id": "org:redcross"},
    {"label": "ORG", "pattern": "International Red Cross", "id": "org:redcross"},
    {"label": "GPE", "pattern": "São Tomé", "id": "iso:ST"},
    {"label": "GPE", "pattern": "U.S.", "id": "iso:US"},
    {"label": "ORG", "pattern": "U.N. Refugee Agency", "id": "org:unhcr"},
    {"label": "GPE", "pattern": "Guinea-Bissau", "id": "iso:GW"},
    {"label": "GPE", "pattern": "Guinea", "id": "iso:GN"},
    {"label": "ORG", "pattern": "Cant", "id": "org:odd"},  # a tokenizer special case
    {"label": "GPE", "pattern": "GUINEA", "id": "iso:GN"},
]
TEXTS = [
    "The International Red Cross sent staff from São Tomé to Guinea-Bissau on Friday.",
    "GUINEA: the U.N. Refugee Agency said U.S. funding for Guinea fell. Cant say more.",
    "Nothing to find in this line about the Red Crescent.",
]


def test_phrase_index_matches_the_span_ruler():
    nlp = spacy.blank("en")
    ruler = SpanRuler(nlp, spans_key=None)
    ruler.add_patterns(PATTERNS)
    index = PhraseIndex(nlp, PATTERNS)
    for text in TEXTS:
        doc = nlp(text)
        expected = [(s.start, s.end, s.label_, s.id_) for s in ruler.match(doc)]
        assert [(s.start, s.end, s.label_, s.id_) for s in index.match(doc)] == expected
    assert len(index.match(nlp(TEXTS[0]))) == 5  # both Red Cross names, São Tomé, both Guineas


def test_index_built_from_token_splits_matches_the_span_ruler():
    nlp = spacy.blank("en")
    splits = token_splits(nlp, [pattern["pattern"] for pattern in PATTERNS])
    # only the names that do not split on their spaces alone need the tokenizer
    assert set(splits) == {"U.S.", "U.N. Refugee Agency", "Guinea-Bissau", "Cant"}
    assert splits["Guinea-Bissau"] == ["Guinea", "-", "Bissau"]
    ruler = SpanRuler(nlp, spans_key=None)
    ruler.add_patterns(PATTERNS)
    index = PhraseIndex(nlp, PATTERNS, splits)
    for text in TEXTS:
        doc = nlp(text)
        expected = [(s.start, s.end, s.label_, s.id_) for s in ruler.match(doc)]
        assert [(s.start, s.end, s.label_, s.id_) for s in index.match(doc)] == expected


def test_shipped_token_splits_are_the_pipelines_own(extractor):
    """models/gazetteer/token_splits.json is current: run build_token_splits.py when not."""
    nlp = extractor.nlp
    data = nlp.get_pipe("migrex_actors").data
    shipped = data["gazetteer/token_splits.json"]
    stale = "stale: run models/gazetteer/build_token_splits.py"
    assert shipped["tokenizer"] == tokenizer_fingerprint(nlp), stale
    names = {line["pattern"] for line in Gazetteer.phrases(data).all}
    assert shipped["splits"] == token_splits(nlp, names), stale


def test_token_splits_of_another_tokenizer_are_not_used(extractor):
    nlp = extractor.nlp
    data = dict(nlp.get_pipe("migrex_actors").data)
    doc = nlp.make_doc("Aid reached Guinea-Bissau and Sea-Watch on Monday.")
    wrong = {"Guinea-Bissau": ["Guinea-Bissau"], "Sea-Watch": ["Sea-Watch"]}  # no doc has these
    for fingerprint, found in ((tokenizer_fingerprint(nlp), set()),
                               ("another tokenizer", {"Guinea-Bissau", "Sea-Watch"})):
        data["gazetteer/token_splits.json"] = {"tokenizer": fingerprint, "splits": wrong}
        matched = {span.text for span in Gazetteer(nlp, data).ruler.match(doc)}
        assert matched & set(wrong) == found


@pytest.mark.parametrize("text, blocked, kept", [
    ("Officials across Central America said the H-2B programme and Title 42 expulsions would "
     "end, the U.S. Border Patrol said on Tuesday.", ["Central America", "H-2B", "Title 42"],
     ["U.S. Border Patrol"]),
    ("Farms hiring through H-2A in Guinea-Bissau, Sea-Watch reported.", ["H-2A"],
     ["Guinea-Bissau", "Sea-Watch"]),
])
def test_block_list_names_with_hyphens_and_digits_are_no_actors(extractor, text, blocked, kept):
    actors = {span["text"] for span in extractor.extract(text)["spans"]
              if span["label"] in ("PERSON", "ORG", "GPE")}
    assert actors.isdisjoint(blocked)
    assert set(kept) <= actors
