"""A live ``dagster-daemon`` over the daily demo location's code server on 127.0.0.1, both from
this environment, on a SQLite instance in a temp ``DAGSTER_HOME`` with the local run queue and
sensors every second. Used by the fault tests that need the daemon itself (restarts).

By default the run launcher is Dagster's recording test launcher: runs are created, queued and
dequeued by the real daemon, never executed, so a test measures sensors and the queue; with
``execute_runs`` the local launcher runs them.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import yaml
from dagster._utils import find_free_port

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
LOCAL_INSTANCE = HERE.parents[1] / "scripts/dagster.local.yaml"


def _stop(process: subprocess.Popen) -> None:
    """Stop a process group started here, by its id only."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _serving(port: int) -> bool:
    """What `dagster api grpc-health-check` asks, without a Python process per poll (the RPC
    error Dagster's client prints for each poll before the server is up goes nowhere)."""
    from dagster._grpc.client import DagsterGrpcClient

    with contextlib.redirect_stdout(io.StringIO()):
        status = DagsterGrpcClient(port=port, host="127.0.0.1").health_check_query()
    return status == "SERVING"


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class LiveDaemon:
    home: Path
    data: Path
    env: dict[str, str]
    instance: dg.DagsterInstance
    daemon: subprocess.Popen | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start_daemon(self) -> None:
        workspace = self.home / "workspace.yaml"
        with (self.home / "daemon.log").open("a") as log:
            self.daemon = subprocess.Popen(
                [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)],
                env=self.env,
                cwd=HERE,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(self.daemon)

    def kill_daemon(self) -> None:
        """SIGKILL the daemon's process group: a crash, not a shutdown."""
        os.killpg(self.daemon.pid, signal.SIGKILL)
        self.daemon.wait()


def _instance_yaml(home: Path, execute_runs: bool) -> None:
    """The local instance config; without ``execute_runs``, Dagster's recording launcher."""
    config = yaml.safe_load(LOCAL_INSTANCE.read_text())
    if not execute_runs:
        config["run_launcher"] = {
            "module": "dagster._core.test_utils",
            "class": "MockedRunLauncher",
        }
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))


def _start_code_server(live: LiveDaemon, location: str, attribute: str) -> None:
    port = find_free_port()
    with (live.home / "code_server.log").open("w") as log:
        live.processes.append(
            subprocess.Popen(
                [str(BIN / "dagster"), "code-server", "start", "-h", "127.0.0.1", "-p", str(port)]
                + ["-m", "demo_project", "-a", attribute, "-d", str(HERE)],
                env=live.env,
                cwd=HERE,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    _wait(lambda: _serving(port), 120, location)
    (live.home / "workspace.yaml").write_text(
        "load_from:\n  - grpc_server:\n"
        f"      host: 127.0.0.1\n      port: {port}\n      location_name: {location}\n"
    )


@contextmanager
def live_daemon(
    tmp: Path, location: str, attribute: str, execute_runs: bool = False
) -> Iterator[LiveDaemon]:
    """The code server of ``demo_project.<attribute>`` and a daemon; both stopped on exit.
    Runs are executed (local run launcher, run workers started by the code server) only with
    ``execute_runs``."""
    home, data = tmp / "dagster_home", tmp / "data"
    home.mkdir(parents=True)
    _instance_yaml(home, execute_runs)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(HERE),
        "MLPLATFORM_LANDING_DIR": str(data / "landing"),
        "MLPLATFORM_ASSET_DIR": str(data / "assets"),
        "MLPLATFORM_REPORT_DIR": str(data / "reports"),
        "MLPLATFORM_LOCK_DIR": str(data / "locks"),
        "MLPLATFORM_ALERT_FILE": str(data / "alerts" / "alerts.jsonl"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{data / 'mlflow' / 'mlflow.db'}",
        "MLPLATFORM_SENSOR_INTERVAL_SECONDS": "1",
        "DO_NOT_TRACK": "1",
    }
    with dg.DagsterInstance.from_config(str(home)) as instance:
        live = LiveDaemon(home, data, env, instance)
        try:
            _start_code_server(live, location, attribute)
            live.start_daemon()
            yield live
        finally:
            for process in reversed(live.processes):
                _stop(process)
