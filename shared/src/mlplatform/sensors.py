"""Sensors that start work by themselves: new landed files, and drift above the threshold.

The decisions are pure functions (``plan_landing_runs``, ``drift_events``) over what the sensor
read; the sensors only read the landing dir or the event log and carry the cursor.
"""

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.automation import run_tags
from mlplatform.factory import daily_partitions
from mlplatform.landing import LandingZone
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

LANDED_FILES_TAG = "mlplatform/landed_files"
DRIFT_SHARE_TAG = "mlplatform/drift_share"
DRIFT_REPORT_RUN_TAG = "mlplatform/drift_report_run"
REASON_TAG = "mlplatform/reason"
# Drift events remembered in the cursor, so a recomputed report of the same data against the same
# champion does not retrain again (older ones still dedupe through their run key).
_REMEMBERED_EVENTS = 200
_TAG_LIMIT = 200


def file_identity(path: Path) -> str:
    """What makes a landed file new: its size and modification time (ns)."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def _shorten(text: str) -> str:
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
                tags={**run_tags(spec, "landing"), LANDED_FILES_TAG: _shorten(", ".join(files))},
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


def landing_sensor_name(spec: ProjectSpec) -> str:
    return f"{spec.name}_landing_sensor"


def build_landing_sensor(
    spec: ProjectSpec, ingest_job: "UnresolvedAssetJobDefinition", interval_seconds: int
) -> dg.SensorDefinition:
    """``<project>_landing_sensor`` (RUNNING by default): new or changed files in the project's
    landing dir -> a run of ``<project>_ingest`` (per day for daily projects)."""
    daily = daily_partitions(spec)
    day_exists = daily.has_partition_key if daily else None

    @dg.sensor(
        name=landing_sensor_name(spec),
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


@dataclass(frozen=True)
class DriftEvent:
    """One materialization of ``drift_report``, as the drift sensor reads it."""

    storage_id: int
    run_id: str
    partition: str | None
    share: float
    model_version: str
    data_hash: str

    @property
    def key(self) -> str:
        """The same data against the same champion is the same drift event."""
        return f"v{self.model_version}-{self.partition or 'all'}-{self.data_hash[:16]}"


@dataclass(frozen=True)
class DriftCursor:
    after_storage_id: int = 0
    acted: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str | None) -> "DriftCursor":
        if not raw:
            return cls()
        value = json.loads(raw)
        return cls(value["after_storage_id"], tuple(value["acted"]))

    def dump(self) -> str:
        return json.dumps({"after_storage_id": self.after_storage_id, "acted": list(self.acted)})


def drift_events(
    spec: ProjectSpec, events: Sequence[DriftEvent], cursor: DriftCursor
) -> tuple[list[dg.RunRequest], DriftCursor, list[str]]:
    """Retrain requests for the events at or above ``spec.drift_threshold`` that were not acted
    on, the advanced cursor, and a log line per event."""
    acted = list(cursor.acted)
    requests: list[dg.RunRequest] = []
    notes: list[str] = []
    after = cursor.after_storage_id
    for event in sorted(events, key=lambda e: e.storage_id):
        after = max(after, event.storage_id)
        where = f"{spec.name}/drift_report" + (f"[{event.partition}]" if event.partition else "")
        if event.share < spec.drift_threshold:
            notes.append(
                f"{where}: drift share {event.share:.3f} < {spec.drift_threshold} - no retrain"
            )
            continue
        if event.key in acted:
            notes.append(f"{where}: drift event {event.key} already triggered a retrain")
            continue
        reason = (
            f"drift share {event.share:.3f} >= threshold {spec.drift_threshold} on {where} "
            f"vs champion v{event.model_version}"
        )
        requests.append(
            dg.RunRequest(
                run_key=f"{spec.name}-drift-{event.key}",
                tags={
                    **run_tags(spec, "drift", training=True),
                    DRIFT_SHARE_TAG: f"{event.share:.4f}",
                    DRIFT_REPORT_RUN_TAG: event.run_id,
                    REASON_TAG: _shorten(reason),
                },
            )
        )
        acted.append(event.key)
        notes.append(f"{where}: {reason} - retraining")
    return requests, DriftCursor(after, tuple(acted[-_REMEMBERED_EVENTS:])), notes


def read_drift_events(
    instance: dg.DagsterInstance, spec: ProjectSpec, after_storage_id: int, limit: int = 100
) -> list[DriftEvent]:
    """Drift-report materializations newer than ``after_storage_id``, oldest first."""
    drift_key = dg.AssetKey([spec.name, "drift_report"])
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=drift_key, after_storage_id=after_storage_id or None),
        limit=limit,
        ascending=True,
    ).records
    events = []
    for record in records:
        materialization = record.asset_materialization
        metadata = {k: v.value for k, v in materialization.metadata.items()}
        events.append(
            DriftEvent(
                storage_id=record.storage_id,
                run_id=record.run_id,
                partition=materialization.partition,
                share=float(metadata["drift_share"]),
                model_version=str(metadata["model_version"]),
                data_hash=str(metadata.get("current_data_hash", record.storage_id)),
            )
        )
    return events


def drift_sensor_name(spec: ProjectSpec) -> str:
    return f"{spec.name}_drift_retrain_sensor"


def build_drift_sensor(
    spec: ProjectSpec, retrain_job: "UnresolvedAssetJobDefinition", interval_seconds: int
) -> dg.SensorDefinition:
    """``<project>_drift_retrain_sensor`` (RUNNING by default): a new drift report at or above
    the threshold -> one run of ``<project>_retrain`` tagged with the reason and the figure."""

    @dg.sensor(
        name=drift_sensor_name(spec),
        job=retrain_job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Retrains {spec.name} (model, then the champion decision) once per drift "
        f"report with drift share >= {spec.drift_threshold}.",
    )
    def drift_sensor(context: dg.SensorEvaluationContext):
        cursor = DriftCursor.parse(context.cursor)
        events = read_drift_events(context.instance, spec, cursor.after_storage_id)
        requests, advanced, notes = drift_events(spec, events, cursor)
        for note in notes:
            context.log.info(note)
        if not requests:
            reason = notes[-1] if notes else "no new drift reports"
            return dg.SensorResult(skip_reason=reason, cursor=advanced.dump())
        return dg.SensorResult(run_requests=requests, cursor=advanced.dump())

    return drift_sensor
