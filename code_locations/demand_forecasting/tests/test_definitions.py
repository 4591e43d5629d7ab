"""demand_forecasting: daily partitions on raw data, features, drift and predictions."""

import dagster as dg

from demand_forecasting.definitions import defs, spec
from mlplatform.testing import heavy_modules_loaded_by


def test_daily_assets_and_backfill_policy() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    partitioned = {k.path[-1]: graph.get(k).partitions_def for k in graph.get_all_asset_keys()}
    daily = {name for name, p in partitioned.items() if p is not None}
    assert daily == {"raw_data", "features", "drift_report", "predictions"}
    assert isinstance(partitioned["raw_data"], dg.DailyPartitionsDefinition)
    for name in daily:
        policy = graph.get(dg.AssetKey(["demand_forecasting", name])).backfill_policy
        assert policy.max_partitions_per_run == 1
    assert "date" not in spec.drift_columns


def test_checks_are_partitioned_like_their_assets() -> None:
    graph = defs.resolve_asset_graph()
    for check_key in graph.asset_check_keys:
        check = graph.get_check_spec(check_key)
        asset = graph.get(check_key.asset_key)
        assert check.partitions_def == asset.partitions_def, check_key


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("demand_forecasting.definitions") == []


def test_daily_automation_uses_the_same_daily_partitions() -> None:
    """The daily schedule, the ingest job the landing sensor launches and the assets agree on
    the partitions; the model retrains on a schedule (and on drift), not on every day."""
    schedule = defs.resolve_schedule_def("demand_forecasting_daily_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    raw = defs.resolve_asset_graph().get(dg.AssetKey(["demand_forecasting", "raw_data"]))
    for job_name in ("demand_forecasting_daily", "demand_forecasting_ingest"):
        assert defs.resolve_job_def(job_name).partitions_def == raw.partitions_def
    landing = defs.resolve_sensor_def("demand_forecasting_landing_sensor")
    assert landing.job_name == "demand_forecasting_ingest"
    assert spec.lifecycle.retrain_policy == "on_schedule"
    model = defs.resolve_asset_graph().get(dg.AssetKey(["demand_forecasting", "model"]))
    assert model.automation_condition is None
