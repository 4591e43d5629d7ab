"""Import cost of a location's definitions vs `import dagster`, fresh interpreters, same run.

Target: ratio <= 1.5 (mlflow, evidently, sklearn and pandas stay out of the import path).
Run with the location's interpreter: code_locations/churn/.venv/bin/python bench/bench_import.py
"""

import statistics
import subprocess
import sys
import time

from figures import figure

REPEATS = 7


def _seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(module: str = "churn.definitions") -> None:
    _seconds(f"import {module}")  # warm the bytecode cache so both sides read .pyc files
    baseline, location = [], []
    for _ in range(REPEATS):  # interleaved, so drift in machine load hits both sides alike
        baseline.append(_seconds("import dagster"))
        location.append(_seconds(f"import {module}"))
    base, loc = statistics.median(baseline), statistics.median(location)
    print(f"import dagster            median {base:.2f} s  (n={REPEATS})")
    print(f"import {module:<18} median {loc:.2f} s")
    figure(f"import {module} vs import dagster", loc, base, 1.5)


if __name__ == "__main__":
    main(*sys.argv[1:])
