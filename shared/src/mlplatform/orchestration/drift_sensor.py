"""The drift retrain sensor: a drift report at or above the threshold starts one retrain.

The decision is a pure function (``drift_events``) over the drift reports the sensor read from
the event log; the sensor carries the cursor (storage id + the drift events acted on).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.orchestration.automation import run_tags
from mlplatform.orchestration.event_sensors import (
    asset_where,
    decision_result,
    read_materializations,
)
from mlplatform.orchestration.landing_sensor import shorten
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

DRIFT_SHARE_TAG = "mlplatform/drift_share"
DRIFT_REPORT_RUN_TAG = "mlplatform/drift_report_run"
REASON_TAG = "mlplatform/reason"
# Drift events remembered in the cursor, so a recomputed report of the same data against the same
# champion does not retrain again (older ones still dedupe through their run key).
_REMEMBERED_EVENTS = 200


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
    """Retrain requests for the events at or above the drift threshold that were not acted
    on, the advanced cursor, and a log line per event."""
    threshold = spec.lifecycle.drift_threshold
    acted = list(cursor.acted)
    requests: list[dg.RunRequest] = []
    notes: list[str] = []
    after = cursor.after_storage_id
    for event in sorted(events, key=lambda e: e.storage_id):
        after = max(after, event.storage_id)
        where = asset_where(spec.name, "drift_report", event.partition)
        if event.share < threshold:
            notes.append(f"{where}: drift share {event.share:.3f} < {threshold} - no retrain")
            continue
        if event.key in acted:
            notes.append(f"{where}: drift event {event.key} already triggered a retrain")
            continue
        reason = (
            f"drift share {event.share:.3f} >= threshold {threshold} on {where} "
            f"vs champion v{event.model_version}"
        )
        requests.append(
            dg.RunRequest(
                run_key=f"{spec.name}-drift-{event.key}",
                tags={
                    **run_tags(spec, "drift", training=True),
                    DRIFT_SHARE_TAG: f"{event.share:.4f}",
                    DRIFT_REPORT_RUN_TAG: event.run_id,
                    REASON_TAG: shorten(reason),
                },
            )
        )
        acted.append(event.key)
        notes.append(f"{where}: {reason} - retraining")
    return requests, DriftCursor(after, tuple(acted[-_REMEMBERED_EVENTS:])), notes


def read_drift_events(
    instance: dg.DagsterInstance, drift_key: dg.AssetKey, after_storage_id: int
) -> list[DriftEvent]:
    """Drift-report materializations newer than ``after_storage_id``, oldest first."""
    return [
        DriftEvent(
            storage_id=m.storage_id,
            run_id=m.run_id,
            partition=m.partition,
            share=float(m.metadata["drift_share"]),
            model_version=str(m.metadata["model_version"]),
            data_hash=str(m.metadata.get("current_data_hash", m.storage_id)),
        )
        for m in read_materializations(instance, drift_key, after_storage_id)
    ]


def build_drift_sensor(
    spec: ProjectSpec,
    names: ProjectNames,
    retrain_job: "UnresolvedAssetJobDefinition",
    interval_seconds: int,
) -> dg.SensorDefinition:
    """``<project>_drift_retrain_sensor`` (RUNNING by default): a new drift report at or above
    the threshold -> one run of ``<project>_retrain`` tagged with the reason and the figure."""

    @dg.sensor(
        name=names.drift_sensor,
        job=retrain_job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Retrains {spec.name} (model, then the champion decision) once per drift "
        f"report with drift share >= {spec.lifecycle.drift_threshold}.",
    )
    def drift_sensor(context: dg.SensorEvaluationContext):
        cursor = DriftCursor.parse(context.cursor)
        events = read_drift_events(context.instance, names.drift_report, cursor.after_storage_id)
        requests, advanced, notes = drift_events(spec, events, cursor)
        return decision_result(context, requests, advanced.dump(), notes, "no new drift reports")

    return drift_sensor
