"""The production topology as real processes on 127.0.0.1: a real PostgreSQL, the MLflow tracking
server, one code server per location, the webserver and the daemon, each started with the
command its container runs (the CMD of its Dockerfile, or `command:` in docker-compose.yml) and
the image's ENV plus the compose environment, from the environment built from the same lock:
docker/mlflow/.venv, code_locations/<p>/.venv, and .venv for webserver and daemon (whose pins
docker/dagster/requirements.lock repeats; test_static checks).

What differs from the containers, all because there is no Docker engine here:
- the run launcher: DefaultRunLauncher instead of DockerRunLauncher, the only change to
  docker/dagster.yaml. A run is then a process the location's code server starts in the
  location's environment, instead of a container of the location's image;
- addresses: 127.0.0.1 and free ports instead of service names and fixed ports, through the
  variables the commands read (DAGSTER_CODE_SERVER_HOST/PORT, DAGSTER_WEBSERVER_HOST/PORT,
  MLFLOW_HOST/PORT) and in the workspace file's hosts and ports;
- paths: temporary directories instead of the /data and /mlflow/artifacts volumes.
The platform's sensors and schedules are stopped through the UI's mutations before the daemon
starts, so the only runs are the ones this test launches (automation has its own live tests);
that also puts their state in Postgres.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ..conftest import ROOT
from ..dagster_processes import (
    BACKFILL_QUERY,
    free_port,
    graphql,
    launch_assets,
    launch_backfill,
    location_statuses,
    materialize_all,
    reload_location,
    run_status,
    start_group,
    stop_group,
    stop_groups,
    wait_for,
    wait_for_runs,
)
from ..projects import is_daily, project_names
from .conftest import DAGSTER_DB, MLFLOW_DB, Postgres, compose, runtime_env
from .images import ImageRuntime, image_runtime

pytestmark = [pytest.mark.deployment, pytest.mark.slow]

DOCKER = ROOT / "docker"
LOCATIONS = project_names(ROOT)
DAY = "2026-03-01"
CODE_VERSION = "deploytest-0001"
LOADED = ("LOADED", "RepositoryLocation")

INSTIGATORS_QUERY = """
{ repositoriesOrError { ... on RepositoryConnection { nodes {
    sensors { name sensorState { id status } }
    schedules { name scheduleState { id status } }
} } } }
"""
STOP_SENSOR = "mutation($id: String!) { stopSensor(id: $id) { __typename } }"
STOP_SCHEDULE = "mutation($id: String!) { stopRunningSchedule(id: $id) { __typename } }"


def _image(location: str) -> str:
    return f"mlplatform/{location}:deploytest"


def _command(runtime_cmd: list[str], venv: Path) -> list[str]:
    """The container's command, its executable from ``venv`` (PATH=/opt/venv/bin:$PATH there)."""
    return [str(venv / "bin" / runtime_cmd[0]), *runtime_cmd[1:]]


def _process_env(runtime: ImageRuntime, venv: Path, home: Path, **extra: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    image_env = {k: v for k, v in runtime.env.items() if k != "PATH"}
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **image_env,
        **extra,
    }


@dataclass
class Stack:
    tmp: Path
    postgres: Postgres
    mlflow_uri: str
    webserver_port: int = 0
    code_ports: dict[str, int] = field(default_factory=dict)
    code_envs: dict[str, dict[str, str]] = field(default_factory=dict)
    daily: list[str] = field(default_factory=list)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    stopped_instigators: int = 0

    def log(self, name: str) -> Path:
        return self.tmp / "logs" / f"{name}.log"

    def temp(self, location: str) -> Path:
        folder = self.tmp / "temp" / location
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        self.processes[name] = start_group(command, env=env, cwd=cwd, log=self.log(name))

    def start_code_server(self, location: str) -> None:
        runtime = self.code_runtime(location)
        venv = ROOT / "code_locations" / location / ".venv"
        self.start(
            location, _command(runtime.cmd, venv), self.code_envs[location], self.tmp / location
        )

    def code_runtime(self, location: str) -> ImageRuntime:
        build_args = {
            "LOCATION": location,
            "IMAGE": _image(location),
            "CODE_VERSION": CODE_VERSION,
        }
        return image_runtime(DOCKER / "code_location.Dockerfile", build_args)

    def healthy(self, location: str) -> bool:
        """The code servers' compose healthcheck, run in the code server's environment."""
        kind, *check = compose()["x-code-location"]["healthcheck"]["test"]
        assert kind == "CMD", kind
        env = self.code_envs[location]
        return subprocess.run(check, env=env, capture_output=True).returncode == 0

    def statuses(self) -> dict[str, tuple[str, str]]:
        return location_statuses(self.webserver_port)

    def tail(self, *names: str) -> str:
        return "\n".join(f"--- {n}\n{self.log(n).read_text()[-3000:]}" for n in names)


def _wait_http(url: str, timeout: float, what: str) -> None:
    def answers() -> bool:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200

    wait_for(answers, timeout, what, interval=0.5)


def _instance_config(workdir: Path) -> Path:
    """docker/dagster.yaml with the DefaultRunLauncher: the one substitution (no engine)."""
    config = yaml.safe_load((DOCKER / "dagster.yaml").read_text())
    production = dict(config)
    config["run_launcher"] = {"module": "dagster._core.launcher", "class": "DefaultRunLauncher"}
    assert [k for k in config if config[k] != production[k]] == ["run_launcher"]
    home = workdir / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home


def _workspace(workdir: Path, ports: dict[str, int]) -> None:
    """docker/workspace.yaml with each location's service host and port mapped to 127.0.0.1."""
    workspace = yaml.safe_load((DOCKER / "workspace.yaml").read_text())
    for entry in workspace["load_from"]:
        server = entry["grpc_server"]
        server.update(host="127.0.0.1", port=ports[server["location_name"]])
    (workdir / "workspace.yaml").write_text(yaml.safe_dump(workspace))


def _stop_automation(port: int) -> int:
    """Stop every sensor and schedule, as the UI's toggles do; how many were running."""
    nodes = graphql(port, INSTIGATORS_QUERY)["data"]["repositoriesOrError"]["nodes"]
    stopped = 0
    for node in nodes:
        for sensor in node["sensors"]:
            if sensor["sensorState"]["status"] == "RUNNING":
                graphql(port, STOP_SENSOR, {"id": sensor["sensorState"]["id"]})
                stopped += 1
        for schedule in node["schedules"]:
            if schedule["scheduleState"]["status"] == "RUNNING":
                graphql(port, STOP_SCHEDULE, {"id": schedule["scheduleState"]["id"]})
                stopped += 1
    return stopped


def _land(stack: Stack, location: str) -> None:
    python = ROOT / "code_locations" / location / ".venv/bin/python"
    command = [str(python), "-m", location, "land", "--rows", "2000", "--seed", "1"]
    command += ["--date", DAY] if location in stack.daily else []
    subprocess.run(command, env=stack.code_envs[location], check=True, capture_output=True)


@pytest.fixture(scope="module")
def stack(postgres, deployment_tools, tmp_path_factory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("topology")
    (tmp / "logs").mkdir()
    mlflow_port = free_port()
    stack = Stack(tmp=tmp, postgres=postgres, mlflow_uri=f"http://127.0.0.1:{mlflow_port}")
    stack.daily = [name for name in LOCATIONS if is_daily(ROOT, name)]
    shared = runtime_env(postgres, tmp / "data", stack.mlflow_uri)
    timings: dict[str, float] = {}
    try:
        mlflow = image_runtime(DOCKER / "mlflow.Dockerfile", {})
        venv = DOCKER / "mlflow/.venv"
        env = _process_env(
            mlflow,
            venv,
            tmp / "home-mlflow",
            MLFLOW_HOST="127.0.0.1",
            MLFLOW_PORT=str(mlflow_port),
            MLFLOW_ARTIFACTS_DESTINATION=str(tmp / "mlflow-artifacts"),
            MLFLOW_BACKEND_STORE_URI=postgres.url(MLFLOW_DB),
        )
        started = time.monotonic()
        stack.start("mlflow", _command(mlflow.cmd, venv), env, tmp / "home-mlflow")
        for location in LOCATIONS:
            stack.code_ports[location] = free_port()
            stack.code_envs[location] = _process_env(
                stack.code_runtime(location),
                ROOT / "code_locations" / location / ".venv",
                tmp / f"home-{location}",
                **shared,
                DAGSTER_CODE_SERVER_HOST="127.0.0.1",
                DAGSTER_CODE_SERVER_PORT=str(stack.code_ports[location]),
                # The container's /tmp: its own, to see what the runs leave there.
                TMPDIR=str(stack.temp(location)),
            )
            stack.start_code_server(location)
        for location in LOCATIONS:
            wait_for(partial(stack.healthy, location), 180, f"{location} code server", 0.5)
            timings[f"code_server_{location}_healthy_s"] = time.monotonic() - started
        _wait_http(f"{stack.mlflow_uri}/health", 180, "the MLflow server")
        timings["mlflow_server_health_s"] = time.monotonic() - started
        for location in LOCATIONS:
            _land(stack, location)

        workdir = tmp / "dagster"
        home = _instance_config(workdir)
        _workspace(workdir, stack.code_ports)
        dagster = image_runtime(DOCKER / "dagster.Dockerfile", {})
        stack.webserver_port = free_port()
        env = _process_env(
            dagster,
            ROOT / ".venv",
            tmp / "home-dagster",
            **shared,
            DAGSTER_HOME=str(home),
            DAGSTER_WEBSERVER_HOST="127.0.0.1",
            DAGSTER_WEBSERVER_PORT=str(stack.webserver_port),
        )
        started = time.monotonic()
        stack.start("webserver", _command(dagster.cmd, ROOT / ".venv"), env, workdir)
        wait_for(
            lambda: all(stack.statuses().get(n) == LOADED for n in LOCATIONS),
            180,
            "every location LOADED in the webserver",
        )
        timings["webserver_all_loaded_s"] = time.monotonic() - started
        stack.stopped_instigators = _stop_automation(stack.webserver_port)
        daemon = compose()["services"]["daemon"]["command"]
        stack.start("daemon", _command(daemon, ROOT / ".venv"), env, workdir)
        print("startup timings:", json.dumps({k: round(v, 1) for k, v in timings.items()}))
        yield stack
    finally:
        stop_groups(list(stack.processes.values()))


def _mlflow(stack: Stack, path: str, **params: str) -> dict:
    url = f"{stack.mlflow_uri}/api/2.0/mlflow/{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _run_record(stack: Stack, run_id: str) -> dg.DagsterRun:
    [(status, body)] = stack.postgres.query(
        DAGSTER_DB, "SELECT status, run_body FROM runs WHERE run_id = %s", (run_id,)
    )
    run = dg.deserialize_value(body, dg.DagsterRun)
    assert run.status.value == status
    return run


def _materializations(stack: Stack, run_id: str) -> int:
    [(count,)] = stack.postgres.query(
        DAGSTER_DB,
        "SELECT count(*) FROM event_logs WHERE run_id = %s"
        " AND dagster_event_type = 'ASSET_MATERIALIZATION'",
        (run_id,),
    )
    return count


def _finished_backfill(port: int, backfill: str) -> dict:
    """The backfill's status and runs once it is no longer REQUESTED."""
    return wait_for(
        lambda: (
            (s := graphql(port, BACKFILL_QUERY, {"id": backfill})["data"])
            and s["partitionBackfillOrError"]["status"] != "REQUESTED"
            and s["partitionBackfillOrError"]
        ),
        300,
        "the backfill",
        interval=2,
    )


def test_every_location_runs_on_postgres_and_the_mlflow_server(
    stack: Stack, record_testsuite_property
):
    assert {n: stack.statuses()[n] for n in LOCATIONS} == {n: LOADED for n in LOCATIONS}
    port = stack.webserver_port
    trained = [n for n in LOCATIONS if n not in stack.daily]
    runs = {n: materialize_all(port, n) for n in trained}
    backfills = {n: launch_backfill(port, n, [DAY]) for n in stack.daily}
    started = time.monotonic()
    states = wait_for_runs(port, list(runs.values()), 600)
    filled = {n: _finished_backfill(port, backfill) for n, backfill in backfills.items()}
    record_testsuite_property("chain_runs_s", round(time.monotonic() - started, 1))
    logs = stack.tail("daemon", *LOCATIONS)
    assert set(states.values()) == {"SUCCESS"}, logs
    assert {n: f["status"] for n, f in filled.items()} == dict.fromkeys(
        stack.daily, "COMPLETED_SUCCESS"
    ), logs
    for name, backfill in filled.items():
        [daily_run] = backfill["runs"]
        runs[name] = daily_run["runId"]

    # Runs, their event logs and the instigator state live in Postgres, and every run records
    # the image its location's code server announced: what DockerRunLauncher would start.
    for location, run_id in runs.items():
        run = _run_record(stack, run_id)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.job_code_origin.repository_origin.container_image == _image(location)
        assert _materializations(stack, run_id) >= 1, location
    assert stack.stopped_instigators > 0, "the platform defines sensors and schedules"
    [(stopped,)] = stack.postgres.query(
        DAGSTER_DB, "SELECT count(*) FROM instigators WHERE status = 'STOPPED'"
    )
    assert stopped == stack.stopped_instigators
    assert stack.postgres.query(DAGSTER_DB, "SELECT daemon_type FROM daemon_heartbeats")

    # Each trained model is a version in the server's registry, with lineage from the image.
    for location in trained:
        found = _mlflow(stack, "model-versions/search", filter=f"name='{location}'")
        [version] = found["model_versions"]
        tags = {t["key"]: t["value"] for t in version.get("tags", [])}
        assert version["source"].startswith(("mlflow-artifacts:", "models:/")), version
        run = _mlflow(stack, "runs/get", run_id=version["run_id"])["run"]
        run_tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
        assert run_tags["dagster_run_id"] == runs[location]
        assert CODE_VERSION in {*tags.values(), *run_tags.values()}
        assert run["info"]["status"] == "FINISHED"
    assert any((stack.tmp / "mlflow-artifacts").rglob("MLmodel")), "artifacts not proxied"
    # Scoring and promotion load models from the server; no copy is left behind.
    assert not [str(p) for n in LOCATIONS for p in stack.temp(n).rglob("MLmodel")]


def test_a_restarted_code_server_comes_back_without_restarting_webserver_or_daemon(
    stack: Stack, record_testsuite_property
):
    """Kill one code server: the others stay LOADED and runnable. Start it again with the same
    command: it is LOADED and runnable again while webserver and daemon keep running
    (dagster #32216 is about this recovery; what happened is recorded as test properties)."""
    port = stack.webserver_port
    victim, others = "churn", [n for n in LOCATIONS if n != "churn"]
    webserver, daemon = stack.processes["webserver"], stack.processes["daemon"]

    stop_group(stack.processes[victim])
    killed = time.monotonic()
    wait_for(
        lambda: stack.statuses()[victim] != LOADED, 120, f"the webserver to notice {victim} down"
    )
    record_testsuite_property("down_noticed_s", round(time.monotonic() - killed, 1))
    assert {n: stack.statuses()[n] for n in others} == {n: LOADED for n in others}
    during = launch_assets(port, "vehicle_pricing", [["vehicle_pricing", "raw_data"]])
    assert wait_for_runs(port, [during], 180) == {during: "SUCCESS"}, stack.tail("daemon")

    restarted = time.monotonic()
    stack.start_code_server(victim)
    wait_for(lambda: stack.healthy(victim), 180, f"{victim} code server to restart", 0.5)
    record_testsuite_property("restart_healthy_s", round(time.monotonic() - restarted, 1))
    try:
        wait_for(lambda: stack.statuses()[victim] == LOADED, 60, f"{victim} LOADED by itself")
        recovered_by = "webserver watch thread"
    except TimeoutError:
        assert reload_location(port, victim) == "LOADED"
        recovered_by = "reloadRepositoryLocation mutation"
    record_testsuite_property("webserver_recovered_by", recovered_by)
    record_testsuite_property(
        "webserver_loaded_after_restart_s", round(time.monotonic() - restarted, 1)
    )
    assert {n: stack.statuses()[n] for n in LOCATIONS} == {n: LOADED for n in LOCATIONS}

    # The daemon dequeues and launches through its own workspace: a run of the restarted
    # location shows whether the daemon reconnected.
    queued_at = time.monotonic()
    after = launch_assets(port, victim, [[victim, "raw_data"]])
    wait_for(lambda: run_status(port, after) != "QUEUED", 180, "the daemon to dequeue the run")
    record_testsuite_property("daemon_dequeued_after_s", round(time.monotonic() - queued_at, 1))
    assert wait_for_runs(port, [after], 180) == {after: "SUCCESS"}, stack.tail("daemon", victim)
    assert _materializations(stack, after) == 1
    assert webserver.poll() is None and daemon.poll() is None, "webserver/daemon restarted"
    record_testsuite_property("kill_to_runnable_s", round(time.monotonic() - killed, 1))
