"""`migrex evaluate` agrees with the independent spec-v2 scorer in eval/scripts/ on a perturbed
prediction file (the seed gold with spans dropped, shifted, relabelled and revalued)."""

import json
import random
import subprocess
import sys

from typer.testing import CliRunner

from extractor.cli import app


def _perturbed(span, rng):
    span = dict(span)
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2:
        span["start"] += 1
    elif roll < 0.3 and "value" in span:
        span["value"] = span["value"] * 1.02 if isinstance(span["value"], (int, float)) else None
    elif roll < 0.35 and span["label"] == "MONEY":
        span["currency"] = "XXX"
    elif roll < 0.4 and "when" in span:
        span["when"] = "1999"
    elif roll < 0.45 and "canonical" in span:
        span["canonical"] = span["canonical"].upper() + " X"
    elif roll < 0.5:
        del span["text"]
    return span


def test_five_micro_f1_agree_with_the_independent_scorer(tmp_path, root, gold_dir):
    rng = random.Random(11)
    with (tmp_path / "pred.jsonl").open("w", encoding="utf-8") as stream:
        for path in sorted(gold_dir.glob("*.json")):
            gold = json.loads(path.read_text(encoding="utf-8"))
            spans = [s for s in (_perturbed(s, rng) for s in gold["spans"]) if s is not None]
            spans.append({"start": 5, "end": 9, "label": "CARDINAL", "text": "x"})
            stream.write(json.dumps({"doc_id": gold["doc_id"], "spans": spans}) + "\n")
    ours = CliRunner().invoke(app, ["evaluate", "--gold", str(gold_dir), "--pred",
                                    str(tmp_path / "pred.jsonl"), "--json",
                                    str(tmp_path / "ours.json")])
    assert ours.exit_code == 0, ours.output
    subprocess.run([sys.executable, str(root / "eval/scripts/spec_scorer.py"), "--gold",
                    str(gold_dir), "--pred", str(tmp_path / "pred.jsonl"), "--json",
                    str(tmp_path / "theirs.json")], check=True, capture_output=True)
    mine = json.loads((tmp_path / "ours.json").read_text())
    theirs = json.loads((tmp_path / "theirs.json").read_text())
    for level in mine:
        assert abs(mine[level]["micro"]["f"] - theirs[level]["micro"]["f"]) <= 0.002, level
    assert mine["mentions_lenient"]["micro"]["f"] < 0.99  # the perturbations did bite
