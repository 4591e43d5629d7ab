"""Reports published to MLflow, so the UI's links open them over HTTP (a browser will not follow a
``file://`` link from the Dagster UI, and in containers the file sits inside a volume)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlplatform.lifecycle.links import artifact_url
from mlplatform.lifecycle.tracking import ensure_experiment

if TYPE_CHECKING:
    from mlplatform.lifecycle.registry import ModelRegistry


@dataclass(frozen=True)
class PublishedReport:
    """Where a report went: its own MLflow run, and the UI link that renders it."""

    run_id: str
    experiment_id: str
    url: str


def publish_report(
    registry: ModelRegistry,
    experiment_name: str,
    report: Path,
    run_name: str,
    tags: dict[str, str],
    metrics: dict[str, float],
) -> PublishedReport:
    """Log ``report`` as the artifact of a new, finished MLflow run in ``experiment_name``.

    Uses the client API only, so it never touches the process's active MLflow run (a training
    run of the same Dagster run may be active).
    """
    client = registry.client()
    experiment_id = ensure_experiment(client, registry.tracking_uri, experiment_name)
    run = client.create_run(experiment_id, run_name=run_name, tags=tags)
    run_id = run.info.run_id
    try:
        client.log_artifact(run_id, str(report))
        for key, value in metrics.items():
            client.log_metric(run_id, key, value)
    except BaseException:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    url = artifact_url(registry.ui_base(), experiment_id, run_id, report.name)
    return PublishedReport(run_id=run_id, experiment_id=experiment_id, url=url)
