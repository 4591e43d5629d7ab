"""Credit risk's own pure functions (logic.py), and the legacy script's contract with them: the
features file the platform writes is what train_model.py has always read."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from credit_risk.definitions import LEGACY_DIR, spec
from credit_risk.logic import build_features, generate
from mlplatform.steps.validation import check_schema


def test_generate_is_seeded_and_follows_the_contract() -> None:
    raw = generate(500, 1)

    assert raw.equals(generate(500, 1)) and not raw.equals(generate(500, 2))
    assert list(raw.columns) == list(spec.data.raw_schema)
    assert check_schema({"generated": raw}, spec.data.raw_schema).passed
    assert raw["applicant_id"].is_unique


def test_drift_lowers_incomes_and_raises_loans() -> None:
    calm, drifted = generate(4000, 1), generate(4000, 1, drift=1.0)

    assert drifted["income"].median() < 0.8 * calm["income"].median()
    assert drifted["loan_amount"].median() > 1.3 * calm["loan_amount"].median()
    assert drifted["defaulted"].mean() > calm["defaulted"].mean()


@pytest.mark.parametrize("drift", [-0.1, 1.5])
def test_generate_refuses_drift_outside_0_to_1(drift: float) -> None:
    with pytest.raises(ValueError, match="drift must be in"):
        generate(10, 1, drift)


def test_features_are_the_extract_without_the_id() -> None:
    raw = generate(200, 1)

    features = build_features(raw)

    assert list(features.columns) == [c for c in raw.columns if c != "applicant_id"]
    assert set(spec.model.feature_columns) | {spec.data.target} == set(features.columns)


def test_the_unchanged_script_trains_on_the_features_file_by_argument_and_by_env(tmp_path):
    features = tmp_path / "applicants.csv"
    build_features(generate(1500, 3)).to_csv(features, index=False)
    python = spec.model.legacy.python
    by_argument = [python, "train_model.py", "--input", str(features), "--output-dir"]

    subprocess.run([*by_argument, str(tmp_path / "a")], cwd=LEGACY_DIR, check=True)
    env = {"CREDIT_RISK_INPUT": str(features), "CREDIT_RISK_OUTPUT_DIR": str(tmp_path / "b")}
    subprocess.run([python, "train_model.py"], cwd=LEGACY_DIR, env=env, check=True)

    for out in (tmp_path / "a", tmp_path / "b"):
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["roc_auc"] >= spec.gate.floor
        assert (out / "model.joblib").stat().st_size > 0
    assert pd.read_csv(features).shape[1] == len(spec.model.feature_columns) + 1
