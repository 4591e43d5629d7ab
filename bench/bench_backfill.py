"""A whole-chain backfill of demand_forecasting's history, launched the way the UI's Materialize
dialog launches it, against the same work through the plain functions in one process.

A real `dagster dev` (webserver + daemon, SQLite, the local instance config) loads the
location; its sensors are switched off so only the backfill runs. Every day of ``--days`` from
the partitions' start gets ``--rows`` landed rows; the backfill targets all six assets over those
days. The baseline (bench/plain_days.py, the location's own environment, run first, alone)
validates, builds features, trains once, and per day measures drift, publishes the report to
MLflow and scores, with no Dagster.
Run from the repo root: .venv/bin/python bench/bench_backfill.py [--days 365] [--rows 5000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import figure  # noqa: E402
from tests.dagster_processes import (  # noqa: E402
    BACKFILL_QUERY,
    graphql,
    launch_backfill,
    quiet_location,
    wait_for,
)

PROJECT = "demand_forecasting"
PYTHON = ROOT / "code_locations" / PROJECT / ".venv" / "bin" / "python"
NOUNS = ("raw_data", "features", "model", "champion", "drift_report", "predictions")
TARGET_SECONDS = 600
LAND = """
import sys
from pathlib import Path
from demand_forecasting.definitions import spec
from mlplatform.cli import land_batch
root, rows = Path(sys.argv[1]), int(sys.argv[2])
for seed, day in enumerate(sys.argv[3:], start=1):
    land_batch(spec, root, rows, seed, 0.0, "csv", day)
"""
STATUS_QUERY = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill {
    status numPartitions runs(limit: 1000) { runId status }
} } }
"""


def _days(count: int) -> list[str]:
    first = date(2025, 1, 1)  # the location's partitions start
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]


def _plain(data: Path) -> float:
    out = subprocess.run(
        [str(PYTHON), str(ROOT / "bench" / "plain_days.py"), str(data)],
        cwd=ROOT,
        env={"DO_NOT_TRACK": "1", "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def _backfill(staged: Path, tmp: Path, days: list[str]) -> tuple[float, dict]:
    # Sensors off before landing: only the backfill runs, no landing or automation runs.
    with quiet_location(ROOT, tmp, PROJECT) as (port, _):
        shutil.copytree(staged / "landing", tmp / "data" / "landing")
        start = time.perf_counter()
        backfill = launch_backfill(port, PROJECT, days, NOUNS)

        def finished() -> dict | None:
            state = graphql(port, STATUS_QUERY, {"id": backfill})["data"]
            state = state["partitionBackfillOrError"]
            return state if state["status"] != "REQUESTED" else None

        state = wait_for(finished, 3600, "the backfill to finish", interval=2)
        seconds = time.perf_counter() - start
        detail = graphql(port, BACKFILL_QUERY, {"id": backfill})["data"]
        state["detail"] = detail["partitionBackfillOrError"]
    return seconds, state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rows", type=int, default=5000, help="landed rows per day")
    args = parser.parse_args()
    days = _days(args.days)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        staged = tmp / "staged"
        subprocess.run(
            [str(PYTHON), "-c", LAND, str(staged / "landing"), str(args.rows), *days],
            check=True,
            env={"DO_NOT_TRACK": "1", "PATH": "/usr/bin:/bin"},
        )
        plain = _plain(staged)
        seconds, state = _backfill(staged, tmp, days)
    runs = state["runs"]
    failed = [r for r in runs if r["status"] != "SUCCESS"]
    print(f"{args.days} days x {args.rows} rows, whole chain (6 assets), 2 concurrent runs")
    print(f"plain functions, one process: {plain:7.1f} s  ({plain / args.days:.2f} s/day)")
    print(
        f"backfill from the UI's mutation: {seconds:7.1f} s  ({seconds / args.days:.2f} s/day), "
        f"{len(runs)} runs, {len(failed)} not successful, status {state['status']}"
    )
    figure(f"{args.days}-day whole-chain backfill (UI), vs plain functions", seconds, plain, None)
    target = TARGET_SECONDS * args.days / 365
    figure(f"{args.days}-day whole-chain backfill vs {target:.0f} s", seconds, target, 1.0)
    if state["status"] != "COMPLETED_SUCCESS":
        print(json.dumps(state["detail"], indent=1)[:4000])
        sys.exit(1)


if __name__ == "__main__":
    main()
