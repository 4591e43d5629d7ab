"""The workspace loads every location from its own environment, and runs launched the way the UI
launches them (the implicit asset job, through the webserver and daemon) track MLflow correctly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from .dagster_processes import dagster_dev, location_statuses, wait_for


def _location_python(root: Path, name: str) -> str:
    return str(root / "code_locations" / name / ".venv/bin/python")


def test_platform_environment_has_no_project_dependencies() -> None:
    for module in ("mlflow", "sklearn", "evidently"):
        found = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        assert found.returncode != 0, f"{module} must live only in location environments"


def test_workspace_validates_every_location(root: Path) -> None:
    result = subprocess.run(
        [str(root / ".venv/bin/dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for location in ("churn", "vehicle_pricing"):
        assert f"Validation successful for code location {location}." in output


def test_each_location_sees_only_its_own_dependencies(root: Path) -> None:
    """lightgbm is vehicle_pricing's alone; every location has the shared platform library."""
    probe = (
        "import importlib.util as u; "
        "print(bool(u.find_spec('lightgbm')), bool(u.find_spec('mlplatform')))"
    )
    seen = {
        name: subprocess.run(
            [_location_python(root, name), "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
        for name in ("churn", "vehicle_pricing")
    }
    assert seen == {"churn": ["False", "True"], "vehicle_pricing": ["True", "True"]}


@pytest.mark.slow
def test_ui_launched_materialization_tracks_one_finished_mlflow_run(root, tmp_path) -> None:
    data = tmp_path / "data"
    env = {
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "MLPLATFORM_LANDING_DIR": str(data / "landing"),
        "MLPLATFORM_ASSET_DIR": str(data / "assets"),
        "MLPLATFORM_REPORT_DIR": str(data / "reports"),
        "MLPLATFORM_LOCK_DIR": str(data / "locks"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{data / 'mlflow' / 'mlflow.db'}",
        "DO_NOT_TRACK": "1",
    }
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(
        (root / "scripts/dagster.local.yaml").read_text()
    )
    subprocess.run(
        [_location_python(root, "churn"), "-m", "churn", "land", "--rows", "3000", "--seed", "1"],
        env={**env, "PATH": "/usr/bin:/bin"},
        check=True,
    )

    with dagster_dev(root, env, tmp_path / "dagster-dev.log") as port:
        wait_for(
            lambda: location_statuses(port).get("churn") == ("LOADED", "RepositoryLocation"),
            120,
            "churn to load",
        )
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        run_id = client.submit_job_execution(
            "__ASSET_JOB", repository_location_name="churn", repository_name="__repository__"
        )

        def finished() -> str | None:
            try:
                status = client.get_run_status(run_id).value
            except DagsterGraphQLClientError:
                return None
            return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None

        status = wait_for(finished, 300, f"run {run_id} to finish", interval=2)
        log = (tmp_path / "dagster-dev.log").read_text()
        assert status == "SUCCESS", log[-5000:]

    query = (
        "import json, mlflow; c = mlflow.MlflowClient(); "
        "e = c.get_experiment_by_name('/churn'); "
        "print(json.dumps([[r.data.tags.get('dagster_run_id'), r.info.status] "
        "for r in c.search_runs([e.experiment_id])]))"
    )
    runs = subprocess.run(
        [_location_python(root, "churn"), "-c", query],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(runs.stdout) == [[run_id, "FINISHED"]]
    assert list((data / "reports" / "churn").glob(f"drift_report-{run_id}.html"))
