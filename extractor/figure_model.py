"""A learned figure-typing model: DictVectorizer + LogisticRegression over context features,
its regularisation chosen by grouped cross-validation inside the training data only.

scikit-learn trains it; the shipped model is plain arrays (feature names, classes, weights) in
`classifier.npz`, so extraction needs only numpy: no pickle, and no scikit-learn import (with
its pandas) in every worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy

NONE = "NONE"


@dataclass
class FigureTypingModel:
    """What a number counts, learned from annotated figure candidates."""

    features: dict[str, int]
    classes: list[str]
    coef: numpy.ndarray  # classes x features
    intercept: numpy.ndarray
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, features: list[dict], labels: list[str], groups: list[str],
            seed: int = 0) -> "FigureTypingModel":
        import sklearn
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GridSearchCV, GroupKFold
        from sklearn.pipeline import Pipeline

        pipeline = Pipeline([
            ("vectorise", DictVectorizer(sparse=True)),
            ("classify", LogisticRegression(max_iter=2000, class_weight="balanced",
                                            random_state=seed)),
        ])
        folds = min(5, len(set(groups)))
        if folds >= 2:
            search = GridSearchCV(pipeline, {"classify__C": [0.1, 0.3, 1.0, 3.0, 10.0]},
                                  cv=GroupKFold(n_splits=folds), scoring="f1_macro", n_jobs=1)
            search.fit(features, labels, groups=groups)
            pipeline, chosen = search.best_estimator_, search.best_params_["classify__C"]
        else:
            pipeline.fit(features, labels)
            chosen = 1.0
        vectoriser, classifier = pipeline.named_steps["vectorise"], pipeline.named_steps["classify"]
        classes = [str(c) for c in classifier.classes_]
        coef, intercept = classifier.coef_, classifier.intercept_
        if len(classes) == 2:  # a binary model keeps one row: make it one row per class
            coef = numpy.vstack([-coef[0], coef[0]])
            intercept = numpy.array([-intercept[0], intercept[0]])
        return cls(dict(vectoriser.vocabulary_), classes, coef, intercept,
                   {"C": chosen, "labels": classes, "examples": len(labels),
                    "trained_with_scikit_learn": sklearn.__version__})

    def check_classes(self, labels: tuple[str, ...]) -> None:
        """ValueError if the model predicts a label the label declaration does not have."""
        unknown = sorted(set(self.classes) - set(labels) - {NONE})
        if unknown:
            raise ValueError(f"the figure-typing model predicts {', '.join(unknown)}, which "
                             "labels.json does not declare: retrain it (migrex train-figures)")

    def predict(self, rows: list[dict]) -> list[str]:
        """The highest-scoring class of each feature dict (a linear model's decision)."""
        if not rows:
            return []
        scores = numpy.tile(self.intercept, (len(rows), 1))
        for index, row in enumerate(rows):
            for name, value in row.items():
                column = self.features.get(name)
                if column is not None:
                    scores[index] += value * self.coef[:, column]
        return [self.classes[i] for i in scores.argmax(axis=1)]

    def save(self, directory: Path, extra_meta: dict | None = None) -> None:
        """`classifier.npz` (arrays only, loaded without pickle) and `classifier.json` (meta).
        Needs numpy only: a pipeline holding the model saves without scikit-learn."""
        directory.mkdir(parents=True, exist_ok=True)
        names = sorted(self.features, key=self.features.get)
        numpy.savez_compressed(directory / "classifier.npz", features=numpy.array(names),
                               classes=numpy.array(self.classes), coef=self.coef,
                               intercept=self.intercept)
        meta = {**self.meta, **(extra_meta or {})}
        (directory / "classifier.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                   encoding="utf-8")

    def to_dict(self) -> dict:
        """Plain values and arrays (for `nlp.to_bytes`)."""
        return {"features": sorted(self.features, key=self.features.get),
                "classes": list(self.classes), "coef": self.coef, "intercept": self.intercept,
                "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict) -> "FigureTypingModel":
        return cls({name: i for i, name in enumerate(data["features"])}, list(data["classes"]),
                   numpy.asarray(data["coef"]), numpy.asarray(data["intercept"]),
                   dict(data["meta"]))

    @classmethod
    def load(cls, directory: Path) -> "FigureTypingModel":
        meta = json.loads((directory / "classifier.json").read_text(encoding="utf-8"))
        with numpy.load(directory / "classifier.npz", allow_pickle=False) as arrays:
            names = [str(name) for name in arrays["features"]]
            return cls({name: i for i, name in enumerate(names)},
                       [str(c) for c in arrays["classes"]], arrays["coef"],
                       arrays["intercept"], meta)
