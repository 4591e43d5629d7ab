"""Batch scoring with a registered model: pure apart from the estimator it is given."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlplatform.spec import ProjectSpec


def score_batch(
    spec: ProjectSpec,
    estimator: Any,
    raw: pd.DataFrame,
    model_version: str,
    day: str | None = None,
) -> pd.DataFrame:
    """Id columns, ``prediction`` (and ``probability`` for classifiers), ``model_version``.

    With ``day`` (partitioned projects) ``raw`` may hold a window of history for rolling
    features, and only that day's rows are scored. Rows are matched to their ids by index, so
    ``build_features`` must keep the raw row index.
    """
    return score_features(spec, estimator, raw, batch_features(spec, raw, day), model_version)


def batch_features(spec: ProjectSpec, raw: pd.DataFrame, day: str | None = None) -> pd.DataFrame:
    """The feature rows ``score_batch`` scores: every raw row's, or only ``day``'s."""
    features = spec.model.build_features(raw)
    if day is not None and spec.partitioning:
        features = features[features[spec.partitioning.date_column] == day]
    return features


def score_features(
    spec: ProjectSpec, estimator: Any, raw: pd.DataFrame, features: pd.DataFrame, version: str
) -> pd.DataFrame:
    """``features`` (rows of ``batch_features``, or a subset) scored by ``version``, with the
    ids of their ``raw`` rows."""
    x = features[list(spec.model.feature_columns)]
    scored = raw.loc[features.index, list(spec.data.id_columns)].reset_index(drop=True)
    empty = x.empty  # a day without rows of its own: an empty result, not an estimator error
    scored["prediction"] = pd.Series(dtype="float64") if empty else estimator.predict(x)
    if spec.model.task == "classification":
        scored["probability"] = (
            pd.Series(dtype="float64") if empty else estimator.predict_proba(x)[:, 1]
        )
    scored["model_version"] = version
    return scored
