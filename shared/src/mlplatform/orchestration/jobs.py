"""Jobs every location gets: ingesting landed files, retraining, the daily build of a daily
project, live performance from landed outcomes, the champion decision alone, and rolling the
champion back (auditable in Dagster)."""

from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.automation import run_tags
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )


def build_ingest_job(spec: ProjectSpec, names: ProjectNames) -> "UnresolvedAssetJobDefinition":
    """``<project>_ingest``: read the landed files into ``raw_data`` (one day for daily projects);
    the landing sensor launches it."""
    return dg.define_asset_job(
        names.ingest_job,
        selection=dg.AssetSelection.assets(names.raw_data),
        partitions_def=names.partitions,
        description=f"Ingest landed {spec.name} files into raw_data (blocking checks first).",
        tags=run_tags(spec, "landing"),
    )


def build_retrain_job(spec: ProjectSpec, names: ProjectNames) -> "UnresolvedAssetJobDefinition":
    """``<project>_retrain``: train a model on the current features, then decide the champion.

    The drift report and predictions follow by declarative automation when the champion changes.
    Every run carries ``mlplatform/training`` (one training run per project in production).
    """
    return dg.define_asset_job(
        names.retrain_job,
        selection=dg.AssetSelection.assets(*names.training_keys),
        description=f"Retrain {spec.name}: model (MLflow run + new version, @challenger), then "
        "the champion decision.",
        tags=run_tags(spec, "retrain", training=True),
    )


def build_performance_job(
    spec: ProjectSpec, names: ProjectNames
) -> "UnresolvedAssetJobDefinition":
    """``<project>_performance``: join the landed outcomes with the logged predictions (one day
    for daily projects); the outcomes sensor launches it."""
    return dg.define_asset_job(
        names.performance_job,
        selection=dg.AssetSelection.assets(names.model_performance),
        partitions_def=names.partitions,
        description=f"Live {spec.name} model performance from landed outcomes.",
        tags=run_tags(spec, "outcomes"),
    )


def build_promotion_job(spec: ProjectSpec, names: ProjectNames) -> "UnresolvedAssetJobDefinition":
    """``<project>_promotion``: decide the champion again without training, once the shadow
    challenger has enough live outcomes (``QualityGate.live_promotion_rows``)."""
    return dg.define_asset_job(
        names.promotion_job,
        selection=dg.AssetSelection.assets(names.champion),
        description=f"Decide the {spec.name} champion again (no training): the challenger "
        "against the champion on held-out rows and live outcomes.",
        tags=run_tags(spec, "live_outcomes"),
    )


def build_daily_job(
    spec: ProjectSpec, names: ProjectNames
) -> "UnresolvedAssetJobDefinition | None":
    """``<project>_daily`` for daily projects: one day's raw data, features, drift report and
    predictions; ``None`` for unpartitioned projects."""
    if spec.partitioning is None:
        return None
    return dg.define_asset_job(
        names.daily_job,
        selection=dg.AssetSelection.assets(*names.daily_keys),
        partitions_def=names.partitions,
        description=f"Build one day of {spec.name}: raw data, features, drift report, "
        "predictions.",
        tags=run_tags(spec, "daily"),
    )


class RollbackConfig(dg.Config):
    """Who rolls back, why, and to which version (empty: the ``previous`` champion)."""

    reason: str = Field(description="Why the champion is rolled back (kept in the audit trail).")
    requested_by: str = Field(description="Who asked for the rollback.")
    to_version: str = Field(default="", description="Version to restore; empty = 'previous'.")


def build_rollback_job(spec: ProjectSpec, names: ProjectNames) -> dg.JobDefinition:
    """``<project>_rollback``: point ``champion`` back and record it on ``<project>/champion``.

    Example: launch it from the UI (Launchpad) or ``python -m <project> rollback --reason ...``.
    """

    @dg.op(
        name=names.rollback_op,
        description=f"Point the {spec.name} champion alias back to a named or previous version.",
    )
    def rollback_champion(
        context: dg.OpExecutionContext, config: RollbackConfig, registry: ModelRegistry
    ) -> None:
        from mlplatform.lifecycle.promotion import PromotionError, rollback

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
                asset_key=names.champion,
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
        name=names.rollback_job,
        description=f"Roll the {spec.name} champion back (config: reason, requested_by, "
        "to_version); recorded as a materialization of the champion asset.",
    )
    def rollback_job() -> None:
        rollback_champion()

    return rollback_job
