"""The vehicle_pricing location loads with the standard graph and a regression gate."""

import dagster as dg

from mlplatform.testing import heavy_modules_loaded_by
from vehicle_pricing.definitions import defs


def test_definitions_load_with_the_standard_graph() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == {
        f"vehicle_pricing/{noun}"
        for noun in ("raw_data", "features", "model", "champion", "drift_report", "predictions")
    }
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys}
    assert ("model", "mae_vs_baseline_gate") in checks


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("vehicle_pricing.definitions", extra=["lightgbm"]) == []
