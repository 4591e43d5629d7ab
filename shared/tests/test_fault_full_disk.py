"""Fault: the asset directory, or the report directory, is on a full disk (a small tmpfs).

The run fails with the disk's own error ("No space left on device"), and nothing partly written
becomes visible: the value stored before stays byte-identical, no temp file is left behind, no
report of the failed run exists. Once space is freed, the same run succeeds. Needs root (mount).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from demo_project import SPEC

from mlplatform import project_names
from mlplatform.testing import failure_text, record_figure

NAMES = project_names(SPEC)
TMPFS_SIZE = "24m"


def _fill(directory: Path, leave_bytes: int) -> Path:
    """A filler file that leaves ``leave_bytes`` free on ``directory``'s filesystem."""
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    filler = directory / "filler.bin"
    with filler.open("wb") as handle:
        handle.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = free - leave_bytes
        while remaining > 0:
            remaining -= handle.write(chunk[: min(len(chunk), remaining)])
    return filler


@pytest.fixture
def full_disk(data_dir: Path) -> Iterator[Callable[[str], Path]]:
    """``full_disk("assets")``: a small tmpfs mounted at ``data_dir/<name>``, unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def mount(name: str) -> Path:
        target = data_dir / name
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(target)], check=True
        )
        mounted.append(target)
        return target

    try:
        yield mount
    finally:
        for target in reversed(mounted):
            subprocess.run(["umount", "-l", str(target)], check=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*.tmp")]


def test_full_asset_disk_fails_the_run_and_keeps_the_stored_value(
    land, run_chain, full_disk
) -> None:
    assets = full_disk("assets")
    land("batch_001.csv", rows=2000)
    assert run_chain([NAMES.raw_data]).success
    stored = assets / "demo" / "raw_data.parquet"
    before = _digest(stored)
    filler = _fill(assets, leave_bytes=16 * 1024)
    land("batch_002.csv", rows=20_000, seed=2)

    started = time.monotonic()
    failed = run_chain([NAMES.raw_data])
    seconds_to_fail = time.monotonic() - started

    assert not failed.success
    assert f"No space left on device writing {stored}" in failure_text(failed)
    assert _digest(stored) == before
    assert _leftovers(assets) == []
    filler.unlink()
    assert run_chain([NAMES.raw_data]).success
    assert _digest(stored) != before
    record_figure(
        "full_asset_disk", "asset directory full: raw-data run failed after", seconds_to_fail
    )


def test_full_report_disk_fails_the_run_and_leaves_no_report(land, run_chain, full_disk) -> None:
    reports = full_disk("reports")
    land("batch_001.csv", rows=2000)
    assert run_chain([NAMES.raw_data, NAMES.features, NAMES.model, NAMES.champion]).success
    filler = _fill(reports, leave_bytes=64 * 1024)  # a drift report is a few MB of HTML

    started = time.monotonic()
    failed = run_chain([NAMES.drift_report])
    seconds_to_fail = time.monotonic() - started

    assert not failed.success
    assert f"No space left on device writing {reports}" in failure_text(failed)
    assert sorted(p.name for p in reports.rglob("*") if p.is_file()) == ["filler.bin"]
    filler.unlink()
    rerun = run_chain([NAMES.drift_report])
    assert rerun.success, failure_text(rerun)
    assert [p.name for p in reports.rglob("*.html")] == [f"drift_report-{rerun.run_id}.html"]
    record_figure(
        "full_report_disk", "report directory full: drift-report run failed after", seconds_to_fail
    )
