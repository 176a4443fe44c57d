"""Context features of a figure candidate for the learned typing model."""

from __future__ import annotations

import math

from spacy.tokens import Span

from .figure_context import FigureLexicon, counted_noun

_WINDOW = 4


def _lemma(token) -> str:
    return (token.lemma_ or token.lower_).lower()


def candidate_features(span: Span, value: float, currency: str | None, percent: bool,
                       from_words: bool, lexicon: FigureLexicon,
                       rule_label: str | None = None) -> dict[str, float]:
    """Sparse features: signs, magnitude, counted noun, governing verb, path, nearby words."""
    doc = span.doc
    last = span[-1]
    features: dict[str, float] = {
        "currency": float(bool(currency)), "percent": float(percent),
        "words": float(from_words), "dep=" + last.dep_: 1.0,
        f"magnitude={int(math.log10(value)) if value >= 1 else -1}": 1.0,
        "year_like": float(1900 <= value <= 2100 and value == int(value)),
    }
    noun = counted_noun(last)
    if noun is not None:
        features["noun=" + _lemma(noun)] = 1.0
        features["noun_lexicon=" + str(lexicon.noun_label(noun))] = 1.0
        for child in noun.children:
            if child.dep_ in ("compound", "amod") and child.i < noun.i:
                features["noun_modifier=" + _lemma(child)] = 1.0
    anchor = noun if noun is not None else last
    path = []
    for ancestor in list(anchor.ancestors)[:5]:
        path.append(ancestor.dep_)
        if ancestor.pos_ in ("VERB", "AUX"):
            features["verb=" + _lemma(ancestor)] = 1.0
            features["verb_lexicon=" + str(lexicon.verb_label(ancestor))] = 1.0
            for child in ancestor.children:
                if child.dep_ in ("prt", "advmod") and child.i > ancestor.i:
                    features[f"verb_particle={_lemma(ancestor)} {child.lower_}"] = 1.0
                if child.dep_ in ("nsubj", "nsubjpass", "dobj") and child is not anchor:
                    features[f"{child.dep_}={_lemma(child)}"] = 1.0
            break
        if ancestor.pos_ in ("NOUN", "PROPN"):
            features["ancestor_noun=" + _lemma(ancestor)] = 1.0
    features["path=" + "/".join(path[:3])] = 1.0
    for token in doc[max(span.sent.start, span.start - _WINDOW):span.start]:
        if token.is_alpha:
            features["left=" + _lemma(token)] = 1.0
    for token in doc[span.end:min(span.sent.end, span.end + _WINDOW)]:
        if token.is_alpha:
            features["right=" + _lemma(token)] = 1.0
    if rule_label is not None:
        features["rule=" + rule_label] = 1.0
    return features
