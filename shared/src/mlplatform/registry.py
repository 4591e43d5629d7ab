"""Logging trained models to MLflow and reading them (and their reference data) back."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.spec import ProjectSpec
    from mlplatform.training import TrainedModel

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
            "task": spec.task,
            "estimator": type(trained.estimator).__name__,
            "train_rows": len(trained.split.x_train),
            "test_rows": len(trained.split.x_test),
            "test_fraction": spec.test_fraction,
            "seed": spec.seed,
            "features": ",".join(spec.feature_columns),
        }
    )
    mlflow.log_metrics(trained.metrics)
    mlflow.set_tags(tags)
    example = trained.split.x_test.head(5)
    predict = (
        trained.estimator.predict_proba
        if spec.task == "classification"
        else trained.estimator.predict
    )
    info = mlflow.sklearn.log_model(
        trained.estimator,
        name=MODEL_ARTIFACT,
        pip_requirements=pinned_requirements(spec.model_packages),
        signature=infer_signature(example, predict(example)),
        input_example=example,
        registered_model_name=spec.registered_model_name,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(REFERENCE_ARTIFACT).name
        reference.to_parquet(path, index=False)
        mlflow.log_artifact(str(path), artifact_path=str(Path(REFERENCE_ARTIFACT).parent))
    model_version = str(info.registered_model_version)
    client = mlflow.MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(spec.registered_model_name, model_version, key, value)
    return LoggedModel(
        run_id=run.info.run_id,
        experiment_id=run.info.experiment_id,
        model_uri=info.model_uri,
        version=model_version,
    )


class ModelRegistry(dg.ConfigurableResource):
    """Read access to the MLflow registry; it never starts an MLflow run.

    Example::

        registry = ModelRegistry(tracking_uri="sqlite:////data/mlflow/mlflow.db")
        reference = registry.reference_data("churn", "3")
    """

    tracking_uri: str
    ui_url: str = "http://127.0.0.1:5000"

    def client(self) -> Any:
        import mlflow

        return mlflow.MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    def run_url(self, experiment_id: str, run_id: str) -> str:
        return f"{self.ui_url.rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"

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
