"""The vehicle_pricing chain in process; the gate blocks a model no better than the median."""

import dataclasses
from pathlib import Path

import mlflow

from mlplatform.testing import (
    asset_keys,
    check_evaluations,
    failure_text,
    materialization_metadata,
    materialized_keys,
    mlflow_runs,
    model_versions,
)
from vehicle_pricing.definitions import spec

KEYS = asset_keys(spec)


def test_whole_chain_trains_promotes_and_predicts(land, run_chain, tracking_uri) -> None:
    land("listings_001.csv", rows=3000)

    result = run_chain()

    assert result.success, failure_text(result)
    assert materialized_keys(result) == set(KEYS.values())
    model = materialization_metadata(result, KEYS["model"])
    assert model["metric/mae_vs_baseline"] <= spec.gate.floor
    assert model["metric/mae"] < model["metric/baseline_mae"]
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FINISHED"
    mlflow.set_tracking_uri(tracking_uri)
    requirements = Path(mlflow.pyfunc.get_model_dependencies(model["model_uri"])).read_text()
    assert "lightgbm==" in requirements
    predictions = materialization_metadata(result, KEYS["predictions"])
    assert predictions["model_version"] == "1" and predictions["dagster/row_count"] == 3000


def test_gate_blocks_a_model_no_better_than_the_median(land, run_chain, tracking_uri) -> None:
    def median_model(_spec):
        from sklearn.dummy import DummyRegressor

        return DummyRegressor(strategy="median")

    land("listings_001.csv", rows=3000)

    result = run_chain(project=dataclasses.replace(spec, make_model=median_model))

    assert not result.success
    gate = check_evaluations(result)["mae_vs_baseline_gate"]
    assert not gate.passed and "mae_vs_baseline=1.0000" in gate.description
    assert KEYS["champion"] not in materialized_keys(result)
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FAILED"
    [version] = model_versions(tracking_uri, spec.registered_model_name)
    assert version.tags["quality_gate"] == "failed"


def test_bad_input_is_rejected_and_left_untouched(landing_dir, run_chain, tracking_uri) -> None:
    landing_dir.mkdir(parents=True)
    bad = landing_dir / "listings_bad.csv"
    spec.generate(800, 2, 0.0).assign(mileage_km="unknown").to_csv(bad, index=False)
    before = bad.read_bytes()

    result = run_chain()

    assert not result.success
    text = failure_text(result)
    assert "listings_bad.csv: column 'mileage_km' has dtype object, expected integer" in text
    assert bad.read_bytes() == before
    assert not materialized_keys(result)
    assert model_versions(tracking_uri, spec.registered_model_name) == []
