"""Churn's pure functions: generator, features, model, training and evaluation."""

import pandas as pd
import pytest

from churn.definitions import spec
from churn.logic import build_features, generate_customers
from mlplatform.steps.training import train
from mlplatform.steps.validation import check_schema


def test_generator_is_seeded_and_matches_the_schema() -> None:
    first, again = generate_customers(500, 7), generate_customers(500, 7)
    pd.testing.assert_frame_equal(first, again)
    assert not generate_customers(500, 8).equals(first)
    assert check_schema({"generated": first}, spec.data.raw_schema).passed
    assert first["customer_id"].is_unique


def test_drift_knob_shifts_distributions() -> None:
    calm, drifted = generate_customers(5000, 1, 0.0), generate_customers(5000, 1, 1.0)
    assert drifted["monthly_charges"].mean() > calm["monthly_charges"].mean() + 15
    assert drifted["tenure_months"].mean() < calm["tenure_months"].mean() * 0.6
    assert (drifted["contract"] == "month-to-month").mean() > 0.7
    assert drifted["churned"].mean() > calm["churned"].mean()


def test_drift_outside_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match=r"drift must be in \[0, 1\], got 1.5"):
        generate_customers(10, 1, 1.5)


def test_churn_relationships_are_realistic() -> None:
    raw = generate_customers(20_000, 3)
    by_contract = raw.groupby("contract")["churned"].mean()
    assert by_contract["month-to-month"] > by_contract["one-year"] > by_contract["two-year"]
    short = raw.loc[raw["tenure_months"] < 6, "churned"].mean()
    long = raw.loc[raw["tenure_months"] > 36, "churned"].mean()
    assert short > 2 * long


def test_features_keep_raw_columns_and_add_derived_ones() -> None:
    raw = generate_customers(100, 1)
    features = build_features(raw)
    assert set(spec.model.feature_columns) | {spec.data.target} == set(features.columns)
    for column in spec.drift_columns:
        pd.testing.assert_series_equal(features[column], raw[column])
    assert (features["is_new_customer"] == (raw["tenure_months"] < 6)).all()
    assert features["calls_per_year"].notna().all()


def test_training_beats_the_quality_gate_on_clean_data() -> None:
    trained = train(spec, build_features(generate_customers(4000, 5)))
    assert trained.metrics["roc_auc"] >= spec.gate.floor
    assert 0.0 < trained.metrics["log_loss"] < 0.7
    assert 700 < len(trained.split.x_test) < 900
    assert list(trained.split.x_train.columns) == list(spec.model.feature_columns)
