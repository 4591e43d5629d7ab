"""``<project>/features``: the project's ``build_features`` over raw data (a day with its window of
history, for daily projects), with a blocking null check."""

import dagster as dg

from mlplatform.orchestration.assets.metadata import day_of, frame_metadata
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec


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
        from mlplatform.steps.features import build_feature_frame

        day = day_of(context, spec)
        frame, problems = build_feature_frame(spec, raw_data, day)
        if day is not None and frame.empty:
            # Backfills and automation also request the days after a landed day (their window
            # holds it): an explicit empty day, never a silently missing (failed) partition.
            reason = f"no raw rows landed for {day}: an empty day"
            context.log.warning(f"{spec.name}/features: {reason}")
            yield dg.Output(frame, metadata={**frame_metadata(frame), "empty_day": reason})
            yield dg.AssetCheckResult(check_name=check, passed=True, description=reason)
            return
        yield dg.Output(frame, metadata=frame_metadata(frame))
        yield dg.AssetCheckResult(
            check_name=check, passed=not problems, description="; ".join(problems) or "no nulls"
        )

    return features
