"""Drift detection at 1M rows x 20 columns: the platform's measure (Evidently's DataDriftPreset on
both sides sampled to `drift_sample_rows`, mlplatform.steps.drift) against SciPy on the full
data with the same methods and thresholds Evidently picks at this size (normed Wasserstein
distance >= 0.1 for numeric columns, Jensen-Shannon distance >= 0.1 for categorical ones).

Five numeric columns and one categorical column are drifted; both sides must name exactly those.
Target: ratio <= 1.0x (sampling must keep the platform at or below the full-data baseline).
Run in a location's environment: code_locations/churn/.venv/bin/python bench/bench_drift.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from figures import figure
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from mlplatform.spec import ColumnType
from mlplatform.steps.drift import compute_drift

ROWS = 1_000_000
NUMERIC = [f"x{i}" for i in range(15)]
CATEGORICAL = [f"c{i}" for i in range(5)]
DRIFTED = {"x0", "x1", "x2", "x3", "x4", "c0"}
SAMPLE_ROWS = 20_000
THRESHOLD = 0.1
REPEATS = 3


def frame(seed: int, drifted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {c: rng.normal(0.0, 1.0, ROWS) for c in NUMERIC}
    levels = np.array([f"v{i}" for i in range(10)])
    data |= {c: levels[rng.integers(0, 10, ROWS)] for c in CATEGORICAL}
    if drifted:
        for c in sorted(DRIFTED & set(NUMERIC)):
            data[c] = data[c] + 0.5
        data["c0"] = levels[np.minimum(rng.integers(0, 10, ROWS), rng.integers(0, 10, ROWS))]
    return pd.DataFrame(data)


def scipy_drifted(reference: pd.DataFrame, current: pd.DataFrame) -> set[str]:
    drifted = set()
    for c in NUMERIC:
        distance = wasserstein_distance(reference[c], current[c]) / np.std(reference[c])
        if distance >= THRESHOLD:
            drifted.add(c)
    for c in CATEGORICAL:
        ref = reference[c].value_counts(normalize=True)
        cur = current[c].value_counts(normalize=True).reindex(ref.index, fill_value=0.0)
        if jensenshannon(ref.to_numpy(), cur.to_numpy()) >= THRESHOLD:
            drifted.add(c)
    return drifted


def platform_drifted(reference: pd.DataFrame, current: pd.DataFrame) -> set[str]:
    schema = {c: ColumnType.FLOAT for c in NUMERIC} | {c: ColumnType.STRING for c in CATEGORICAL}
    result = compute_drift(reference, current, schema, max_rows=SAMPLE_ROWS)
    return {c.column for c in result.columns if c.drifted}


def timed(fn, *args) -> tuple[float, set[str]]:
    start = time.perf_counter()
    verdict = fn(*args)
    return time.perf_counter() - start, verdict


def main() -> None:
    reference, current = frame(1, drifted=False), frame(2, drifted=True)
    platform_drifted(reference.head(5000), current.head(5000))  # warm-up: Evidently's imports
    ours, base = [], []
    for _ in range(REPEATS):
        seconds, verdict = timed(platform_drifted, reference, current)
        assert verdict == DRIFTED, f"platform: {sorted(verdict)}"
        ours.append(seconds)
        seconds, verdict = timed(scipy_drifted, reference, current)
        assert verdict == DRIFTED, f"scipy: {sorted(verdict)}"
        base.append(seconds)
    print(f"drifted columns, both sides: {sorted(DRIFTED)}")
    figure(
        f"drift at 1M rows x 20 columns (sampled to {SAMPLE_ROWS}) vs SciPy on all rows",
        min(ours),
        min(base),
        1.0,
    )


if __name__ == "__main__":
    main()
