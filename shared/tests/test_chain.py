"""The demo project's whole chain in process (real Dagster instance, real SQLite MLflow store,
Evidently): one MLflow run per Dagster run, FAILED when a step fails, the quality gate blocking,
the drift warning, and the feature contract."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import mlflow
import pytest
from demo_project import SPEC

from mlplatform import ProjectSpec, QualityGate, project_names
from mlplatform.testing import (
    check_evaluations,
    failure_text,
    materialization_metadata,
    materialized_keys,
    mlflow_runs,
    model_versions,
)

NAMES = project_names(SPEC)


def _mlflow_runs(tracking_uri: str) -> list:
    return mlflow_runs(tracking_uri, SPEC.experiment_name)


def test_links_follow_the_configured_mlflow_ui(land, run_chain, monkeypatch) -> None:
    monkeypatch.setenv("MLPLATFORM_MLFLOW_UI_URL", "https://mlflow.example.test/")
    land("batch_001.csv", rows=2000, seed=1)

    result = run_chain()

    assert result.success, failure_text(result)
    model = materialization_metadata(result, NAMES.model)
    assert model["mlflow_run"].startswith("https://mlflow.example.test/#/experiments/")
    drift = materialization_metadata(result, NAMES.drift_report)
    assert drift["report_url"].startswith("https://mlflow.example.test/#/experiments/")
    assert "/artifactPath/" in drift["report_url"]


def _versions(tracking_uri: str) -> list:
    return model_versions(tracking_uri, SPEC.registered_model_name)


def _with_model(**change) -> ProjectSpec:
    return dataclasses.replace(SPEC, model=dataclasses.replace(SPEC.model, **change))


def test_whole_chain_trains_registers_and_reports(land, run_chain, tracking_uri) -> None:
    land("batch_001.csv", rows=2000, seed=1)
    land("batch_002.parquet", rows=1000, seed=2)

    result = run_chain()

    assert result.success, failure_text(result)
    assert materialized_keys(result) == set(NAMES.asset_keys)
    checks = check_evaluations(result)
    assert set(checks) == set(dataclasses.astuple(NAMES.checks))
    assert all(c.passed for c in checks.values())
    raw = materialization_metadata(result, NAMES.raw_data)
    assert raw["dagster/row_count"] == 3000
    assert raw["files"] == ["batch_001.csv", "batch_002.parquet"]
    model_meta = materialization_metadata(result, NAMES.model)
    [version] = _versions(tracking_uri)
    assert str(version.version) == "1" and model_meta["model_version"] == "1"
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FINISHED"
    assert run.data.tags["dagster_run_id"] == result.run_id
    assert version.run_id == run.info.run_id == model_meta["mlflow_run_id"]
    assert run.data.metrics["roc_auc"] == pytest.approx(model_meta["metric/roc_auc"])
    assert run.data.metrics["roc_auc"] >= SPEC.gate.floor
    assert {"roc_auc", "accuracy", "f1", "log_loss"} <= set(run.data.metrics)
    assert version.tags["quality_gate"] == "passed"
    assert version.tags["dagster_asset_key"] == NAMES.model.to_user_string()

    assert run.data.tags["mlflow.runName"] == f"{SPEC.name} all assets (manual)"
    assert model_meta["quality_gate"] == f"passed ({SPEC.gate.describe()})"
    assert model_meta["aliases"] == "challenger"
    assert model_meta["mlflow_model"] == (
        f"http://127.0.0.1:5000/#/models/{SPEC.registered_model_name}/versions/1"
    )
    champion = materialization_metadata(result, NAMES.champion)
    assert champion["decided_by"] == f"manual (Dagster run {result.run_id})"

    drift = materialization_metadata(result, NAMES.drift_report)
    report = Path(drift["report_path"])
    assert report.stat().st_size > 10_000 and b"<html" in report.read_bytes()[:2000].lower()
    [drift_run] = mlflow_runs(tracking_uri, SPEC.drift_experiment_name)
    assert drift_run.info.status == "FINISHED"
    assert drift_run.info.run_name == f"{SPEC.name} drift_report (manual)"
    assert drift_run.data.tags["dagster_run_id"] == result.run_id
    assert drift_run.data.tags["dagster_asset_key"] == NAMES.drift_report.to_user_string()
    assert drift_run.data.metrics["drift_share"] == pytest.approx(drift["drift_share"])
    # The link opens the report as rendered by the MLflow UI, over HTTP, from configuration.
    assert drift["report_url"] == (
        f"http://127.0.0.1:5000/#/experiments/{drift_run.info.experiment_id}/runs/"
        f"{drift_run.info.run_id}/artifactPath/{report.name}"
    )
    published = mlflow.MlflowClient(tracking_uri).download_artifacts(
        drift_run.info.run_id, report.name, str(report.parent.parent / "downloaded")
    )
    assert Path(published).read_bytes() == report.read_bytes()
    assert drift["model_version"] == "1"
    assert 0.0 <= drift["drift_share"] <= 1.0
    assert "| column | drifted |" in drift["column_drift"]
    predictions = materialization_metadata(result, NAMES.predictions)
    assert predictions["model_version"] == "1" and predictions["dagster/row_count"] == 3000
    assert mlflow.active_run() is None


def test_logged_model_has_signature_example_and_pinned_requirements(
    land, run_chain, tracking_uri
) -> None:
    land("batch_001.csv")
    result = run_chain()
    assert result.success, failure_text(result)

    model_uri = materialization_metadata(result, NAMES.model)["model_uri"]
    mlflow.set_tracking_uri(tracking_uri)
    info = mlflow.models.get_model_info(model_uri)
    assert info.signature is not None and "spend_per_visit" in str(info.signature.inputs)
    assert info.saved_input_example_info is not None
    requirements = Path(mlflow.pyfunc.get_model_dependencies(model_uri)).read_text()
    assert "scikit-learn==" in requirements and "pandas==" in requirements
    loaded = mlflow.pyfunc.load_model(f"models:/{SPEC.registered_model_name}/1")
    assert len(loaded.predict(SPEC.model.build_features(SPEC.generate(10, 9, 0.0)))) == 10


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

    result = run_chain(project=_with_model(make_model=broken_model))

    assert not result.success
    assert "estimator construction failed" in failure_text(result)
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FAILED"
    assert run.data.tags["dagster_run_id"] == result.run_id
    assert _versions(tracking_uri) == []
    assert mlflow.active_run() is None


def test_quality_gate_blocks_weak_model(land, run_chain, tracking_uri) -> None:
    strict = dataclasses.replace(SPEC, gate=QualityGate(metric="roc_auc", floor=0.99))
    land("batch_001.csv")

    result = run_chain(project=strict)

    assert not result.success
    gate = check_evaluations(result)[NAMES.checks.gate]
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR
    assert "required roc_auc >= 0.99" in gate.description
    assert not materialized_keys(result) & {NAMES.champion, NAMES.drift_report, NAMES.predictions}
    [run] = _mlflow_runs(tracking_uri)
    assert run.info.status == "FAILED"
    [version] = _versions(tracking_uri)
    assert version.tags["quality_gate"] == "failed"


def test_drifted_batch_raises_drift_warning(land, run_chain) -> None:
    threshold = SPEC.lifecycle.drift_threshold
    land("batch_001.csv", rows=3000, seed=1)
    baseline = run_chain()
    assert baseline.success, failure_text(baseline)
    assert check_evaluations(baseline)[NAMES.checks.drift].passed
    assert materialization_metadata(baseline, NAMES.drift_report)["drift_share"] <= threshold

    land("batch_002.csv", rows=9000, seed=2, drift=0.8)
    drifted = run_chain(selection=[NAMES.raw_data, NAMES.drift_report])

    assert drifted.success, "a WARN check must not fail the run"
    check = check_evaluations(drifted)[NAMES.checks.drift]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    report = materialization_metadata(drifted, NAMES.drift_report)
    assert report["drift_share"] > threshold
    assert "| yes |" in report["column_drift"]


def test_features_that_change_raw_columns_are_refused(land, run_chain) -> None:
    def casting_features(raw):
        return SPEC.model.build_features(raw).assign(visits=raw["visits"].astype(float))

    land("batch_001.csv")

    result = run_chain(project=_with_model(build_features=casting_features))

    assert not result.success
    assert "build_features changed raw columns 'visits' (int64 -> float64)" in failure_text(result)
    assert NAMES.features not in materialized_keys(result)
