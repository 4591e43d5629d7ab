"""What the sensors that react to an asset's materializations share: read the materializations
after the cursor's storage id, oldest first, and turn a decision (run requests, advanced cursor,
one note per event) into the sensor's result, with the notes in its log.

Example::

    for m in read_materializations(context.instance, names.drift_report, cursor.after_storage_id):
        share = float(m.metadata["drift_share"])
    return decision_result(context, requests, advanced.dump(), notes, idle="no new drift reports")
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

# Materializations one sensor evaluation reads; the rest wait for the next one (the cursor
# advances only over what was read).
READ_LIMIT = 100


@dataclass(frozen=True)
class Materialization:
    """One materialization record of an asset, with its metadata values unwrapped."""

    storage_id: int
    run_id: str
    partition: str | None
    metadata: dict[str, Any]


def asset_where(project: str, noun: str, partition: str | None) -> str:
    """``<project>/<noun>[<partition>]``, as the sensors' notes and reasons name a
    materialization."""
    return f"{project}/{noun}" + (f"[{partition}]" if partition else "")


def read_materializations(
    instance: dg.DagsterInstance,
    key: dg.AssetKey,
    after_storage_id: int,
    limit: int = READ_LIMIT,
) -> list[Materialization]:
    """``key``'s materializations newer than ``after_storage_id``, oldest first."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, after_storage_id=after_storage_id or None),
        limit=limit,
        ascending=True,
    ).records
    return [
        Materialization(
            storage_id=record.storage_id,
            run_id=record.run_id,
            partition=record.asset_materialization.partition,
            metadata={k: v.value for k, v in record.asset_materialization.metadata.items()},
        )
        for record in records
        if record.asset_materialization is not None
    ]


def decision_result(
    context: dg.SensorEvaluationContext,
    requests: Sequence[dg.RunRequest],
    cursor: str,
    notes: Sequence[str],
    idle: str,
) -> dg.SensorResult:
    """The evaluation's result: every note in the sensor's log, then the requests, or a skip
    whose reason is the last note (``idle`` when nothing new was read); the cursor always
    advances."""
    for note in notes:
        context.log.info(note)
    if not requests:
        return dg.SensorResult(skip_reason=notes[-1] if notes else idle, cursor=cursor)
    return dg.SensorResult(run_requests=list(requests), cursor=cursor)
