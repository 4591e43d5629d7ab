"""demand_forecasting loads as a daily project, and loading it stays cheap. (How daily partitions
reach assets, checks, jobs, schedules and sensors is tested in shared/tests.)"""

import dagster as dg

from demand_forecasting.definitions import defs, spec
from mlplatform import project_names
from mlplatform.testing import heavy_modules_loaded_by


def test_definitions_load_with_daily_partitions() -> None:
    dg.Definitions.validate_loadable(defs)
    names = project_names(spec)
    graph = defs.resolve_asset_graph()
    assert set(graph.get_all_asset_keys()) == set(names.asset_keys)
    assert names.partitions is not None
    assert graph.get(names.raw_data).partitions_def == names.partitions
    assert {s.name for s in defs.schedules} == {names.retrain_schedule, names.daily_schedule}


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("demand_forecasting.definitions") == []
