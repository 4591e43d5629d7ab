"""What goes wrong in production, done to the running stack: a run container killed mid-run, a
location's container stopped, Postgres restarted. The platform reports each and recovers
without restarting the webserver or the daemon.
"""

from __future__ import annotations

import json
import time

import pytest

from ..dagster_processes import launch_assets, run_status, wait_for, wait_for_runs
from .dagster_api import launch_job, materializations, runs
from .engine import docker, health, inspect, run_container
from .stack import LOADED, Figures, Stack

pytestmark = pytest.mark.containers

VICTIM = "churn"
# Run monitoring polls every 60 s (docker/dagster.yaml); the failure sensor runs every 30 s.
MONITORING_TIMEOUT = 240
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _champion(stack: Stack, location: str) -> tuple[str | None, str | None]:
    """(version the champion alias points at, run of the latest champion materialization)."""
    model = stack.mlflow("registered-models/get", name=location)["registered_model"]
    aliases = {a["alias"]: a["version"] for a in model.get("aliases", [])}
    latest = materializations(stack.webserver_port, [location, "champion"])
    return aliases.get("champion"), latest[0].run_id if latest else None


def _alerts(stack: Stack, location: str) -> list[dict]:
    text = stack.exec(location, "sh", "-c", "cat /data/alerts/alerts.jsonl 2>/dev/null || true")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _started_at(stack: Stack, service: str) -> tuple[str, int]:
    container = inspect(stack.container(service))
    return container["State"]["StartedAt"], container["RestartCount"]


def test_a_killed_run_container_is_failed_by_run_monitoring_and_alerted(
    stack: Stack, figures: Figures
) -> None:
    before = _champion(stack, VICTIM)
    port = stack.webserver_port
    run_id = launch_job(port, VICTIM, f"{VICTIM}_retrain")
    wait_for(lambda: run_status(port, run_id) == "STARTED", 180, "the training run to start")
    # Mid-run: the run worker is executing (the training step takes several seconds more).
    time.sleep(3)
    container = run_container(run_id)
    assert container and container["State"]["Running"], "the run finished before the kill"
    docker("kill", container["Id"])
    killed = time.monotonic()

    assert wait_for_runs(port, [run_id], MONITORING_TIMEOUT) == {run_id: "FAILURE"}
    figures.record("killed_run_to_failed_s", round(time.monotonic() - killed, 1))
    assert inspect(container["Id"])["State"]["ExitCode"] == 137
    alert = wait_for(
        lambda: next((a for a in _alerts(stack, VICTIM) if a["run_id"] == run_id), None),
        MONITORING_TIMEOUT,
        "the failure alert",
        interval=2,
    )
    figures.record("killed_run_to_alert_s", round(time.monotonic() - killed, 1))
    assert alert["kind"] == "run_failure" and alert["job"] == f"{VICTIM}_retrain"
    assert "Container status is exited" in alert["message"]
    assert _champion(stack, VICTIM) == before


def test_a_stopped_location_is_reported_and_recovers_without_a_webserver_restart(
    stack: Stack, figures: Figures
) -> None:
    others = [n for n in stack.locations if n != VICTIM]
    webserver = _started_at(stack, "webserver")
    stack.compose("stop", VICTIM)
    stopped = time.monotonic()
    down = wait_for(
        lambda: (s := stack.statuses()) and s[VICTIM] != LOADED and s,
        120,
        f"the webserver to report {VICTIM} unreachable",
    )
    assert down[VICTIM] == ("LOADED", "PythonError")
    assert {n: down[n] for n in others} == dict.fromkeys(others, LOADED)

    stack.compose("start", VICTIM)
    wait_for(lambda: stack.statuses()[VICTIM] == LOADED, 180, f"{VICTIM} LOADED again")
    figures.record("stopped_location_back_s", round(time.monotonic() - stopped, 1))
    assert _started_at(stack, "webserver") == webserver
    run_id = launch_assets(stack.webserver_port, VICTIM, [[VICTIM, "features"]])
    assert wait_for_runs(stack.webserver_port, [run_id], 300) == {run_id: "SUCCESS"}


def _settled(stack: Stack, quiet_for: float = 15) -> dict[str, str]:
    """Every run once none has been queued or in progress for ``quiet_for`` seconds (longer
    than a sensor interval, so automation has nothing left to launch)."""
    quiet_since = [time.monotonic()]

    def quiet() -> dict[str, str] | None:
        states = runs(stack.webserver_port)
        if set(states.values()) - FINISHED:
            quiet_since[0] = time.monotonic()
        return states if time.monotonic() - quiet_since[0] >= quiet_for else None

    return wait_for(quiet, 600, "no run queued or in progress", interval=2)


def test_a_postgres_restart_loses_no_run_and_the_next_launch_succeeds_at_once(
    stack: Stack, figures: Figures
) -> None:
    port = stack.webserver_port
    # Nothing in flight: a run writing events while Postgres restarts is not this test's subject.
    before = _settled(stack)  # also leaves a pooled connection in the webserver, if it pools
    services = {s: _started_at(stack, s) for s in ("webserver", "daemon")}
    stack.compose("restart", "postgres")
    restarted = time.monotonic()
    wait_for(lambda: health(stack.container("postgres")) == "healthy", 120, "Postgres healthy")
    # The first request after the restart is the launch itself, without a retry.
    run_id = launch_assets(port, VICTIM, [[VICTIM, "features"]])
    assert wait_for_runs(port, [run_id], 300) == {run_id: "SUCCESS"}
    figures.record("postgres_restart_to_run_success_s", round(time.monotonic() - restarted, 1))
    after = runs(port)
    assert {r: after.get(r) for r in before} == before
    assert run_id in set(after) - set(before)
    assert {s: _started_at(stack, s) for s in services} == services
