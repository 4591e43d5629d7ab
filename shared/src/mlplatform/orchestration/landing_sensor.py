"""The landing sensor: new or changed landed files start an ingest run.

The decision is a pure function (``plan_landing_runs``) over what the sensor listed; the sensor
only lists the landing dir and carries the cursor (file name -> identity).
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
    day_exists: Callable[[str], bool] | None = None,
) -> LandingPlan:
    """Run requests for landed files whose identity (``current``: name -> identity) is not in
    ``seen``.

    Unpartitioned projects: one run of ``raw_data`` (which reads every landed file) for all new
    files. Daily projects: one run per day named by the new files (``<YYYY-MM-DD>*``);
    ``day_exists`` says whether that day is a partition yet. A file of a day that has not ended is
    left out of ``handled`` so a later tick picks it up. The run key is derived from the files'
    names and identities, so a repeated tick (or a restarted sensor) requests nothing new.
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
        elif day is not None and day_exists is not None and not day_exists(day):
            waiting[name] = f"partition {day} does not exist until the day has ended"
        else:
            batches.setdefault(day, {})[name] = ident
    requests = []
    for day, files in sorted(batches.items(), key=lambda item: item[0] or ""):
        identities = [f"{name}@{ident}" for name, ident in files.items()]
        requests.append(
            dg.RunRequest(
                run_key=f"{spec.name}-landing-{day or 'all'}-{_digest(identities)}",
                partition_key=day,
                tags={**run_tags(spec, "landing"), LANDED_FILES_TAG: shorten(", ".join(files))},
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
    day_exists = names.partitions.has_partition_key if names.partitions else None

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
        plan = plan_landing_runs(spec, current, seen, day_exists)
        for name, why in plan.ignored.items():
            context.log.warning(f"{spec.name}: not ingesting landed file {name}: {why}")
        if not plan.requests:
            waiting = "; ".join(f"{n}: {why}" for n, why in plan.waiting.items())
            reason = (
                f"waiting: {waiting}"
                if waiting
                else f"no new files in {landing.project_dir(spec.name)}"
            )
            return dg.SensorResult(skip_reason=reason, cursor=json.dumps(plan.handled))
        for request in plan.requests:
            context.log.info(
                f"{spec.name}: new landed files {request.tags[LANDED_FILES_TAG]} -> raw_data"
                + (f" partition {request.partition_key}" if request.partition_key else "")
            )
        return dg.SensorResult(run_requests=plan.requests, cursor=json.dumps(plan.handled))

    return landing_sensor
