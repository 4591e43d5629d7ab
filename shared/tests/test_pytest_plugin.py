"""The plugin's ``instance`` fixture: a real SQLite instance per test (one event log database,
not one per run), each one empty and its own, though its storage is copied from one Dagster
created once per process."""

from pathlib import Path

import dagster as dg

from mlplatform.pytest_plugin import empty_instance_storage, instance_overrides


@dg.asset
def one() -> int:
    return 1


def test_each_test_gets_an_empty_sqlite_instance_of_its_own(instance, tmp_path: Path) -> None:
    assert instance.root_directory == str(tmp_path / "dagster-instance")
    assert instance.get_runs_count() == 0

    assert dg.materialize([one], instance=instance).success

    assert instance.get_runs_count() == 1
    assert instance.get_latest_materialization_event(dg.AssetKey("one")) is not None
    history = tmp_path / "dagster-instance" / "history"
    stored = sorted(p.relative_to(history).as_posix() for p in history.rglob("*.db"))
    assert stored == ["event_log.db", "runs.db"], "one event log for every run, no run shards"
    template = empty_instance_storage()
    with dg.instance_for_test(
        temp_dir=str(template), overrides=instance_overrides(template)
    ) as empty:
        assert empty.get_runs_count() == 0, "the copied storage must stay empty"
        assert empty.get_latest_materialization_event(dg.AssetKey("one")) is None
