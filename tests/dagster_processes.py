"""Start Dagster processes on 127.0.0.1 as real process groups and talk to them over GraphQL."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

LOCATION_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str, variables: Mapping | None = None) -> dict:
    body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def location_statuses(port: int) -> dict[str, tuple[str, str]]:
    """{location: (loadStatus, typename of its location or load error)}."""
    entries = graphql(port, LOCATION_QUERY)["data"]["workspaceOrError"]["locationEntries"]
    return {
        e["name"]: (e["loadStatus"], (e["locationOrLoadError"] or {}).get("__typename", ""))
        for e in entries
    }


def wait_for(predicate, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (urllib.error.URLError, ConnectionError, KeyError, TypeError) as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last_error})")


def code_server_serving(port: int) -> bool:
    """Whether the code server on 127.0.0.1:``port`` answers gRPC health checks as SERVING: what
    `dagster api grpc-health-check` asks, without starting a Python process (and importing
    Dagster, about 2 s of CPU) for every poll. Dagster's client prints the RPC error of every
    poll before the server is up; that goes nowhere."""
    from dagster._grpc.client import DagsterGrpcClient

    with contextlib.redirect_stdout(io.StringIO()):
        status = DagsterGrpcClient(port=port, host="127.0.0.1").health_check_query()
    return status == "SERVING"


def start_group(
    command: list[str], *, env: Mapping[str, str], cwd: Path, log: Path
) -> subprocess.Popen:
    """Start ``command`` as the leader of a new process group, output appended to ``log``."""
    with log.open("a") as out:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


GRACE_SECONDS = 10.0  # what `docker stop` gives a container before SIGKILL


def stop_groups(processes: Sequence[subprocess.Popen], grace: float = GRACE_SECONDS) -> list[int]:
    """Stop the process groups ``processes`` lead (started here), by their ids only, all at once:
    SIGTERM to every group, then SIGKILL to any still running after ``grace`` seconds, as
    `docker stop` does. Returns the pids that needed SIGKILL.

    Members still alive once a leader has exited (a code server that `dagster dev` started
    while shutting down) are killed with its group right after.
    """
    running = [p for p in processes if p.poll() is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed = []
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            killed.append(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return killed


def stop_group(process: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """Stop one process group started here (see ``stop_groups``)."""
    stop_groups([process], grace)


LAUNCH_RUN_MUTATION = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
    __typename ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message } ... on InvalidSubsetError { message }
} }
"""
RUN_STATUS_QUERY = """
query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }
"""
RELOAD_LOCATION_MUTATION = """
mutation($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename ... on WorkspaceLocationEntry { loadStatus }
} }
"""


def launch_assets(port: int, location: str, keys: list[list[str]]) -> str:
    """Launch a run of ``keys`` from the location's implicit asset job, as the UI's
    "Materialize" on selected assets does; the run id."""
    selector = {
        "repositoryLocationName": location,
        "repositoryName": "__repository__",
        "jobName": "__ASSET_JOB",
        "assetSelection": [{"path": key} for key in keys],
    }
    params = {"selector": selector, "runConfigData": {}}
    answer = graphql(port, LAUNCH_RUN_MUTATION, {"params": params})["data"]["launchRun"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    return answer["run"]["runId"]


def materialize_all(port: int, location: str) -> str:
    """What the UI's "Materialize all" does for an unpartitioned location; the run id."""
    from dagster_graphql import DagsterGraphQLClient

    client = DagsterGraphQLClient("127.0.0.1", port_number=port)
    return client.submit_job_execution(
        "__ASSET_JOB", repository_location_name=location, repository_name="__repository__"
    )


def run_status(port: int, run_id: str) -> str:
    return graphql(port, RUN_STATUS_QUERY, {"id": run_id})["data"]["runOrError"]["status"]


def wait_for_runs(port: int, run_ids: list[str], timeout: float) -> dict[str, str]:
    """{run id: final status} once every run has finished (SUCCESS, FAILURE or CANCELED)."""

    def finished() -> dict[str, str] | None:
        states = {run_id: run_status(port, run_id) for run_id in run_ids}
        done = all(s in ("SUCCESS", "FAILURE", "CANCELED") for s in states.values())
        return states if done else None

    return wait_for(finished, timeout, f"runs {run_ids} to finish", interval=2)


def reload_location(port: int, name: str) -> str:
    """What the UI's "Reload" on a code location does; the entry's load status."""
    answer = graphql(port, RELOAD_LOCATION_MUTATION, {"name": name})["data"]
    return answer["reloadRepositoryLocation"].get("loadStatus", "")


@contextmanager
def dagster_dev(
    root: Path, env: Mapping[str, str], log: Path, workspace: Path | None = None
) -> Iterator[int]:
    """`dagster dev -w <workspace>` from the repo root; yields the webserver port.

    Started in its own process group and stopped by that group's id only.
    """
    port = free_port()
    log.write_text("")
    process = start_group(
        [str(root / ".venv/bin/dagster"), "dev", "-w", str(workspace or "workspace.yaml")]
        + ["-h", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env},
        cwd=root,
        log=log,
    )
    try:
        wait_for(lambda: location_statuses(port), 120, "the webserver to answer")
        yield port
    finally:
        stop_group(process)


BACKFILL_MUTATION = """
mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
    __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
} }
"""
BACKFILL_QUERY = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill {
    status runs(limit: 10) { runId status }
} } }
"""


def launch_backfill(
    port: int, location: str, days: list[str], nouns: Sequence[str] = ("raw_data",)
) -> str:
    """What the UI does for "Materialize" over a date range of the location's ``nouns``."""
    params = {
        "partitionNames": days,
        "assetSelection": [{"path": [location, noun]} for noun in nouns],
        "fromFailure": False,
    }
    answer = graphql(port, BACKFILL_MUTATION, {"params": params})["data"][
        "launchPartitionBackfill"
    ]
    assert answer["__typename"] == "LaunchBackfillSuccess", answer
    return answer["backfillId"]


SENSORS_QUERY = """
query($selector: RepositorySelector!) { sensorsOrError(repositorySelector: $selector) {
    ... on Sensors { results { name jobOriginId sensorState { selectorId status } } }
} }
"""
STOP_SENSOR_MUTATION = """
mutation($origin: String!, $selector: String!) {
    stopSensor(jobOriginId: $origin, jobSelectorId: $selector) { __typename }
}
"""


def stop_sensors(port: int, location: str) -> list[str]:
    """Switch off every sensor of ``location``, as the UI's toggles do; the names stopped."""
    selector = {"repositoryName": "__repository__", "repositoryLocationName": location}
    sensors = graphql(port, SENSORS_QUERY, {"selector": selector})["data"]["sensorsOrError"]
    stopped = []
    for sensor in sensors["results"]:
        selector_id = sensor["sensorState"]["selectorId"]
        variables = {"origin": sensor["jobOriginId"], "selector": selector_id}
        graphql(port, STOP_SENSOR_MUTATION, variables)
        stopped.append(sensor["name"])
    return stopped


@contextmanager
def quiet_location(root: Path, tmp: Path, location: str) -> Iterator[tuple[int, dict[str, str]]]:
    """`dagster dev` over ``location`` alone, on the local instance config and data under
    ``tmp/data``, with its sensors switched off once it is loaded (so only what the caller
    launches runs); yields the port and the environment the location's processes see."""
    from tests.projects import local_workspace

    home = tmp / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((root / "scripts/dagster.local.yaml").read_text())
    workspace = tmp / "workspace.yaml"
    workspace.write_text(local_workspace([location]))
    env = {**data_dir_env(tmp / "data", home), "MLPLATFORM_SENSOR_INTERVAL_SECONDS": "3600"}
    with dagster_dev(root, env, tmp / "dagster-dev.log", workspace) as port:
        loaded = lambda: location_statuses(port).get(location, ("",))[0] == "LOADED"  # noqa: E731
        wait_for(loaded, 180, f"{location} to load")
        stop_sensors(port, location)
        yield port, env


def data_dir_env(data: Path, dagster_home: Path) -> dict[str, str]:
    """The variables scripts/env.sh sets, for a Dagster instance in ``dagster_home`` and every
    data path under ``data`` (the layout of ``resources_for_dir`` in mlplatform.orchestration)."""
    return {
        "DAGSTER_HOME": str(dagster_home),
        "MLPLATFORM_LANDING_DIR": str(data / "landing"),
        "MLPLATFORM_ASSET_DIR": str(data / "assets"),
        "MLPLATFORM_REPORT_DIR": str(data / "reports"),
        "MLPLATFORM_LOCK_DIR": str(data / "locks"),
        "MLPLATFORM_ALERT_FILE": str(data / "alerts" / "alerts.jsonl"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{data / 'mlflow' / 'mlflow.db'}",
        "DO_NOT_TRACK": "1",
    }
