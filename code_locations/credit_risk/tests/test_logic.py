"""The pure functions of credit_risk (logic.py), without Dagster or MLflow."""

from __future__ import annotations

import pandas as pd
import pytest

from credit_risk.definitions import spec
from credit_risk.logic import build_features, generate, make_model

TARGET = spec.data.target
FEATURES = list(spec.model.feature_columns)


def _raw(rows: int = 200, seed: int = 1, drift: float = 0.0) -> pd.DataFrame:
    return generate(rows, seed, drift)


def test_generate_is_seeded_and_follows_the_contract() -> None:
    raw = _raw()

    assert raw.equals(_raw()) and not raw.equals(_raw(seed=2))
    assert list(raw.columns) == list(spec.data.raw_schema)
    assert len(raw) == 200 and raw[TARGET].notna().all()
    assert raw["record_id"].is_unique


def test_drift_shifts_the_inputs() -> None:
    calm, drifted = _raw(2000), _raw(2000, drift=1.0)

    assert drifted["amount"].median() > 1.5 * calm["amount"].median()
    assert drifted["quantity"].mean() > calm["quantity"].mean() + 2


@pytest.mark.parametrize("drift", [-0.1, 1.5])
def test_generate_refuses_drift_outside_0_to_1(drift: float) -> None:
    with pytest.raises(ValueError, match="drift must be in"):
        _raw(drift=drift)


def test_features_keep_raw_inputs_and_target_and_drop_the_id() -> None:
    raw = _raw()

    features = build_features(raw)

    kept = [c for c in raw.columns if c != "record_id"]
    assert "record_id" not in features.columns
    assert features[kept].equals(raw[kept])
    assert set(FEATURES) <= set(features.columns)
    assert features[FEATURES].notna().all().all()


def test_model_passes_the_quality_gate_on_held_out_rows() -> None:
    from sklearn.metrics import roc_auc_score

    features = build_features(_raw(3000))
    train, test = features.iloc[:2000], features.iloc[2000:]

    model = make_model(spec).fit(train[FEATURES], train[TARGET])

    score = roc_auc_score(test[TARGET], model.predict_proba(test[FEATURES])[:, 1])
    assert spec.gate.passes(score), f"{spec.gate.metric}={score:.3f}, gate {spec.gate.describe()}"
