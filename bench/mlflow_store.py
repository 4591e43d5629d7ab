"""The benchmarks' own MLflow experiments, with artifacts beside their SQLite store as the
platform's (``ensure_experiment``), never in ``./mlruns`` of the working directory."""

from __future__ import annotations

import mlflow

from mlplatform.lifecycle.tracking import ensure_experiment


def use_experiment(tracking_uri: str, name: str) -> None:
    """Point this process's MLflow (tracking and registry) at ``tracking_uri`` and experiment
    ``name``, created if missing."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    mlflow.set_experiment(experiment_id=ensure_experiment(client, tracking_uri, name))
