"""Fault: 500 files land at once. The landing sensor is evaluated by Dagster's own sensor daemon
code (``execute_sensor_iteration``) against the daily demo location served by a real code
server, on an instance with the local run queue (``scripts/dagster.local.yaml``).

Each file is ingested by exactly one run, another tick and a restarted code server (a fresh
workspace, the cursor from the instance) start no duplicate run, and the queue daemon's dequeue
starts no more runs than the queue allows. The run launcher is Dagster's recording test launcher:
what is measured here is what gets queued and dequeued, not the runs themselves.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)
from dagster._daemon.sensor import execute_sensor_iteration
from demo_project import DAILY

from mlplatform.orchestration.landing_sensor import LANDED_FILES_TAG
from mlplatform.testing import record_figure

HERE = Path(__file__).resolve().parent
LOCAL_INSTANCE = HERE.parents[1] / "scripts/dagster.local.yaml"
DAYS, FILES_PER_DAY = 100, 5
LOGGER = logging.getLogger("landing_flood")


@pytest.fixture
def queued_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    data = tmp_path / "data"
    for name, folder in [
        ("LANDING_DIR", "landing"),
        ("ASSET_DIR", "assets"),
        ("REPORT_DIR", "reports"),
        ("LOCK_DIR", "locks"),
    ]:
        monkeypatch.setenv(f"MLPLATFORM_{name}", str(data / folder))
    monkeypatch.setenv("MLPLATFORM_ALERT_FILE", str(data / "alerts.jsonl"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{data / 'mlflow.db'}")
    monkeypatch.setenv("MLPLATFORM_SENSOR_INTERVAL_SECONDS", "1")
    queue = yaml.safe_load(LOCAL_INSTANCE.read_text())["run_coordinator"]
    launcher = {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"}
    overrides = {"run_coordinator": queue, "run_launcher": launcher}
    with dg.instance_for_test(overrides=overrides) as instance:
        yield instance, data, queue["config"]["max_concurrent_runs"]


def _land_flood(landing: Path) -> set[str]:
    landing.mkdir(parents=True)
    names = set()
    first = date.fromisoformat(DAILY.partitioning.start_date)
    for offset in range(DAYS):
        day = (first + timedelta(days=offset)).isoformat()
        for part in range(FILES_PER_DAY):
            name = f"{day}-part{part}.csv"
            (landing / name).write_text(f"id,date\n{day}-{part},{day}\n")
            names.add(name)
    return names


def _tick(instance: dg.DagsterInstance) -> float:
    """One sensor-daemon iteration over a freshly loaded code location; its seconds."""
    target = ModuleTarget("demo_project", "daily_defs", str(HERE), DAILY.name)
    with create_test_daemon_workspace_context(target, instance) as workspace:
        started = time.monotonic()
        list(execute_sensor_iteration(workspace, LOGGER, None, None))
        return time.monotonic() - started


def test_500_landed_files_are_each_ingested_once_within_the_queue_limits(
    queued_instance,
) -> None:
    instance, data, max_concurrent = queued_instance
    landed = _land_flood(data / "landing" / DAILY.name)

    seconds = _tick(instance)
    time.sleep(1.1)  # past the sensor's minimum interval
    _tick(instance)  # a new code server: the cursor comes back from the instance

    runs = instance.get_runs()
    assert len(runs) == DAYS
    assert len({run.tags["dagster/partition"] for run in runs}) == DAYS
    per_file = Counter(name for run in runs for name in run.tags[LANDED_FILES_TAG].split(", "))
    assert set(per_file) == landed and set(per_file.values()) == {1}
    assert {run.status for run in runs} == {dg.DagsterRunStatus.QUEUED}

    target = ModuleTarget("demo_project", "daily_defs", str(HERE), DAILY.name)
    with create_test_daemon_workspace_context(target, instance) as workspace:
        for _ in range(2):
            list(QueuedRunCoordinatorDaemon(interval_seconds=1).run_iteration(workspace))
    states = Counter(run.status for run in instance.get_runs())
    assert states[dg.DagsterRunStatus.STARTING] == max_concurrent
    assert states[dg.DagsterRunStatus.QUEUED] == DAYS - max_concurrent
    record_figure(
        "landing_flood",
        f"{len(landed)} files landed at once: one sensor tick requested {DAYS} runs "
        f"(one per day), no duplicates, {max_concurrent} dequeued",
        seconds,
    )
