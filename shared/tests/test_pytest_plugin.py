"""The plugin's ``instance`` fixture: a real SQLite instance per test, each one empty and its own,
though its storage is copied from one Dagster created once per process."""

from pathlib import Path

import dagster as dg

from mlplatform.pytest_plugin import empty_instance_storage


@dg.asset
def one() -> int:
    return 1


def test_each_test_gets_an_empty_sqlite_instance_of_its_own(instance, tmp_path: Path) -> None:
    assert instance.root_directory == str(tmp_path / "dagster-instance")
    assert instance.get_runs_count() == 0

    assert dg.materialize([one], instance=instance).success

    assert instance.get_runs_count() == 1
    assert instance.get_latest_materialization_event(dg.AssetKey("one")) is not None
    with dg.instance_for_test(temp_dir=str(empty_instance_storage())) as empty:
        assert empty.get_runs_count() == 0, "the copied storage must stay empty"
        assert empty.get_latest_materialization_event(dg.AssetKey("one")) is None
