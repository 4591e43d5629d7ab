"""A run worker's CPU and peak memory with the platform's garbage-collection thresholds
(docker/mlplatform-gc.pth, in every platform environment) against Python's defaults.

Each side is a fresh process doing what a whole-chain run worker does: import Dagster, load
churn's definitions, build the whole chain in process (2,000 rows, its own SQLite MLflow store),
which imports MLflow, scikit-learn and Evidently on the way. The platform's side keeps the
thresholds the environment starts with; the baseline sets Python's 700/10/10 first thing.

Targets: CPU <= 1.0x and peak memory <= 1.05x Python's defaults.
Run in churn's environment: code_locations/churn/.venv/bin/python bench/bench_gc.py
"""

from __future__ import annotations

import json
import subprocess
import sys

from figures import figure

REPEATS = 3
PYTHON_DEFAULT = (700, 10, 10)

CHILD = """
import gc, json, os, resource, sys, tempfile
if len(sys.argv) > 1:
    gc.set_threshold(*json.loads(sys.argv[1]))
started = gc.get_threshold()
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
collections = [s["collections"] for s in gc.get_stats()]
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "thresholds": started, "collections": collections}))
"""


def run_worker(*thresholds: int) -> dict:
    """The child's figures; with ``thresholds``, it sets them before anything else."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *([json.dumps(thresholds)] if thresholds else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    platform = tuple(run_worker()["thresholds"])  # also warms the page cache and MLflow template
    if platform == PYTHON_DEFAULT:
        sys.exit("this environment starts with Python's defaults: run scripts/setup.sh")
    default, tuned = [], []
    for _ in range(REPEATS):  # interleaved, so drift in machine load hits both sides alike
        default.append(run_worker(*PYTHON_DEFAULT))
        tuned.append(run_worker())
    for name, runs in (("python", default), ("platform", tuned)):
        cpu = ", ".join(f"{r['cpu']:.2f}" for r in runs)
        peak = max(r["rss_mb"] for r in runs)
        print(f"{name} {tuple(runs[0]['thresholds'])}: CPU {cpu} s; peak {peak:.0f} MB; ", end="")
        print(f"collections per generation {runs[0]['collections']}")
    best = min(r["cpu"] for r in tuned), min(r["cpu"] for r in default)
    figure("whole-chain run process CPU, platform GC thresholds vs Python's", *best, 1.0)
    peak = max(r["rss_mb"] for r in tuned), max(r["rss_mb"] for r in default)
    figure("whole-chain run process peak memory, same comparison", *peak, 1.05, unit="MB")


if __name__ == "__main__":
    main()
