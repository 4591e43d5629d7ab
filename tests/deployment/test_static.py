"""The production files in docker/ are consistent with each other and with the repository:
Dockerfiles pass hadolint, the compose file is valid for docker-compose and wires every
location, the production dagster.yaml loads against a real Postgres, the Helm values name every
location, and the images install the same pins as the environments they mirror.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..conftest import ROOT
from ..projects import host_name, is_adopted, project_names
from .conftest import DAGSTER_DB, runtime_env
from .images import image_runtime, instructions

pytestmark = pytest.mark.deployment

DOCKER = ROOT / "docker"
LOCATIONS = project_names(ROOT)


DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile")) + sorted(DOCKER.glob("base/*.Dockerfile"))


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.relative_to(DOCKER).as_posix())
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/hadolint"), "--no-color", "--failure-threshold", "style"]
        + [str(dockerfile)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("location", LOCATIONS)
def test_location_image_serves_only_its_location_as_non_root(location: str) -> None:
    dockerfile = DOCKER / "code_location.Dockerfile"
    image = f"registry.invalid/mlplatform/{location}:1"
    runtime = image_runtime(dockerfile, {"LOCATION": location, "IMAGE": image})
    assert runtime.cmd == ["dagster", "code-server", "start"]
    assert runtime.env["DAGSTER_MODULE_NAME"] == f"{location}.definitions"
    assert runtime.env["DAGSTER_ATTRIBUTE"] == "defs"
    assert runtime.env["DAGSTER_CODE_SERVER_PORT"] == "4000"
    assert runtime.env["DAGSTER_CURRENT_IMAGE"] == image
    assert "MLPLATFORM_CODE_VERSION" in runtime.env
    # Runs use this image too: no HEALTHCHECK of a gRPC server that a run does not have.
    assert runtime.healthcheck == []
    assert runtime.user == "10001:10001"
    copied = [
        s for op, rest in instructions(dockerfile) if op == "COPY" for s in rest.split()[:-1]
    ]
    from_locations = [s for s in copied if "code_locations" in s]
    assert from_locations and all(
        s.startswith("code_locations/${LOCATION}/") for s in from_locations
    )


def test_code_servers_are_health_checked_by_compose_over_grpc() -> None:
    code_location = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())["x-code-location"]
    kind, *command = code_location["healthcheck"]["test"]
    assert kind == "CMD" and command[:2] == ["python", "-c"]
    assert "grpc_health" in command[2] and "DAGSTER_CODE_SERVER_PORT" in command[2]
    assert code_location["init"] is True


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.relative_to(DOCKER).as_posix())
def test_dockerfile_builds_with_the_classic_builder(dockerfile: Path) -> None:
    """No `# syntax=` line (BuildKit would pull a frontend image) and no per-Dockerfile ignore
    file (the classic builder reads only the context root's .dockerignore)."""
    assert not dockerfile.read_text().lstrip().startswith("# syntax=")
    assert not dockerfile.with_name(dockerfile.name + ".dockerignore").exists()


def test_one_dockerignore_keeps_tests_environments_and_local_state_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*", "everything is left out unless a Dockerfile needs it"
    assert {"**/tests", "**/.venv", "docker/.env"} <= set(patterns)
    assert not [p for p in patterns if p.startswith("!") and ".local" in p]


@pytest.mark.parametrize("name", ["code_location", "dagster", "mlflow"])
def test_images_run_as_uid_and_gid_10001_with_a_group_of_that_id(name: str) -> None:
    dockerfile = DOCKER / f"{name}.Dockerfile"
    runs = " ".join(rest for op, rest in instructions(dockerfile) if op == "RUN")
    assert "groupadd --system --gid 10001" in runs and "--uid 10001 --gid 10001" in runs
    assert image_runtime(dockerfile, {"LOCATION": "churn"}).user == "10001:10001"


def test_webserver_and_mlflow_images_run_as_non_root() -> None:
    for name in ("dagster", "mlflow"):
        runtime = image_runtime(DOCKER / f"{name}.Dockerfile", {})
        assert runtime.user.split(":")[0] not in ("", "0", "root"), name
        assert runtime.healthcheck, name
    dagster = "\n".join(r for _, r in instructions(DOCKER / "dagster.Dockerfile"))
    assert "code_locations" not in dagster and "shared" not in dagster.split()


def _compose_config(env_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", str(DOCKER / "docker-compose.yml")]
        + ["config"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _volumes(service: dict) -> dict[str, str]:
    """{source: target}; docker-compose v1 prints the short syntax, v2 the long one."""
    volumes = [
        v.split(":")[:2] if isinstance(v, str) else (v["source"], v["target"])
        for v in service["volumes"]
    ]
    return dict(volumes)


def test_compose_file_is_valid_and_wires_every_location(tmp_path, deployment_tools) -> None:
    example = (DOCKER / ".env.example").read_text()
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.M), "no committed password"
    unset = tmp_path / "unset.env"
    unset.write_text(example)
    refused = _compose_config(unset)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr

    filled = tmp_path / ".env"
    filled.write_text(
        example.replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=not-a-secret\n").replace(
            "DOCKER_GID=\n", "DOCKER_GID=999\n"
        )
    )
    result = _compose_config(filled)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    locations = {host_name(name): name for name in LOCATIONS}
    legacy = {f"{host_name(n)}-legacy": n for n in LOCATIONS if is_adopted(n)}
    assert set(services) == {"postgres", "mlflow", "webserver", "daemon", *locations, *legacy}
    _check_adopted_runs_alone_get_the_socket(services, locations, legacy)
    for service in legacy:
        services.pop(service)
    for service, name in locations.items():
        build = services[service]["build"]
        assert build["args"]["LOCATION"] == name
        assert build["args"]["IMAGE"] == services[service]["image"] == f"mlplatform/{name}:dev"
        assert _volumes(services[service]) == {"mlplatform-data": "/data"}
    assert "healthcheck" in services["postgres"]
    for service in ("webserver", "daemon"):
        depends = services[service]["depends_on"]
        assert set(depends) == {"postgres", "mlflow", *locations}
        assert {d["condition"] for d in depends.values()} == {"service_healthy"}
    assert all(list(s["networks"]) == ["mlplatform"] for s in services.values())

    instance = yaml.safe_load((DOCKER / "dagster.yaml").read_text())
    launcher = instance["run_launcher"]["config"]
    assert config["networks"]["mlplatform"]["name"] == launcher["network"]
    volume, mount = launcher["container_kwargs"]["volumes"][0].split(":")
    assert config["volumes"]["mlplatform-data"]["name"] == volume and mount == "/data"
    missing = set(launcher["env_vars"]) - set(services["daemon"]["environment"])
    assert not missing, f"run containers would lack {missing} (dagster #11492)"
    workspace = yaml.safe_load((DOCKER / "workspace.yaml").read_text())["load_from"]
    assert {e["grpc_server"]["location_name"]: e["grpc_server"]["host"] for e in workspace} == {
        name: service for service, name in locations.items()
    }


def _check_adopted_runs_alone_get_the_socket(
    services: dict, locations: dict[str, str], legacy: dict[str, str]
) -> None:
    """An adopted project's training image is build-only (a profile), and only its location's
    run containers get the Docker socket, through that location's container context."""
    for service, name in legacy.items():
        assert services[service]["profiles"] == ["legacy-images"]
        assert services[service]["image"] == f"mlplatform/{name}-legacy:dev"
    for service, name in locations.items():
        context = services[service]["environment"].get("DAGSTER_CONTAINER_CONTEXT")
        if not is_adopted(name):
            assert context is None, service
            continue
        docker = json.loads(context)["docker"]
        volumes = docker["container_kwargs"]["volumes"]
        assert volumes == ["mlplatform-data:/data", "/var/run/docker.sock:/var/run/docker.sock"]
        assert docker["container_kwargs"]["group_add"] == ["999"]
        assert "MLPLATFORM_LEGACY_RUNNER=docker" in docker["env_vars"]
        assert f"MLPLATFORM_LEGACY_IMAGE=mlplatform/{name}-legacy:dev" in docker["env_vars"]
        assert "/var/run/docker.sock" not in str(services[service].get("volumes"))


def test_no_env_file_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "docker/.env", ".env"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.stdout.strip() == ""


PROBE = """
import dagster as dg
with dg.DagsterInstance.get() as instance:
    coordinator, launcher = instance.run_coordinator, instance.run_launcher
    print(type(instance.run_storage).__name__, type(coordinator).__name__,
          type(launcher).__name__, launcher.networks,
          [(l["key"], l.get("value"), l["limit"]) for l in coordinator.get_run_queue_config(
          ).tag_concurrency_limits])
"""


def test_production_instance_loads_against_postgres(tmp_path, postgres) -> None:
    """`dagster instance info` and the instance's own objects, from docker/dagster.yaml unchanged
    (DockerRunLauncher included: it is built without contacting an engine)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((DOCKER / "dagster.yaml").read_text())
    env = {
        "PATH": "/usr/bin:/bin",
        "DAGSTER_HOME": str(home),
        **runtime_env(postgres, tmp_path / "data", "http://127.0.0.1:1"),
    }
    info = subprocess.run(
        [str(ROOT / ".venv/bin/dagster"), "instance", "info"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert info.returncode == 0, info.stderr
    assert "run_storage: PostgresRunStorage" in info.stdout
    assert "class: DockerRunLauncher" in info.stdout
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split(" ", 4) == [
        "PostgresRunStorage",
        "QueuedRunCoordinator",
        "DockerRunLauncher",
        "['mlplatform']",
        "[('mlplatform/training', {'applyLimitPerUniqueValue': True}, 1)]\n",
    ]
    tables = {row[0] for row in postgres.query(DAGSTER_DB, "SELECT tablename FROM pg_tables")}
    assert {"runs", "event_logs", "instigators", "job_ticks"} <= tables


def test_helm_values_name_every_location() -> None:
    values = yaml.safe_load((DOCKER / "helm/values.yaml").read_text())
    deployments = values["dagster-user-deployments"]["deployments"]
    assert values["dagster-user-deployments"]["enabled"] is True
    assert sorted(d["name"] for d in deployments) == sorted(host_name(n) for n in LOCATIONS)
    for deployment in deployments:
        name = deployment["image"]["repository"].rsplit("/", 1)[1]
        assert deployment["codeServerArgs"] == ["-m", f"{name}.definitions", "-a", "defs"]
        assert deployment["port"] == 4000
    servers = values["dagsterWebserver"]["workspace"]["servers"]
    assert {s["name"]: s["host"] for s in servers} == {n: host_name(n) for n in LOCATIONS}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False
    assert values["generatePostgresqlPasswordSecret"] is False
    assert "postgresqlPassword" not in values["postgresql"]
    limits = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    compose_limits = yaml.safe_load((DOCKER / "dagster.yaml").read_text())["run_coordinator"]
    assert limits["tagConcurrencyLimits"] == compose_limits["config"]["tag_concurrency_limits"]


def _pins(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock.read_text(), flags=re.M))


@pytest.mark.parametrize(
    ("image_lock", "mirrored"),
    [("docker/dagster/requirements.lock", "requirements.lock")]
    + [
        ("docker/mlflow/requirements.lock", f"code_locations/{n}/requirements.lock")
        for n in LOCATIONS
    ],
)
def test_image_lock_pins_what_the_tested_environment_pins(image_lock: str, mirrored: str) -> None:
    """The webserver/daemon image installs the platform environment's versions, and the MLflow
    server the MLflow the locations track with: what the tests run is what the images run."""
    ours, theirs = _pins(ROOT / image_lock), _pins(ROOT / mirrored)
    assert ours and {k: v for k, v in ours.items() if theirs.get(k, v) != v} == {}
    text = (ROOT / image_lock).read_text()
    assert text.count("--hash=sha256:") >= len(ours)
    assert "://" not in "".join(line for line in text.splitlines() if not line.startswith("#"))
