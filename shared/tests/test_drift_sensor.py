"""The drift retrain sensor: against reported drift-report materializations, and driven by real
drift (Evidently on the demo generator) measured by the drift_report asset."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from demo_project import DAILY, SPEC
from sensor_ticks import Ticks

from mlplatform import ProjectSpec, project_names
from mlplatform.orchestration.automation import TRAINING_TAG, TRIGGER_TAG
from mlplatform.orchestration.drift_sensor import (
    DRIFT_REPORT_RUN_TAG,
    DRIFT_SHARE_TAG,
    REASON_TAG,
)
from mlplatform.testing import materialization_metadata


def _report_drift(
    instance: dg.DagsterInstance,
    spec: ProjectSpec,
    share: float,
    data_hash: str,
    version: str = "1",
    partition: str | None = None,
) -> None:
    """A drift-report materialization as the drift_report asset records it (same metadata keys)."""
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=project_names(spec).drift_report,
            partition=partition,
            metadata={
                "drift_share": share,
                "model_version": version,
                "current_data_hash": data_hash,
            },
        )
    )


def test_drift_sensor_retrains_once_per_drift_event(tmp_path: Path, instance) -> None:
    sensor = Ticks(SPEC, project_names(SPEC).drift_sensor, tmp_path, instance)
    assert not sensor.tick().run_requests

    _report_drift(instance, SPEC, share=0.1, data_hash="aaa")
    below = sensor.tick()
    assert not below.run_requests and "no retrain" in below.skip_message

    _report_drift(instance, SPEC, share=0.3, data_hash="bbb")  # at the threshold counts
    [retrain] = sensor.tick().run_requests
    assert sensor.sensor.job_name == project_names(SPEC).retrain_job
    assert retrain.tags[TRIGGER_TAG] == "drift" and retrain.tags[TRAINING_TAG] == SPEC.name
    assert retrain.tags[DRIFT_SHARE_TAG] == "0.3000"
    assert "drift share 0.300 >= threshold 0.3" in retrain.tags[REASON_TAG]
    assert DRIFT_REPORT_RUN_TAG in retrain.tags

    assert not sensor.tick().run_requests, "the same event must not retrain twice"

    # The report recomputed on the same data against the same champion (e.g. the retrained
    # model was not promoted) is the same drift event.
    _report_drift(instance, SPEC, share=0.31, data_hash="bbb")
    same = sensor.tick()
    assert not same.run_requests and "already triggered" in same.skip_message

    _report_drift(instance, SPEC, share=0.5, data_hash="ccc")
    [next_event] = sensor.tick().run_requests
    assert next_event.run_key != retrain.run_key


def test_drift_sensor_handles_daily_partitions(tmp_path: Path, instance) -> None:
    sensor = Ticks(DAILY, project_names(DAILY).drift_sensor, tmp_path, instance)
    _report_drift(instance, DAILY, 0.6, "h1", partition="2026-03-01")
    _report_drift(instance, DAILY, 0.6, "h2", partition="2026-03-02")
    requests = sensor.tick().run_requests
    assert len(requests) == 2
    assert {"[2026-03-01]" in r.tags[REASON_TAG] for r in requests} == {True, False}


def test_drifted_batch_requests_one_retrain(land, run_chain, instance, data_dir) -> None:
    """A clean batch requests nothing; a drifted one measured by the real drift report requests
    one retrain, tagged with the figure and the report's run."""
    names = project_names(SPEC)
    sensor = Ticks(SPEC, project_names(SPEC).drift_sensor, data_dir, instance)

    land("batch_001.csv", rows=2000, seed=1)
    first = run_chain()
    assert first.success
    clean_share = materialization_metadata(first, names.drift_report)["drift_share"]
    assert clean_share < SPEC.lifecycle.drift_threshold
    assert not sensor.tick().run_requests

    land("batch_002.csv", rows=6000, seed=2, drift=1.0)
    drifted = run_chain([names.raw_data, names.drift_report])
    assert drifted.success
    share = materialization_metadata(drifted, names.drift_report)["drift_share"]
    assert share >= SPEC.lifecycle.drift_threshold

    [retrain] = sensor.tick().run_requests
    assert retrain.tags[TRIGGER_TAG] == "drift" and retrain.tags[TRAINING_TAG] == SPEC.name
    assert float(retrain.tags[DRIFT_SHARE_TAG]) == round(share, 4)
    assert retrain.tags[DRIFT_REPORT_RUN_TAG] == drifted.run_id
    assert not sensor.tick().run_requests
