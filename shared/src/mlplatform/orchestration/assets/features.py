"""``<project>/features``: the project's ``build_features`` over raw data (a day with its window of
history, for daily projects), with a blocking null check."""

import logging
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.orchestration.assets.days import Built, DayCheck, build_days
from mlplatform.orchestration.assets.metadata import frame_metadata
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    import pandas as pd


def build_features_asset(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    check = names.checks.null_features

    @dg.asset(
        key=names.features,
        ins={"raw_data": dg.AssetIn(names.raw_data, partition_mapping=names.feature_window)},
        group_name=spec.name,
        description=f"Model-ready {spec.name} features and target, one row per record.",
        kinds={"pandas", "parquet"},
        automation_condition=asset_conditions(spec, names)[names.features],
        partitions_def=names.partitions,
        backfill_policy=names.backfill_policy,
        check_specs=[
            dg.AssetCheckSpec(
                check,
                asset=names.features,
                description="No feature column has missing values.",
                blocking=True,
                partitions_def=names.partitions,
            )
        ],
    )
    def features(context: dg.AssetExecutionContext, raw_data):
        from mlplatform.steps.features import DayFrames

        raw = DayFrames(raw_data, spec)

        def build(day: str | None) -> Built:
            return day_features(spec, check, raw.window(day), day, context.log)

        yield from build_days(context, names.features, build)

    return features


def day_features(
    spec: ProjectSpec, check: str, raw: "pd.DataFrame", day: str | None, log: logging.Logger
) -> Built:
    """Features of ``day`` from its window of raw rows; a day without raw rows is an explicit
    empty day (backfills and automation also request the days after a landed day, whose window
    holds it), never a silently missing partition."""
    from mlplatform.steps.features import build_feature_frame

    frame, problems = build_feature_frame(spec, raw, day)
    if day is not None and frame.empty:
        reason = f"no raw rows landed for {day}: an empty day"
        log.warning(f"{spec.name}/features: {reason}")
        metadata = {**frame_metadata(frame), "empty_day": reason}
        return Built(frame, metadata, (DayCheck(check, True, reason),))
    described = "; ".join(problems) or "no nulls"
    return Built(frame, frame_metadata(frame), (DayCheck(check, not problems, described),))
