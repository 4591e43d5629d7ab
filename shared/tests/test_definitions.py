"""What ``build_definitions`` gives every location: the standard graph and its checks, the
rollback job, freshness, and for daily projects partitions that agree across assets, checks,
jobs, schedules and sensors."""

from pathlib import Path

import dagster as dg
from demo_project import DAILY, SPEC, daily_defs, defs

from mlplatform import project_names
from mlplatform.testing import heavy_modules_loaded_by

NAMES = project_names(SPEC)
DAILY_NAMES = project_names(DAILY)


def test_definitions_load_and_resolve() -> None:
    dg.Definitions.validate_loadable(defs)
    dg.Definitions.validate_loadable(daily_defs)


def test_standard_assets_and_lineage() -> None:
    graph = defs.resolve_asset_graph()
    parents = {key: set(graph.get(key).parent_keys) for key in graph.get_all_asset_keys()}
    assert parents == {
        NAMES.raw_data: set(),
        NAMES.features: {NAMES.raw_data},
        NAMES.model: {NAMES.features},
        NAMES.champion: {NAMES.features, NAMES.model},
        NAMES.drift_report: {NAMES.champion, NAMES.raw_data},
        NAMES.predictions: {NAMES.champion, NAMES.raw_data},
    }
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == {SPEC.name}
    assert all(graph.get(k).description for k in graph.get_all_asset_keys())


def test_checks_are_declared_with_the_right_blocking() -> None:
    graph = defs.resolve_asset_graph()
    specs = {
        (key.asset_key, key.name): graph.get_check_spec(key).blocking
        for key in graph.asset_check_keys
    }
    checks = NAMES.checks
    assert specs == {
        (NAMES.raw_data, checks.schema): True,
        (NAMES.raw_data, checks.target): True,
        (NAMES.raw_data, checks.rows): True,
        (NAMES.raw_data, checks.duplicates): True,
        (NAMES.features, checks.null_features): True,
        (NAMES.model, checks.gate): True,
        (NAMES.champion, checks.champion_gate): False,
        (NAMES.drift_report, checks.drift): False,
        (NAMES.predictions, checks.predictions): False,
    }
    assert all(graph.get_check_spec(key).description for key in graph.asset_check_keys)


def test_rollback_job_takes_reason_requester_and_version() -> None:
    job = defs.resolve_job_def(NAMES.rollback_job)
    [node] = job.graph.node_defs
    assert node.name == NAMES.rollback_op
    fields = node.config_schema.config_type.fields
    assert {name: field.is_required for name, field in fields.items()} == {
        "reason": True,
        "requested_by": True,
        "to_version": False,
    }


def test_freshness_policies_on_raw_data_and_model() -> None:
    graph = defs.resolve_asset_graph()
    policies = {k: graph.get(k).freshness_policy for k in graph.get_all_asset_keys()}
    assert {k for k, policy in policies.items() if policy is not None} == {
        NAMES.raw_data,
        NAMES.model,
    }
    lifecycle = SPEC.lifecycle
    assert policies[NAMES.raw_data].fail_window.to_timedelta() == lifecycle.raw_data_fail_after
    assert policies[NAMES.model].fail_window.to_timedelta() == lifecycle.model_fail_after


def test_building_definitions_does_not_import_heavy_libraries(monkeypatch) -> None:
    """``demo_project`` builds ``defs`` and ``daily_defs`` when imported, as a location's
    definitions module does: that must stay close to the cost of ``import dagster``."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent))
    assert heavy_modules_loaded_by("demo_project") == []


def test_daily_assets_and_backfill_policy() -> None:
    graph = daily_defs.resolve_asset_graph()
    partitioned = {k: graph.get(k).partitions_def for k in graph.get_all_asset_keys()}
    daily = {key for key, partitions in partitioned.items() if partitions is not None}
    assert daily == set(DAILY_NAMES.daily_keys)
    assert isinstance(partitioned[DAILY_NAMES.raw_data], dg.DailyPartitionsDefinition)
    assert {partitioned[key] for key in daily} == {DAILY_NAMES.partitions}
    for key in daily:
        assert graph.get(key).backfill_policy.max_partitions_per_run == (
            DAILY.partitioning.backfill_days_per_run
        )


def test_checks_are_partitioned_like_their_assets() -> None:
    graph = daily_defs.resolve_asset_graph()
    for check_key in graph.asset_check_keys:
        check = graph.get_check_spec(check_key)
        asset = graph.get(check_key.asset_key)
        assert check.partitions_def == asset.partitions_def, check_key


def test_daily_automation_uses_the_same_daily_partitions() -> None:
    """The daily schedule, the ingest job the landing sensor launches and the assets agree on
    the partitions; with ``retrain_policy="on_schedule"`` the model retrains on a schedule (and
    on drift), not on every day."""
    schedule = daily_defs.resolve_schedule_def(DAILY_NAMES.daily_schedule)
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    raw = daily_defs.resolve_asset_graph().get(DAILY_NAMES.raw_data)
    for job_name in (DAILY_NAMES.daily_job, DAILY_NAMES.ingest_job):
        assert daily_defs.resolve_job_def(job_name).partitions_def == raw.partitions_def
    landing = daily_defs.resolve_sensor_def(DAILY_NAMES.landing_sensor)
    assert landing.job_name == DAILY_NAMES.ingest_job
    assert DAILY.lifecycle.retrain_policy == "on_schedule"
    model = daily_defs.resolve_asset_graph().get(DAILY_NAMES.model)
    assert model.automation_condition is None
