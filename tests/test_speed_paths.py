"""The fast paths give the records of the plain ones: worker processes, either thinc ops."""

import pytest

from extractor.io import Document
from extractor.pipeline import Extractor, build_nlp

TEXTS = [
    "LISBON, March 3, 2025 - Portugal granted 4,200 residence permits to Brazilian workers "
    "in February, the Agency for Integration, Migration and Asylum said on Monday.",
    "Chilean police stopped 37 people crossing from Bolivia near Colchane last week.",
    "No figure and no date here, only the Red Cross.",
    "Canada will admit 395,000 permanent residents in 2025, down from 485,000 in 2024, "
    "Immigration Minister Marc Miller said.",
] * 3


def _documents() -> list[Document]:
    return [Document(doc_id=f"t{i}", text=text, published="2025-03-04")
            for i, text in enumerate(TEXTS)]


def test_two_worker_processes_give_the_same_records_in_order(extractor):
    alone = list(extractor.extract_many(_documents()))
    parallel = Extractor(nlp=extractor.nlp, n_process=2, batch_size=2)
    assert list(parallel.extract_many(_documents())) == alone
    assert any(record["spans"] for record in alone)


def test_blis_and_numpy_ops_give_the_same_records():
    blis = Extractor(ops="blis")
    numpy = Extractor(ops="numpy")
    assert [_uses_blis(e) for e in (blis, numpy)] == [True, False]
    assert list(blis.extract_many(_documents())) == list(numpy.extract_many(_documents()))


def _uses_blis(extractor: Extractor) -> bool:
    """Whether the NER's model multiplies with blis."""
    return extractor.nlp.get_pipe("ner").model.ops.use_blis


def test_unknown_ops_are_refused():
    with pytest.raises(ValueError, match="numpy, blis"):
        build_nlp(ops="cupy")


def _sentences_before_syntax(extractor, text: str):
    """`text` through the pipeline up to (not including) migrex_syntax."""
    doc = extractor.nlp.make_doc(text)
    for name, component in extractor.nlp.pipeline:
        if name == "migrex_syntax":
            break
        doc = component(doc)
    return doc


def test_only_sentences_with_a_figure_or_a_tensed_date_are_parsed(extractor):
    syntax = extractor.nlp.get_pipe("migrex_syntax")
    doc = _sentences_before_syntax(
        extractor, "Dutch asylum rules tightened\nThe Hague received 3,100 claims. The law "
                   "dates from 2016. Ministers meet again on Thursday. Nothing else changed.")
    chosen = [doc[start:end].text for start, end in syntax.chosen(doc)]
    assert chosen == ["The Hague received 3,100 claims.", "Ministers meet again on Thursday."]


def test_sentences_left_unparsed_get_flat_trees_and_keep_their_bounds(extractor):
    text = ("Kenya hosts refugees from Somalia. Officials counted 4,500 new arrivals in June. "
            "The camp lies near Dadaab.")
    before = [(s.start, s.end) for s in _sentences_before_syntax(extractor, text).sents]
    doc = extractor.nlp(text)
    assert [(s.start, s.end) for s in doc.sents] == before
    first, figure, last = doc.sents
    for sentence in (first, last):
        assert all(token.head.i == sentence.start for token in sentence)
        assert sentence[0].dep_ == "ROOT" and {t.dep_ for t in sentence[1:]} == {"dep"}
        assert not any(token.pos_ or token.lemma_ for token in sentence)
    assert figure.root.lemma_ == "count" and figure.root.pos_ == "VERB"


def test_cached_lemmas_are_the_lemmatizers_own(extractor):
    from extractor.components.syntax import CachedLemmas

    nlp = extractor.nlp
    syntax = nlp.get_pipe("migrex_syntax")
    lemmas = CachedLemmas(nlp.get_pipe("lemmatizer"))
    texts = ["Greece returned 230 asylum seekers, and the islands were hosting fewer of them.",
             "The returned seekers said they had been returning for years; 40 were children."]
    for text in texts * 2:  # the second round comes from the cache
        ours, theirs = nlp.make_doc(text), nlp.make_doc(text)
        for doc in (ours, theirs):
            nlp.get_pipe("tok2vec")(doc)
            nlp.get_pipe("tagger")(doc)
            syntax.pos_of_tag(doc)
        nlp.get_pipe("lemmatizer")(theirs)
        assert [t.lemma_ for t in lemmas(ours)] == [t.lemma_ for t in theirs]
        assert "return" in [t.lemma_ for t in ours]


def test_line_breaks_start_sentences_wherever_they_fall():
    import spacy

    from extractor.components.sentences import line_sentences

    nlp = spacy.blank("en")
    text = ("\nQuito, Ecuador\n \nRefugees arrive\r\n• 1,200 in May\n\n- Colombia's border "
            "stays open\nEnd\n")
    doc = line_sentences(nlp.make_doc(text))
    starts = [token.text for token in doc if token.is_sent_start and token.i > 0]
    assert starts == ["Quito", "Refugees", "•", "-", "End"]
    assert not any(token.is_sent_start for token in doc if token.is_space and token.i > 0)
