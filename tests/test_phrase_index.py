"""PhraseIndex finds exactly what spaCy's SpanRuler finds for the same phrase patterns."""

import spacy
from spacy.pipeline.span_ruler import SpanRuler

from extractor.components.actors import PhraseIndex

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
