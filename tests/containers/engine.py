"""The Docker engine and compose, through their command lines: what the container tests start,
inspect and stop. Compose is `docker compose` (v2) when the engine's CLI has it, else
`docker-compose` (v1); both read docker/docker-compose.yml the same way.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Sequence

# The classic builder: BuildKit would pull a frontend image, and some engines have no buildx.
BUILD_ENV = {"DOCKER_BUILDKIT": "0", "COMPOSE_DOCKER_CLI_BUILD": "0"}


class EngineError(RuntimeError):
    """A docker or compose command failed; the message carries its output."""


def run(command: Sequence[str], timeout: float = 120) -> str:
    """Run ``command`` with the build settings above; its stdout, or EngineError."""
    done = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **BUILD_ENV},
    )
    if done.returncode != 0:
        raise EngineError(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr[-3000:]}")
    return done.stdout


def engine_answers() -> bool:
    try:
        run(["docker", "info"], timeout=30)
    except (EngineError, FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return True


@functools.cache
def compose_command() -> tuple[str, ...]:
    """``docker compose`` if the CLI has the v2 plugin, else ``docker-compose`` (v1)."""
    try:
        run(["docker", "compose", "version"], timeout=30)
    except EngineError:
        return ("docker-compose",)
    return ("docker", "compose")


def docker(*args: str, timeout: float = 120) -> str:
    return run(["docker", *args], timeout=timeout)


def inspect(name: str) -> dict:
    """``docker inspect`` of one container, image, network or volume."""
    [found] = json.loads(docker("inspect", name))
    return found


def exists(kind: str, name: str) -> bool:
    """Whether a ``kind`` (network, volume, image) called ``name`` exists."""
    try:
        docker(kind, "inspect", name)
    except EngineError:
        return False
    return True


def containers(*filters: str, running_only: bool = False) -> list[str]:
    """Ids of the containers matching every ``docker ps --filter`` given."""
    args = ["ps", "-q", "--no-trunc"] + ([] if running_only else ["-a"])
    for condition in filters:
        args += ["--filter", condition]
    return docker(*args).split()


def run_container(run_id: str) -> dict | None:
    """The container the DockerRunLauncher started for a Dagster run (it labels each one)."""
    found = containers(f"label=dagster/run_id={run_id}")
    assert len(found) <= 1, f"run {run_id} has {len(found)} containers"
    return inspect(found[0]) if found else None


def health(container: str) -> str:
    """The container's health (``healthy``, ``starting``, ...) or ``none`` without a check."""
    state = inspect(container)["State"]
    return state.get("Health", {}).get("Status", "none")


def image_size_mb(image: str) -> int:
    return round(inspect(image)["Size"] / 1e6)


_UNITS = {"B": 1e-6, "kB": 1e-3, "MB": 1.0, "GB": 1e3}


def image_unique_mb(image: str) -> int:
    """MB of the image's layers that no other image shares (`docker system df -v`)."""
    repository, tag = image.rsplit(":", 1)
    rows = json.loads(docker("system", "df", "-v", "--format", "{{json .Images}}"))
    [row] = [r for r in rows if (r["Repository"], r["Tag"]) == (repository, tag)]
    number, unit = re.fullmatch(r"([0-9.]+)([kMG]?B)", row["UniqueSize"]).groups()
    return round(float(number) * _UNITS[unit])
