"""Cold start of each location's code server, and of the webserver over the whole workspace.

Each code server runs the production command (`dagster code-server start`) from the location's
own environment; "ready" means its definitions answer over gRPC (`list_repositories`), not just
that the port is open. Baseline: an empty location (one asset, no resources) started the same way
from the same interpreter, same run: Dagster's own floor for that command, which starts two
processes. Target: at the floor (<= 1.1x, within noise). `import dagster` is shown for scale.
Run with the platform interpreter from the repo root: .venv/bin/python bench/bench_code_servers.py
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml
from dagster._grpc.client import DagsterGrpcClient
from figures import figure

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3
LOCATIONS_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # not serving yet: connection refused, still loading, ...
            pass
        time.sleep(0.05)
    raise TimeoutError("not ready in time")


def _timed_process(command: list[str], ready, env: dict | None = None) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _until(ready, 180)
        return time.perf_counter() - start
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


EMPTY_LOCATION = """
import dagster as dg


@dg.asset
def one() -> None:
    return None


defs = dg.Definitions(assets=[one])
"""


def server_ready(python: str, module: str, server: list[str], env: dict | None = None) -> float:
    """``server`` is ``["code-server", "start"]`` (production: a supervisor process plus a
    child that loads the code) or ``["api", "grpc"]`` (one process)."""
    port = _port()
    client = DagsterGrpcClient(port=port, host="127.0.0.1")
    command = [python, "-m", "dagster", *server, "-h", "127.0.0.1", "-p", str(port)]
    command += ["-m", module, "-a", "defs"]
    return _timed_process(command, lambda: client.list_repositories() is not None, env)


def webserver_all_loaded(names: list[str]) -> float:
    port = _port()

    def loaded() -> bool:
        body = json.dumps({"query": LOCATIONS_QUERY}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            entries = json.loads(response.read())["data"]["workspaceOrError"]["locationEntries"]
        return sorted(e["name"] for e in entries if e["loadStatus"] == "LOADED") == sorted(names)

    with tempfile.TemporaryDirectory() as home:
        command = [str(ROOT / ".venv/bin/dagster-webserver"), "-w", "workspace.yaml"]
        command += ["-h", "127.0.0.1", "-p", str(port)]
        return _timed_process(command, loaded, env={"DAGSTER_HOME": home})


def main() -> None:
    entries = [
        e["python_module"]
        for e in yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    ]
    empty_dir = tempfile.TemporaryDirectory()
    (Path(empty_dir.name) / "empty_location.py").write_text(EMPTY_LOCATION)
    empty_env = {"PYTHONPATH": empty_dir.name}
    start = ["code-server", "start"]
    for entry in entries:
        name, module = entry["location_name"], entry["module_name"]
        python = str(ROOT / entry["executable_path"])
        figures: dict[str, list[float]] = {"base": [], "defs": [], "empty": [], "server": []}
        for _ in range(REPEATS):  # interleaved, so machine noise hits every figure alike
            figures["base"].append(_seconds([python, "-c", "import dagster"]))
            figures["defs"].append(_seconds([python, "-c", f"import {module}"]))
            figures["empty"].append(server_ready(python, "empty_location", start, empty_env))
            figures["server"].append(server_ready(python, module, start))
        base, defs, empty, cold = (statistics.median(figures[k]) for k in figures)
        print(
            f"{name:<16} code-server start ready {cold:.2f} s, empty location {empty:.2f} s; "
            f"import dagster {base:.2f} s, import definitions {defs:.2f} s (median of {REPEATS})"
        )
        figure(f"{name} code server ready vs an empty location's", cold, empty, 1.1)
    empty_dir.cleanup()
    base = statistics.median(_seconds([sys.executable, "-c", "import dagster"]) for _ in range(3))
    names = [e["location_name"] for e in entries]
    loaded = statistics.median(webserver_all_loaded(names) for _ in range(REPEATS))
    print(f"webserver: all {len(names)} locations LOADED in {loaded:.2f} s (median of {REPEATS})")
    figure(f"webserver, all {len(names)} locations loaded, vs import dagster", loaded, base, None)


if __name__ == "__main__":
    main()
