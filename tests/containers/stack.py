"""The compose stack of docker/ as the container tests run it: one compose project with its own
env file (a generated password, the socket's group, free ports on 127.0.0.1, short sensor
intervals), reached through the published webserver and MLflow ports.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..conftest import ROOT
from ..dagster_processes import free_port, location_statuses, wait_for
from ..projects import host_name
from .engine import EngineError, compose_command, containers, docker, exists, health, inspect, run

COMPOSE_FILE = ROOT / "docker" / "docker-compose.yml"
PROJECT = "mlplatformtest"
# Names the compose file fixes (run containers join them by name), so one engine holds one.
NETWORK = "mlplatform"
DATA_VOLUME = "mlplatform-data"
RUN_USER = "10001:10001"
LOADED = ("LOADED", "RepositoryLocation")
# Passed on to compose when set: which base images the images were built on (docker/base).
BASE_IMAGE_VARIABLES = ("MLPLATFORM_PYTHON_IMAGE", "MLPLATFORM_POSTGRES_IMAGE")


@dataclass
class Figures:
    """Measured figures, kept in one JSON file that scripts/test-containers.sh prints."""

    path: Path
    values: dict[str, object] = field(default_factory=dict)

    def record(self, key: str, value: object) -> None:
        existing = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.values[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({**existing, key: value}, indent=2) + "\n")


@dataclass
class Stack:
    env_file: Path
    locations: list[str]
    daily: list[str]
    webserver_port: int
    mlflow_port: int
    tag: str
    prefix: str = "mlplatform"

    @property
    def services(self) -> list[str]:
        hosts = [host_name(name) for name in self.locations]
        return ["postgres", "mlflow", *hosts, "webserver", "daemon"]

    def compose(self, *args: str, timeout: float = 300) -> str:
        command = [*compose_command(), "-p", PROJECT, "--env-file", str(self.env_file)]
        return run([*command, "-f", str(COMPOSE_FILE), *args], timeout=timeout)

    def container(self, service: str) -> str:
        [container] = self.compose("ps", "-q", service).split()
        return container

    def image(self, location: str) -> str:
        return f"{self.prefix}/{location}:{self.tag}"

    def exec(self, location: str, *command: str) -> str:
        return docker("exec", self.container(host_name(location)), *command)

    def land(self, location: str, day: str | None, seed: int = 1) -> str:
        """A batch landed by the location's own CLI in its container, as the README shows."""
        command = ["python", "-m", location, "land", "--rows", "2000", "--seed", str(seed)]
        return self.exec(location, *command, *(["--date", day] if day else []))

    def statuses(self) -> dict[str, tuple[str, str]]:
        return location_statuses(self.webserver_port)

    def mlflow(self, path: str, **params: str) -> dict:
        """GET from the MLflow server's REST API on its published port."""
        query = urllib.parse.urlencode(params)
        url = f"http://127.0.0.1:{self.mlflow_port}/api/2.0/mlflow/{path}?{query}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def healthy(self) -> bool:
        """Every service runs and passes its healthcheck (a service without one: runs)."""
        for service in self.services:
            state = inspect(self.container(service))["State"]
            if not state["Running"] or health(self.container(service)) not in ("healthy", "none"):
                return False
        return True

    def run_containers(self) -> list[str]:
        """Every container started from one of this stack's location images (runs)."""
        found: list[str] = []
        for location in self.locations:
            if exists("image", self.image(location)):
                found += containers(f"ancestor={self.image(location)}")
        services = set(self.compose("ps", "-q").split())
        return [c for c in dict.fromkeys(found) if c not in services]


def env_file(path: Path, tag: str, webserver_port: int, mlflow_port: int) -> Path:
    """The stack's docker/.env: nothing here is a secret outside this test."""
    socket = os.stat("/var/run/docker.sock") if os.path.exists("/var/run/docker.sock") else None
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "DOCKER_GID": str(socket.st_gid if socket and stat.S_ISSOCK(socket.st_mode) else 0),
        "MLPLATFORM_IMAGE_TAG": tag,
        "MLPLATFORM_SENSOR_INTERVAL_SECONDS": "5",
        "DAGSTER_UI_PORT": str(webserver_port),
        "MLFLOW_UI_PORT": str(mlflow_port),
        "MLPLATFORM_MLFLOW_UI_URL": f"http://127.0.0.1:{mlflow_port}",
    }
    values |= {k: os.environ[k] for k in BASE_IMAGE_VARIABLES if os.environ.get(k)}
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    path.chmod(0o600)
    return path


def new_stack(tmp: Path, locations: list[str], daily: list[str]) -> Stack:
    tag = os.environ.get("MLPLATFORM_IMAGE_TAG", "containertest")
    ports = free_port(), free_port()
    return Stack(env_file(tmp / ".env", tag, *ports), locations, daily, *ports, tag=tag)


def refuse_foreign_deployment() -> None:
    """The network and data volume have fixed names: never take over another deployment's
    (leftovers of this suite's own project, from an interrupted session, are fine)."""
    for kind, name in (("network", NETWORK), ("volume", DATA_VOLUME)):
        if not exists(kind, name):
            continue
        labels = inspect_kind(kind, name).get("Labels") or {}
        owner = labels.get("com.docker.compose.project")
        assert owner == PROJECT, (
            f"this engine already has the {kind} {name!r} (compose project {owner!r}): the "
            "suite would share it with that deployment; run it on another engine"
        )


def inspect_kind(kind: str, name: str) -> dict:
    [found] = json.loads(docker(kind, "inspect", name))
    return found


def start(stack: Stack, figures: Figures) -> None:
    """`up -d`, then wait until every service is healthy and every location LOADED."""
    started = time.monotonic()
    stack.compose("up", "-d", timeout=900)
    wait_for(stack.healthy, 300, "every service healthy", interval=1)
    figures.record("up_to_all_healthy_s", round(time.monotonic() - started, 1))
    wait_for(
        lambda: all(stack.statuses().get(n) == LOADED for n in stack.locations),
        180,
        "every location LOADED in the webserver",
    )
    figures.record("up_to_all_loaded_s", round(time.monotonic() - started, 1))


def stop(stack: Stack) -> None:
    """Remove the run containers (they hold the data volume), then `down -v`: nothing of the
    stack is left, including its volumes and network."""
    leftovers = stack.run_containers()
    if leftovers:
        docker("rm", "-f", *leftovers)
    stack.compose("down", "-v", "--remove-orphans", timeout=300)
    for kind, name in (("network", NETWORK), ("volume", DATA_VOLUME)):
        if exists(kind, name):
            raise EngineError(f"`down -v` left the {kind} {name}")
