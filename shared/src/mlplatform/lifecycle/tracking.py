"""MLflow tracking through dagster-mlflow, with the run lifecycle the platform guarantees.

dagster-mlflow's ``mlflow_tracking`` creates (or, across step processes, resumes) one MLflow run
per Dagster run, found by the ``dagster_run_id`` tag. On its own it leaves the run RUNNING unless
every job carries ``end_mlflow_on_run_finished`` - which the implicit asset job behind UI
materializations cannot - so the next run in the same process reuses it. The resource here wraps
it so that:

* an MLflow run left active by an earlier Dagster run is ended (KILLED) before we start;
* at teardown the run is always ended, FAILED if any step of the Dagster run failed (including a
  blocking check), FINISHED otherwise;
* a run that could not be ended because MLflow was unreachable is ended FAILED by the next run
  of the experiment, once its Dagster run is over (``_fail_orphaned_runs``);
* a step that finds MLflow unreachable is retried with backoff (``retry_when_mlflow_unreachable``)
  and fails, with MLflow's own error, once ``Lifecycle.mlflow_retries`` are spent.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    from mlplatform.spec import Lifecycle

MLFLOW_RESOURCE_KEY = "mlflow"
DAGSTER_RUN_TAG = "dagster_run_id"

_CONFIG_SCHEMA = {
    "experiment_name": dg.Field(dg.StringSource, description="MLflow experiment name."),
    "mlflow_tracking_uri": dg.Field(dg.StringSource, description="MLflow tracking URI."),
    "artifact_location": dg.Field(
        dg.Noneable(dg.StringSource),
        default_value=None,
        is_required=False,
        description="Artifact root for a newly created experiment (None: the server's default).",
    ),
    "extra_tags": dg.Field(
        dg.Permissive(), default_value={}, is_required=False, description="Tags on every run."
    ),
}


def _end_leaked_run(context: dg.InitResourceContext) -> None:
    import mlflow

    active = mlflow.active_run()
    if active is not None and active.data.tags.get(DAGSTER_RUN_TAG) != context.run.run_id:
        context.log.warning(
            f"Ending MLflow run {active.info.run_id}, left active by Dagster run "
            f"{active.data.tags.get(DAGSTER_RUN_TAG)!r}, before tracking run {context.run.run_id}"
        )
        mlflow.end_run(status="KILLED")


def sqlite_store_path(tracking_uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` tracking URI, else None."""
    prefix = "sqlite:///"
    return Path(tracking_uri[len(prefix) :]) if tracking_uri.startswith(prefix) else None


_READY_STORES: set[str] = set()


def ready_store(tracking_uri: str) -> None:
    """Create or migrate a SQLite MLflow store under an exclusive file lock, once per process.

    Every location shares the local store, and MLflow creates its tables on first use: two runs
    that start training at the same moment would both migrate a new store and one fails
    (``AttributeError: dimension_attributes``, seen with churn and vehicle_pricing). A server
    store (http) needs nothing.
    """
    db = sqlite_store_path(tracking_uri)
    if db is None or tracking_uri in _READY_STORES:
        return
    import fcntl

    import mlflow

    db.parent.mkdir(parents=True, exist_ok=True)
    with (db.parent / f"{db.name}.init.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if not db.exists():  # an existing file may be open elsewhere: never replaced
                _copy_store_template(db)
            client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
            client.search_registered_models(max_results=1)  # the registry's tables too
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    _READY_STORES.add(tracking_uri)


def store_template_dir() -> Path:
    """Where migrated empty SQLite stores are cached: ``MLPLATFORM_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/mlplatform``, else ``~/.cache/mlplatform``."""
    if configured := os.environ.get("MLPLATFORM_CACHE_DIR"):
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mlplatform"


def store_template() -> Path:
    """An empty SQLite store migrated by this MLflow version, built once per version and cached.

    MLflow creates a new store by running every schema migration (about 1.3 s of CPU); a copy of
    this file is the same store at once. The default experiment (id 0) is left out, so MLflow
    creates it on first use with the new store's own artifact location.
    """
    import mlflow

    template = store_template_dir() / f"mlflow-{mlflow.__version__}-empty-store.db"
    if template.exists():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=template.parent) as tmp:
        built = Path(tmp) / "store.db"
        uri = f"sqlite:///{built}"
        mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri).search_registered_models()
        connection = sqlite3.connect(built)
        with connection:
            connection.execute("DELETE FROM experiments WHERE experiment_id = 0")
        connection.close()
        os.replace(built, template)  # atomic: concurrent builders all succeed
    return template


def _copy_store_template(db: Path) -> None:
    """Start the new store ``db`` as a copy of the cached template (called under the store's
    init lock). If the cache cannot be used, MLflow migrates the new store itself."""
    try:
        template = store_template()
    except (OSError, sqlite3.Error):
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{db.name}.", suffix=".tmp", dir=db.parent)
    os.close(fd)
    try:
        shutil.copyfile(template, tmp)
        os.replace(tmp, db)
    finally:
        Path(tmp).unlink(missing_ok=True)


def default_artifact_location(tracking_uri: str, experiment_name: str) -> str | None:
    """For a SQLite store: ``<db dir>/artifacts/<experiment>``, never MLflow's ``./mlruns``."""
    db = sqlite_store_path(tracking_uri)
    if db is None:
        return None
    return (db.parent / "artifacts" / experiment_name.strip("/")).resolve().as_uri()


def ensure_experiment(
    client: Any, tracking_uri: str, name: str, artifact_location: str | None = None
) -> str:
    """The id of experiment ``name``, created if missing (artifacts next to a SQLite store, never
    in ``./mlruns``); a concurrent creation by another process is not an error."""
    from mlflow.exceptions import MlflowException

    db = sqlite_store_path(tracking_uri)
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    location = artifact_location or default_artifact_location(tracking_uri, name)
    try:
        return client.create_experiment(name, artifact_location=location)
    except MlflowException:
        again = client.get_experiment_by_name(name)
        if again is None:
            raise
        return again.experiment_id


def run_name(run: dg.DagsterRun, project: str) -> str:
    """``<project> <assets> (<trigger>)``, e.g. ``churn model+champion (drift)``: what the MLflow
    UI lists, instead of the job name (``__ASSET_JOB`` for every UI materialization)."""
    from mlplatform.orchestration.automation import run_trigger

    assets = sorted("/".join(key.path[1:]) or key.path[0] for key in run.asset_selection or ())
    # An implicit asset job (names starting "__") with no selection materializes every asset.
    what = "+".join(assets) or ("all assets" if run.job_name.startswith("__") else run.job_name)
    return f"{project} {what} ({run_trigger(run)})"


def dagster_run_failed(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Whether any step of the Dagster run has failed so far."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=1
    ).records
    return bool(records)


def mlflow_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the MLflow server could not be
    reached or did not answer: a refused or dropped connection, a timeout, retries exhausted."""
    import requests

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
            return True
        text = str(seen)
        if type(seen).__name__ == "MlflowException" and text.startswith("API request to"):
            return "failed with" in text
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def retry_when_mlflow_unreachable(
    context: dg.AssetExecutionContext, lifecycle: Lifecycle
) -> Iterator[None]:
    """Turn "MLflow unreachable" inside the block into a retry of the step after
    ``mlflow_retry_delay_seconds``, doubled on each retry; any other error fails as it is."""
    try:
        yield
    except dg.RetryRequested:
        raise
    except Exception as exc:
        if not mlflow_unreachable(exc):
            raise
        wait = lifecycle.mlflow_retry_delay_seconds * 2**context.retry_number
        context.log.warning(
            f"MLflow unreachable (attempt {context.retry_number + 1} of "
            f"{lifecycle.mlflow_retries + 1}); retrying in {wait:g} s: {exc}"
        )
        raise dg.RetryRequested(
            max_retries=lifecycle.mlflow_retries, seconds_to_wait=wait
        ) from exc


def _fail_orphaned_runs(context: dg.InitResourceContext, client: Any, experiment_id: str) -> None:
    """End FAILED the MLflow runs still RUNNING for Dagster runs of this instance that are over
    (their teardown could not reach MLflow). Runs of other instances are left alone."""
    running = client.search_runs(
        [experiment_id], filter_string="attributes.status = 'RUNNING'", max_results=100
    )
    for run in running:
        dagster_run_id = run.data.tags.get(DAGSTER_RUN_TAG)
        if dagster_run_id in (None, context.run.run_id):
            continue
        record = context.instance.get_run_by_id(dagster_run_id)
        if record is not None and record.is_finished:
            client.set_terminated(run.info.run_id, status="FAILED")
            context.log.warning(
                f"MLflow run {run.info.run_id} of Dagster run {dagster_run_id} "
                f"({record.status.value}) was left RUNNING; ended FAILED"
            )


def _finish_run(context: dg.InitResourceContext, mlflow_run_id: str) -> None:
    import mlflow

    failed = dagster_run_failed(context.instance, context.run.run_id)
    status = "FAILED" if failed else "FINISHED"
    active = mlflow.active_run()
    try:
        if active is not None and active.info.run_id == mlflow_run_id:
            mlflow.end_run(status=status)  # leaves no active run, even when MLflow is down
        else:
            mlflow.MlflowClient().set_terminated(mlflow_run_id, status=status)
    except Exception as exc:
        if not mlflow_unreachable(exc):
            raise
        context.log.warning(
            f"MLflow unreachable: run {mlflow_run_id} stays RUNNING until the next run of "
            f"this experiment ends it FAILED ({exc})"
        )
        return
    context.log.info(f"MLflow run {mlflow_run_id} ended {status}")


def _start_tracking(context: dg.InitResourceContext) -> tuple[Any, str]:
    """dagster-mlflow's ``MlFlow`` object with its run active, and that run's id."""
    import mlflow
    from dagster_mlflow import mlflow_tracking

    config = context.resource_config
    ready_store(config["mlflow_tracking_uri"])
    # Both URIs are process-global in MLflow: pin them, or a registry URI set earlier in this
    # process (another run, another store) would receive this run's model versions.
    mlflow.set_tracking_uri(config["mlflow_tracking_uri"])
    mlflow.set_registry_uri(config["mlflow_tracking_uri"])
    _end_leaked_run(context)
    client = mlflow.MlflowClient()
    experiment_id = ensure_experiment(
        client,
        config["mlflow_tracking_uri"],
        config["experiment_name"],
        config.get("artifact_location"),
    )
    _fail_orphaned_runs(context, client, experiment_id)
    inner = mlflow_tracking.resource_fn(
        context.replace_config(
            {
                "experiment_name": config["experiment_name"],
                "mlflow_tracking_uri": config["mlflow_tracking_uri"],
                "extra_tags": config.get("extra_tags") or {},
            }
        )
    )
    tracker = next(inner)
    inner.close()
    # dagster-mlflow leaves `mlflow_run_id` unset when it starts a new run; the active run is it.
    mlflow_run_id = mlflow.active_run().info.run_id
    project = (config.get("extra_tags") or {}).get("project", config["experiment_name"].strip("/"))
    mlflow.set_tag("mlflow.runName", run_name(context.dagster_run, project))
    return tracker, mlflow_run_id


class LazyTracking:
    """The run's MLflow tracking, started by the first step that uses it.

    A run initialises every resource of every step before its first step. Starting MLflow there
    would put MLflow's import and run setup ahead of all steps of the run, whichever of them
    needs it; here the step that trains starts it: ``start()`` (or any attribute of
    dagster-mlflow's ``MlFlow`` object) starts the MLflow run once.
    """

    def __init__(self, context: dg.InitResourceContext) -> None:
        self._context = context
        self._tracker: Any = None
        self.mlflow_run_id: str | None = None

    def start(self) -> Any:
        if self._tracker is None:
            self._tracker, self.mlflow_run_id = _start_tracking(self._context)
        return self._tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self.start(), name)

    def finish(self) -> None:
        if self.mlflow_run_id is not None:
            _finish_run(self._context, self.mlflow_run_id)


@dg.resource(
    config_schema=_CONFIG_SCHEMA,
    description="One MLflow run per Dagster run (dagster-mlflow), started by the first step "
    "that uses it and ended with the run's outcome.",
)
def mlflow_tracking_run(context: dg.InitResourceContext) -> Any:
    """Yields a :class:`LazyTracking`: dagster-mlflow's ``MlFlow`` object (all of ``mlflow``'s
    functions, plus ``mlflow_run_id`` and ``tracking_client``) with its run active from the
    first use on.

    Example::

        @dg.asset(required_resource_keys={"mlflow"})
        def model(context):
            context.resources.mlflow.log_metric("auc", 0.9)
    """
    tracking = LazyTracking(context)
    try:
        yield tracking
    finally:
        tracking.finish()
