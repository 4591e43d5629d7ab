"""A live automation loop: one location's code server and a real `dagster-daemon` on 127.0.0.1
over a SQLite instance in a temp DAGSTER_HOME, with short sensor intervals. Nobody launches
runs: files are landed and the sensors, automation and schedules do the rest.

Used by tests/test_automation_live.py and bench/bench_automation.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from .dagster_processes import (
    code_server_serving,
    data_dir_env,
    free_port,
    stop_groups,
    wait_for,
)

TRIGGER_TAG = "mlplatform/trigger"


@dataclass
class LiveLoop:
    root: Path
    location: str
    home: Path
    env: dict[str, str]
    instance: dg.DagsterInstance
    daemon: subprocess.Popen

    @property
    def python(self) -> str:
        return str(self.root / "code_locations" / self.location / ".venv/bin/python")

    def land(self, rows: int, seed: int, drift: float = 0.0) -> Path:
        """Land a generated batch with the location's own CLI (atomic write); its path."""
        done = subprocess.run(
            [self.python, "-m", self.location, "land", "--rows", str(rows), "--seed", str(seed)]
            + ["--drift", str(drift)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return Path(done.stdout.strip().rsplit(" at ", 1)[1])

    def key(self, noun: str) -> dg.AssetKey:
        return dg.AssetKey([self.location, noun])

    def materializations(self, noun: str) -> list[dg.EventLogRecord]:
        """Materialization records of ``<location>/<noun>``, oldest first."""
        return list(
            self.instance.fetch_materializations(self.key(noun), limit=100, ascending=True).records
        )

    def runs(self) -> list[dg.DagsterRun]:
        return list(self.instance.get_runs())

    def wait_for_materialization(
        self, noun: str, after: float, timeout: float, trigger: str | None = None
    ) -> dg.EventLogRecord:
        """The first materialization of ``noun`` after ``after`` (epoch seconds), by a run the
        platform started for ``trigger`` if given; fails fast when a run of the loop fails."""
        run_tags = {TRIGGER_TAG: trigger} if trigger else {}

        def found() -> dg.EventLogRecord | None:
            self.raise_on_failed_run()
            for record in self.materializations(noun):
                if record.timestamp <= after:
                    continue
                run = self.instance.get_run_by_id(record.run_id)
                if run and all(run.tags.get(k) == v for k, v in run_tags.items()):
                    return record
            return None

        return wait_for(found, timeout, f"{self.location}/{noun} {run_tags or ''}", interval=0.5)

    def stop_daemon(self) -> None:
        """Stop the daemon: no sensor, schedule or automation launches anything more; runs
        already launched go on in the code server."""
        stop_groups([self.daemon])

    def raise_on_failed_run(self) -> None:
        failed = [r for r in self.runs() if r.status == dg.DagsterRunStatus.FAILURE]
        if failed:
            logs = "\n".join(
                e.message for e in self.instance.all_logs(failed[0].run_id) if e.message
            )
            raise AssertionError(f"run {failed[0].run_id} ({failed[0].job_name}) failed:\n{logs}")


def _workspace(home: Path, location: str, port: int) -> Path:
    path = home / "workspace.yaml"
    path.write_text(
        "load_from:\n  - grpc_server:\n"
        f"      host: 127.0.0.1\n      port: {port}\n      location_name: {location}\n"
    )
    return path


@contextmanager
def live_loop(
    root: Path, tmp: Path, location: str = "churn", sensor_interval: int = 5
) -> Iterator[LiveLoop]:
    """Start the location's code server (the production command, from its own venv) and
    `dagster-daemon run` (platform venv) over a fresh instance; stop both on exit."""
    home = tmp / "dagster_home"
    data = tmp / "data"
    home.mkdir(parents=True)
    shutil.copy(root / "scripts/dagster.local.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        **data_dir_env(data, home),
        "MLPLATFORM_SENSOR_INTERVAL_SECONDS": str(sensor_interval),
    }
    port = free_port()
    venv = root / "code_locations" / location / ".venv/bin"
    processes: list[subprocess.Popen] = []
    with (
        (home / "code_server.log").open("w") as server_log,
        (home / "daemon.log").open("w") as log,
    ):
        try:
            processes.append(
                subprocess.Popen(
                    [str(venv / "dagster"), "code-server", "start", "-h", "127.0.0.1"]
                    + ["-p", str(port), "-m", f"{location}.definitions", "-a", "defs"],
                    env=env,
                    cwd=root,
                    stdout=server_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            wait_for(lambda: code_server_serving(port), 120, f"{location} code server", 0.5)
            daemon = subprocess.Popen(
                [str(root / ".venv/bin/dagster-daemon"), "run", "-w"]
                + [str(_workspace(home, location, port))],
                env=env,
                cwd=root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(daemon)
            with dg.DagsterInstance.from_config(str(home)) as instance:
                yield LiveLoop(root, location, home, env, instance, daemon)
        finally:
            stop_groups(processes)
