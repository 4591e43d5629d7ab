"""Schedules every location gets: retraining on the spec's cron and, for daily projects, the
nightly build of the day that just ended. Both RUNNING by default, in UTC."""

from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.orchestration.automation import TRIGGER_TAG
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )


def build_retrain_schedule(
    spec: ProjectSpec, names: ProjectNames, retrain_job: "UnresolvedAssetJobDefinition"
) -> dg.ScheduleDefinition:
    """``<project>_retrain_schedule``: ``<project>_retrain`` on ``spec.schedule.retrain_cron``."""
    cron = spec.schedule.retrain_cron
    return dg.ScheduleDefinition(
        name=names.retrain_schedule,
        job=retrain_job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={TRIGGER_TAG: "schedule"},
        description=f"Retrain {spec.name} on its regular cadence ({cron}, UTC), "
        "whether or not drift was detected.",
    )


def build_daily_schedule(
    spec: ProjectSpec, names: ProjectNames, daily_job: "UnresolvedAssetJobDefinition"
) -> dg.ScheduleDefinition:
    """``<project>_daily_schedule``: ``<project>_daily`` for the day that just ended, at the
    partitioning's ``schedule_hour:schedule_minute`` UTC. A day whose file never landed fails
    its raw-data checks, which the failure alert reports."""
    assert spec.partitioning is not None
    return dg.build_schedule_from_partitioned_job(
        daily_job,
        name=names.daily_schedule,
        hour_of_day=spec.partitioning.schedule_hour,
        minute_of_hour=spec.partitioning.schedule_minute,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={TRIGGER_TAG: "schedule"},
        description=f"Build yesterday's {spec.name} partition (raw data, features, drift "
        f"report, predictions) every day at {spec.partitioning.schedule_hour:02d}:"
        f"{spec.partitioning.schedule_minute:02d} UTC.",
    )
