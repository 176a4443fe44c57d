"""The learned figure-typing model: shipped, loaded offline, better than the rules on
wording the lexicons do not list, deterministic."""

import json

from extractor.figure_model import FigureTypingModel
from extractor.pipeline import Extractor

PARAPHRASE = "Last week 1,150 migrants were escorted back across the bridge into Mexico."


def test_shipped_model_loads_with_the_pipeline(extractor, root):
    meta = json.loads((root / "models" / "figures" / "classifier.json").read_text())
    config = json.loads((root / "models" / "pipeline.json").read_text())
    figures = extractor.nlp.get_pipe("migrex_figures")
    assert figures.typing == config["component_config"]["migrex_figures"]["typing"]
    assert figures.model is not None and meta["data_sha256"] and meta["trained_with"]
    assert set(meta["labels"]) >= {"NONE", "REMOVALS", "VISAS", "PEOPLE"}


def test_paraphrase_no_lexicon_lists_is_typed_by_the_default(extractor):
    # "escorted back across" is in no rule lexicon: the rules alone call these people
    rules = Extractor(figures={"typing": "rules"})
    assert [f["label"] for f in rules.extract(PARAPHRASE, "2025-05-01")["facts"]] == ["PEOPLE"]
    facts = extractor.extract(PARAPHRASE, "2025-05-01")["facts"]
    assert [(f["label"], f["value"], f["when"]) for f in facts] == \
        [("REMOVALS", 1150, "2025-W17")]


def test_component_model_serialises_with_the_pipeline(extractor, tmp_path):
    figures = extractor.nlp.get_pipe("migrex_figures")
    figures.to_disk(tmp_path)
    copy = Extractor(figures={"typing": "rules"}).nlp.get_pipe("migrex_figures")
    copy.from_disk(tmp_path)
    features = [{"noun=migrant": 1.0, "verb=escort": 1.0, "rule=PEOPLE": 1.0}]
    assert copy.model.predict(features) == figures.model.predict(features)


def test_training_is_deterministic():
    features = [{"noun=" + noun: 1.0, "verb=" + verb: 1.0} for noun, verb in
                [("migrant", "deport"), ("visa", "issue"), ("people", "arrive"),
                 ("official", "say"), ("migrant", "remove"), ("permit", "grant")] * 4]
    labels = ["REMOVALS", "VISAS", "PEOPLE", "NONE", "REMOVALS", "VISAS"] * 4
    groups = [f"d{i % 4}" for i in range(len(labels))]
    first = FigureTypingModel.fit(features, labels, groups)
    second = FigureTypingModel.fit(features, labels, groups)
    assert first.meta == second.meta
    assert (first.coef == second.coef).all() and first.features == second.features
    assert first.predict([{"noun=visa": 1.0}]) == ["VISAS"]
