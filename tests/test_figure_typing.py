"""The learned figure-typing model: shipped, loaded offline when selected, the default only
when it beats the rules leaving one document out, deterministic."""

import json
import re

from extractor.figure_model import FigureTypingModel
from extractor.pipeline import Extractor
from extractor.training import default_typing


def test_the_default_typing_is_the_one_the_report_chose(extractor, root):
    config = json.loads((root / "models" / "pipeline.json").read_text())
    report = (root / "eval" / "figure_typing.md").read_text()
    chosen = re.search(r"Default typing: \*\*(\w+)\*\*", report).group(1)
    assert config["component_config"]["migrex_figures"]["typing"] == chosen
    assert extractor.nlp.get_pipe("migrex_figures").typing == chosen


def test_shipped_model_loads_when_selected(root):
    meta = json.loads((root / "models" / "figures" / "classifier.json").read_text())
    figures = Extractor(figures={"typing": "stacked"}).nlp.get_pipe("migrex_figures")
    assert figures.model is not None and meta["data_sha256"] and meta["trained_with"]
    assert meta["variant"] == "stacked"
    assert set(meta["labels"]) >= {"NONE", "REMOVALS", "VISAS", "PEOPLE"}


def test_the_classifier_is_kept_only_if_it_beats_the_rules():
    def results(rules, stacked):
        return {"rules": {"micro": {"f": rules}}, "stacked": {"micro": {"f": stacked}},
                "combined": {"micro": {"f": 0.99}}}
    assert default_typing(results(0.888, 0.881)) == "rules"
    assert default_typing(results(0.880, 0.880)) == "rules"
    assert default_typing(results(0.880, 0.901)) == "stacked"


def test_component_model_serialises_with_the_pipeline(tmp_path):
    figures = Extractor(figures={"typing": "stacked"}).nlp.get_pipe("migrex_figures")
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
