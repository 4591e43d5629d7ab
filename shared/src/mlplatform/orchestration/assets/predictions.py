"""``<project>/predictions``: batch predictions for the current raw data (a day's, for daily
projects) from the ``champion`` version, checked for one prediction per row."""

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.assets.drift_report import champion_version
from mlplatform.orchestration.assets.metadata import day_of, preview
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec


def build_predictions(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    check = names.checks.predictions

    @dg.asset(
        key=names.predictions,
        ins={"raw_data": dg.AssetIn(names.raw_data, partition_mapping=names.feature_window)},
        deps=[names.champion],
        partitions_def=names.partitions,
        backfill_policy=names.backfill_policy,
        group_name=spec.name,
        description=f"Batch predictions for the latest {spec.name} raw data from the champion.",
        kinds={"mlflow", "parquet"},
        automation_condition=asset_conditions(spec, names)[names.predictions],
        check_specs=[
            dg.AssetCheckSpec(
                check,
                asset=names.predictions,
                description="Every raw row has exactly one non-null prediction.",
                partitions_def=names.partitions,
            )
        ],
    )
    def predictions(context: dg.AssetExecutionContext, raw_data, registry: ModelRegistry):
        from mlplatform.steps.features import only_day
        from mlplatform.steps.scoring import score_batch

        version = champion_version(registry, spec)
        estimator = registry.load_model(spec.registered_model_name, version)
        day = day_of(context, spec)
        scored = score_batch(spec, estimator, raw_data, version, day)
        expected = len(only_day(raw_data, spec, day))
        missing = int(scored["prediction"].isna().sum())
        context.log.info(f"Scored {len(scored)} rows with {spec.name} champion v{version}")
        empty = {"empty_day": f"no raw rows landed for {day}"} if day and not expected else {}
        yield dg.Output(
            scored,
            metadata={
                **empty,
                "model_name": spec.registered_model_name,
                "model_version": version,
                "model_uri": f"models:/{spec.registered_model_name}/{version}",
                "dagster/row_count": len(scored),
                "preview": preview(scored),
            },
        )
        yield dg.AssetCheckResult(
            check_name=check,
            passed=len(scored) == expected and not missing,
            description=f"{len(scored)} predictions for {expected} rows, {missing} missing",
        )

    return predictions
