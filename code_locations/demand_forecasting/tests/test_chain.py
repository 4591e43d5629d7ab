"""demand_forecasting's whole chain in process, day by day through the platform's pytest plugin;
the gate blocks a model no better than the median. (Daily-partition behaviour every daily project
gets is tested in shared/tests on the daily demo.)"""

import dataclasses

import pandas as pd
import pytest

from demand_forecasting.definitions import spec
from mlplatform import project_names
from mlplatform.testing import check_evaluations, materialized_keys

NAMES = project_names(spec)
DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
ROWS = 160


def _land_days(land, days=DAYS, drift: float = 0.0) -> None:
    for day in days:
        land(f"{day}.csv", rows=ROWS, seed=1, drift=drift, day=day)


def test_whole_chain_over_four_days(land, run_whole_chain) -> None:
    _land_days(land)

    chain = run_whole_chain(days=DAYS)

    assert chain.success, chain.failures()
    assert chain.materialized == set(NAMES.asset_keys)
    assert all(check.passed for check in chain.checks())
    model = chain.metadata(NAMES.model)
    assert spec.gate.passes(model["metric/mae_vs_baseline"])
    # 28-day window: every landed day, split by record id (about 80% trained on)
    kept = len(DAYS) * ROWS - model["repeated_rows_dropped"]
    assert model["train_rows"] + model["test_rows"] == kept
    assert model["train_rows"] == pytest.approx(kept * 0.8, rel=0.1)
    last_day = pd.read_parquet(chain.metadata(NAMES.features)["path"])
    assert set(last_day["date"]) == {DAYS[-1]} and last_day["has_history"].all()
    drift = chain.metadata(NAMES.drift_report)
    assert drift["partition"] == DAYS[-1] and drift["current_rows"] == ROWS
    predictions = chain.metadata(NAMES.predictions)
    assert predictions["dagster/row_count"] == ROWS and predictions["model_version"] == "1"


def test_gate_blocks_a_model_no_better_than_the_median(land, run_chain) -> None:
    def median_model(_spec):
        from sklearn.dummy import DummyRegressor

        return DummyRegressor(strategy="median")

    _land_days(land)
    for day in DAYS:
        assert run_chain([NAMES.raw_data, NAMES.features], partition_key=day).success

    weak = dataclasses.replace(
        spec, model=dataclasses.replace(spec.model, make_model=median_model)
    )
    result = run_chain(list(NAMES.training_keys), project=weak)

    assert not result.success
    gate = check_evaluations(result)[NAMES.checks.gate]
    assert not gate.passed and "mae_vs_baseline=1.0000" in gate.description
    assert NAMES.champion not in materialized_keys(result)
