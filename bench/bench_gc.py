"""A run worker's CPU and peak memory with the platform's garbage-collection thresholds
(docker/mlplatform-gc.pth, in every platform environment) against Python's defaults.

Each side is a fresh process doing what a whole-chain run worker does: import Dagster, load
churn's definitions, build the whole chain in process (2,000 rows, its own SQLite MLflow store),
which imports MLflow, scikit-learn and Evidently on the way. The child sets its thresholds first
(the platform's, or Python's 700/10/10), overriding the environment's start-up setting.

Targets: CPU <= 1.0x and peak memory <= 1.05x Python's defaults.
Run in churn's environment: code_locations/churn/.venv/bin/python bench/bench_gc.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from figures import figure

REPEATS = 3
PYTHON_DEFAULT = (700, 10, 10)
SETTINGS = Path(__file__).resolve().parents[1] / "docker/mlplatform-gc.pth"

CHILD = """
import gc, json, os, resource, sys, tempfile
gc.set_threshold(*json.loads(sys.argv[1]))
from pathlib import Path
import dagster as dg
from churn.definitions import spec
from mlplatform.storage.landing import write_batch
from mlplatform.testing import materialize_whole_chain
with tempfile.TemporaryDirectory() as tmp, dg.instance_for_test() as instance:
    data = Path(tmp)
    write_batch(data / "landing" / spec.name, "batch.csv", spec.generate(2000, 1, 0.0))
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{data}/mlflow/mlflow.db"
    materialize_whole_chain(spec, data, instance, ())
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "collections": [s["collections"] for s in gc.get_stats()]}))
"""


def platform_thresholds() -> tuple[int, ...]:
    """The thresholds docker/mlplatform-gc.pth sets: its import line, run without site."""
    [line] = [x for x in SETTINGS.read_text().splitlines() if x.startswith("import")]
    code = f"{line}; print(list(gc.get_threshold()))"
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True)
    return tuple(json.loads(out.stdout))


def run_worker(thresholds: tuple[int, ...]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(thresholds)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    platform = platform_thresholds()
    run_worker(platform)  # warm the page cache and the MLflow store template
    default, tuned = [], []
    for _ in range(REPEATS):  # interleaved, so drift in machine load hits both sides alike
        default.append(run_worker(PYTHON_DEFAULT))
        tuned.append(run_worker(platform))
    for name, runs, thresholds in (
        ("python", default, PYTHON_DEFAULT),
        ("platform", tuned, platform),
    ):
        cpu = ", ".join(f"{r['cpu']:.2f}" for r in runs)
        peak = max(r["rss_mb"] for r in runs)
        print(f"{name} {thresholds}: CPU {cpu} s; peak {peak:.0f} MB; ", end="")
        print(f"collections per generation {runs[0]['collections']}")
    best = min(r["cpu"] for r in tuned), min(r["cpu"] for r in default)
    figure("whole-chain run process CPU, platform GC thresholds vs Python's", *best, 1.0)
    peak = max(r["rss_mb"] for r in tuned), max(r["rss_mb"] for r in default)
    figure("whole-chain run process peak memory, same comparison", *peak, 1.05, unit="MB")


if __name__ == "__main__":
    main()
