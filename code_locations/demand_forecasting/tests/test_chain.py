"""Daily partitions end to end: per-day raw data and features, a windowed model, per-day drift."""

import dataclasses

from demand_forecasting.definitions import spec
from mlplatform.testing import (
    asset_keys,
    check_evaluations,
    failure_text,
    materialization_metadata,
    materialized_keys,
)

KEYS = asset_keys(spec)
DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]


def _land_days(land, days=DAYS, drift: float = 0.0) -> None:
    for day in days:
        land(f"{day}.csv", rows=160, seed=1, drift=drift, day=day)


def _daily(run_chain, day: str):
    return run_chain([KEYS["raw_data"], KEYS["features"]], partition_key=day)


def test_partitions_materialize_one_day_at_a_time(land, run_chain, data_dir) -> None:
    _land_days(land)

    results = {day: _daily(run_chain, day) for day in DAYS[:3]}

    for day, result in results.items():
        assert result.success, failure_text(result)
        raw = materialization_metadata(result, KEYS["raw_data"])
        assert raw["files"] == [f"{day}.csv"] and raw["dagster/row_count"] == 160
        checks = check_evaluations(result)
        assert {c.partition for c in checks.values()} == {day}
        assert all(c.passed for c in checks.values())
    stored = sorted(p.name for p in (data_dir / "assets/demand_forecasting/features").iterdir())
    assert stored == [f"{day}.parquet" for day in DAYS[:3]]


def test_features_of_a_day_use_the_previous_days(land, run_chain, data_dir) -> None:
    import pandas as pd

    _land_days(land)
    for day in DAYS:
        assert _daily(run_chain, day).success
    first = pd.read_parquet(data_dir / "assets/demand_forecasting/features/2026-03-01.parquet")
    fourth = pd.read_parquet(data_dir / "assets/demand_forecasting/features/2026-03-04.parquet")
    assert set(fourth["date"]) == {"2026-03-04"} and len(fourth) == 160
    assert first["has_history"].sum() == 0 and fourth["has_history"].all()


def test_windowed_model_then_per_day_drift_and_predictions(land, run_chain) -> None:
    _land_days(land)
    for day in DAYS:
        assert _daily(run_chain, day).success

    trained = run_chain([KEYS["model"], KEYS["champion"]])
    assert trained.success, failure_text(trained)
    assert materialization_metadata(trained, KEYS["model"])["train_rows"] == 4 * 160 * 0.8

    land("2026-03-05.csv", rows=160, seed=1, drift=0.9, day="2026-03-05")
    later = run_chain(
        [KEYS["raw_data"], KEYS["drift_report"], KEYS["predictions"]], partition_key="2026-03-05"
    )
    assert later.success, failure_text(later)
    drift = materialization_metadata(later, KEYS["drift_report"])
    assert drift["partition"] == "2026-03-05" and drift["current_rows"] == 160
    assert not check_evaluations(later)["drift_share_below_threshold"].passed
    predictions = materialization_metadata(later, KEYS["predictions"])
    assert predictions["dagster/row_count"] == 160 and predictions["model_version"] == "1"


def test_a_day_without_raw_rows_builds_no_features(land, run_chain, data_dir) -> None:
    _land_days(land, DAYS[:2])
    for day in DAYS[:2]:
        assert _daily(run_chain, day).success

    empty = run_chain([KEYS["features"]], partition_key="2026-03-05")

    assert empty.success
    assert not materialized_keys(empty)
    assert not (data_dir / "assets/demand_forecasting/features/2026-03-05.parquet").exists()


def test_a_bad_day_fails_only_its_own_partition(land, landing_dir, run_chain) -> None:
    _land_days(land, DAYS[:2])
    spec.generate(160, 1, 0.0, day="2026-03-03").drop(columns=["price"]).to_csv(
        landing_dir / "2026-03-03.csv", index=False
    )

    good = _daily(run_chain, "2026-03-02")
    bad = _daily(run_chain, "2026-03-03")

    assert good.success
    assert not bad.success
    assert "2026-03-03.csv: missing column 'price'" in failure_text(bad)
    assert not materialized_keys(bad)
    assert (landing_dir / "2026-03-03.csv").exists()


def test_gate_blocks_a_model_no_better_than_the_median(land, run_chain) -> None:
    def median_model(_spec):
        from sklearn.dummy import DummyRegressor

        return DummyRegressor(strategy="median")

    _land_days(land)
    for day in DAYS:
        assert _daily(run_chain, day).success

    weak = dataclasses.replace(spec, make_model=median_model)
    result = run_chain([KEYS["model"], KEYS["champion"]], project=weak)

    assert not result.success
    gate = check_evaluations(result)["mae_vs_baseline_gate"]
    assert not gate.passed and "mae_vs_baseline=1.0000" in gate.description
    assert KEYS["champion"] not in materialized_keys(result)
