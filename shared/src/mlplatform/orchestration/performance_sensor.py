"""The performance retrain sensor: live performance that stays below the quality gate starts one
retrain per champion version; a shadow challenger with enough live outcomes gets its champion
decision (when ``QualityGate.live_promotion_rows`` asks for live evidence).

The decision is a pure function (``performance_events``) over the ``model_performance``
materializations the sensor read from the event log; the sensor carries the cursor.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.orchestration.assets.model_performance import (
    CHALLENGER_VERSION_KEY,
    CHAMPION_VERSION_KEY,
    LIVE_PREFIX,
    LIVE_ROWS_KEY,
    SHADOW_ROWS_KEY,
)
from mlplatform.orchestration.automation import run_tags
from mlplatform.orchestration.drift_sensor import REASON_TAG
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

LIVE_METRIC_TAG = "mlplatform/live_metric"
PERFORMANCE_RUN_TAG = "mlplatform/performance_run"
_REMEMBERED = 200


@dataclass(frozen=True)
class PerformanceEvent:
    """One materialization of ``model_performance``, as the sensor reads it."""

    storage_id: int
    run_id: str
    partition: str | None
    champion_version: str
    rows: int
    score: float | None
    challenger_version: str | None = None
    shadow_rows: int = 0


@dataclass(frozen=True)
class PerformanceCursor:
    """Storage id read up to, consecutive evaluations below the gate per champion version, the
    versions already retrained for, and the challengers already decided on live outcomes."""

    after_storage_id: int = 0
    below: dict[str, int] = field(default_factory=dict)
    retrained: tuple[str, ...] = ()
    decided: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str | None) -> "PerformanceCursor":
        if not raw:
            return cls()
        value = json.loads(raw)
        return cls(
            value["after_storage_id"],
            dict(value["below"]),
            tuple(value["retrained"]),
            tuple(value["decided"]),
        )

    def dump(self) -> str:
        return json.dumps(
            {
                "after_storage_id": self.after_storage_id,
                "below": self.below,
                "retrained": list(self.retrained[-_REMEMBERED:]),
                "decided": list(self.decided[-_REMEMBERED:]),
            }
        )


def performance_events(
    spec: ProjectSpec,
    names: ProjectNames,
    events: Sequence[PerformanceEvent],
    cursor: PerformanceCursor,
) -> tuple[list[dg.RunRequest], PerformanceCursor, list[str]]:
    """Run requests for the events (retrain, live champion decision), the advanced cursor, and a
    log line per event."""
    below, retrained, decided = dict(cursor.below), list(cursor.retrained), list(cursor.decided)
    requests: list[dg.RunRequest] = []
    notes: list[str] = []
    after = cursor.after_storage_id
    for event in sorted(events, key=lambda e: e.storage_id):
        after = max(after, event.storage_id)
        note, request = _judge(spec, names, event, below, retrained)
        notes.append(note)
        if request is not None:
            requests.append(request)
            retrained.append(event.champion_version)
        promotion = _live_decision(spec, names, event, decided)
        if promotion is not None:
            requests.append(promotion)
            decided.append(str(event.challenger_version))
            notes.append(
                f"challenger v{event.challenger_version}: {event.shadow_rows} live "
                "outcomes - deciding the champion"
            )
    return requests, PerformanceCursor(after, below, tuple(retrained), tuple(decided)), notes


def _judge(
    spec: ProjectSpec,
    names: ProjectNames,
    event: PerformanceEvent,
    below: dict[str, int],
    retrained: list[str],
) -> tuple[str, dg.RunRequest | None]:
    gate, life = spec.gate, spec.lifecycle
    version = event.champion_version
    where = asset_where(spec.name, "model_performance", event.partition)
    if event.score is None or event.rows < life.performance_min_rows:
        return f"{where}: {event.rows} live outcomes of v{version}, not judged", None
    figure = f"{gate.metric}={event.score:.4f}"
    if gate.passes(event.score):
        below[version] = 0
        return f"{where}: champion v{version} live {figure} meets {gate.describe()}", None
    below[version] = below.get(version, 0) + 1
    if below[version] < life.performance_patience:
        return (
            f"{where}: v{version} live {figure} below the gate ({below[version]} of "
            f"{life.performance_patience} evaluations)",
            None,
        )
    if version in retrained:
        return f"{where}: champion v{version} already triggered a retrain", None
    reason = (
        f"live {figure} below {gate.describe()} on {event.rows} outcomes on {where} "
        f"for champion v{version}"
    )
    request = dg.RunRequest(
        run_key=f"{spec.name}-performance-v{version}",
        job_name=names.retrain_job,
        tags={
            **run_tags(spec, "performance", training=True),
            LIVE_METRIC_TAG: figure,
            PERFORMANCE_RUN_TAG: event.run_id,
            REASON_TAG: shorten(reason),
        },
    )
    return f"{where}: {reason} - retraining", request


def _live_decision(
    spec: ProjectSpec, names: ProjectNames, event: PerformanceEvent, decided: list[str]
) -> dg.RunRequest | None:
    """A champion decision once the shadow challenger has the live rows promotion requires."""
    needed = spec.gate.live_promotion_rows
    challenger = event.challenger_version
    if not needed or not challenger or challenger == event.champion_version:
        return None
    if event.shadow_rows < needed or challenger in decided:
        return None
    return dg.RunRequest(
        run_key=f"{spec.name}-live-decision-v{challenger}",
        job_name=names.promotion_job,
        tags={
            **run_tags(spec, "live_outcomes", training=True),
            REASON_TAG: f"challenger v{challenger} has {event.shadow_rows} live outcomes "
            f"(>= {needed}) beside champion v{event.champion_version}",
        },
    )


def read_performance_events(
    instance: dg.DagsterInstance, spec: ProjectSpec, key: dg.AssetKey, after_storage_id: int
) -> tuple[list[PerformanceEvent], int]:
    """``model_performance`` materializations newer than ``after_storage_id`` that judged
    outcomes, oldest first, and the storage id read up to. The ones with no outcomes yet (every
    predictions run makes one) are read past, so they never hold the cursor back."""
    events = []
    read_up_to = after_storage_id
    for m in read_materializations(instance, key, after_storage_id):
        read_up_to = max(read_up_to, m.storage_id)
        meta = m.metadata
        if CHAMPION_VERSION_KEY not in meta:
            continue  # no outcomes yet
        score = meta.get(f"{LIVE_PREFIX}{spec.gate.metric}")
        events.append(
            PerformanceEvent(
                storage_id=m.storage_id,
                run_id=m.run_id,
                partition=m.partition,
                champion_version=str(meta[CHAMPION_VERSION_KEY]),
                rows=int(meta.get(LIVE_ROWS_KEY, 0)),
                score=None if score is None else float(score),
                challenger_version=meta.get(CHALLENGER_VERSION_KEY),
                shadow_rows=int(meta.get(SHADOW_ROWS_KEY, 0)),
            )
        )
    return events, read_up_to


def build_performance_sensor(
    spec: ProjectSpec,
    names: ProjectNames,
    jobs: Sequence["UnresolvedAssetJobDefinition"],
    interval_seconds: int,
) -> dg.SensorDefinition:
    """``<project>_performance_retrain_sensor`` (RUNNING by default): live performance below the
    gate in ``performance_patience`` evaluations -> one ``<project>_retrain`` per champion
    version, tagged with the reason and the figure; a shadow challenger with
    ``live_promotion_rows`` outcomes -> one ``<project>_promotion`` run."""

    @dg.sensor(
        name=names.performance_sensor,
        jobs=list(jobs),
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Retrains {spec.name} once per champion version whose live "
        f"{spec.gate.metric} stays below {spec.gate.describe()} (model_performance).",
    )
    def performance_sensor(context: dg.SensorEvaluationContext):
        cursor = PerformanceCursor.parse(context.cursor)
        events, read_up_to = read_performance_events(
            context.instance, spec, names.model_performance, cursor.after_storage_id
        )
        requests, advanced, notes = performance_events(spec, names, events, cursor)
        advanced = replace(advanced, after_storage_id=max(advanced.after_storage_id, read_up_to))
        return decision_result(
            context, requests, advanced.dump(), notes, "no new model_performance evaluations"
        )

    return performance_sensor
