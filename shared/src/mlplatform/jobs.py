"""Operational jobs every location gets: rolling the champion back, auditable in Dagster."""

import dagster as dg
from pydantic import Field

from mlplatform.registry import ModelRegistry
from mlplatform.spec import ProjectSpec


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
