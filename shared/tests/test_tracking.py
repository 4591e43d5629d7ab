"""The MLflow run lifecycle the platform guarantees on top of dagster-mlflow."""

import os
import sqlite3
from pathlib import Path

import dagster as dg
import mlflow
import pytest

from mlplatform.lifecycle.tracking import (
    default_artifact_location,
    mlflow_tracking_run,
    ready_store,
    run_name,
    store_template,
)


@dg.asset(required_resource_keys={"mlflow"})
def tracked(context: dg.AssetExecutionContext) -> None:
    context.resources.mlflow.log_metric("answer", 42.0)


@dg.asset(required_resource_keys={"mlflow"})
def tracked_then_fails(context: dg.AssetExecutionContext) -> None:
    context.resources.mlflow.log_metric("answer", 1.0)
    raise RuntimeError("boom")


def _resource(uri: str) -> dg.ResourceDefinition:
    return mlflow_tracking_run.configured(
        {"experiment_name": "exp", "mlflow_tracking_uri": uri, "extra_tags": {"team": "ds"}}
    )


def _runs(uri: str) -> dict[str, mlflow.entities.Run]:
    client = mlflow.MlflowClient(uri)
    experiment = client.get_experiment_by_name("exp")
    runs = client.search_runs([experiment.experiment_id])
    return {r.data.tags.get("dagster_run_id", "-"): r for r in runs}


@pytest.fixture
def uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"


def test_run_is_finished_tagged_and_artifacts_stay_beside_the_store(uri, tmp_path) -> None:
    result = dg.materialize([tracked], resources={"mlflow": _resource(uri)})
    run = _runs(uri)[result.run_id]
    assert run.info.status == "FINISHED"
    assert run.data.metrics == {"answer": 42.0}
    assert run.data.tags["team"] == "ds"
    assert run.info.artifact_uri.startswith((tmp_path / "mlflow" / "artifacts").as_uri())
    assert mlflow.active_run() is None


def test_failed_step_marks_run_failed(uri) -> None:
    result = dg.materialize(
        [tracked_then_fails], resources={"mlflow": _resource(uri)}, raise_on_error=False
    )
    assert not result.success
    assert _runs(uri)[result.run_id].info.status == "FAILED"
    assert mlflow.active_run() is None


def test_run_left_active_by_someone_else_is_ended_not_reused(uri) -> None:
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("exp")
    leaked = mlflow.start_run(tags={"dagster_run_id": "an-earlier-run"})

    result = dg.materialize([tracked], resources={"mlflow": _resource(uri)})

    runs = _runs(uri)
    assert runs["an-earlier-run"].info.run_id == leaked.info.run_id
    assert runs["an-earlier-run"].info.status == "KILLED"
    assert runs[result.run_id].info.run_id != leaked.info.run_id
    assert runs[result.run_id].info.status == "FINISHED"
    assert mlflow.active_run() is None


def test_default_artifact_location_only_for_sqlite(tmp_path) -> None:
    db = tmp_path / "m" / "mlflow.db"
    assert default_artifact_location(f"sqlite:///{db}", "/churn") == (
        (tmp_path / "m" / "artifacts" / "churn").as_uri()
    )
    assert default_artifact_location("http://127.0.0.1:5000", "/churn") is None


@pytest.mark.parametrize(
    ("job", "selection", "tags", "expected"),
    [
        (
            "__ASSET_JOB",
            ["model", "champion"],
            {"mlplatform/trigger": "drift"},
            "p champion+model (drift)",
        ),
        ("__ASSET_JOB", ["model"], {}, "p model (manual)"),
        ("__ephemeral_asset_job__", None, {}, "p all assets (manual)"),
        ("p_retrain", None, {"mlplatform/trigger": "schedule"}, "p p_retrain (schedule)"),
    ],
)
def test_mlflow_run_names_say_what_ran_and_why(job, selection, tags, expected) -> None:
    keys = frozenset(dg.AssetKey(["p", noun]) for noun in selection) if selection else None
    run = dg.DagsterRun(job_name=job, run_id="r1", asset_selection=keys, tags=tags)
    assert run_name(run, "p") == expected


def test_processes_creating_one_new_store_at_once_all_succeed(tmp_path) -> None:
    """Two locations' first training runs may create the shared local store at the same moment;
    without the lock one of them fails inside MLflow's schema migration."""
    import subprocess
    import sys

    uri = f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"
    code = (
        "import sys; from mlplatform.lifecycle.tracking import ready_store; "
        "ready_store(sys.argv[1]); import mlflow; "
        "print(len(mlflow.MlflowClient(sys.argv[1]).search_experiments()))"
    )
    # An empty template cache too: all three also build the migrated template at once.
    env = {**os.environ, "MLPLATFORM_CACHE_DIR": str(tmp_path / "cache")}
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code, uri], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(3)
    ]
    # A hang guard only: three MLflow imports under the whole suite's load can take minutes.
    outputs = [p.communicate(timeout=300)[0].strip() for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0]
    assert outputs == ["1", "1", "1"], "one store, its Default experiment"


def _schema(db: Path) -> tuple[list[str], list[tuple]]:
    with sqlite3.connect(db) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    return [t for (t,) in tables], version


def test_a_new_store_starts_from_the_cached_migrated_template(tmp_path, monkeypatch) -> None:
    """One migrated store per MLflow version, built by the first new store and copied by the
    next; the same schema MLflow's own migrations give, and the Default experiment is each new
    store's own."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("MLPLATFORM_CACHE_DIR", str(cache))
    migrated = tmp_path / "migrated" / "mlflow.db"
    migrated.parent.mkdir()
    mlflow.MlflowClient(f"sqlite:///{migrated}").search_experiments()
    first, second = (tmp_path / name / "mlflow.db" for name in ("first", "second"))

    ready_store(f"sqlite:///{first}")
    [template] = cache.iterdir()
    with sqlite3.connect(template) as connection:
        assert connection.execute("SELECT count(*) FROM experiments").fetchone() == (0,)
        connection.execute("CREATE TABLE planted_by_the_test (x)")
    connection.close()
    ready_store(f"sqlite:///{second}")

    assert template == store_template() and template.name.startswith(
        f"mlflow-{mlflow.__version__}"
    )
    assert _schema(first) == _schema(migrated)
    assert "planted_by_the_test" in _schema(second)[0], "the second store is not the copy"
    for db in (first, second):
        [default] = mlflow.MlflowClient(f"sqlite:///{db}").search_experiments()
        assert default.experiment_id == "0"
        assert str(cache) not in default.artifact_location


def test_an_unusable_template_cache_still_gives_a_migrated_store(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("MLPLATFORM_CACHE_DIR", str(blocked / "cache"))
    db = tmp_path / "store" / "mlflow.db"

    ready_store(f"sqlite:///{db}")

    [default] = mlflow.MlflowClient(f"sqlite:///{db}").search_experiments()
    assert default.name == "Default" and _schema(db)[1]
