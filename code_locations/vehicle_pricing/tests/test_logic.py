"""Vehicle-pricing pure functions: generator relationships, features, model vs the baseline."""

import pandas as pd
import pytest

from mlplatform.steps.training import train
from mlplatform.steps.validation import check_schema
from vehicle_pricing.definitions import spec
from vehicle_pricing.logic import build_features, generate_listings


def test_generator_is_seeded_and_matches_the_schema() -> None:
    first = generate_listings(500, 7)
    pd.testing.assert_frame_equal(first, generate_listings(500, 7))
    assert check_schema({"generated": first}, spec.data.raw_schema).passed
    assert (first["price"] > 0).all()


def test_prices_follow_realistic_relationships() -> None:
    raw = generate_listings(30_000, 3)
    by_make = raw.groupby("make")["price"].median()
    assert by_make["bmw"] > by_make["toyota"] > by_make["kia"]
    new = raw.loc[raw["model_year"] >= 2024, "price"].median()
    old = raw.loc[raw["model_year"] <= 2016, "price"].median()
    assert new > 2 * old
    assert raw["mileage_km"].corr(raw["price"]) < -0.4


def test_drift_knob_ages_the_fleet_and_shifts_fuel() -> None:
    calm, drifted = generate_listings(5000, 1, 0.0), generate_listings(5000, 1, 1.0)
    assert drifted["mileage_km"].mean() > 2 * calm["mileage_km"].mean()
    assert (drifted["fuel"] == "electric").mean() > (calm["fuel"] == "electric").mean() + 0.15
    with pytest.raises(ValueError, match="drift must be in"):
        generate_listings(10, 1, -0.1)


def test_features_keep_raw_columns() -> None:
    raw = generate_listings(100, 1)
    features = build_features(raw)
    for column in spec.drift_columns:
        pd.testing.assert_series_equal(features[column], raw[column])
    assert (features["age_years"] == 2026 - raw["model_year"]).all()


def test_lightgbm_model_beats_the_median_baseline() -> None:
    trained = train(spec, build_features(generate_listings(4000, 5)))
    metrics = trained.metrics
    assert metrics["mae_vs_baseline"] == pytest.approx(metrics["mae"] / metrics["baseline_mae"])
    assert spec.gate.passes(metrics["mae_vs_baseline"])
    assert metrics["r2"] > 0.9
    assert type(trained.estimator.named_steps["regressor"]).__module__.startswith("lightgbm")
