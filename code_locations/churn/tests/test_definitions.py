"""The churn location loads, and loading it stays cheap. (The standard graph, checks, jobs,
sensors and schedules every location gets are tested in shared/tests.)"""

import dagster as dg

from churn.definitions import defs, spec
from mlplatform import project_names
from mlplatform.testing import heavy_modules_loaded_by


def test_definitions_load_with_the_standard_assets() -> None:
    dg.Definitions.validate_loadable(defs)
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    assert set(keys) == set(project_names(spec).asset_keys)


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("churn.definitions") == []
