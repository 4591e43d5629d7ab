"""Pure training and evaluation: no Dagster, no MLflow. The benchmark baseline calls these too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    import numpy as np


SPLIT_BUCKETS = 10_000


@dataclass(frozen=True)
class SplitRule:
    """Which rows are held out: those whose ``keys`` (the entity ids, else the whole row the
    model sees) hash, seeded, into the first ``test_fraction`` of the buckets. A row is held out
    in every split under the same rule, whatever else the data holds, so a model trained under a
    rule is never scored on its own training rows by a later split under it."""

    keys: tuple[str, ...]
    test_fraction: float
    seed: int

    def held_out(self, frame: pd.DataFrame) -> np.ndarray:
        import hashlib

        hash_key = hashlib.sha256(str(self.seed).encode()).hexdigest()[:16]
        keys = frame[list(self.keys)]
        hashed = pd.util.hash_pandas_object(keys, index=False, hash_key=hash_key, categorize=False)
        return (hashed.to_numpy() % SPLIT_BUCKETS) < round(self.test_fraction * SPLIT_BUCKETS)

    def tags(self) -> dict[str, str]:
        """The rule as MLflow tags on a model version, so its held-out rows can be recomputed."""
        return {
            "split.keys": ",".join(self.keys),
            "split.test_fraction": str(self.test_fraction),
            "split.seed": str(self.seed),
        }

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> SplitRule | None:
        """The rule recorded by :meth:`tags` (``None`` if the version has none)."""
        if "split.keys" not in tags:
            return None
        keys = tuple(tags["split.keys"].split(","))
        return cls(keys, float(tags["split.test_fraction"]), int(tags["split.seed"]))


def split_rule(spec: ProjectSpec, features: pd.DataFrame) -> SplitRule:
    """Group by the spec's ``id_columns`` when the features hold them (the platform's feature
    step keeps them), else by the row the model sees (its features and target)."""
    ids = spec.data.id_columns
    keys = ids if ids and all(c in features.columns for c in ids) else model_row(spec)
    return SplitRule(tuple(keys), spec.model.test_fraction, spec.model.seed)


def model_row(spec: ProjectSpec) -> tuple[str, ...]:
    """The columns the model sees in one row: its features and the target."""
    return (*spec.model.feature_columns, spec.data.target)


@dataclass(frozen=True)
class Split:
    """Train/held-out rows of the deduplicated features frame (``x_*`` hold feature columns
    only); ``duplicates`` rows repeated another row the model sees and were dropped."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    rule: SplitRule
    duplicates: int = 0


@dataclass(frozen=True)
class TrainedModel:
    """A fitted estimator with its held-out metrics."""

    estimator: Any
    metrics: dict[str, float]
    split: Split


def split_features(
    spec: ProjectSpec, features: pd.DataFrame, also_held_out_by: Sequence[SplitRule] = ()
) -> Split:
    """Leak-free train/held-out split: repeated rows dropped, then :func:`split_rule` decides.
    A held-out row must also be held out by every rule in ``also_held_out_by`` (the rules other
    models being compared were trained under), so no model is scored on a row it trained on."""
    missing = [c for c in model_row(spec) if c not in features.columns]
    if missing:
        raise ValueError(f"{spec.name}: features frame lacks columns {missing}")
    unique = features.drop_duplicates(subset=list(model_row(spec)))
    rule = split_rule(spec, unique)
    held = rule.held_out(unique)
    test = held.copy()
    for other in dict.fromkeys(also_held_out_by):  # each distinct rule once; ``rule`` adds nothing
        if other != rule:
            test &= other.held_out(unique)
    x = unique[list(spec.model.feature_columns)]
    y = unique[spec.data.target]
    split = Split(x[~held], x[test], y[~held], y[test], rule, len(features) - len(unique))
    _require_both_sides(spec, split)
    return split


def _require_both_sides(spec: ProjectSpec, split: Split) -> None:
    sides = {"training": split.y_train, "held-out": split.y_test}
    for side, target in sides.items():
        if len(target) == 0 or (spec.model.task == "classification" and target.nunique() < 2):
            raise ValueError(
                f"{spec.name}: the {side} split has {len(target)} rows and "
                f"{target.nunique()} target class(es) after dropping repeated rows: "
                "too little distinct data to train and score a model"
            )


def evaluate(
    spec: ProjectSpec, estimator: Any, x: pd.DataFrame, y: pd.Series, y_train: pd.Series
) -> dict[str, float]:
    """Held-out metrics for the spec's task.

    Regression also reports the naive baseline (predict the training median): ``baseline_mae``
    and ``mae_vs_baseline`` (model MAE / baseline MAE; gate on it to require beating the median
    by a margin, e.g. ``QualityGate("mae_vs_baseline", 0.7, higher_is_better=False)``).
    """
    from mlplatform.steps.performance import task_metrics

    classifier = spec.model.task == "classification"
    proba = estimator.predict_proba(x)[:, 1] if classifier else None
    return task_metrics(
        spec.model.task,
        y,
        estimator.predict(x),
        proba,
        None if classifier else float(y_train.median()),
    )


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
