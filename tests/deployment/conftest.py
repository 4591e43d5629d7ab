"""Deployment tests (marker `deployment`, left out of the default pytest run; scripts/test.sh runs
them): the production topology in docker/, checked statically and run as real processes on
127.0.0.1 against a real PostgreSQL. There is no Docker engine on these machines
(shared/DESIGN.md), so containers are the one thing not exercised.

Prerequisites (scripts/test.sh installs them): `bash scripts/setup.sh --deployment`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2
import pytest

from ..conftest import ROOT

# The test's own databases in the local cluster, emptied at the start of every session.
DAGSTER_DB = "dagster_deploytest"
MLFLOW_DB = "mlflow_deploytest"


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    password: str
    host: str = "127.0.0.1"

    def url(self, db: str) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@{self.host}:{self.port}/{db}"

    def query(self, db: str, sql: str, params: tuple = ()) -> list[tuple]:
        with (
            psycopg2.connect(
                host=self.host, port=self.port, user=self.user, password=self.password, dbname=db
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            return cursor.fetchall()


@pytest.fixture(scope="session")
def deployment_tools() -> None:
    missing = [
        what
        for what, present in [
            ("docker/mlflow/.venv", (ROOT / "docker/mlflow/.venv/bin/mlflow").exists()),
            ("docker-compose", shutil.which("docker-compose") is not None),
        ]
        if not present
    ]
    if missing:
        pytest.fail(f"missing {missing}: run `bash scripts/setup.sh --deployment` first")


@pytest.fixture(scope="session")
def postgres(record_testsuite_property) -> Iterator[Postgres]:
    """scripts/postgres.sh: install if needed, start if not running, fresh test databases.

    Stops the server at the end only if this session started it.
    """
    script = ["bash", str(ROOT / "scripts/postgres.sh")]
    start = time.monotonic()
    started = subprocess.run(
        [*script, "start", DAGSTER_DB, MLFLOW_DB], capture_output=True, text=True, timeout=600
    )
    assert started.returncode == 0, started.stdout + started.stderr
    record_testsuite_property("postgres_ready_seconds", round(time.monotonic() - start, 1))
    state = started.stdout.split()[-1]
    record_testsuite_property("postgres_state", state)
    subprocess.run([*script, "recreate", DAGSTER_DB, MLFLOW_DB], check=True, timeout=120)
    try:
        yield Postgres(
            port=int(os.environ.get("MLPLATFORM_PG_PORT", "54329")),
            user=os.environ.get("MLPLATFORM_PG_USER", "mlplatform"),
            password=os.environ.get("MLPLATFORM_PG_PASSWORD", "mlplatform-local-test"),
        )
    finally:
        if state == "started":
            subprocess.run([*script, "stop"], check=True, timeout=120)


def compose() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "docker/docker-compose.yml").read_text())


def runtime_env(postgres: Postgres, data: os.PathLike, mlflow_uri: str) -> dict[str, str]:
    """The environment docker-compose.yml gives code servers, webserver and daemon
    (`x-runtime-env`), pointed at this machine: the local Postgres and MLflow server, and
    ``data`` where the containers mount the shared volume at /data."""
    local = {
        "DAGSTER_PG_HOST": postgres.host,
        "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_DB": DAGSTER_DB,
        "DAGSTER_PG_USER": postgres.user,
        "DAGSTER_PG_PASSWORD": postgres.password,
        "MLFLOW_TRACKING_URI": mlflow_uri,
        # The local MLflow server is the UI a browser reaches here.
        "MLPLATFORM_MLFLOW_UI_URL": mlflow_uri,
        "MLPLATFORM_ALERT_WEBHOOK_URL": "",
        "MLPLATFORM_SENSOR_INTERVAL_SECONDS": "30",
    }
    env = {}
    for key, value in compose()["x-runtime-env"].items():
        value = local.get(key, str(value))
        if value.startswith("/data/"):
            value = os.path.join(data, value.removeprefix("/data/"))
        assert "${" not in value and "postgres:" not in value, f"{key}={value} not mapped"
        env[key] = value
    return env
