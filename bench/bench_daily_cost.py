"""Daily cost stays flat as history grows: materializing one day of demand_forecasting (raw data,
features, drift report, predictions; in process, SQLite instance) with 365 days of history
against the same with 30 days of history.

Two data directories are prepared alike (every day landed and its raw data and features
materialized in ranged runs, then one model and champion); they differ only in how many days
came before the measured one. Runs are interleaved so machine noise hits both alike.
Target: ratio <= 1.2x. Run in the location's environment:
    code_locations/demand_forecasting/.venv/bin/python bench/bench_daily_cost.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from figures import figure

from demand_forecasting.definitions import spec
from mlplatform import project_names
from mlplatform.cli import land_batch
from mlplatform.testing import materialize_project

ROWS = 2000
REPEATS = 3
NAMES = project_names(spec)
DAILY = [NAMES.raw_data, NAMES.features, NAMES.drift_report, NAMES.predictions]


def _days(count: int) -> list[str]:
    first = date(2025, 1, 1)
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]


def _prepare(data: Path, instance: dg.DagsterInstance, days: list[str]) -> None:
    for seed, day in enumerate(days, start=1):
        land_batch(spec, data / "landing", ROWS, seed, 0.0, "csv", day)
    history = (days[0], days[-2])
    for keys in ([NAMES.raw_data, NAMES.features], list(NAMES.training_keys)):
        span = history if keys[0] == NAMES.raw_data else None
        result = materialize_project(spec, data, instance, keys, partition_range=span)
        assert result.success, keys


def _one_day(data: Path, instance: dg.DagsterInstance, day: str) -> float:
    start = time.perf_counter()
    result = materialize_project(spec, data, instance, DAILY, partition_key=day)
    assert result.success
    return time.perf_counter() - start


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as short_dir,
        tempfile.TemporaryDirectory() as long_dir,
        dg.instance_for_test() as short_instance,
        dg.instance_for_test() as long_instance,
    ):
        short, long = _days(30), _days(365)
        _prepare(Path(short_dir), short_instance, short)
        _prepare(Path(long_dir), long_instance, long)
        _one_day(Path(short_dir), short_instance, short[-1])  # warm-up: imports, caches
        at_30, at_365 = [], []
        for _ in range(REPEATS):
            at_30.append(_one_day(Path(short_dir), short_instance, short[-1]))
            at_365.append(_one_day(Path(long_dir), long_instance, long[-1]))
    best_30, best_365 = min(at_30), min(at_365)
    print(f"one day ({ROWS} rows, 4 daily assets), 30 days of history:  {best_30:.2f} s")
    print(f"one day ({ROWS} rows, 4 daily assets), 365 days of history: {best_365:.2f} s")
    figure("one day with 365 days of history vs with 30", best_365, best_30, 1.2)


if __name__ == "__main__":
    main()
