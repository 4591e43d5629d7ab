"""The vehicle_pricing location loads with the standard graph and a regression gate."""

import dagster as dg

from mlplatform import project_names
from mlplatform.testing import heavy_modules_loaded_by
from vehicle_pricing.definitions import defs, spec


def test_definitions_load_with_the_standard_graph() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    names = project_names(spec)
    assert set(graph.get_all_asset_keys()) == set(names.asset_keys)
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    assert (names.model, "mae_vs_baseline_gate") in checks
    assert names.checks.gate == "mae_vs_baseline_gate"


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("vehicle_pricing.definitions") == []
