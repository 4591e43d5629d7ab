"""The plugin's ``instance`` fixture: a real instance per test, its runs in SQLite on disk and its
event log in Dagster's in-memory SQLite storage, each one empty and its own, though its storage
is copied from one Dagster created once per process."""

from pathlib import Path

import dagster as dg

from mlplatform.pytest_plugin import empty_instance_storage, instance_overrides


@dg.asset
def one() -> int:
    return 1


def test_each_test_gets_an_empty_instance_of_its_own(instance, tmp_path: Path) -> None:
    assert instance.root_directory == str(tmp_path / "dagster-instance")
    assert instance.get_runs_count() == 0

    assert dg.materialize([one], instance=instance).success

    assert instance.get_runs_count() == 1
    assert instance.get_latest_materialization_event(dg.AssetKey("one")) is not None
    history = tmp_path / "dagster-instance" / "history"
    stored = sorted(p.relative_to(history).as_posix() for p in history.rglob("*.db"))
    assert stored == ["runs.db"], "the event log is in memory: no event log or run shards"
    template = empty_instance_storage()
    with dg.instance_for_test(
        temp_dir=str(template), overrides=instance_overrides(template)
    ) as empty:
        assert empty.get_runs_count() == 0, "the copied storage must stay empty"
        assert empty.get_latest_materialization_event(dg.AssetKey("one")) is None
