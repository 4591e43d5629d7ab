"""Churn's whole chain in process, through the platform's pytest plugin: real Dagster instance,
real SQLite MLflow store, Evidently. The platform's own behaviour (MLflow runs, the gate, drift,
bad input, promotion) is tested in shared/tests on its demo project."""

from __future__ import annotations

import dataclasses

import mlflow
import pandas as pd

from churn.definitions import spec
from mlplatform import project_names
from mlplatform.testing import mlflow_runs, model_versions

NAMES = project_names(spec)


def test_whole_chain_trains_passes_its_gate_and_scores_customers(
    land, run_whole_chain, tracking_uri
) -> None:
    land("batch_001.csv", rows=2000, seed=1)
    land("batch_002.parquet", rows=1000, seed=2)

    chain = run_whole_chain()

    assert chain.success, chain.failures()
    assert chain.materialized == set(NAMES.asset_keys)
    assert all(check.passed for check in chain.checks())
    assert chain.metadata(NAMES.raw_data)["dagster/row_count"] == 3000
    model = chain.metadata(NAMES.model)
    assert model["metric/roc_auc"] >= spec.gate.floor
    assert 0.0 < model["metric/log_loss"] < 0.7
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FINISHED"
    [version] = model_versions(tracking_uri, spec.registered_model_name)
    assert version.tags["quality_gate"] == "passed"

    mlflow.set_tracking_uri(tracking_uri)
    info = mlflow.models.get_model_info(model["model_uri"])
    assert "tenure_months" in str(info.signature.inputs)
    loaded = mlflow.pyfunc.load_model(f"models:/{spec.registered_model_name}/1")
    assert len(loaded.predict(spec.model.build_features(spec.generate(10, 9, 0.0)))) == 10
    assert chain.metadata(NAMES.drift_report)["drift_share"] < spec.lifecycle.drift_threshold
    scored = pd.read_parquet(chain.metadata(NAMES.predictions)["path"])
    assert len(scored) == 3000 and set(scored["model_version"]) == {"1"}
    assert {"customer_id", "prediction", "probability"} <= set(scored.columns)


def test_gate_blocks_a_model_that_ignores_the_customers(land, run_whole_chain) -> None:
    def constant_model(_spec):
        from sklearn.dummy import DummyClassifier

        return DummyClassifier(strategy="prior")

    land("batch_001.csv", rows=2000, seed=1)
    weak = dataclasses.replace(
        spec, model=dataclasses.replace(spec.model, make_model=constant_model)
    )

    chain = run_whole_chain(project=weak)

    assert not chain.success
    [gate] = [c for c in chain.checks() if c.check_name == NAMES.checks.gate]
    assert not gate.passed and "roc_auc=0.5000" in gate.description
    assert NAMES.champion not in chain.materialized
