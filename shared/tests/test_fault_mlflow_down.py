"""Fault: the MLflow tracking server dies, or stops answering, while a model trains.

A real ``mlflow server`` (the production server's environment, ``docker/mlflow/.venv``, on a
SQLite backend) on 127.0.0.1. The fault is injected from inside training (the spec's
``make_model``), after the run's MLflow run has started and before anything is logged.

* Killed, with no retries left: the Dagster run fails within seconds (MLflow's own HTTP retries
  turned down, as the deployment does), no version is registered, the champion is unchanged, and
  the MLflow run its teardown could not end is ended FAILED by the next run.
* Unreachable (the server process stopped) and back a few seconds later: the model step is
  retried after ``Lifecycle.mlflow_retry_delay_seconds`` and the run succeeds.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from demo_project import SPEC

from mlplatform import Lifecycle, project_names
from mlplatform.lifecycle.promotion import CHAMPION
from mlplatform.orchestration.assets import build_project_assets
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.testing import failure_text, mlflow_runs, model_versions, record_figure

ROOT = Path(__file__).resolve().parents[2]
NAMES = project_names(SPEC)
TRAIN_AND_PROMOTE = [NAMES.raw_data, NAMES.features, NAMES.model, NAMES.champion]
_FAULTS: list[Callable[[], None]] = []  # injected by the next training, once


def make_model_with_fault(project):
    """The demo's model, after running the fault the test armed (once)."""
    if _FAULTS:
        _FAULTS.pop()()
    return SPEC.model.make_model(project)


def _spec(retries: int, delay: float):
    return dataclasses.replace(
        SPEC,
        model=dataclasses.replace(SPEC.model, make_model=make_model_with_fault),
        lifecycle=Lifecycle(mlflow_retries=retries, mlflow_retry_delay_seconds=delay),
    )


class MlflowServer:
    """``mlflow server`` in its own process group on a SQLite backend that outlives it."""

    def __init__(self, tmp: Path, port: int) -> None:
        self.tmp, self.port, self.process = tmp, port, None
        self.uri = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        venv = ROOT / "docker/mlflow/.venv"
        command = [str(venv / "bin/mlflow"), "server", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "1"]
        command += ["--backend-store-uri", f"sqlite:///{self.tmp / 'mlflow.db'}"]
        command += ["--artifacts-destination", str(self.tmp / "artifacts")]
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
        with (self.tmp / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.tmp, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.uri}/health", timeout=2).close()
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"mlflow server on {self.uri}: see {self.tmp / 'server.log'}")

    def signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MlflowServer]:
    from dagster._utils import find_free_port

    (tmp_path / "mlflow").mkdir()
    server = MlflowServer(tmp_path / "mlflow", find_free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def fast_failing_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLflow's client retries a refused connection 7 times over about 4 minutes by default.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "3")


@pytest.mark.slow
def test_mlflow_killed_then_unreachable_during_training(
    land, data_dir, instance, server, fast_failing_client
) -> None:
    def run(spec) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            build_project_assets(spec),
            resources=resources_for_dir(spec, data_dir, tracking_uri=server.uri),
            instance=instance,
            selection=TRAIN_AND_PROMOTE,
            raise_on_error=False,
        )

    land("batch_001.csv", rows=2000)
    assert run(_spec(retries=0, delay=1)).success
    registry = resources_for_dir(SPEC, data_dir, tracking_uri=server.uri)["registry"]

    _FAULTS.append(server.kill)
    killed_at = time.monotonic()
    killed = run(_spec(retries=0, delay=1))
    seconds_to_fail = time.monotonic() - killed_at

    assert not killed.success
    assert "API request to" in failure_text(killed)
    server.start()
    assert [str(v.version) for v in model_versions(server.uri, SPEC.registered_model_name)] == [
        "1"
    ]
    assert registry.alias_version(SPEC.registered_model_name, CHAMPION) == "1"

    stopped_at: list[float] = []

    def stop_for_six_seconds() -> None:
        stopped_at.append(time.monotonic())
        server.signal(signal.SIGSTOP)
        threading.Timer(6, server.signal, (signal.SIGCONT,)).start()

    _FAULTS.append(stop_for_six_seconds)
    retried = run(_spec(retries=3, delay=2))
    seconds_to_recover = time.monotonic() - stopped_at[0]

    assert retried.success, failure_text(retried)
    retries = [e for e in retried.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries, "the model step was not retried"
    statuses = {
        r.data.tags["dagster_run_id"]: r.info.status
        for r in mlflow_runs(server.uri, SPEC.experiment_name)
    }
    assert statuses[killed.run_id] == "FAILED"  # ended by the retried run's start
    assert statuses[retried.run_id] == "FINISHED"
    assert "RUNNING" not in statuses.values()
    assert len(model_versions(server.uri, SPEC.registered_model_name)) == 2
    record_figure(
        "mlflow_killed", "MLflow server killed mid-training: run failed after", seconds_to_fail
    )
    record_figure(
        "mlflow_unreachable",
        "MLflow unreachable for 6 s mid-training: retried run succeeded after",
        seconds_to_recover,
    )
