"""Start `dagster dev` on 127.0.0.1 as a real process group and talk to it over GraphQL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
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


@contextmanager
def dagster_dev(
    root: Path, env: Mapping[str, str], log: Path, workspace: Path | None = None
) -> Iterator[int]:
    """`dagster dev -w <workspace>` from the repo root; yields the webserver port.

    Started in its own process group and stopped by that group's id only.
    """
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(root / ".venv/bin/dagster"), "dev", "-w", str(workspace or "workspace.yaml")]
            + ["-h", "127.0.0.1", "-p", str(port)],
            cwd=root,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: location_statuses(port), 120, "the webserver to answer")
            yield port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
