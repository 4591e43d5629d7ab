"""Landing and drift sensors against a real Dagster instance and real files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.sensor_definition import SensorExecutionData
from demo_specs import DAILY, SPEC
from mlplatform.orchestration.sensors import (
    DRIFT_REPORT_RUN_TAG,
    DRIFT_SHARE_TAG,
    LANDED_FILES_TAG,
    REASON_TAG,
    drift_sensor_name,
    landing_sensor_name,
)

from mlplatform import ProjectSpec, build_definitions
from mlplatform.orchestration.automation import PROJECT_TAG, TRAINING_TAG, TRIGGER_TAG
from mlplatform.orchestration.resources import resources_for_dir


def _land(data: Path, spec: ProjectSpec, name: str, text: str = "id,a,y\n1,0.5,true\n") -> Path:
    path = data / "landing" / spec.name / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


class Landing:
    """Ticks of one project's landing sensor, carrying the cursor like the daemon does."""

    def __init__(self, spec: ProjectSpec, data: Path, instance: dg.DagsterInstance) -> None:
        self.resources = resources_for_dir(spec, data)
        self.defs = build_definitions(spec, resources=self.resources)
        self.sensor = self.defs.resolve_sensor_def(landing_sensor_name(spec))
        self.instance = instance
        self.cursor: str | None = None

    def tick(self) -> SensorExecutionData:
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            definitions=self.defs,
            resources={"landing": self.resources["landing"]},
        )
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def test_landing_sensor_requests_each_new_file_once(tmp_path: Path, instance) -> None:
    sensor = Landing(SPEC, tmp_path, instance)

    empty = sensor.tick()
    assert not empty.run_requests and "no new files" in empty.skip_message

    _land(tmp_path, SPEC, "batch_001.csv")
    _land(tmp_path, SPEC, ".batch_002.csv.tmp")  # being written: not a landed file yet
    [first] = sensor.tick().run_requests
    assert sensor.sensor.job_name == "demo_ingest"  # requests without a job name run this one
    assert first.partition_key is None
    assert first.tags[LANDED_FILES_TAG] == "batch_001.csv"
    assert first.tags[TRIGGER_TAG] == "landing" and first.tags[PROJECT_TAG] == "demo"

    again = sensor.tick()
    assert not again.run_requests, "the same file must not start a second run"

    _land(tmp_path, SPEC, "batch_002.csv", "id,a,y\n2,0.1,false\n")
    [second] = sensor.tick().run_requests
    assert second.tags[LANDED_FILES_TAG] == "batch_002.csv"
    assert second.run_key != first.run_key


def test_landing_run_key_is_stable_across_a_lost_cursor_and_changes_with_the_file(
    tmp_path: Path, instance
) -> None:
    """A restarted sensor that re-sees the same file computes the same run key, which the daemon
    deduplicates; a rewritten file (new size and mtime) is new data with a new key."""
    path = _land(tmp_path, SPEC, "batch_001.csv")
    [before] = Landing(SPEC, tmp_path, instance).tick().run_requests
    [after_restart] = Landing(SPEC, tmp_path, instance).tick().run_requests
    assert after_restart.run_key == before.run_key

    sensor = Landing(SPEC, tmp_path, instance)
    sensor.tick()
    path.write_text("id,a,y\n1,0.5,true\n3,0.7,false\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    [changed] = sensor.tick().run_requests
    assert changed.run_key != before.run_key


def test_landing_sensor_several_files_in_one_tick_make_one_run(tmp_path: Path, instance) -> None:
    """raw_data reads every landed file, so one run covers a batch that landed together."""
    for name in ("b1.csv", "b2.csv", "b3.parquet"):
        _land(tmp_path, SPEC, name)
    [request] = Landing(SPEC, tmp_path, instance).tick().run_requests
    assert request.tags[LANDED_FILES_TAG] == "b1.csv, b2.csv, b3.parquet"


def test_daily_landing_sensor_targets_the_file_day(tmp_path: Path, instance) -> None:
    sensor = Landing(DAILY, tmp_path, instance)
    _land(tmp_path, DAILY, "2026-03-01.csv")
    _land(tmp_path, DAILY, "2026-03-01_late.csv")
    _land(tmp_path, DAILY, "2026-03-02.csv")
    _land(tmp_path, DAILY, "notes.csv")
    _land(tmp_path, DAILY, "2025-12-31.csv")
    today = datetime.now(UTC).date().isoformat()
    _land(tmp_path, DAILY, f"{today}.csv")

    requests = sensor.tick().run_requests
    assert {r.partition_key: r.tags[LANDED_FILES_TAG] for r in requests} == {
        "2026-03-01": "2026-03-01.csv, 2026-03-01_late.csv",
        "2026-03-02": "2026-03-02.csv",
    }
    # Ignored files are handled (warned once); today's file waits for its day to end.
    waiting = sensor.tick()
    assert not waiting.run_requests
    assert f"{today}.csv" in waiting.skip_message and "has ended" in waiting.skip_message
    assert "notes.csv" not in waiting.skip_message


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
            asset_key=dg.AssetKey([spec.name, "drift_report"]),
            partition=partition,
            metadata={
                "drift_share": share,
                "model_version": version,
                "current_data_hash": data_hash,
            },
        )
    )


class Drift:
    def __init__(self, spec: ProjectSpec, data: Path, instance: dg.DagsterInstance) -> None:
        self.defs = build_definitions(spec, resources=resources_for_dir(spec, data))
        self.sensor = self.defs.resolve_sensor_def(drift_sensor_name(spec))
        self.instance = instance
        self.cursor: str | None = None

    def tick(self) -> SensorExecutionData:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, definitions=self.defs
        )
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data


def test_drift_sensor_retrains_once_per_drift_event(tmp_path: Path, instance) -> None:
    sensor = Drift(SPEC, tmp_path, instance)
    assert not sensor.tick().run_requests

    _report_drift(instance, SPEC, share=0.1, data_hash="aaa")
    below = sensor.tick()
    assert not below.run_requests and "no retrain" in below.skip_message

    _report_drift(instance, SPEC, share=0.3, data_hash="bbb")  # at the threshold counts
    [retrain] = sensor.tick().run_requests
    assert sensor.sensor.job_name == "demo_retrain"
    assert retrain.tags[TRIGGER_TAG] == "drift" and retrain.tags[TRAINING_TAG] == "demo"
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
    sensor = Drift(DAILY, tmp_path, instance)
    _report_drift(instance, DAILY, 0.6, "h1", partition="2026-03-01")
    _report_drift(instance, DAILY, 0.6, "h2", partition="2026-03-02")
    requests = sensor.tick().run_requests
    assert len(requests) == 2
    assert {"[2026-03-01]" in r.tags[REASON_TAG] for r in requests} == {True, False}
