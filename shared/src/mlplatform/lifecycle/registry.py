"""Logging trained models to MLflow and reading them (and their reference data) back."""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle import links

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.spec import ProjectSpec
    from mlplatform.steps.training import TrainedModel

REFERENCE_ARTIFACT = "reference/reference.parquet"
MODEL_ARTIFACT = "model"
_BASE_REQUIREMENTS = ("mlflow", "scikit-learn", "pandas", "numpy", "scipy", "cloudpickle")


def pinned_requirements(extra_packages: tuple[str, ...] = ()) -> list[str]:
    """Exact versions of what the model needs, from this environment.

    Passing these to ``log_model`` skips MLflow's ~10 s requirement inference.
    """
    return [f"{pkg}=={version(pkg)}" for pkg in (*_BASE_REQUIREMENTS, *extra_packages)]


@dataclass(frozen=True)
class LoggedModel:
    """Where a trained model ended up in MLflow."""

    run_id: str
    experiment_id: str
    model_uri: str
    version: str


def log_trained_model(
    spec: ProjectSpec,
    trained: TrainedModel,
    reference: pd.DataFrame,
    tags: dict[str, str],
) -> LoggedModel:
    """Log params, metrics, the pipeline (pinned requirements, signature, input example) and the
    drift reference data to the active MLflow run, and register a new model version."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("log_trained_model needs an active MLflow run")
    mlflow.log_params(
        {
            "task": spec.model.task,
            "estimator": type(trained.estimator).__name__,
            "train_rows": len(trained.split.x_train),
            "test_rows": len(trained.split.x_test),
            "test_fraction": spec.model.test_fraction,
            "seed": spec.model.seed,
            "features": ",".join(spec.model.feature_columns),
        }
    )
    mlflow.log_metrics(trained.metrics)
    mlflow.set_tags(tags)
    example = trained.split.x_test.head(5)
    predict = (
        trained.estimator.predict_proba
        if spec.model.task == "classification"
        else trained.estimator.predict
    )
    info = mlflow.sklearn.log_model(
        trained.estimator,
        name=MODEL_ARTIFACT,
        pip_requirements=pinned_requirements(spec.model.packages),
        signature=infer_signature(example, predict(example)),
        input_example=example,
        skops_trusted_types=list(spec.model.trusted_types) or None,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(REFERENCE_ARTIFACT).name
        reference.to_parquet(path, index=False)
        mlflow.log_artifact(str(path), artifact_path=str(Path(REFERENCE_ARTIFACT).parent))
    # Registered with its tags in one call, not one registry write per tag.
    registered = mlflow.register_model(info.model_uri, spec.registered_model_name, tags=tags)
    model_version = str(registered.version)
    return LoggedModel(
        run_id=run.info.run_id,
        experiment_id=run.info.experiment_id,
        model_uri=info.model_uri,
        version=model_version,
    )


class ModelRegistry(dg.ConfigurableResource):
    """The MLflow registry: aliases, model versions and their reference data. Never starts an
    MLflow run. ``lock_dir`` must be shared by every process that promotes or rolls back.

    Example::

        registry = ModelRegistry(tracking_uri="sqlite:////data/mlflow/mlflow.db", lock_dir="/x")
        reference = registry.reference_data("churn", registry.alias_version("churn", "champion"))
    """

    tracking_uri: str
    lock_dir: str
    # Where a browser reaches the MLflow UI; empty: $MLPLATFORM_MLFLOW_UI_URL, else the tracking
    # server (http), else the local UI scripts/up.sh starts (see mlplatform.lifecycle.links).
    ui_url: str = ""

    def client(self) -> Any:
        import mlflow

        from mlplatform.lifecycle.tracking import ready_store

        ready_store(self.tracking_uri)
        return mlflow.MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    def ui_base(self) -> str:
        return links.mlflow_ui_base(self.tracking_uri, self.ui_url or None)

    def run_url(self, experiment_id: str, run_id: str) -> str:
        return links.run_url(self.ui_base(), experiment_id, run_id)

    def model_version_url(self, model_name: str, version: str) -> str:
        return links.model_version_url(self.ui_base(), model_name, version)

    @contextmanager
    def lock(self, model_name: str) -> Iterator[None]:
        """Exclusive per-model lock across threads and processes (``flock`` on a shared file)."""
        path = Path(self.lock_dir) / f"{model_name}.registry.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def alias_version(self, model_name: str, alias: str) -> str | None:
        """The version an alias points at, or None (also when the model is not registered)."""
        from mlflow.exceptions import MlflowException

        try:
            aliases = self.client().get_registered_model(model_name).aliases
        except MlflowException as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        version = aliases.get(alias)
        return None if version is None else str(version)

    def version_exists(self, model_name: str, version: str) -> bool:
        from mlflow.exceptions import MlflowException

        try:
            self.client().get_model_version(model_name, version)
        except MlflowException:
            return False
        return True

    def load_model(self, model_name: str, version: str) -> Any:
        """The scikit-learn estimator of a registered version, loaded through MLflow from a copy
        that is removed once loaded (MLflow's own default leaves a copy of the model in the
        temp dir on every load)."""
        import mlflow.sklearn

        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        with tempfile.TemporaryDirectory() as tmp:
            return mlflow.sklearn.load_model(f"models:/{model_name}/{version}", dst_path=tmp)

    def reference_data(self, model_name: str, model_version: str) -> pd.DataFrame:
        """The reference (training) sample logged with a model version."""
        import mlflow
        import pandas as pd

        run_id = self.client().get_model_version(model_name, model_version).run_id
        with tempfile.TemporaryDirectory() as tmp:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id,
                artifact_path=REFERENCE_ARTIFACT,
                dst_path=tmp,
                tracking_uri=self.tracking_uri,
            )
            return pd.read_parquet(local)
