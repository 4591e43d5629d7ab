"""``<project>/predictions``: batch predictions for the current raw data (a day's, for daily
projects) from the ``champion`` version, checked for one prediction per row."""

from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.assets.days import Built, DayCheck, build_days
from mlplatform.orchestration.assets.drift_report import champion_version
from mlplatform.orchestration.assets.metadata import preview
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from mlplatform.steps.features import DayFrames


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
        from mlplatform.steps.features import DayFrames

        version = champion_version(registry, spec)
        estimator = registry.load_model(spec.registered_model_name, version)
        raw = DayFrames(raw_data, spec)

        def build(day: str | None) -> Built:
            return day_predictions(spec, check, estimator, version, raw, day)

        yield from build_days(context, names.predictions, build)

    return predictions


def day_predictions(
    spec: ProjectSpec, check: str, estimator: Any, version: str, raw: "DayFrames", day: str | None
) -> Built:
    """``day``'s rows (every row, unpartitioned) scored by the champion ``version``."""
    from mlplatform.steps.scoring import score_batch

    scored = score_batch(spec, estimator, raw.window(day), version, day)
    expected = len(raw.day(day))
    missing = int(scored["prediction"].isna().sum())
    empty = {"empty_day": f"no raw rows landed for {day}"} if day and not expected else {}
    metadata = {
        **empty,
        "model_name": spec.registered_model_name,
        "model_version": version,
        "model_uri": f"models:/{spec.registered_model_name}/{version}",
        "dagster/row_count": len(scored),
        "preview": preview(scored),
    }
    result = DayCheck(
        check,
        passed=len(scored) == expected and not missing,
        description=f"{len(scored)} predictions for {expected} rows, {missing} missing",
    )
    return Built(scored, metadata, (result,))
