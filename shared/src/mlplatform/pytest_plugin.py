"""Pytest fixtures for a code location's tests. Enable in the location's ``conftest.py``::

    pytest_plugins = ["mlplatform.pytest_plugin"]

    @pytest.fixture
    def project_spec() -> ProjectSpec:
        return spec

Everything runs against real parts in a temp dir: a test Dagster instance, Parquet assets, and
a SQLite MLflow store.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import dagster as dg
import pytest

from mlplatform.lifecycle.tracking import ready_store
from mlplatform.orchestration.resources import local_tracking_uri
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import write_batch
from mlplatform.testing import ChainRun, materialize_project, materialize_whole_chain


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def landing_dir(data_dir: Path, project_spec: ProjectSpec) -> Path:
    return data_dir / "landing" / project_spec.name


@pytest.fixture
def land(landing_dir: Path, project_spec: ProjectSpec) -> Callable[..., Path]:
    """Land a generated batch: ``land("b1.csv", rows=2000, seed=1, drift=0.0)``; daily projects
    pass ``day="2026-03-01"`` (and name the file after it)."""

    def _land(
        name: str, rows: int = 2000, seed: int = 1, drift: float = 0.0, day: str | None = None
    ) -> Path:
        extra = {"day": day} if day else {}
        return write_batch(landing_dir, name, project_spec.generate(rows, seed, drift, **extra))

    return _land


def instance_overrides(folder: Path) -> dict:
    """The test instance's event log: Dagster's in-memory SQLite one (the SQL event log storage
    and schema every SQLite instance uses, in a database that lives as long as the instance).
    On disk, Dagster opens, commits and closes a database for every event, about 40 per run;
    the in-process tests spent about a third of their time there (shared/tests' chain files:
    51 s of CPU on disk, 43 s in memory). Runs and schedules stay on disk under ``folder``;
    the live tests, ``dagster dev`` and the deployment keep the default storages."""
    return {
        "event_log_storage": {
            "module": "dagster._core.storage.event_log",
            "class": "InMemoryEventLogStorage",
        }
    }


@functools.cache
def empty_instance_storage() -> Path:
    """The storage of an empty test instance (run, event-log and schedule SQLite files),
    created and migrated by Dagster once per process."""
    folder = Path(tempfile.mkdtemp(prefix="mlplatform-empty-instance-"))
    atexit.register(shutil.rmtree, folder, True)
    with dg.instance_for_test(temp_dir=str(folder), overrides=instance_overrides(folder)):
        pass
    return folder


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance of the test's own on SQLite (``instance_overrides``), starting from a
    copy of an empty instance's storage: Dagster's own schema, without paying its migrations
    (about 0.6 s of CPU) in every test."""
    folder = tmp_path / "dagster-instance"
    shutil.copytree(empty_instance_storage(), folder)
    with dg.instance_for_test(temp_dir=str(folder), overrides=instance_overrides(folder)) as inst:
        yield inst


@pytest.fixture
def tracking_uri(data_dir: Path) -> str:
    """The test's own local MLflow store, created up front (``ready_store``: a copy of the
    cached migrated template), so a client the test opens on it never pays MLflow's schema
    migrations (about 1.2 s of CPU) when the chain itself never reached MLflow."""
    uri = local_tracking_uri(data_dir)
    ready_store(uri)
    return uri


@pytest.fixture
def run_chain(
    data_dir: Path, instance: dg.DagsterInstance, project_spec: ProjectSpec
) -> Callable[..., dg.ExecuteInProcessResult]:
    """Materialize the project's assets (all, or a selection) in process against ``data_dir``;
    ``project`` swaps in a variant of the spec; daily projects pass one ``partition_key`` or a
    ``partition_range=(first, last)`` built in one run, as a backfill does."""

    def _run(
        selection: list[dg.AssetKey] | None = None,
        project: ProjectSpec | None = None,
        partition_key: str | None = None,
        partition_range: tuple[str, str] | None = None,
    ) -> dg.ExecuteInProcessResult:
        spec = project or project_spec
        return materialize_project(
            spec, data_dir, instance, selection, partition_key, partition_range
        )

    return _run


@pytest.fixture
def run_whole_chain(
    data_dir: Path, instance: dg.DagsterInstance, project_spec: ProjectSpec
) -> Callable[..., ChainRun]:
    """Build every standard asset in process from what was landed (``land``); daily projects
    pass the landed ``days``: ``run_whole_chain(days=["2026-03-01", "2026-03-02"])``."""

    def _run(days: Sequence[str] = (), project: ProjectSpec | None = None) -> ChainRun:
        return materialize_whole_chain(project or project_spec, data_dir, instance, days)

    return _run
