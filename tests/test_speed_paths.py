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
