"""The landing sensors: new or changed landed raw files start an ingest run, new or changed
outcome files a ``model_performance`` run.

The decision is a pure function (``plan_landing_runs``) over what a sensor listed; the sensor
only lists its folder and carries the cursor (file name -> identity). Outcome files wait, like a
raw file of a day that has not ended, until there are predictions (of their day) to join.
"""

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.orchestration.automation import run_tags
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import LandingZone

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

LANDED_FILES_TAG = "mlplatform/landed_files"
_TAG_LIMIT = 200


def file_identity(path: Path) -> str:
    """What makes a landed file new: its size and modification time (ns)."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def shorten(text: str) -> str:
    """``text`` cut to fit a run tag."""
    return text if len(text) <= _TAG_LIMIT else text[: _TAG_LIMIT - 3] + "..."


@dataclass(frozen=True)
class LandingPlan:
    """What one landing-sensor tick does: run requests, the files now handled (the cursor), and
    the files it will not ingest, with why."""

    requests: list[dg.RunRequest]
    handled: dict[str, str]
    ignored: dict[str, str] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)


def plan_landing_runs(
    spec: ProjectSpec,
    current: Mapping[str, str],
    seen: Mapping[str, str],
    waits: Callable[[str | None], str] | None = None,
    trigger: str = "landing",
) -> LandingPlan:
    """Run requests for landed files whose identity (``current``: name -> identity) is not in
    ``seen``.

    Unpartitioned projects: one run (of an asset that reads every landed file) for all new
    files. Daily projects: one run per day named by the new files (``<YYYY-MM-DD>*``).
    ``waits(day)`` says why a file of that day cannot be used yet ("" if it can; e.g. the day has
    not ended): such a file is left out of ``handled`` so a later tick picks it up. The run key
    is derived from the files' names and identities, so a repeated tick (or a restarted sensor)
    requests nothing new.
    """
    new = {name: ident for name, ident in current.items() if seen.get(name) != ident}
    # Files that disappeared are forgotten; the rest stay handled.
    handled = {name: ident for name, ident in seen.items() if name in current}
    batches: dict[str | None, dict[str, str]] = {}
    ignored: dict[str, str] = {}
    waiting: dict[str, str] = {}
    for name, ident in sorted(new.items()):
        day = _day_of(name) if spec.partitioning else None
        if spec.partitioning and (why := _not_a_partition(day, spec.partitioning.start_date)):
            ignored[name] = why
            handled[name] = ident  # warned about once, never ingested
        elif waits is not None and (why := waits(day)):
            waiting[name] = why
        else:
            batches.setdefault(day, {})[name] = ident
    requests = []
    for day, files in sorted(batches.items(), key=lambda item: item[0] or ""):
        identities = [f"{name}@{ident}" for name, ident in files.items()]
        requests.append(
            dg.RunRequest(
                run_key=f"{spec.name}-{trigger}-{day or 'all'}-{_digest(identities)}",
                partition_key=day,
                tags={**run_tags(spec, trigger), LANDED_FILES_TAG: shorten(", ".join(files))},
            )
        )
        handled.update(files)
    return LandingPlan(requests=requests, handled=handled, ignored=ignored, waiting=waiting)


def _not_a_partition(day: str | None, start_date: str) -> str:
    """Why a daily project's file can never be ingested ("" if it can)."""
    if day is None:
        return "name does not start with a date (YYYY-MM-DD)"
    if day < start_date:
        return f"{day} is before the first partition {start_date}"
    return ""


def _day_of(name: str) -> str | None:
    try:
        return date.fromisoformat(name[:10]).isoformat()
    except ValueError:
        return None


def build_landing_sensor(
    spec: ProjectSpec,
    names: ProjectNames,
    ingest_job: "UnresolvedAssetJobDefinition",
    interval_seconds: int,
) -> dg.SensorDefinition:
    """``<project>_landing_sensor`` (RUNNING by default): new or changed files in the project's
    landing dir -> a run of ``<project>_ingest`` (per day for daily projects)."""
    partitions = names.partitions

    def waits(day: str | None) -> str:
        if day is None or partitions is None or partitions.has_partition_key(day):
            return ""
        return f"partition {day} does not exist until the day has ended"

    @dg.sensor(
        name=names.landing_sensor,
        job=ingest_job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts a {spec.name}/raw_data run when files land in the {spec.name} "
        "landing dir (one run per new batch; per day for daily projects).",
    )
    def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingZone):
        seen = json.loads(context.cursor) if context.cursor else {}
        current = {p.name: file_identity(p) for p in landing.list_files(spec.name)}
        plan = plan_landing_runs(spec, current, seen, waits)
        return sensor_result(context, spec, plan, landing.project_dir(spec.name), "raw_data")

    return landing_sensor


def sensor_result(
    context: dg.SensorEvaluationContext,
    spec: ProjectSpec,
    plan: LandingPlan,
    folder: Path,
    asset: str,
) -> dg.SensorResult:
    """The tick's result for ``plan``, logging what is ignored, waits and runs."""
    for name, why in plan.ignored.items():
        context.log.warning(f"{spec.name}: not using landed file {name}: {why}")
    if not plan.requests:
        waiting = "; ".join(f"{n}: {why}" for n, why in plan.waiting.items())
        reason = f"waiting: {waiting}" if waiting else f"no new files in {folder}"
        return dg.SensorResult(skip_reason=reason, cursor=json.dumps(plan.handled))
    for request in plan.requests:
        context.log.info(
            f"{spec.name}: new landed files {request.tags[LANDED_FILES_TAG]} -> {asset}"
            + (f" partition {request.partition_key}" if request.partition_key else "")
        )
    return dg.SensorResult(run_requests=plan.requests, cursor=json.dumps(plan.handled))


def predictions_wait(
    instance: dg.DagsterInstance, names: ProjectNames
) -> Callable[[str | None], str]:
    """Why outcomes of ``day`` (all outcomes, unpartitioned) must wait: no predictions (of that
    day) have been made yet to join them with."""

    def waits(day: str | None) -> str:
        if names.partitions is not None and day is not None:
            if not names.partitions.has_partition_key(day):
                return f"partition {day} does not exist until the day has ended"
            done = instance.get_materialized_partitions(names.predictions)
            if day in done:
                return ""
            return f"no predictions for {day} yet to join the outcomes with"
        if instance.fetch_materializations(names.predictions, limit=1).records:
            return ""
        return "no predictions yet to join the outcomes with"

    return waits


def build_outcomes_sensor(
    spec: ProjectSpec,
    names: ProjectNames,
    performance_job: "UnresolvedAssetJobDefinition",
    interval_seconds: int,
) -> dg.SensorDefinition:
    """``<project>_outcomes_sensor`` (RUNNING by default): new or changed files in
    ``landing/<project>/outcomes/`` -> a run of ``<project>_performance`` (per day for daily
    projects, files named ``<YYYY-MM-DD>*`` by the day of the predictions), once predictions
    exist to join them with."""

    @dg.sensor(
        name=names.outcomes_sensor,
        job=performance_job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts a {spec.name}/model_performance run when outcome files land in "
        f"the {spec.name} outcomes dir (waits for predictions to join them with).",
    )
    def outcomes_sensor(context: dg.SensorEvaluationContext, landing: LandingZone):
        seen = json.loads(context.cursor) if context.cursor else {}
        current = {p.name: file_identity(p) for p in landing.list_outcome_files(spec.name)}
        waits = predictions_wait(context.instance, names)
        plan = plan_landing_runs(spec, current, seen, waits, trigger="outcomes")
        folder = landing.outcomes_dir(spec.name)
        return sensor_result(context, spec, plan, folder, "model_performance")

    return outcomes_sensor
