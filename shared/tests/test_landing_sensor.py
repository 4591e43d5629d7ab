"""The landing sensor against a real Dagster instance and real files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from demo_project import DAILY, SPEC
from sensor_ticks import Ticks

from mlplatform import ProjectSpec, project_names
from mlplatform.orchestration.automation import PROJECT_TAG, TRIGGER_TAG
from mlplatform.orchestration.landing_sensor import LANDED_FILES_TAG

ROW = "id,usage,visits,spend,plan,converted\nD1,9.5,3,40.0,plus,true\n"


def _land(data: Path, spec: ProjectSpec, name: str, text: str = ROW) -> Path:
    path = data / "landing" / spec.name / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_landing_sensor_requests_each_new_file_once(tmp_path: Path, instance) -> None:
    sensor = Ticks(SPEC, project_names(SPEC).landing_sensor, tmp_path, instance)

    empty = sensor.tick()
    assert not empty.run_requests and "no new files" in empty.skip_message

    _land(tmp_path, SPEC, "batch_001.csv")
    _land(tmp_path, SPEC, ".batch_002.csv.tmp")  # being written: not a landed file yet
    [first] = sensor.tick().run_requests
    # Requests without a job name run the sensor's job.
    assert sensor.sensor.job_name == project_names(SPEC).ingest_job
    assert first.partition_key is None
    assert first.tags[LANDED_FILES_TAG] == "batch_001.csv"
    assert first.tags[TRIGGER_TAG] == "landing" and first.tags[PROJECT_TAG] == SPEC.name

    again = sensor.tick()
    assert not again.run_requests, "the same file must not start a second run"

    _land(tmp_path, SPEC, "batch_002.csv", ROW.replace("D1,9.5", "D2,7.5"))
    [second] = sensor.tick().run_requests
    assert second.tags[LANDED_FILES_TAG] == "batch_002.csv"
    assert second.run_key != first.run_key


def test_landing_run_key_is_stable_across_a_lost_cursor_and_changes_with_the_file(
    tmp_path: Path, instance
) -> None:
    """A restarted sensor that re-sees the same file computes the same run key, which the daemon
    deduplicates; a rewritten file (new size and mtime) is new data with a new key."""
    path = _land(tmp_path, SPEC, "batch_001.csv")
    [before] = (
        Ticks(SPEC, project_names(SPEC).landing_sensor, tmp_path, instance).tick().run_requests
    )
    [after_restart] = (
        Ticks(SPEC, project_names(SPEC).landing_sensor, tmp_path, instance).tick().run_requests
    )
    assert after_restart.run_key == before.run_key

    sensor = Ticks(SPEC, project_names(SPEC).landing_sensor, tmp_path, instance)
    sensor.tick()
    path.write_text(ROW + "D3,8.0,1,12.5,basic,false\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    [changed] = sensor.tick().run_requests
    assert changed.run_key != before.run_key


def test_landing_sensor_several_files_in_one_tick_make_one_run(tmp_path: Path, instance) -> None:
    """raw_data reads every landed file, so one run covers a batch that landed together."""
    for name in ("b1.csv", "b2.csv", "b3.parquet"):
        _land(tmp_path, SPEC, name)
    [request] = (
        Ticks(SPEC, project_names(SPEC).landing_sensor, tmp_path, instance).tick().run_requests
    )
    assert request.tags[LANDED_FILES_TAG] == "b1.csv, b2.csv, b3.parquet"


def test_daily_landing_sensor_targets_the_file_day(tmp_path: Path, instance) -> None:
    sensor = Ticks(DAILY, project_names(DAILY).landing_sensor, tmp_path, instance)
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
