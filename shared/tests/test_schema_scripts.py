"""Alembic's migration scripts are read once per process (mlplatform.storage.schema_scripts),
and an out-of-date database is still seen as out of date."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy

import mlplatform  # noqa: F401  (memoizes alembic's scripts, as in every platform process)

# Run in a fresh process: alembic must not be loaded yet when mlplatform is imported, so the
# memo is put in place by the import hook, as in a code server or run worker.
FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    import mlplatform
    facts = {"alembic_loaded_by_mlplatform": "alembic" in sys.modules}

    import dagster as dg
    from alembic.script import Script, ScriptDirectory
    from dagster._core.storage.runs.sqlite import sqlite_run_storage
    from dagster._core.storage.sql import get_alembic_config
    from mlflow.store.db.utils import _get_alembic_config

    executed = []
    load = Script._from_path.__func__
    Script._from_path = classmethod(lambda cls, d, p: executed.append(p) or load(cls, d, p))
    for _ in range(3):
        with dg.instance_for_test() as instance:
            instance.get_runs(limit=1)
    dagster_config = get_alembic_config(sqlite_run_storage.__file__)
    dagster_scripts = ScriptDirectory.from_config(dagster_config)
    mlflow_scripts = ScriptDirectory.from_config(_get_alembic_config(db_url=""))
    facts.update(
        memoized=getattr(ScriptDirectory, "_mlplatform_reads_scripts_once", False),
        scripts_executed=len(executed),
        distinct_scripts_executed=len(set(executed)),
        same_directory_again=ScriptDirectory.from_config(dagster_config) is dagster_scripts,
        mlflow_directory_is_its_own=mlflow_scripts is not dagster_scripts,
        mlflow_head=mlflow_scripts.get_current_head(),
    )
    print(json.dumps(facts))
    """
)


def test_a_process_reads_each_migration_script_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])

    assert not facts["alembic_loaded_by_mlplatform"]
    assert facts["memoized"]
    # Three instances, three storages each: without the memo every script runs nine times.
    assert facts["distinct_scripts_executed"] > 50
    assert facts["scripts_executed"] == facts["distinct_scripts_executed"]
    assert facts["same_directory_again"]
    assert facts["mlflow_directory_is_its_own"]
    assert facts["mlflow_head"]


def test_an_out_of_date_database_is_still_seen_as_out_of_date(tmp_path: Path) -> None:
    from alembic.command import stamp
    from alembic.script import ScriptDirectory
    from dagster._core.storage.runs.sqlite import sqlite_run_storage
    from dagster._core.storage.sql import check_alembic_revision, get_alembic_config

    config = get_alembic_config(sqlite_run_storage.__file__)
    assert ScriptDirectory.from_config(config) is ScriptDirectory.from_config(config)
    head = ScriptDirectory.from_config(config).get_current_head()
    older = ScriptDirectory.from_config(config).get_revision(head).down_revision
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'runs.db'}")
    with engine.connect() as connection:
        for revision, expected in ((head, (head, head)), (older, (older, head))):
            config.attributes["connection"] = connection
            stamp(config, revision)
            connection.commit()
            assert check_alembic_revision(config, connection) == expected
    assert older and older != head


def test_a_relative_script_folder_is_its_own_per_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic.config import Config

    from mlplatform.storage.schema_scripts import script_options

    def options(location: str, cwd: Path) -> tuple | None:
        monkeypatch.chdir(cwd)
        config = Config()
        config.set_main_option("script_location", location)
        return script_options(config)

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert options("migrations", tmp_path / "a") != options("migrations", tmp_path / "b")
    packaged = "dagster:_core/storage/alembic"
    assert options(packaged, tmp_path / "a") == options(packaged, tmp_path / "b")
    absolute = str(tmp_path / "migrations")
    assert options(absolute, tmp_path / "a") == options(absolute, tmp_path / "b")
