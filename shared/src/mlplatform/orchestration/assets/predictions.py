"""``<project>/predictions``: batch predictions for the current raw data (a day's, for daily
projects) from the ``champion`` version, checked for one prediction per row.

Rows scored for the first time are appended to the prediction log, which ``model_performance``
joins with outcomes. While a challenger that was not promoted exists, those rows are also scored
by it (shadow scoring): its predictions go to the log beside the champion's, never to the served
predictions.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
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
    import pandas as pd

    from mlplatform.storage.io_manager import ParquetIOManager


@dataclass(frozen=True)
class Scorer:
    """A loaded model version, and whether it serves (champion) or only shadows (challenger)."""

    version: str
    estimator: Any


def shadow_challenger(registry: ModelRegistry, spec: ProjectSpec, champion: str) -> Scorer | None:
    """The ``challenger`` version when it is not the champion (trained, not promoted), loaded."""
    from mlplatform.lifecycle.promotion import CHALLENGER

    version = registry.alias_version(spec.registered_model_name, CHALLENGER)
    if version is None or version == champion:
        return None
    return Scorer(version, registry.load_model(spec.registered_model_name, version))


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
        champion = Scorer(version, registry.load_model(spec.registered_model_name, version))
        shadow = shadow_challenger(registry, spec, version)
        raw = DayFrames(raw_data, spec)
        store: ParquetIOManager = context.resources.io_manager

        def build(day: str | None) -> Built:
            from mlplatform.steps.scoring import batch_features

            window = raw.window(day)
            features = batch_features(spec, window, day)
            built = day_predictions(
                spec, check, champion, window, features, len(raw.day(day)), day
            )
            if spec.data.outcome_id_column is None or built.value is None:
                return built
            batch = ScoredBatch(window, features, built.value)
            logged = log_predictions(spec, names, store, batch, shadow, day)
            return Built(built.value, {**built.metadata, **logged}, built.checks)

        yield from build_days(context, names.predictions, build)

    return predictions


@dataclass(frozen=True)
class ScoredBatch:
    """What a day's served predictions were made from: its raw window, the feature rows scored
    (``batch_features``) and the champion's scored frame, row for row."""

    raw: "pd.DataFrame"
    features: "pd.DataFrame"
    served: "pd.DataFrame"


def day_predictions(
    spec: ProjectSpec,
    check: str,
    champion: Scorer,
    raw: "pd.DataFrame",
    features: "pd.DataFrame",
    expected: int,
    day: str | None,
) -> Built:
    """``day``'s ``expected`` rows (every row, unpartitioned), their ``features`` scored by the
    champion."""
    from mlplatform.steps.scoring import score_features

    scored = score_features(spec, champion.estimator, raw, features, champion.version)
    missing = int(scored["prediction"].isna().sum())
    empty = {"empty_day": f"no raw rows landed for {day}"} if day and not expected else {}
    metadata = {
        **empty,
        "model_name": spec.registered_model_name,
        "model_version": champion.version,
        "model_uri": f"models:/{spec.registered_model_name}/{champion.version}",
        "dagster/row_count": len(scored),
        "preview": preview(scored),
    }
    result = DayCheck(
        check,
        passed=len(scored) == expected and not missing,
        description=f"{len(scored)} predictions for {expected} rows, {missing} missing",
    )
    return Built(scored, metadata, (result,))


def log_predictions(
    spec: ProjectSpec,
    names: ProjectNames,
    store: "ParquetIOManager",
    batch: ScoredBatch,
    shadow: Scorer | None,
    day: str | None,
) -> dict[str, Any]:
    """Append the rows scored for the first time to the day's prediction log, with the shadow
    challenger's predictions of those rows (only those are scored by it); metadata saying what
    was logged. Already logged ids cost one read of the log's id column, kept as Arrow data."""
    import pandas as pd

    from mlplatform.steps.performance import log_id_column, new_log_rows, unlogged
    from mlplatform.steps.scoring import score_features

    path = store.path_for(names.prediction_log, day)
    logged = store.read_column(path, log_id_column(spec)) if path.exists() else None
    fresh = unlogged(spec, logged, batch.served)
    metadata = {
        "shadow_model_version": shadow.version if shadow else "none",
        "newly_logged_rows": int(fresh.sum()),
    }
    if not fresh.any():
        return metadata
    shadowed = (
        score_features(spec, shadow.estimator, batch.raw, batch.features[fresh], shadow.version)
        if shadow is not None
        else None
    )
    now = datetime.now(UTC)
    window = day or now.date().isoformat()
    rows = new_log_rows(spec, batch.served[fresh], shadowed, window, now.isoformat())
    log = store.read(path) if logged is not None else None
    store.store(names.prediction_log, day, pd.concat([log, rows], ignore_index=True))
    return metadata
