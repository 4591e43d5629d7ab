"""The vehicle_pricing chain in process; the gate blocks a model no better than the median."""

import dataclasses
from pathlib import Path

import mlflow

from mlplatform import project_names
from mlplatform.testing import (
    check_evaluations,
    materialized_keys,
    mlflow_runs,
    model_versions,
)
from vehicle_pricing.definitions import spec

NAMES = project_names(spec)


def test_whole_chain_trains_promotes_and_predicts(land, run_whole_chain, tracking_uri) -> None:
    land("listings_001.csv", rows=3000)

    chain = run_whole_chain()

    assert chain.success, chain.failures()
    assert chain.materialized == set(NAMES.asset_keys)
    model = chain.metadata(NAMES.model)
    assert model["metric/mae_vs_baseline"] <= spec.gate.floor
    assert model["metric/mae"] < model["metric/baseline_mae"]
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FINISHED"
    mlflow.set_tracking_uri(tracking_uri)
    requirements = Path(mlflow.pyfunc.get_model_dependencies(model["model_uri"])).read_text()
    assert "lightgbm==" in requirements
    predictions = chain.metadata(NAMES.predictions)
    assert predictions["model_version"] == "1" and predictions["dagster/row_count"] == 3000


def test_gate_blocks_a_model_no_better_than_the_median(land, run_chain, tracking_uri) -> None:
    def median_model(_spec):
        from sklearn.dummy import DummyRegressor

        return DummyRegressor(strategy="median")

    land("listings_001.csv", rows=3000)
    weak = dataclasses.replace(
        spec, model=dataclasses.replace(spec.model, make_model=median_model)
    )

    result = run_chain(project=weak)

    assert not result.success
    gate = check_evaluations(result)[NAMES.checks.gate]
    assert not gate.passed and "mae_vs_baseline=1.0000" in gate.description
    assert NAMES.champion not in materialized_keys(result)
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FAILED"
    [version] = model_versions(tracking_uri, spec.registered_model_name)
    assert version.tags["quality_gate"] == "failed"
