"""The vehicle_pricing location loads with the standard graph and a regression gate."""

import subprocess
import sys

import dagster as dg

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
    code = (
        "import sys, vehicle_pricing.definitions; heavy = {'mlflow', 'sklearn', 'evidently', "
        "'pandas', 'lightgbm'}; print(','.join(sorted(heavy & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
