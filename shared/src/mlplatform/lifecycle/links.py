"""Links into the MLflow UI for what the platform records: runs, model versions, artifacts.

Every URL is derived from configuration, never hard-coded: ``MLPLATFORM_MLFLOW_UI_URL`` if set
(what a browser reaches, e.g. a published port or a reverse proxy), else the tracking server
itself when the tracking URI is http(s), else the local MLflow UI that ``scripts/up.sh`` starts
for the embedded SQLite store.
"""

import os

MLFLOW_UI_ENV = "MLPLATFORM_MLFLOW_UI_URL"
LOCAL_MLFLOW_UI = "http://127.0.0.1:5000"


def mlflow_ui_base(tracking_uri: str, configured: str | None = None) -> str:
    """The MLflow UI base URL for ``tracking_uri`` (``configured`` defaults to the env var)."""
    configured = os.environ.get(MLFLOW_UI_ENV, "") if configured is None else configured
    if configured:
        return configured.rstrip("/")
    if tracking_uri.startswith(("http://", "https://")):
        return tracking_uri.rstrip("/")
    return LOCAL_MLFLOW_UI


def run_url(base: str, experiment_id: str, run_id: str) -> str:
    return f"{base}/#/experiments/{experiment_id}/runs/{run_id}"


def artifact_url(base: str, experiment_id: str, run_id: str, path: str) -> str:
    """The MLflow UI's artifact view of one file of a run; it renders HTML reports in place."""
    return f"{run_url(base, experiment_id, run_id)}/artifactPath/{path}"


def model_version_url(base: str, model_name: str, version: str) -> str:
    return f"{base}/#/models/{model_name}/versions/{version}"
