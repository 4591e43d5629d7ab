"""Jobs every location gets: ingesting landed files, retraining, the daily build of a daily
project, and rolling the champion back (auditable in Dagster)."""

from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from mlplatform.automation import run_tags, training_keys
from mlplatform.factory import daily_partitions
from mlplatform.registry import ModelRegistry
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

DAILY_NOUNS = ("raw_data", "features", "drift_report", "predictions")


def build_ingest_job(spec: ProjectSpec) -> "UnresolvedAssetJobDefinition":
    """``<project>_ingest``: read the landed files into ``raw_data`` (one day for daily projects);
    the landing sensor launches it."""
    return dg.define_asset_job(
        f"{spec.name}_ingest",
        selection=dg.AssetSelection.assets(dg.AssetKey([spec.name, "raw_data"])),
        partitions_def=daily_partitions(spec),
        description=f"Ingest landed {spec.name} files into raw_data (blocking checks first).",
        tags=run_tags(spec, "landing"),
    )


def build_retrain_job(spec: ProjectSpec) -> "UnresolvedAssetJobDefinition":
    """``<project>_retrain``: train a model on the current features, then decide the champion.

    The drift report and predictions follow by declarative automation when the champion changes.
    Every run carries ``mlplatform/training`` (one training run per project in production).
    """
    return dg.define_asset_job(
        f"{spec.name}_retrain",
        selection=dg.AssetSelection.assets(*training_keys(spec)),
        description=f"Retrain {spec.name}: model (MLflow run + new version, @challenger), then "
        "the champion decision.",
        tags=run_tags(spec, "retrain", training=True),
    )


def build_daily_job(spec: ProjectSpec) -> "UnresolvedAssetJobDefinition | None":
    """``<project>_daily`` for daily projects: one day's raw data, features, drift report and
    predictions; ``None`` for unpartitioned projects."""
    if spec.partitioning is None:
        return None
    return dg.define_asset_job(
        f"{spec.name}_daily",
        selection=dg.AssetSelection.assets(*(dg.AssetKey([spec.name, n]) for n in DAILY_NOUNS)),
        partitions_def=daily_partitions(spec),
        description=f"Build one day of {spec.name}: raw data, features, drift report, "
        "predictions.",
        tags=run_tags(spec, "daily"),
    )


class RollbackConfig(dg.Config):
    """Who rolls back, why, and to which version (empty: the ``previous`` champion)."""

    reason: str = Field(description="Why the champion is rolled back (kept in the audit trail).")
    requested_by: str = Field(description="Who asked for the rollback.")
    to_version: str = Field(default="", description="Version to restore; empty = 'previous'.")


def rollback_job_name(spec: ProjectSpec) -> str:
    return f"{spec.name}_rollback"


def build_rollback_job(spec: ProjectSpec) -> dg.JobDefinition:
    """``<project>_rollback``: point ``champion`` back and record it on ``<project>/champion``.

    Example: launch it from the UI (Launchpad) or ``python -m <project> rollback --reason ...``.
    """
    champion_key = dg.AssetKey([spec.name, "champion"])

    @dg.op(
        name=f"{spec.name}_rollback_champion",
        description=f"Point the {spec.name} champion alias back to a named or previous version.",
    )
    def rollback_champion(
        context: dg.OpExecutionContext, config: RollbackConfig, registry: ModelRegistry
    ) -> None:
        from mlplatform.promotion import PromotionError, rollback

        try:
            event = rollback(
                registry,
                spec.registered_model_name,
                reason=config.reason,
                requested_by=config.requested_by,
                to_version=config.to_version.strip() or None,
            )
        except PromotionError as exc:
            raise dg.Failure(description=f"rollback refused, nothing changed: {exc}") from exc
        context.log.info(
            f"{spec.name} champion rolled back v{event.from_version} -> v{event.to_version} "
            f"by {event.requested_by}: {event.reason}"
        )
        context.log_event(
            dg.AssetMaterialization(
                asset_key=champion_key,
                description=f"rollback by {event.requested_by}: {event.reason}",
                metadata={
                    "event": "rollback",
                    "model_name": event.model_name,
                    "model_version": event.to_version,
                    "rolled_back_from": event.from_version,
                    "reason": event.reason,
                    "requested_by": event.requested_by,
                    "rolled_back_at": event.rolled_back_at,
                },
            )
        )

    @dg.job(
        name=rollback_job_name(spec),
        description=f"Roll the {spec.name} champion back (config: reason, requested_by, "
        "to_version); recorded as a materialization of the champion asset.",
    )
    def rollback_job() -> None:
        rollback_champion()

    return rollback_job
