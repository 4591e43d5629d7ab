"""The one place that decides where a location's data, assets, reports and MLflow store live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.lifecycle.tracking import MLFLOW_RESOURCE_KEY, mlflow_tracking_run
from mlplatform.orchestration.alerts import AlertSink
from mlplatform.orchestration.assets.model import LEGACY_RUNNER_KEY
from mlplatform.orchestration.legacy_runner import (
    IMAGE_ENV,
    RUNNER_ENV,
    WORK_DIR_ENV,
    LegacyRunner,
)
from mlplatform.spec import ProjectSpec
from mlplatform.storage.io_manager import ParquetIOManager
from mlplatform.storage.landing import LandingZone
from mlplatform.storage.reports import ReportStore

ENV_VARS = {
    "MLPLATFORM_LANDING_DIR": "root of landed raw files (<root>/<project>/*.csv|parquet)",
    "MLPLATFORM_ASSET_DIR": "where the IO manager stores asset values as Parquet",
    "MLPLATFORM_REPORT_DIR": "where drift reports (HTML) are written",
    "MLFLOW_TRACKING_URI": "MLflow tracking and registry URI (sqlite:///... or http://...)",
    "MLPLATFORM_LOCK_DIR": "lock files serializing promotions/rollbacks (shared by all processes)",
    "MLPLATFORM_ALERT_FILE": "JSON-lines file the run-failure sensor appends alerts to",
}
# Read when an adopted project's script runs, each with a default (see LegacyRunner).
LEGACY_ENV_VARS = {
    RUNNER_ENV: "how an adopted training script runs: subprocess (default) or docker",
    WORK_DIR_ENV: "where its input and output go (docker: on the data volume, e.g. /data/legacy)",
    IMAGE_ENV: "the script's image in this deployment (default: LegacyTraining.image)",
}


def _resources(
    spec: ProjectSpec,
    *,
    landing_dir: Any,
    asset_dir: Any,
    report_dir: Any,
    lock_dir: Any,
    alert_file: Any,
    tracking_uri: Any,
    mlflow_config_uri: Any,
    legacy_runner: LegacyRunner,
) -> dict[str, Any]:
    adopted = {LEGACY_RUNNER_KEY: legacy_runner} if spec.model.legacy else {}
    return {
        **adopted,
        "alerts": AlertSink(path=alert_file),
        "landing": LandingZone(root=landing_dir),
        "io_manager": ParquetIOManager(base_dir=asset_dir),
        "reports": ReportStore(root=report_dir),
        "registry": ModelRegistry(tracking_uri=tracking_uri, lock_dir=lock_dir),
        MLFLOW_RESOURCE_KEY: mlflow_tracking_run.configured(
            {
                "experiment_name": spec.experiment_name,
                "mlflow_tracking_uri": mlflow_config_uri,
                "extra_tags": {"project": spec.name},
            }
        ),
    }


def resources_from_env(spec: ProjectSpec) -> dict[str, Any]:
    """Resources whose locations come from ``ENV_VARS`` when a run starts (not at import).

    ``scripts/up.sh`` sets them for local use; containers set them in production.
    """
    return _resources(
        spec,
        landing_dir=dg.EnvVar("MLPLATFORM_LANDING_DIR"),
        asset_dir=dg.EnvVar("MLPLATFORM_ASSET_DIR"),
        report_dir=dg.EnvVar("MLPLATFORM_REPORT_DIR"),
        lock_dir=dg.EnvVar("MLPLATFORM_LOCK_DIR"),
        alert_file=dg.EnvVar("MLPLATFORM_ALERT_FILE"),
        tracking_uri=dg.EnvVar("MLFLOW_TRACKING_URI"),
        mlflow_config_uri={"env": "MLFLOW_TRACKING_URI"},
        legacy_runner=LegacyRunner(),
    )


def resources_for_dir(
    spec: ProjectSpec, data_dir: Path, tracking_uri: str | None = None
) -> dict[str, Any]:
    """Everything under one local directory, with a SQLite MLflow store (tests, benchmarks)
    unless ``tracking_uri`` names another (an ``http://`` tracking server).

    Layout: ``landing/``, ``assets/``, ``reports/``, ``locks/``, ``alerts/alerts.jsonl``,
    ``mlflow/mlflow.db`` (+ ``mlflow/artifacts``), ``legacy/`` (an adopted script's runs,
    as subprocesses).
    """
    data_dir = Path(data_dir).resolve()
    tracking_uri = tracking_uri or local_tracking_uri(data_dir)
    return _resources(
        spec,
        landing_dir=str(data_dir / "landing"),
        asset_dir=str(data_dir / "assets"),
        report_dir=str(data_dir / "reports"),
        lock_dir=str(data_dir / "locks"),
        alert_file=str(data_dir / "alerts" / "alerts.jsonl"),
        tracking_uri=tracking_uri,
        mlflow_config_uri=tracking_uri,
        legacy_runner=LegacyRunner(mode="subprocess", work_dir=str(data_dir / "legacy")),
    )


def local_tracking_uri(data_dir: Path) -> str:
    """The SQLite MLflow store used on embedded defaults."""
    return f"sqlite:///{Path(data_dir).resolve() / 'mlflow' / 'mlflow.db'}"
