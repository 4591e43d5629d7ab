"""Fault: the run worker process is killed (SIGKILL) in the middle of a step.

A live ``dagster-daemon`` over the demo location's code server, runs executed by the local run
launcher (the code server starts each run worker). A landed batch starts an ingest run; once its
step has started, the worker is killed. The code server sees its worker gone and marks the run
failed, the location's run-failure sensor writes the alert, and the next landed batch's run
succeeds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import dagster as dg
import pytest
from demo_project import SPEC
from live_daemon import live_daemon

from mlplatform.storage.landing import write_batch
from mlplatform.testing import record_figure

pytestmark = pytest.mark.slow
TIMEOUT = 240


def _wait(predicate, what: str):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for {what}")


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The run worker's pid, once its first step has started."""
    events = instance.all_logs(run_id)
    if not any(
        e.dagster_event and e.dagster_event.event_type_value == "STEP_START" for e in events
    ):
        return None
    for event in events:
        found = re.search(r"Started process for run \(pid: (\d+)\)", event.message or "")
        if found:
            return int(found.group(1))
    return None


def test_killed_run_worker_fails_the_run_writes_the_alert_and_the_next_run_succeeds(
    tmp_path: Path,
) -> None:
    with live_daemon(tmp_path, SPEC.name, "defs", execute_runs=True) as live:
        landing = live.data / "landing" / SPEC.name
        alerts = Path(live.env["MLPLATFORM_ALERT_FILE"])
        write_batch(landing, "batch_001.csv", SPEC.generate(20_000, 1, 0.0))
        [run] = _wait(lambda: live.instance.get_runs(), "the ingest run")
        pid = _wait(lambda: _worker_pid(live.instance, run.run_id), "the step to start")
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()

        failed = _wait(
            lambda: live.instance.get_run_by_id(run.run_id).is_finished, "the run to end"
        )
        seconds_to_fail = time.monotonic() - killed_at
        assert failed and live.instance.get_run_by_id(run.run_id).status.value == "FAILURE"
        steps = {
            e.dagster_event.event_type_value
            for e in live.instance.all_logs(run.run_id)
            if e.dagster_event
        }
        assert "STEP_START" in steps and not steps & {"STEP_SUCCESS", "STEP_FAILURE"}

        def alert() -> dict | None:
            lines = alerts.read_text().splitlines() if alerts.exists() else []
            return next((json.loads(line) for line in lines if run.run_id in line), None)

        record = _wait(alert, "the failure alert")
        seconds_to_alert = time.monotonic() - killed_at
        assert record["kind"] == "run_failure" and record["trigger"] == "landing"

        write_batch(landing, "batch_002.csv", SPEC.generate(2000, 2, 0.0))
        landed_at = time.monotonic()

        def next_run() -> dg.DagsterRun | None:
            runs = [r for r in live.instance.get_runs() if r.run_id != run.run_id]
            ingest = [r for r in runs if r.tags.get("mlplatform/trigger") == "landing"]
            return ingest[0] if ingest and ingest[0].is_finished else None

        after = _wait(next_run, "the next ingest run")
        seconds_to_next = time.monotonic() - landed_at
        assert after.status == dg.DagsterRunStatus.SUCCESS
    record_figure(
        "worker_killed_fail",
        "run worker killed mid-step: run marked failed after",
        seconds_to_fail,
    )
    record_figure(
        "worker_killed_alert", "run worker killed mid-step: alert written after", seconds_to_alert
    )
    record_figure(
        "worker_killed_next", "run worker killed: next landed batch ingested in", seconds_to_next
    )
