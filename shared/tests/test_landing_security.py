"""Hostile landed files and partition keys: path traversal, absolute paths, links out of the
landing dir and oversized files are refused with a clear message, and nothing is read or written
outside the data dirs."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import dagster as dg
import pytest
from demo_project import DAILY, SPEC

from mlplatform.cli import land_batch, main
from mlplatform.storage.io_manager import ParquetIOManager
from mlplatform.storage.landing import LandingZone, RawDataError, write_batch
from mlplatform.testing import failure_text, materialized_keys

HOSTILE = ["../x", "../../etc", "/etc/passwd", "a/../../b", "..", "x\\..\\y", "day\n2"]


@pytest.mark.parametrize("key", HOSTILE)
def test_a_hostile_partition_key_or_project_is_refused(tmp_path: Path, key: str) -> None:
    zone = LandingZone(root=str(tmp_path / "landing"))
    with pytest.raises(RawDataError, match="partition key .*must be a single|control character"):
        zone.read_all("demo", prefix=key)
    with pytest.raises(RawDataError, match="project .*must be a single|control character"):
        zone.read_all(key)
    with pytest.raises(ValueError, match="must be a single|control character"):
        ParquetIOManager(base_dir=str(tmp_path)).path_for(dg.AssetKey(["demo", "x"]), key)


@pytest.mark.parametrize("name", ["../escape.csv", "/tmp/abs.csv", "sub/../../x.csv"])
def test_a_batch_cannot_be_landed_outside_the_landing_dir(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="must be a single file"):
        write_batch(tmp_path / "landing", name, SPEC.generate(10, 1, 0.0))
    assert not any(tmp_path.rglob("*.csv"))


def test_the_cli_refuses_a_date_that_is_not_a_day(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a day written YYYY-MM-DD"):
        land_batch(DAILY, tmp_path, 10, 1, 0.0, "csv", day="../../2026-03-01")
    assert not any(tmp_path.rglob("*"))


def test_a_link_out_of_the_landing_dir_is_refused_and_its_target_untouched(
    landing_dir: Path, run_chain, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.csv"
    SPEC.generate(800, 1, 0.0).to_csv(outside, index=False)
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    landing_dir.mkdir(parents=True)
    (landing_dir / "batch.csv").symlink_to(outside)

    result = run_chain()

    assert not result.success
    assert f"is a link to {outside}, outside the landing dir" in failure_text(result)
    assert not materialized_keys(result)
    assert hashlib.sha256(outside.read_bytes()).hexdigest() == digest


def test_a_link_inside_the_landing_dir_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "demo"
    write_batch(folder, "real.csv", SPEC.generate(20, 1, 0.0))
    (folder / "alias.csv").symlink_to(folder / "real.csv")
    frames = LandingZone(root=str(tmp_path / "landing")).read_all("demo", contract=SPEC.data)
    assert list(frames) == ["alias.csv", "real.csv"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "demo"
    path = write_batch(folder, "big.csv", SPEC.generate(2000, 1, 0.0))
    contract = dataclasses.replace(SPEC.data, max_file_bytes=64 * 1024)
    with pytest.raises(RawDataError, match=r"over the limit of 65,536 bytes"):
        LandingZone(root=str(tmp_path / "landing")).read_all("demo", contract=contract)
    assert path.stat().st_size > 64 * 1024


def test_the_land_command_reports_a_bad_date(tmp_path: Path, capsys) -> None:
    code = main(DAILY, ["land", "--landing-dir", str(tmp_path), "--date", "../etc"])
    assert code == 2
    assert "is not a day written YYYY-MM-DD" in capsys.readouterr().err
