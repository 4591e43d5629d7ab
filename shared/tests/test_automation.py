"""Which assets update by themselves (declarative automation), the schedules' run requests, and
the freshness policies, evaluated against a real instance."""

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from demo_project import DAILY, SPEC

from mlplatform import ProjectSpec, build_definitions, build_project_assets, project_names
from mlplatform.orchestration.automation import (
    PROJECT_TAG,
    SENSOR_INTERVAL_ENV,
    TRAINING_TAG,
    TRIGGER_TAG,
    sensor_interval_seconds,
    sensor_minimum_interval,
)
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.testing import asset_keys


def _materialize(instance: dg.DagsterInstance, *keys: dg.AssetKey, day: str | None = None) -> None:
    """Record materializations as the assets would (the conditions read only the event log)."""
    for key in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=day))


class Automation:
    """Evaluations of a spec's automation conditions, carrying the cursor like the daemon."""

    def __init__(self, spec: ProjectSpec, instance: dg.DagsterInstance, data: Path) -> None:
        self.defs = dg.Definitions(
            assets=build_project_assets(spec), resources=resources_for_dir(spec, data)
        )
        self.instance = instance
        self.cursor = None

    def requested(self, now: datetime | None = None) -> set[str]:
        result = dg.evaluate_automation_conditions(
            defs=self.defs, instance=self.instance, cursor=self.cursor, evaluation_time=now
        )
        self.cursor = result.cursor
        return {
            key.path[-1]
            for key in (r.key for r in result.results if r.true_subset.size > 0)
            if isinstance(key, dg.AssetKey)
        }

    def requested_days(self, now: datetime) -> dict[str, set[str]]:
        """{asset noun: requested partition keys} of one evaluation (daily projects)."""
        result = dg.evaluate_automation_conditions(
            defs=self.defs, instance=self.instance, cursor=self.cursor, evaluation_time=now
        )
        self.cursor = result.cursor
        return {
            r.key.path[-1]: set(r.true_subset.expensively_compute_partition_keys())
            for r in result.results
            if isinstance(r.key, dg.AssetKey) and r.true_subset.size > 0
        }


def test_first_landing_builds_the_whole_chain_then_new_data_skips_training(
    tmp_path: Path, instance
) -> None:
    """``retrain_policy="on_schedule"``: new raw data refreshes features, drift and predictions;
    the model trains by itself only when there is none."""
    keys = asset_keys(SPEC)
    automation = Automation(SPEC, instance, tmp_path)
    assert automation.requested() == set(), "the first evaluation only initializes the cursor"

    _materialize(instance, keys["raw_data"])
    assert automation.requested() == {
        "features",
        "model",
        "champion",
        "drift_report",
        "predictions",
    }
    assert automation.requested() == set(), "requested once, not again on the next tick"

    _materialize(instance, *(keys[n] for n in ("features", "model", "champion")))
    _materialize(instance, keys["drift_report"], keys["predictions"])
    automation.requested()  # the champion update is absorbed: drift and predictions just ran
    _materialize(instance, keys["raw_data"])
    assert automation.requested() == {"features", "drift_report", "predictions"}


def test_on_new_data_policy_retrains_after_new_features(tmp_path: Path, instance) -> None:
    spec = dataclasses.replace(
        SPEC, lifecycle=dataclasses.replace(SPEC.lifecycle, retrain_policy="on_new_data")
    )
    keys = asset_keys(spec)
    automation = Automation(spec, instance, tmp_path)
    _materialize(instance, *keys.values())
    automation.requested()
    _materialize(instance, keys["features"])
    # The new model needs a champion decision, and a new champion new drift and predictions;
    # live performance (built before: outcomes arrived) follows the new predictions.
    assert automation.requested() == {
        "model",
        "champion",
        "drift_report",
        "predictions",
        "model_performance",
    }


def test_champion_ignores_new_features_without_a_new_model(tmp_path: Path, instance) -> None:
    keys = asset_keys(SPEC)
    automation = Automation(SPEC, instance, tmp_path)
    _materialize(instance, *keys.values())
    automation.requested()
    _materialize(instance, keys["features"])
    assert "champion" not in automation.requested()


def test_daily_project_propagates_the_latest_day(tmp_path: Path, instance) -> None:
    keys = asset_keys(DAILY)
    automation = Automation(DAILY, instance, tmp_path)
    now = datetime(2026, 3, 10, 6, tzinfo=UTC)
    yesterday = "2026-03-09"
    assert automation.requested(now) == set()
    for offset in range(8):
        day = (datetime(2026, 3, 9) - timedelta(days=offset)).date().isoformat()
        _materialize(instance, keys["raw_data"], keys["features"], day=day)
    _materialize(instance, keys["model"], keys["champion"])
    assert automation.requested(now) == {"drift_report", "predictions"}
    _materialize(instance, keys["drift_report"], keys["predictions"], day=yesterday)
    assert automation.requested(now) == set()
    _materialize(instance, keys["raw_data"], day=yesterday)
    assert automation.requested(now) == {"features", "drift_report", "predictions"}


def test_daily_project_builds_every_landed_past_day(tmp_path: Path, instance) -> None:
    """Landing past days builds their features, drift reports and predictions; a new champion
    re-scores the latest day only."""
    names = project_names(DAILY)
    window = DAILY.partitioning.feature_window_days
    automation = Automation(DAILY, instance, tmp_path)
    now = datetime(2026, 3, 10, 6, tzinfo=UTC)
    assert automation.requested_days(now) == {}
    _materialize(instance, names.model, names.champion)
    assert automation.requested_days(now) == {}, "no raw data yet: nothing to score"

    landed = ["2026-03-01", "2026-03-05"]
    for day in landed:
        _materialize(instance, names.raw_data, day=day)
    requested = automation.requested_days(now)

    assert requested["drift_report"] == set(landed)
    # Each landed day, and the days whose feature window holds it (explicit empty days).
    windows = {
        (datetime.fromisoformat(day) + timedelta(days=offset)).date().isoformat()
        for day in landed
        for offset in range(window)
    }
    assert requested["features"] == windows
    assert requested["predictions"] == windows
    assert automation.requested_days(now) == {}, "requested once, not again on the next tick"

    latest = "2026-03-09"
    _materialize(instance, names.raw_data, day=latest)
    assert automation.requested_days(now)["drift_report"] == {latest}
    _materialize(instance, names.features, names.drift_report, names.predictions, day=latest)
    automation.requested_days(now)  # the runs' own materializations are absorbed
    _materialize(instance, names.model, names.champion)
    after_promotion = automation.requested_days(now)
    assert after_promotion["drift_report"] == {"2026-03-09"}
    assert after_promotion["predictions"] == {"2026-03-09"}


def test_retrain_schedule_requests_a_tagged_training_run(tmp_path: Path) -> None:
    names = project_names(SPEC)
    defs = build_definitions(SPEC, resources=resources_for_dir(SPEC, tmp_path))
    schedule = defs.resolve_schedule_def(names.retrain_schedule)
    assert schedule.cron_schedule == SPEC.schedule.retrain_cron
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    monday = datetime(2026, 3, 2, 3, tzinfo=UTC)
    [request] = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=monday)
    ).run_requests
    job = defs.resolve_job_def(schedule.job_name)
    tags = {**job.tags, **request.tags}
    assert schedule.job_name == names.retrain_job
    assert tags[TRAINING_TAG] == SPEC.name and tags[PROJECT_TAG] == SPEC.name
    assert tags[TRIGGER_TAG] == "schedule"
    assert set(job.asset_layer.executable_asset_keys) == set(names.training_keys)


def test_daily_schedule_builds_the_day_that_ended(tmp_path: Path) -> None:
    names = project_names(DAILY)
    defs = build_definitions(DAILY, resources=resources_for_dir(DAILY, tmp_path))
    schedule = defs.resolve_schedule_def(names.daily_schedule)
    assert schedule.cron_schedule == "0 2 * * *"
    tick = datetime(2026, 3, 10, 2, tzinfo=UTC)
    [request] = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    ).run_requests
    assert request.partition_key == "2026-03-09"
    job = defs.resolve_job_def(schedule.job_name)
    assert schedule.job_name == names.daily_job
    assert set(job.asset_layer.executable_asset_keys) == set(names.daily_keys)
    assert set(names.daily_keys) == {
        names.raw_data,
        names.features,
        names.drift_report,
        names.predictions,
    }


def test_unpartitioned_projects_have_no_daily_schedule(tmp_path: Path) -> None:
    defs = build_definitions(SPEC, resources=resources_for_dir(SPEC, tmp_path))
    assert [s.name for s in defs.schedules] == [project_names(SPEC).retrain_schedule]


def test_sensors_are_running_by_default_at_the_configured_interval(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(SENSOR_INTERVAL_ENV, "5")
    names = project_names(SPEC)
    defs = build_definitions(SPEC, resources=resources_for_dir(SPEC, tmp_path))
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {
        names.landing_sensor,
        names.automation_sensor,
        names.training_sensor,
        names.drift_sensor,
        names.outcomes_sensor,
        names.performance_sensor,
        names.failure_sensor,
    }
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert all(s.description for s in sensors.values())
    # One second of slack, so the daemon's 5-s loop finds them due every 5 s, not every 10 s.
    assert all(s.minimum_interval_seconds == 4 for s in sensors.values())
    assert sensor_minimum_interval(1) == 1 and sensor_minimum_interval(30) == 29


@pytest.mark.parametrize("value", ["0", "-3", "fast"])
def test_bad_sensor_interval_is_refused_clearly(monkeypatch, value: str) -> None:
    monkeypatch.setenv(SENSOR_INTERVAL_ENV, value)
    with pytest.raises(ValueError, match=SENSOR_INTERVAL_ENV):
        sensor_interval_seconds()


def test_freshness_policies_come_from_the_spec() -> None:
    spec = dataclasses.replace(
        SPEC, lifecycle=dataclasses.replace(SPEC.lifecycle, raw_data_fail_after=timedelta(hours=6))
    )
    policies = {
        key.path[-1]: asset_spec.freshness_policy
        for a in build_project_assets(spec)
        for key, asset_spec in a.specs_by_key.items()
        if asset_spec.freshness_policy is not None
    }
    assert set(policies) == {"raw_data", "model"}
    assert policies["raw_data"].fail_window.to_timedelta() == timedelta(hours=6)
    assert policies["model"].fail_window.to_timedelta() == spec.lifecycle.model_fail_after
