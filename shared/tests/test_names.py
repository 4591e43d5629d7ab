"""Every name a project's Dagster objects carry, spelled once in ``project_names``: these strings
are what users, the deployment and the README see, so they are pinned here."""

import dagster as dg
from demo_project import DAILY, SPEC

from mlplatform import project_names


def test_asset_keys_are_project_and_noun_in_lineage_order() -> None:
    names = project_names(SPEC)
    nouns = [
        "raw_data",
        "features",
        "model",
        "champion",
        "drift_report",
        "predictions",
        "model_performance",
    ]
    assert names.asset_keys == tuple(dg.AssetKey(["demo", noun]) for noun in nouns)
    assert (names.raw_data, names.drift_report) == (
        dg.AssetKey(["demo", "raw_data"]),
        dg.AssetKey(["demo", "drift_report"]),
    )
    assert names.training_keys == (names.model, names.champion)
    assert names.daily_keys == (
        names.raw_data,
        names.features,
        names.drift_report,
        names.predictions,
    )


def test_jobs_sensors_schedules_and_checks_are_spelled_once() -> None:
    names = project_names(SPEC)
    assert {
        "ingest": names.ingest_job,
        "retrain": names.retrain_job,
        "daily": names.daily_job,
        "rollback": names.rollback_job,
        "rollback_op": names.rollback_op,
        "landing": names.landing_sensor,
        "drift": names.drift_sensor,
        "automation": names.automation_sensor,
        "training": names.training_sensor,
        "failure": names.failure_sensor,
        "retrain_schedule": names.retrain_schedule,
        "daily_schedule": names.daily_schedule,
    } == {
        "ingest": "demo_ingest",
        "retrain": "demo_retrain",
        "daily": "demo_daily",
        "rollback": "demo_rollback",
        "rollback_op": "demo_rollback_champion",
        "landing": "demo_landing_sensor",
        "drift": "demo_drift_retrain_sensor",
        "automation": "demo_automation",
        "training": "demo_training_automation",
        "failure": "demo_run_failure_alerts",
        "retrain_schedule": "demo_retrain_schedule",
        "daily_schedule": "demo_daily_schedule",
    }
    checks = names.checks
    assert (checks.schema, checks.target, checks.rows, checks.duplicates) == (
        "schema_matches_spec",
        "no_null_target",
        "enough_rows",
        "few_duplicate_rows",
    )
    assert (checks.null_features, checks.gate, checks.champion_gate) == (
        "no_null_features",
        "roc_auc_gate",
        "champion_meets_gate",
    )
    assert (checks.drift, checks.predictions) == (
        "drift_share_below_threshold",
        "one_prediction_per_row",
    )


def test_unpartitioned_project_has_no_partitions() -> None:
    names = project_names(SPEC)
    assert (names.partitions, names.feature_window, names.backfill_policy) == (None, None, None)


def test_daily_project_partitions_window_and_backfill() -> None:
    names = project_names(DAILY)
    part = DAILY.partitioning
    assert isinstance(names.partitions, dg.DailyPartitionsDefinition)
    assert names.partitions.start.strftime("%Y-%m-%d") == part.start_date
    assert names.feature_window.start_offset == -(part.feature_window_days - 1)
    assert names.feature_window.end_offset == 0
    assert names.backfill_policy.max_partitions_per_run == part.backfill_days_per_run
