"""Batch scoring with a registered model: pure apart from the estimator it is given."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlplatform.spec import ProjectSpec


def score_batch(
    spec: ProjectSpec, estimator: Any, raw: pd.DataFrame, model_version: str
) -> pd.DataFrame:
    """Id columns, ``prediction`` (and ``probability`` for classifiers), ``model_version``."""
    features = spec.build_features(raw)[list(spec.feature_columns)]
    scored = raw[list(spec.id_columns)].copy()
    scored["prediction"] = estimator.predict(features)
    if spec.task == "classification":
        scored["probability"] = estimator.predict_proba(features)[:, 1]
    scored["model_version"] = model_version
    return scored
