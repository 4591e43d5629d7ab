"""Every name a project's Dagster objects carry, spelled once: asset keys, checks, jobs, sensors,
schedules, and the partitions and mappings the assets share. Everything else imports them.

Example::

    names = project_names(spec)
    dg.materialize(..., selection=[names.model, names.champion])
    instance.fetch_materializations(names.drift_report, limit=1)
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from mlplatform.spec import ProjectSpec

# The standard assets, in lineage order: raw_data -> features -> model -> champion ->
# {drift_report, predictions}, then predictions -> model_performance (with landed outcomes).
STANDARD_ASSETS = (
    "raw_data",
    "features",
    "model",
    "champion",
    "drift_report",
    "predictions",
    "model_performance",
)


@dataclass(frozen=True)
class CheckNames:
    """The asset checks of the standard assets (blocking ones stop everything downstream)."""

    schema: str = "schema_matches_spec"
    target: str = "no_null_target"
    rows: str = "enough_rows"
    duplicates: str = "few_duplicate_rows"
    null_features: str = "no_null_features"
    gate: str = "quality_gate"
    champion_gate: str = "champion_meets_gate"
    drift: str = "drift_share_below_threshold"
    predictions: str = "one_prediction_per_row"
    outcomes: str = "outcomes_valid"
    outcome_ids: str = "outcome_ids_known"
    live_gate: str = "live_performance_meets_gate"


@dataclass(frozen=True)
class ProjectNames:
    """The asset keys (``[project, noun]``), checks, jobs, sensors and schedules of one project,
    and its daily partitions (``None`` for an unpartitioned project)."""

    project: str
    checks: CheckNames
    partitions: dg.DailyPartitionsDefinition | None
    feature_window: dg.TimeWindowPartitionMapping | None
    backfill_policy: dg.BackfillPolicy | None

    def key(self, noun: str) -> dg.AssetKey:
        return dg.AssetKey([self.project, noun])

    @property
    def raw_data(self) -> dg.AssetKey:
        return self.key("raw_data")

    @property
    def features(self) -> dg.AssetKey:
        return self.key("features")

    @property
    def model(self) -> dg.AssetKey:
        return self.key("model")

    @property
    def champion(self) -> dg.AssetKey:
        return self.key("champion")

    @property
    def drift_report(self) -> dg.AssetKey:
        return self.key("drift_report")

    @property
    def predictions(self) -> dg.AssetKey:
        return self.key("predictions")

    @property
    def model_performance(self) -> dg.AssetKey:
        return self.key("model_performance")

    @property
    def prediction_log(self) -> dg.AssetKey:
        """Where the IO manager keeps the prediction log (not an asset: the predictions step
        appends to it, ``model_performance`` reads it)."""
        return self.key("prediction_log")

    @property
    def asset_keys(self) -> tuple[dg.AssetKey, ...]:
        return tuple(self.key(noun) for noun in STANDARD_ASSETS)

    @property
    def training_keys(self) -> tuple[dg.AssetKey, ...]:
        """What a retrain materializes: the model, then the promotion decision."""
        return (self.model, self.champion)

    @property
    def daily_keys(self) -> tuple[dg.AssetKey, ...]:
        """What one day of a daily project builds."""
        return (self.raw_data, self.features, self.drift_report, self.predictions)

    @property
    def ingest_job(self) -> str:
        return f"{self.project}_ingest"

    @property
    def retrain_job(self) -> str:
        return f"{self.project}_retrain"

    @property
    def daily_job(self) -> str:
        return f"{self.project}_daily"

    @property
    def performance_job(self) -> str:
        return f"{self.project}_performance"

    @property
    def promotion_job(self) -> str:
        return f"{self.project}_promotion"

    @property
    def rollback_job(self) -> str:
        return f"{self.project}_rollback"

    @property
    def rollback_op(self) -> str:
        return f"{self.project}_rollback_champion"

    @property
    def landing_sensor(self) -> str:
        return f"{self.project}_landing_sensor"

    @property
    def drift_sensor(self) -> str:
        return f"{self.project}_drift_retrain_sensor"

    @property
    def outcomes_sensor(self) -> str:
        return f"{self.project}_outcomes_sensor"

    @property
    def performance_sensor(self) -> str:
        return f"{self.project}_performance_retrain_sensor"

    @property
    def automation_sensor(self) -> str:
        return f"{self.project}_automation"

    @property
    def training_sensor(self) -> str:
        return f"{self.project}_training_automation"

    @property
    def failure_sensor(self) -> str:
        return f"{self.project}_run_failure_alerts"

    @property
    def retrain_schedule(self) -> str:
        return f"{self.project}_retrain_schedule"

    @property
    def daily_schedule(self) -> str:
        return f"{self.project}_daily_schedule"


def project_names(spec: ProjectSpec) -> ProjectNames:
    """The names and partitions of ``spec``'s Dagster objects.

    Daily projects: a backfill runs up to ``backfill_days_per_run`` days of an asset per run, and
    each day is built, stored and checked on its own (``assets.days``), so a bad day fails only
    itself while the rest of the range proceeds; a day's features and predictions read the
    ``feature_window_days`` up to it.
    """
    part = spec.partitioning
    if part is None:
        return ProjectNames(spec.name, _check_names(spec), None, None, None)
    window = dg.TimeWindowPartitionMapping(
        start_offset=-(part.feature_window_days - 1), allow_nonexistent_upstream_partitions=True
    )
    return ProjectNames(
        spec.name,
        _check_names(spec),
        dg.DailyPartitionsDefinition(start_date=part.start_date),
        window,
        dg.BackfillPolicy.multi_run(max_partitions_per_run=part.backfill_days_per_run),
    )


def _check_names(spec: ProjectSpec) -> CheckNames:
    return CheckNames(gate=f"{spec.gate.metric}_gate")
