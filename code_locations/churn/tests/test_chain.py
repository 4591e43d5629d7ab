"""The whole churn chain in process: real Dagster instance, real SQLite MLflow store, Evidently."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import mlflow
import pytest

from churn.definitions import spec
from mlplatform import QualityGate
from mlplatform.testing import (
    asset_keys,
    check_evaluations,
    failure_text,
    materialization_metadata,
    materialized_keys,
    mlflow_runs,
    model_versions,
)

KEYS = asset_keys(spec)
RAW, FEATURES, MODEL = KEYS["raw_data"], KEYS["features"], KEYS["model"]
CHAMPION, DRIFT, PREDICTIONS = KEYS["champion"], KEYS["drift_report"], KEYS["predictions"]


def _mlflow_runs(tracking_uri: str) -> list:
    return mlflow_runs(tracking_uri, spec.experiment_name)


def _versions(tracking_uri: str) -> list:
    return model_versions(tracking_uri, spec.registered_model_name)


def test_whole_chain_trains_registers_and_reports(land, run_chain, tracking_uri) -> None:
    land("batch_001.csv", rows=2000, seed=1)
    land("batch_002.parquet", rows=1000, seed=2)

    result = run_chain()

    assert result.success
    assert materialized_keys(result) == {RAW, FEATURES, MODEL, CHAMPION, DRIFT, PREDICTIONS}
    assert all(c.passed for c in check_evaluations(result).values())
    assert materialization_metadata(result, RAW)["dagster/row_count"] == 3000
    model_meta = materialization_metadata(result, MODEL)
    [version] = _versions(tracking_uri)
    assert str(version.version) == "1" and model_meta["model_version"] == "1"
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FINISHED"
    assert run.data.tags["dagster_run_id"] == result.run_id
    assert version.run_id == run.info.run_id
    assert run.data.metrics["roc_auc"] == pytest.approx(model_meta["metric/roc_auc"])
    assert run.data.metrics["roc_auc"] >= spec.gate.floor
    assert {"roc_auc", "accuracy", "f1", "log_loss"} <= set(run.data.metrics)
    assert version.tags["quality_gate"] == "passed"

    drift = materialization_metadata(result, DRIFT)
    report = Path(drift["report_path"])
    assert report.stat().st_size > 10_000 and b"<html" in report.read_bytes()[:2000].lower()
    assert drift["model_version"] == "1"
    assert 0.0 <= drift["drift_share"] <= 1.0
    assert "| column | drifted |" in drift["column_drift"]
    assert mlflow.active_run() is None


def test_logged_model_has_signature_example_and_pinned_requirements(
    land, run_chain, tracking_uri
) -> None:
    land("batch_001.csv")
    result = run_chain()
    assert result.success

    model_uri = materialization_metadata(result, MODEL)["model_uri"]
    mlflow.set_tracking_uri(tracking_uri)
    info = mlflow.models.get_model_info(model_uri)
    assert info.signature is not None and "tenure_months" in str(info.signature.inputs)
    assert info.saved_input_example_info is not None
    requirements = Path(mlflow.pyfunc.get_model_dependencies(model_uri)).read_text()
    assert "scikit-learn==" in requirements and "pandas==" in requirements
    loaded = mlflow.pyfunc.load_model(f"models:/{spec.registered_model_name}/1")
    assert len(loaded.predict(spec.model.build_features(spec.generate(10, 9, 0.0)))) == 10


def test_each_dagster_run_gets_its_own_mlflow_run(land, run_chain, tracking_uri) -> None:
    land("batch_001.csv")

    first, second = run_chain(), run_chain()

    assert first.success and second.success
    runs = {r.data.tags["dagster_run_id"]: r for r in _mlflow_runs(tracking_uri)}
    assert set(runs) == {first.run_id, second.run_id}
    assert {r.info.status for r in runs.values()} == {"FINISHED"}
    assert sorted(str(v.version) for v in _versions(tracking_uri)) == ["1", "2"]
    assert mlflow.active_run() is None


def test_failing_model_step_marks_mlflow_run_failed(land, run_chain, tracking_uri) -> None:
    def broken_model(_spec):
        raise RuntimeError("estimator construction failed")

    land("batch_001.csv")

    result = run_chain(project=dataclasses.replace(spec, make_model=broken_model))

    assert not result.success
    assert "estimator construction failed" in failure_text(result)
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FAILED"
    assert run.data.tags["dagster_run_id"] == result.run_id
    assert _versions(tracking_uri) == []
    assert mlflow.active_run() is None


def test_quality_gate_blocks_weak_model(land, run_chain, tracking_uri) -> None:
    strict = dataclasses.replace(spec, quality_gate=QualityGate(metric="roc_auc", floor=0.99))
    land("batch_001.csv")

    result = run_chain(project=strict)

    assert not result.success
    gate = check_evaluations(result)["roc_auc_gate"]
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR
    assert DRIFT not in materialized_keys(result)
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FAILED"
    [version] = _versions(tracking_uri)
    assert version.tags["quality_gate"] == "failed"


def test_drifted_batch_raises_drift_warning(land, run_chain) -> None:
    land("batch_001.csv", rows=3000, seed=1)
    baseline = run_chain()
    assert baseline.success
    assert check_evaluations(baseline)["drift_share_below_threshold"].passed
    assert materialization_metadata(baseline, DRIFT)["drift_share"] <= spec.lifecycle.drift_threshold

    land("batch_002.csv", rows=9000, seed=2, drift=0.8)
    drifted = run_chain(selection=[RAW, DRIFT])

    assert drifted.success, "a WARN check must not fail the run"
    check = check_evaluations(drifted)["drift_share_below_threshold"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    share = materialization_metadata(drifted, DRIFT)["drift_share"]
    assert share > spec.lifecycle.drift_threshold
    assert "| yes |" in materialization_metadata(drifted, DRIFT)["column_drift"]


def test_features_that_change_raw_columns_are_refused(land, run_chain) -> None:
    def casting_features(raw):
        return spec.model.build_features(raw).assign(senior_citizen=raw["senior_citizen"].astype(int))

    land("batch_001.csv")

    result = run_chain(project=dataclasses.replace(spec, build_features=casting_features))

    assert not result.success
    assert "build_features changed raw columns 'senior_citizen' (bool -> int64)" in failure_text(
        result
    )
    assert FEATURES not in materialized_keys(result)
