"""The churn location loads, and its graph is the platform's standard shape."""

import dagster as dg

from churn.definitions import defs, spec
from mlplatform.testing import heavy_modules_loaded_by


def test_definitions_load_and_resolve() -> None:
    dg.Definitions.validate_loadable(defs)


def test_standard_assets_and_lineage() -> None:
    graph = defs.resolve_asset_graph()
    parents = {
        key.to_user_string(): sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        for key in graph.get_all_asset_keys()
    }
    assert parents == {
        "churn/raw_data": [],
        "churn/features": ["churn/raw_data"],
        "churn/model": ["churn/features"],
        "churn/champion": ["churn/features", "churn/model"],
        "churn/drift_report": ["churn/champion", "churn/raw_data"],
        "churn/predictions": ["churn/champion", "churn/raw_data"],
    }
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == {"churn"}
    assert all(graph.get(k).description for k in graph.get_all_asset_keys())


def test_checks_are_declared_with_the_right_blocking() -> None:
    specs = {
        (c.asset_key.to_user_string(), c.name): c.blocking
        for c in defs.resolve_asset_graph().asset_check_keys
        for c in [defs.resolve_asset_graph().get_check_spec(c)]
    }
    assert specs == {
        ("churn/raw_data", "schema_matches_spec"): True,
        ("churn/raw_data", "no_null_target"): True,
        ("churn/raw_data", "enough_rows"): True,
        ("churn/features", "no_null_features"): True,
        ("churn/model", "roc_auc_gate"): True,
        ("churn/champion", "champion_meets_gate"): False,
        ("churn/drift_report", "drift_share_below_threshold"): False,
        ("churn/predictions", "one_prediction_per_row"): False,
    }


def test_rollback_job_takes_reason_requester_and_version() -> None:
    job = defs.resolve_job_def("churn_rollback")
    [node] = job.graph.node_defs
    fields = node.config_schema.config_type.fields
    assert {name: field.is_required for name, field in fields.items()} == {
        "reason": True,
        "requested_by": True,
        "to_version": False,
    }


def test_freshness_policies_on_raw_data_and_model() -> None:
    graph = defs.resolve_asset_graph()
    policies = {
        k.to_user_string(): graph.get(k).freshness_policy for k in graph.get_all_asset_keys()
    }
    assert policies["churn/raw_data"].fail_window.to_timedelta() == spec.lifecycle.raw_data_fail_after
    assert policies["churn/model"].fail_window.to_timedelta() == spec.lifecycle.model_fail_after


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("churn.definitions") == []
