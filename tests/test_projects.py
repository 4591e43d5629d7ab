"""The one list of projects: every generated file is current, and a new folder under
code_locations/ adds exactly its own entries to each of them (scripts/projects.py)."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .projects import generated_files, project_names, projects_script

GENERATED = generated_files()
NEW = "fraud_detection"


def _script(root: Path, *args: str) -> subprocess.CompletedProcess:
    """scripts/projects.py of ``root``, run as setup.sh runs it (any Python 3.11, stdlib only)."""
    command = [sys.executable, str(root / "scripts/projects.py"), *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)


def _copy(root: Path, to: Path) -> Path:
    """The script, the generated files and every project's pyproject.toml (and an adopted
    project's legacy/Dockerfile), under ``to``."""
    for relative in ["scripts/projects.py", *GENERATED, "docker/.env.example"]:
        (to / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, to / relative)
    for name in project_names(root):
        folder = to / "code_locations" / name
        folder.mkdir(parents=True)
        shutil.copy2(root / "code_locations" / name / "pyproject.toml", folder)
        if (root / "code_locations" / name / "legacy/Dockerfile").exists():
            (folder / "legacy").mkdir()
            shutil.copy2(root / "code_locations" / name / "legacy/Dockerfile", folder / "legacy")
    return to


def _add_project(root: Path, name: str) -> None:
    (root / "code_locations" / name).mkdir()
    (root / "code_locations" / name / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')


def _load(root: Path, relative: str) -> dict:
    return yaml.safe_load((root / relative).read_text())


def test_generated_files_are_current(root: Path) -> None:
    checked = _script(root, "check")
    assert checked.returncode == 0, checked.stderr


def test_list_names_every_project_folder_sorted(root: Path) -> None:
    listed = _script(root, "list")
    assert listed.stdout.split() == project_names(root) == sorted(project_names(root))
    assert {"churn", "vehicle_pricing", "demand_forecasting"} <= set(listed.stdout.split())


def test_a_new_folder_makes_every_file_stale_until_generated(root: Path, tmp_path: Path) -> None:
    copy = _copy(root, tmp_path)
    _add_project(copy, NEW)

    stale = _script(copy, "check")

    assert stale.returncode == 1
    lines = stale.stderr.splitlines()
    assert [line.split()[1] for line in lines] == list(GENERATED)
    assert all("run `python3 scripts/projects.py generate`" in line for line in lines)
    assert _script(copy, "generate").returncode == 0
    assert _script(copy, "check").returncode == 0


def test_generate_adds_exactly_the_new_projects_entries(root: Path, tmp_path: Path) -> None:
    copy = _copy(root, tmp_path)
    before = {relative: (copy / relative).read_text() for relative in GENERATED}
    old = {relative: _load(copy, relative) for relative in GENERATED}
    _add_project(copy, NEW)

    assert _script(copy, "generate").returncode == 0

    for relative, text in before.items():
        diff = difflib.ndiff(text.splitlines(), (copy / relative).read_text().splitlines())
        assert not [line for line in diff if line.startswith("- ")], f"{relative} lost lines"
    local = _load(copy, "workspace.yaml")["load_from"]
    assert [e for e in local if e not in old["workspace.yaml"]["load_from"]] == [
        {
            "python_module": {
                "module_name": f"{NEW}.definitions",
                "attribute": "defs",
                "location_name": NEW,
                "executable_path": f"code_locations/{NEW}/.venv/bin/python",
            }
        }
    ]
    names = [e["python_module"]["location_name"] for e in local]
    assert names == sorted(names)
    grpc = _load(copy, "docker/workspace.yaml")["load_from"]
    assert [e for e in grpc if e not in old["docker/workspace.yaml"]["load_from"]] == [
        {"grpc_server": {"location_name": NEW, "host": "fraud-detection", "port": 4000}}
    ]
    compose, helm = "docker/docker-compose.yml", "docker/helm/values.yaml"
    _assert_compose_adds(old[compose], _load(copy, compose))
    _assert_helm_adds(old[helm], _load(copy, helm))


def _assert_compose_adds(old: dict, new: dict) -> None:
    host = "fraud-detection"
    assert set(new["services"]) - set(old["services"]) == {host}
    args = new["services"][host]["build"]["args"]
    assert args["LOCATION"] == NEW and f"/{NEW}:" in args["IMAGE"]
    # Webserver and daemon wait for every code server (x-dagster), so for the new one too.
    for service in ("webserver", "daemon"):
        depends_on = new["services"][service].pop("depends_on")
        assert set(depends_on) - set(old["services"][service].pop("depends_on")) == {host}
    assert {k: v for k, v in new["services"].items() if k != host} == old["services"]


def _assert_helm_adds(old: dict, new: dict) -> None:
    servers = new["dagsterWebserver"]["workspace"]["servers"]
    old_servers = old["dagsterWebserver"]["workspace"]["servers"]
    assert [s for s in servers if s not in old_servers] == [
        {"host": "fraud-detection", "port": 4000, "name": NEW}
    ]
    deployments = new["dagster-user-deployments"]["deployments"]
    [added] = [d for d in deployments if d not in old["dagster-user-deployments"]["deployments"]]
    assert added["name"] == "fraud-detection"
    assert added["codeServerArgs"] == ["-m", f"{NEW}.definitions", "-a", "defs"]
    assert added["image"]["repository"].endswith(f"/{NEW}")


def test_compose_config_lists_the_new_service(root: Path, tmp_path: Path) -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is installed by `bash scripts/setup.sh --deployment`")
    copy = _copy(root, tmp_path)
    _add_project(copy, NEW)
    assert _script(copy, "generate").returncode == 0
    env_file = tmp_path / "test.env"
    env_file.write_text(
        (copy / "docker/.env.example")
        .read_text()
        .replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=not-a-secret\n")
        .replace("DOCKER_GID=\n", "DOCKER_GID=999\n")
    )

    config = subprocess.run(
        ["docker-compose", "--env-file", str(env_file), "-f", "docker/docker-compose.yml"]
        + ["config", "--services"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert config.returncode == 0, config.stderr
    assert "fraud-detection" in config.stdout.split()


def test_a_removed_marker_is_named(root: Path, tmp_path: Path) -> None:
    copy = _copy(root, tmp_path)
    compose = copy / "docker/docker-compose.yml"
    compose.write_text(compose.read_text().replace("# END projects: services\n", ""))

    for command in ("check", "generate"):
        result = _script(copy, command)
        assert result.returncode == 1
        assert "docker/docker-compose.yml: no '# BEGIN projects: services" in result.stderr


def test_hidden_folders_are_not_projects(tmp_path: Path) -> None:
    """A scaffold in progress (or an editor's folder) is not a project yet."""
    (tmp_path / "code_locations").mkdir()
    for name in ("zeta", ".partial", "alpha"):
        _add_project(tmp_path, name)
    (tmp_path / "code_locations" / "no_pyproject").mkdir()
    assert projects_script().project_names(tmp_path) == ["alpha", "zeta"]
