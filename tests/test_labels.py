"""Figure labels are data: declared once in models/labels.json, and a new one (a toy label
from tests/data/toy_label) reaches the schema, the typing lexicon and the report."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.labels import FIGURE_LABELS, LABELS, declared_labels, parse_labels
from extractor.report_html import COLOURS, GROUPS

TOY = Path(__file__).resolve().parent / "data" / "toy_label"

# run in a fresh interpreter: the data directory is chosen when extractor.data is imported
TOY_CHECKS = """
import json
from extractor.pipeline import Extractor
from extractor.report_html import DocumentView, render_page
from extractor.labels import FIGURE_LABELS
from extractor.schema import GoldDocument
from extractor.training import _prf

span = {"start": 0, "end": 3, "text": "320", "label": "DETENTIONS", "value": 320, "when": None}
GoldDocument.model_validate({"doc_id": "d", "published": None, "text_sha256": "0" * 64,
                             "spans": [span]})
text = ("Officers placed 320 migrants in detention on Lesbos, and 45 detention orders were "
        "signed.")
record = Extractor(figures={"typing": "rules"}).extract(text, published="2024-05-07")
page = render_page([DocumentView("d", text, record["spans"])], "toy")
print(json.dumps({"figures": list(FIGURE_LABELS),
                  "facts": [(f["text"], f["label"]) for f in record["facts"]],
                  "colour_in_page": "#c7e9b4" in page,
                  "scored": "DETENTIONS" in _prf(["DETENTIONS"], ["DETENTIONS"])}))
"""


def _models_with_toy_label(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    shutil.copytree(Path(__file__).resolve().parent.parent / "models", models)
    labels = json.loads((models / "labels.json").read_text(encoding="utf-8"))
    labels["labels"].append(json.loads((TOY / "label.json").read_text(encoding="utf-8")))
    (models / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    lexicon = json.loads((models / "lexicons" / "figures.json").read_text(encoding="utf-8"))
    lexicon["DETENTIONS"] = json.loads((TOY / "lexicon.json").read_text(encoding="utf-8"))
    (models / "lexicons" / "figures.json").write_text(json.dumps(lexicon), encoding="utf-8")
    return models


def test_a_toy_label_flows_to_the_schema_the_lexicon_and_the_report(tmp_path):
    models = _models_with_toy_label(tmp_path)
    result = subprocess.run([sys.executable, "-c", TOY_CHECKS], capture_output=True, text=True,
                            env={**os.environ, "MIGREX_MODELS": str(models)}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["figures"][-1] == "DETENTIONS"
    assert found["facts"] == [["320", "DETENTIONS"], ["45", "DETENTIONS"]]
    assert found["colour_in_page"] and found["scored"]


def test_the_shipped_declaration_is_what_the_schema_and_report_use():
    declared = declared_labels()
    assert LABELS == tuple(spec.name for spec in declared)
    assert FIGURE_LABELS == tuple(spec.name for spec in declared if spec.group == "figures")
    assert COLOURS == {spec.name: spec.colour for spec in declared}
    assert sum(GROUPS.values(), ()) == LABELS


def _declaration(**change) -> dict:
    labels = [dict(name=s.name, group=s.group, attributes=list(s.attributes), colour=s.colour,
                   description=s.description, **({"typing": s.typing} if s.typing else {}))
              for s in declared_labels()]
    labels[-1].update(change)
    return {"labels": labels}


@pytest.mark.parametrize("change, message", [
    ({"colour": "red;background:url(x)"}, "colour"),
    ({"group": "places"}, "group"),
    ({"typing": None}, "typing"),
    ({"name": "MONEY"}, "twice"),
])
def test_a_bad_declaration_is_refused_naming_the_entry(change, message):
    with pytest.raises(ValueError, match=message):
        parse_labels(_declaration(**change))


def test_a_lemma_under_two_labels_is_refused(extractor):
    from extractor.components.figure_context import FigureLexicon

    figures = extractor.nlp.get_pipe("migrex_figures")
    lexicon = json.loads(json.dumps(figures.data["lexicons/figures.json"]))
    lexicon["VISAS"]["nouns"].append("deportation")
    with pytest.raises(ValueError, match="deportation"):
        FigureLexicon(lexicon, declared_labels())
