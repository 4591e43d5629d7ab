"""Pure training and evaluation: no Dagster, no MLflow. The benchmark baseline calls these too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlplatform.spec import ProjectSpec


@dataclass(frozen=True)
class Split:
    """Train/test rows of the features frame (``x_*`` hold feature columns only)."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


@dataclass(frozen=True)
class TrainedModel:
    """A fitted estimator with its held-out metrics."""

    estimator: Any
    metrics: dict[str, float]
    split: Split


def split_features(spec: ProjectSpec, features: pd.DataFrame) -> Split:
    """Seeded train/test split, stratified on the target for classification."""
    from sklearn.model_selection import train_test_split

    model = spec.model
    wanted = (*model.feature_columns, spec.data.target)
    missing = [c for c in wanted if c not in features.columns]
    if missing:
        raise ValueError(f"{spec.name}: features frame lacks columns {missing}")
    x = features[list(model.feature_columns)]
    y = features[spec.data.target]
    stratify = y if model.task == "classification" else None
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=model.test_fraction, random_state=model.seed, stratify=stratify
    )
    return Split(x_train, x_test, y_train, y_test)


def evaluate(
    spec: ProjectSpec, estimator: Any, x: pd.DataFrame, y: pd.Series, y_train: pd.Series
) -> dict[str, float]:
    """Held-out metrics for the spec's task.

    Regression also reports the naive baseline (predict the training median): ``baseline_mae``
    and ``mae_vs_baseline`` (model MAE / baseline MAE; gate on it to require beating the median
    by a margin, e.g. ``QualityGate("mae_vs_baseline", 0.7, higher_is_better=False)``).
    """
    from sklearn import metrics

    if spec.model.task == "classification":
        proba = estimator.predict_proba(x)[:, 1]
        predicted = estimator.predict(x)
        return {
            "roc_auc": float(metrics.roc_auc_score(y, proba)),
            "accuracy": float(metrics.accuracy_score(y, predicted)),
            "f1": float(metrics.f1_score(y, predicted)),
            "log_loss": float(metrics.log_loss(y, proba)),
        }
    predicted = estimator.predict(x)
    mae = float(metrics.mean_absolute_error(y, predicted))
    baseline_mae = float(metrics.mean_absolute_error(y, [float(y_train.median())] * len(y)))
    return {
        "mae": mae,
        "rmse": float(metrics.root_mean_squared_error(y, predicted)),
        "r2": float(metrics.r2_score(y, predicted)),
        "baseline_mae": baseline_mae,
        "mae_vs_baseline": mae / baseline_mae if baseline_mae else float("inf"),
    }


def train(spec: ProjectSpec, features: pd.DataFrame) -> TrainedModel:
    """Split, fit the spec's model on the train rows and score it on the held-out rows."""
    split = split_features(spec, features)
    if spec.model.make_model is None:
        raise ValueError(f"{spec.name}: training is an adopted script (ModelSpec.legacy)")
    estimator = spec.model.make_model(spec)
    estimator.fit(split.x_train, split.y_train)
    scores = evaluate(spec, estimator, split.x_test, split.y_test, split.y_train)
    if spec.gate.metric not in scores:
        raise ValueError(
            f"{spec.name}: quality gate metric {spec.gate.metric!r} is not one of "
            f"the {spec.model.task} metrics {sorted(scores)}"
        )
    return TrainedModel(estimator, scores, split)


def drift_reference(spec: ProjectSpec, trained: TrainedModel) -> pd.DataFrame:
    """The training rows' raw model inputs, sampled: what later data is compared against."""
    from mlplatform.steps.drift import sample_rows

    columns = list(spec.drift_columns)
    return sample_rows(
        trained.split.x_train[columns], spec.lifecycle.drift_sample_rows, spec.model.seed
    )
