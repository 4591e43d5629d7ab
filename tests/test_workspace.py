"""The workspace loads every location from its own environment; runs launched the way the UI
launches them (the implicit asset job, through webserver and daemon) execute in the location's
own interpreter and track MLflow correctly; a broken location does not take the others down.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from .conftest import GC_THRESHOLDS, platform_gc_thresholds
from .dagster_processes import (
    BACKFILL_QUERY,
    dagster_dev,
    data_dir_env,
    graphql,
    launch_backfill,
    location_statuses,
    wait_for,
)
from .projects import is_daily, project_names

MATERIALIZATION_QUERY = """
query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
    assetMaterializations(limit: 20) {
        runId partition metadataEntries { label ... on TextMetadataEntry { text } }
    }
} } }
"""
LOCATION_ERROR_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name locationOrLoadError { ... on PythonError { message } }
} } } }
"""

DAYS = ["2026-03-01", "2026-03-02"]
# churn's run builds its whole chain (MLflow tracking and the drift report are checked); the
# other locations' runs build their first two assets, which is what shows them running in their
# own environments (tests/deployment/test_topology.py runs every location's whole chain live).
WHOLE_CHAIN = "churn"
FIRST_ASSETS = ("raw_data", "features")
# What the example projects' environments hold: lightgbm is vehicle_pricing's alone.
EXAMPLE_HAS_LIGHTGBM = {"churn": False, "vehicle_pricing": True, "demand_forecasting": False}


def _location_python(root: Path, name: str) -> str:
    return str(root / "code_locations" / name / ".venv/bin/python")


def test_platform_environment_has_no_project_dependencies() -> None:
    for module in ("mlflow", "sklearn", "evidently"):
        found = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        assert found.returncode != 0, f"{module} must live only in location environments"


def _startup_gc_thresholds(python: Path, *args: str) -> str:
    command = [str(python), *args, "-c", GC_THRESHOLDS]
    return subprocess.run(command, capture_output=True, text=True).stdout


def test_every_platform_environment_starts_with_the_platform_gc_thresholds(root: Path) -> None:
    """Every platform environment starts with what GC_SETTINGS sets; an adopted project's own
    environment keeps Python's default."""
    platform = platform_gc_thresholds()
    default = _startup_gc_thresholds(Path(sys.executable), "-S")
    assert platform.strip() and platform != default, default
    environments = [root / ".venv", root / "shared/.venv"] + [
        root / "code_locations" / name / ".venv" for name in project_names(root)
    ]
    started = {str(env): _startup_gc_thresholds(env / "bin/python") for env in environments}
    assert started == {str(env): platform for env in environments}
    legacy = root / "code_locations/credit_risk/legacy/.venv/bin/python"
    assert _startup_gc_thresholds(legacy) == default


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
    for location in project_names(root):
        assert f"Validation successful for code location {location}." in output


def test_each_location_sees_only_its_own_dependencies(root: Path) -> None:
    """Every location has the shared platform library; of the examples, only vehicle_pricing
    has lightgbm."""
    probe = (
        "import importlib.util as u; "
        "print(bool(u.find_spec('lightgbm')), bool(u.find_spec('mlplatform')))"
    )
    seen = {
        name: subprocess.run(
            [_location_python(root, name), "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
        for name in project_names(root)
    }
    assert all(has_platform == "True" for _, has_platform in seen.values()), seen
    for name, has_lightgbm in EXAMPLE_HAS_LIGHTGBM.items():
        if name in seen:
            assert seen[name][0] == str(has_lightgbm), name


def _workspace_with_broken_location(root: Path, folder: Path) -> Path:
    """The repo's workspace plus a location whose module fails to import."""
    broken = folder / "broken_location.py"
    broken.write_text("import no_such_package_for_this_test  # noqa: F401\n")
    config = yaml.safe_load((root / "workspace.yaml").read_text())
    config["load_from"].append(
        {
            "python_file": {
                "relative_path": str(broken),
                "location_name": "broken",
                "executable_path": "code_locations/churn/.venv/bin/python",
            }
        }
    )
    path = folder / "workspace.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _materializations_by_run(port: int, key: list[str], run_id: str) -> dict[str | None, dict]:
    """The metadata of ``key``'s materializations in ``run_id``, by partition (the platform's
    own sensors may have materialized it in other runs too)."""
    data = graphql(port, MATERIALIZATION_QUERY, {"key": {"path": key}})["data"]["assetOrError"]
    return {
        e["partition"]: {m["label"]: m.get("text") for m in e["metadataEntries"]}
        for e in data["assetMaterializations"]
        if e["runId"] == run_id
    }


@pytest.mark.slow
def test_every_location_runs_in_its_own_environment_beside_a_broken_one(root, tmp_path) -> None:
    locations = project_names(root)
    daily = [name for name in locations if is_daily(root, name)]
    data = tmp_path / "data"
    env = {
        **data_dir_env(data, tmp_path / "dagster_home"),
        # The sensors are RUNNING by default: they tick once when the daemon starts (the landing
        # sensors ingest the landed files) and then not again during this test, which is about
        # runs launched from the UI.
        "MLPLATFORM_SENSOR_INTERVAL_SECONDS": "3600",
    }
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(
        (root / "scripts/dagster.local.yaml").read_text()
    )
    for name in locations:
        days = DAYS if name in daily else [None]
        for day in days:
            command = [_location_python(root, name), "-m", name, "land", "--seed", "1"]
            command += ["--rows", "2000"] + (["--date", day] if day else [])
            subprocess.run(command, env={**env, "PATH": "/usr/bin:/bin"}, check=True)
    workspace = _workspace_with_broken_location(root, tmp_path)

    with dagster_dev(root, env, tmp_path / "dagster-dev.log", workspace) as port:
        statuses = wait_for(
            lambda: (
                (s := location_statuses(port))
                and all(s.get(n) == ("LOADED", "RepositoryLocation") for n in locations)
                and s.get("broken", ("",))[0] == "LOADED"
                and s
            ),
            180,
            "every location to load",
        )
        assert statuses["broken"] == ("LOADED", "PythonError")
        error = graphql(port, LOCATION_ERROR_QUERY)["data"]["workspaceOrError"]
        [broken] = [e for e in error["locationEntries"] if e["name"] == "broken"]
        assert "no_such_package_for_this_test" in broken["locationOrLoadError"]["message"]

        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        unpartitioned = [n for n in locations if n not in daily]
        runs = {
            name: client.submit_job_execution(
                "__ASSET_JOB",
                repository_location_name=name,
                repository_name="__repository__",
                asset_selection=None
                if name == WHOLE_CHAIN
                else [[name, noun] for noun in FIRST_ASSETS],
            )
            for name in unpartitioned
        }
        backfills = {name: launch_backfill(port, name, DAYS) for name in daily}

        def all_finished() -> dict[str, str] | None:
            try:
                states = {n: client.get_run_status(r).value for n, r in runs.items()}
            except DagsterGraphQLClientError:
                return None
            for name, backfill in backfills.items():
                filled = graphql(port, BACKFILL_QUERY, {"id": backfill})["data"]
                states[name] = filled["partitionBackfillOrError"]["status"]
            done = all(
                s in ("SUCCESS", "FAILURE", "CANCELED") or s.startswith(("COMPLETED", "FAILED"))
                for s in states.values()
            )
            return states if done else None

        states = wait_for(all_finished, 600, "every location's runs to finish", interval=3)
        log = (tmp_path / "dagster-dev.log").read_text()
        expected = {n: "SUCCESS" for n in unpartitioned} | dict.fromkeys(
            daily, "COMPLETED_SUCCESS"
        )
        assert states == expected, log[-5000:]
        for name in unpartitioned:
            [raw] = _materializations_by_run(port, [name, "raw_data"], runs[name]).values()
            assert f"/code_locations/{name}/.venv/bin/python" in raw["runtime/python"]
        for name, backfill in backfills.items():
            filled = graphql(port, BACKFILL_QUERY, {"id": backfill})["data"]
            [ranged] = filled["partitionBackfillOrError"]["runs"]  # every day in one run
            assert ranged["status"] == "SUCCESS"
            raws = _materializations_by_run(port, [name, "raw_data"], ranged["runId"])
            assert sorted(raws) == DAYS
            for raw in raws.values():
                assert f"/code_locations/{name}/.venv/bin/python" in raw["runtime/python"]

    query = (
        "import json, mlflow; c = mlflow.MlflowClient(); "
        f"e = c.get_experiment_by_name('/{WHOLE_CHAIN}'); "
        "print(json.dumps([[r.data.tags.get('dagster_run_id'), r.info.status] "
        "for r in c.search_runs([e.experiment_id])]))"
    )
    tracked = subprocess.run(
        [_location_python(root, WHOLE_CHAIN), "-c", query],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(tracked.stdout) == [[runs[WHOLE_CHAIN], "FINISHED"]]
    reports = data / "reports" / WHOLE_CHAIN
    assert list(reports.glob(f"drift_report-{runs[WHOLE_CHAIN]}.html"))
