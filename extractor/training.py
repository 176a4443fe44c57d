"""Training and comparing figure typing: rules, classifier, combined, stacked; leave one
document out; the report is `eval/figure_typing.md`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .components.figure_features import candidate_features
from .data import load_json
from .figure_model import NONE, FigureTypingModel
from .labels import FIGURE_LABELS
from .validate import load_texts, validate_against

VARIANTS = ("rules", "classifier", "combined", "stacked")
DEFAULT_SETS = (("annotations", "corpus"), ("tests/data/gold", "tests/data/articles"),
                ("eval/training/gold", "eval/training/articles"))


@dataclass
class Example:
    doc_id: str
    features: dict
    rule: str
    gold: str
    sentence: str


def data_hash(sets: list[tuple[Path, Path]]) -> str:
    """sha256 over every gold and text file of the training sets, in a fixed order."""
    digest = hashlib.sha256()
    for gold_dir, text_dir in sets:
        for path in sorted(list(gold_dir.glob("*.json")) + list(text_dir.glob("*"))):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def build_examples(sets: list[tuple[Path, Path]]) -> list[Example]:
    """Every number candidate of every gold document, with the rules' and the gold label."""
    from .pipeline import build_nlp

    nlp = build_nlp(figures={"typing": "rules"})  # candidates need no trained model
    figures = nlp.get_pipe("migrex_figures")
    examples: list[Example] = []
    for gold_dir, text_dir in sets:
        if not gold_dir.exists():
            continue
        texts = load_texts([text_dir])
        documents, problems = validate_against([gold_dir], texts)
        if problems:
            raise ValueError(f"invalid gold in {gold_dir}: {problems[0]}")
        for gold in sorted(documents, key=lambda g: g.doc_id):
            document = texts[gold.doc_id]
            doc = nlp.make_doc(document.text)
            doc._.published = document.published
            for _, component in nlp.pipeline:
                if component is figures:
                    break
                doc = component(doc)
            gold_figures = [s for s in gold.spans if s.label in FIGURE_LABELS]
            for span, number, rule in figures.candidates(doc):
                label = next((g.label for g in gold_figures
                              if g.start < span.end_char and span.start_char < g.end), NONE)
                examples.append(Example(gold.doc_id, candidate_features(
                    span, number.value, number.currency, number.percent, number.from_words,
                    figures.lexicon), rule or NONE, label, span.sent.text))
    return examples


def add_embeddings(examples: list[Example]) -> None:
    """Put the MiniLM vector of each example's sentence into its features (extra needed)."""
    from .embeddings import embed, embedding_features

    sentences = sorted({e.sentence for e in examples})
    vectors = dict(zip(sentences, embed(sentences)))
    for example in examples:
        example.features = {**example.features, **embedding_features(vectors[example.sentence])}


def _plain(example: Example) -> dict:
    return {k: v for k, v in example.features.items() if not k.startswith("embedding_")}


def variant_features(variant: str, example: Example) -> dict:
    """The features a variant's classifier sees."""
    if variant == "stacked+embeddings":
        return {**example.features, "rule=" + example.rule: 1.0}
    if variant == "stacked":
        return {**_plain(example), "rule=" + example.rule: 1.0}
    return _plain(example)


def predict_variant(variant: str, train: list[Example], test: list[Example]) -> list[str]:
    if variant == "rules":
        return [e.rule for e in test]
    model = FigureTypingModel.fit([variant_features(variant, e) for e in train],
                                  [e.gold for e in train], [e.doc_id for e in train])
    guesses = model.predict([variant_features(variant, e) for e in test])
    if variant == "combined":
        return [e.rule if e.rule != NONE else guess for e, guess in zip(test, guesses)]
    return guesses


def leave_one_document_out(examples: list[Example], variants: tuple[str, ...] = VARIANTS
                           ) -> dict[str, dict[str, dict]]:
    """Per variant and figure label: P, R, F1 over the candidates of held-out documents."""
    documents = sorted({e.doc_id for e in examples})
    predictions = {variant: [] for variant in variants}
    gold: list[str] = []
    for doc_id in documents:
        train = [e for e in examples if e.doc_id != doc_id]
        test = [e for e in examples if e.doc_id == doc_id]
        gold.extend(e.gold for e in test)
        for variant in variants:
            predictions[variant].extend(predict_variant(variant, train, test))
    return {variant: _prf(gold, predicted) for variant, predicted in predictions.items()}


def _prf(gold: list[str], predicted: list[str]) -> dict[str, dict]:
    table = {}
    for label in FIGURE_LABELS + ("micro",):
        def hit(value: str) -> bool:
            return value != NONE if label == "micro" else value == label
        tp = sum(1 for g, p in zip(gold, predicted) if hit(g) and g == p)
        pred = sum(1 for p in predicted if hit(p))
        gold_count = sum(1 for g in gold if hit(g))
        precision = tp / pred if pred else 0.0
        recall = tp / gold_count if gold_count else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"p": precision, "r": recall, "f": f1, "tp": tp, "pred": pred,
                        "gold": gold_count}
    return table


def render_report(results: dict, examples: list[Example], documents: int, digest: str,
                  winner: str, command: str) -> str:
    lines = ["# Figure typing: rules versus learned models", "",
             f"Leave-one-document-out over {documents} annotated documents ({len(examples)} "
             f"number candidates, {sum(e.gold != NONE for e in examples)} of them gold figures). "
             "A prediction counts when its label equals the gold label of the candidate "
             "(NONE: not a figure); micro is over the six figure labels.", "",
             f"Reproduce: `{command}` (training data sha256 `{digest[:16]}…`).", "",
             "| variant | label | P | R | F1 | tp | pred | gold |", "|---|---|---|---|---|---|---|---|"]
    for variant, table in results.items():
        for label, row in table.items():
            lines.append(f"| {variant if label == 'micro' else ''} | {label} | {row['p']:.3f} | "
                         f"{row['r']:.3f} | {row['f']:.3f} | {row['tp']} | {row['pred']} | "
                         f"{row['gold']} |")
    lines += ["", "Variants: **rules** = the lexicon and dependency rules of `migrex_figures`; "
              "**classifier** = DictVectorizer + LogisticRegression on context features (C chosen "
              "by grouped CV inside each training fold); **combined** = the rules' label where "
              "they give one, else the classifier's; **stacked** = the classifier with the rules' "
              "label as one more feature.", "",
              f"Default typing: **{winner}**. The classifier (stacked) becomes the default only "
              "if its micro F1 beats the rules' on the documents it was not trained on; "
              "otherwise the rules stay the default and the model is shipped for those who "
              "select it (`--update-shipped` writes the default to `models/pipeline.json`). "
              "**stacked+embeddings** (when shown) adds "
              "the MiniLM sentence vector of the figure's sentence (`pip install -e "
              "\".[transformers]\"`, then `migrex train-figures --cv --embeddings`); it is used "
              "only when selected in the config (`\"embeddings\": true` with the model "
              "`figures-embeddings`).", "",
              "Documents per set: " + ", ".join(f"{prefix}: {count}" for prefix, count in
                                                sorted(_per_set(examples).items())) + ". "
              "Caveat: the rules were refined by reading the errors on the seeds and the test "
              "articles, so the rules' scores on those are optimistic; the `eval/training/` "
              "articles were written to vary the wording of figures by writers who never saw the "
              "rules, and no rule was tuned on them. The development set, `eval/written/` and "
              "`eval/heldout/` are never trained on.",
              ""]
    return "\n".join(lines)


def _per_set(examples: list[Example]) -> dict[str, int]:
    """Documents per set, by doc_id prefix ('seed', 'test', 'train')."""
    documents = {e.doc_id for e in examples}
    prefixes = {doc_id.split("-")[0] for doc_id in documents}
    return {prefix: sum(d.split("-")[0] == prefix for d in documents) for prefix in prefixes}


def training_sets(root: Path) -> list[tuple[Path, Path]]:
    """The annotated sets under `root` (a migrex checkout); ValueError in one line if none."""
    sets = [(root / gold, root / texts) for gold, texts in DEFAULT_SETS]
    if not any(gold.is_dir() for gold, _ in sets):
        raise ValueError(f"no annotated documents under {root.resolve()} (train-figures reads "
                         f"{', '.join(gold for gold, _ in DEFAULT_SETS)} of a migrex checkout): "
                         "run it in the checkout or pass --root DIR")
    return sets


def train(root: Path, output: Path, cv: bool, command: str, embeddings: bool = False,
          report: Path | None = None, config_file: Path | None = None
          ) -> tuple[str, dict | None]:
    """Fit the final model on every example of the sets under `root` and write it to `output`
    (and, with `cv`, compare the variants and write the comparison to `report`). With
    `embeddings`, the comparison adds stacked+embeddings and the model written uses them.
    `config_file` (the shipped models/pipeline.json) gets the winner as its default typing;
    without it no shipped file is touched."""
    from .extras import require

    require("train", "train-figures")
    if embeddings:
        require("transformers", "train-figures --embeddings")
    sets = training_sets(root)
    examples = build_examples(sets)
    digest = data_hash(sets)
    variants = VARIANTS + (("stacked+embeddings",) if embeddings else ())
    if embeddings:
        add_embeddings(examples)
    results = None
    configured = json.loads(config_file.read_text(encoding="utf-8")) if config_file else \
        load_json("pipeline.json")
    # without --cv, keep training the configured variant
    winner = configured["component_config"]["migrex_figures"]["typing"]
    if cv:
        results = leave_one_document_out(examples, variants)
        winner = default_typing(results)
    final = "stacked+embeddings" if embeddings else (winner if winner != "rules" else "stacked")
    model = FigureTypingModel.fit([variant_features(final, e) for e in examples],
                                  [e.gold for e in examples], [e.doc_id for e in examples])
    model.save(output, {"trained_with": command, "data_sha256": digest, "variant": final,
                        "documents": len({e.doc_id for e in examples})})
    if results is not None:
        text = render_report(results, examples, len({e.doc_id for e in examples}), digest,
                             winner, command)
        report = report or output / "figure_typing.md"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
        if config_file is not None:
            _set_default_typing(config_file, winner)
    return winner, results


def default_typing(results: dict[str, dict[str, dict]]) -> str:
    """The classifier (stacked) is kept only if it beats the rules on documents it was not
    trained on; the default must run on a plain install (embeddings are reported beside it)."""
    return "stacked" if results["stacked"]["micro"]["f"] > results["rules"]["micro"]["f"] \
        else "rules"


def _set_default_typing(config_file: Path, winner: str) -> None:
    """The pipeline's default figure typing becomes the variant that won the comparison."""
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["component_config"]["migrex_figures"]["typing"] = winner
    config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
