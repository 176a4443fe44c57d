"""A learned figure-typing model: DictVectorizer + LogisticRegression over context features,
its regularisation chosen by grouped cross-validation inside the training data only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

NONE = "NONE"


@dataclass
class FigureTypingModel:
    """What a number counts, learned from annotated figure candidates."""

    pipeline: object = None
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, features: list[dict], labels: list[str], groups: list[str],
            seed: int = 0) -> "FigureTypingModel":
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
        return cls(pipeline, {"C": chosen, "labels": sorted(set(labels)),
                              "examples": len(labels)})

    def predict(self, features: list[dict]) -> list[str]:
        return list(self.pipeline.predict(features)) if features else []

    def save(self, directory: Path, extra_meta: dict) -> None:
        import joblib
        import sklearn

        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, directory / "classifier.joblib")
        meta = {**self.meta, **extra_meta, "scikit_learn": sklearn.__version__}
        (directory / "classifier.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                   encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "FigureTypingModel":
        import joblib

        meta = json.loads((directory / "classifier.json").read_text(encoding="utf-8"))
        return cls(joblib.load(directory / "classifier.joblib"), meta)
