"""Latency of the automation loop: a file lands -> raw data materialized -> drift report
materialized, with a real `dagster-daemon` and churn's code server (tests/live_loop.py).

Measured on the second landing (a champion exists, so the path is the steady state: landing
sensor -> ingest run -> automation run of features, drift report and predictions). The first
landing, which also trains the first model, is reported too.

Baselines, same run, same data and instance, no daemon: the same assets materialized by hand
with `dagster asset materialize` from churn's venv (one process each, like a run worker).
Run from the repo root: .venv/bin/python bench/bench_automation.py [--interval 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import figure  # noqa: E402
from tests.live_loop import live_loop  # noqa: E402

TIMEOUT = 600


def _by_hand(env: dict[str, str], select: str) -> float:
    """Seconds for one `dagster asset materialize` of ``select`` (the hand-launched baseline)."""
    dagster = ROOT / "code_locations/churn/.venv/bin/dagster"
    start = time.perf_counter()
    subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "churn.definitions", "--select", select],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=int, default=5, help="sensor interval, seconds")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with live_loop(ROOT, Path(tmp), "churn", sensor_interval=args.interval) as loop:
            start = time.time()
            loop.land(rows=args.rows, seed=1)
            first_raw = loop.wait_for_materialization("raw_data", start, TIMEOUT).timestamp
            first_drift = loop.wait_for_materialization("drift_report", start, TIMEOUT).timestamp
            loop.wait_for_materialization("predictions", start, TIMEOUT)
            time.sleep(2 * args.interval)  # let the sensors settle on the new state

            second = time.time()
            loop.land(rows=args.rows, seed=2)
            raw = loop.wait_for_materialization("raw_data", second, TIMEOUT).timestamp
            drift = loop.wait_for_materialization("drift_report", second, TIMEOUT).timestamp
            loop.wait_for_materialization("predictions", second, TIMEOUT)
            env = loop.env
        # The daemon is stopped: nothing reacts to the hand-launched runs below.
        by_hand_raw = _by_hand(env, "churn/raw_data")
        by_hand_chain = _by_hand(
            env, "churn/raw_data,churn/features,churn/drift_report,churn/predictions"
        )

    landing_to_raw, landing_to_drift = raw - second, drift - second
    print(f"sensor interval: {args.interval} s; batch: {args.rows} rows; churn")
    print(
        f"first landing (trains the first model): raw {first_raw - start:.1f} s, "
        f"drift report {first_drift - start:.1f} s"
    )
    print(f"landing -> raw data materialized:     {landing_to_raw:6.1f} s")
    print(f"landing -> drift report materialized: {landing_to_drift:6.1f} s")
    print(f"baseline, raw data by hand:                       {by_hand_raw:6.1f} s")
    print(f"baseline, raw..predictions by hand (one process): {by_hand_chain:6.1f} s")
    figure("file landed -> raw data materialized, vs by hand", landing_to_raw, by_hand_raw, None)
    figure(
        "file landed -> drift report materialized, vs by hand",
        landing_to_drift,
        by_hand_chain,
        None,
    )


if __name__ == "__main__":
    main()
