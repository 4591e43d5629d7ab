"""One asset step, many days: how the standard assets build, store and check each day of a
ranged run on its own.

A backfill of a daily project runs many days per run (``ProjectNames.backfill_policy``), so a
year is 17 runs instead of one process per day and asset. Each day is still its own
result: its own stored file, materialization, metadata and check results. A day that fails
(refused data, a broken feature function) fails only itself: the other days of the range are
stored and materialized, then the step fails naming the bad days, and Dagster's backfill marks
only those days (and what depends on them) failed. Unpartitioned projects are the one-"day" case
``None``.

Example (inside an asset)::

    def build(day: str | None) -> Built:
        frame = ...
        return Built(frame, frame_metadata(frame), (DayCheck("no_nulls", True, "ok"),))

    yield from build_days(context, names.features, build)
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.storage.io_manager import ParquetIOManager

Day = str | None


@dataclass(frozen=True)
class DayCheck:
    """One asset check's result for one day."""

    name: str
    passed: bool
    description: str
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    """What an asset built for one day: the value to store (``None`` for report assets, which
    store elsewhere), the day's materialization metadata, and its check results."""

    value: pd.DataFrame | None
    metadata: Mapping[str, Any]
    checks: Sequence[DayCheck] = ()


class DayRefused(dg.Failure):
    """A day's data was refused; its failed check results are recorded before the step fails."""

    def __init__(self, description: str, checks: Sequence[DayCheck] = ()) -> None:
        super().__init__(description=description)
        self.checks = tuple(checks)


def days_of(context: dg.AssetExecutionContext) -> list[Day]:
    """The days this step builds: the run's partition range, or ``[None]`` when unpartitioned."""
    if context.assets_def.partitions_def is None:
        return [None]
    return list(context.partition_keys)


def build_days(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    build: Callable[[Day], Built],
) -> Iterator[Any]:
    """Build every day of the step with ``build``; store each value as soon as it is built
    (through the run's IO manager), then materialize the days and record their checks.

    A single day that fails raises its own error unchanged. In a range, each failing day is
    logged with its traceback, the others are materialized, and the step fails naming them all.
    """
    days = days_of(context)
    store: ParquetIOManager = context.resources.io_manager
    built: dict[Day, Built] = {}
    failed: dict[Day, str] = {}
    refused: dict[Day, Sequence[DayCheck]] = {}
    for day in days:
        try:
            result = build(day)
        except Exception as error:
            if isinstance(error, DayRefused):
                refused[day] = error.checks
            if len(days) == 1:
                yield from _check_events(context, key, refused)
                raise
            failed[day] = _reason(error)
            context.log.error(f"{key.to_user_string()} {day}: {traceback.format_exc()}")
            continue
        built[day] = _stored(result, key, day, store)
    if len(days) > 1:
        context.log.info(f"{key.to_user_string()}: built {len(built)} of {len(days)} days")
    if not failed:
        yield _materialize(context, built)
        yield from _check_outputs(context)
    else:
        for day, result in built.items():
            yield dg.AssetMaterialization(asset_key=key, partition=day, metadata=result.metadata)
    yield from _check_events(context, key, {d: b.checks for d, b in built.items()} | refused)
    if failed:
        listed = " | ".join(f"{day}: {reason}" for day, reason in failed.items())
        raise dg.Failure(
            description=f"{key.to_user_string()}: {len(failed)} of {len(days)} days failed, "
            f"the other {len(built)} are materialized: {listed}"
        )


def _reason(error: Exception) -> str:
    if isinstance(error, dg.Failure) and error.description:
        return error.description
    return f"{type(error).__name__}: {error}"


def _stored(result: Built, key: dg.AssetKey, day: Day, store: ParquetIOManager) -> Built:
    if result.value is None:
        return result
    path = store.store(key, day, result.value)
    metadata = {**result.metadata, "path": dg.MetadataValue.path(str(path))}
    return Built(None, metadata, result.checks)


def _materialize(context: dg.AssetExecutionContext, built: Mapping[Day, Built]) -> Any:
    """One materialization per day, each with its own metadata (values are already stored)."""
    if list(built) == [None]:
        return dg.MaterializeResult(metadata=dict(built[None].metadata))
    for day, result in built.items():
        context.add_asset_metadata(dict(result.metadata), partition_key=day)
    return dg.MaterializeResult()


def _check_outputs(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """The outputs Dagster expects of the step's selected checks; the results themselves are
    the per-day evaluations."""
    assets_def = context.assets_def
    for spec in assets_def.check_specs_by_output_name.values():
        yield dg.Output(None, output_name=assets_def.get_output_name_for_asset_check_key(spec.key))


def _check_events(
    context: dg.AssetExecutionContext, key: dg.AssetKey, checks: Mapping[Day, Sequence[DayCheck]]
) -> Iterator[dg.AssetCheckEvaluation]:
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationTargetMaterializationData,
    )

    specs = context.assets_def.check_specs_by_output_name.values()
    selected = {spec.key.name: spec for spec in specs}
    for day, day_checks in checks.items():
        target = _latest_materialization(context, key, day)
        for check in day_checks:
            spec = selected.get(check.name)
            if spec is None:
                continue
            yield dg.AssetCheckEvaluation(
                asset_key=key,
                check_name=check.name,
                passed=check.passed,
                metadata=dict(check.metadata),
                target_materialization_data=target
                and AssetCheckEvaluationTargetMaterializationData(
                    run_id=target.run_id, storage_id=target.storage_id, timestamp=target.timestamp
                ),
                severity=check.severity,
                description=check.description,
                blocking=spec.blocking,
                partition=day if spec.partitions_def is not None else None,
            )


def _latest_materialization(
    context: dg.AssetExecutionContext, key: dg.AssetKey, day: Day
) -> dg.EventLogRecord | None:
    """This run's materialization of ``key`` (for ``day``), which the day's checks evaluated."""
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[day] if day else None), limit=1
    ).records
    if records and records[0].run_id == context.run.run_id:
        return records[0]
    return None
