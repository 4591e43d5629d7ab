"""Evidently drift figures: no drift on the same distribution, drift when it shifts."""

import numpy as np
import pandas as pd

from mlplatform.spec import ColumnType
from mlplatform.steps.drift import compute_drift, sample_rows

SCHEMA = {"x": ColumnType.FLOAT, "k": ColumnType.INTEGER, "c": ColumnType.STRING}


def _frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(shift * 3, 1.0, rows),
            "k": rng.poisson(2 + shift * 4, rows),
            "c": rng.choice(["a", "b", "c"], rows, p=[0.6, 0.3, 0.1]),
        }
    )


def test_same_distribution_has_no_drift() -> None:
    result = compute_drift(_frame(3000, 1), _frame(3000, 2), SCHEMA, max_rows=5000)
    assert result.share == 0.0 and result.drifted_count == 0
    assert {c.column for c in result.columns} == set(SCHEMA)


def test_shifted_numeric_columns_drift_and_categorical_does_not() -> None:
    result = compute_drift(_frame(3000, 1), _frame(3000, 2, shift=1.0), SCHEMA, max_rows=5000)
    drifted = {c.column for c in result.columns if c.drifted}
    assert drifted == {"x", "k"}
    assert result.share == 2 / 3
    table = result.markdown()
    assert table.splitlines()[0] == "| column | drifted | method | score | threshold |"
    assert table.splitlines()[2].startswith("| k | yes |")


def test_rows_are_sampled_to_the_bound_and_html_is_written(tmp_path) -> None:
    result = compute_drift(_frame(8000, 1), _frame(6000, 2), SCHEMA, max_rows=2000)
    assert (result.reference_rows, result.current_rows) == (2000, 2000)
    path = result.save_html(tmp_path / "r" / "drift.html")
    assert path.stat().st_size > 10_000


def test_sample_rows_is_reproducible_and_keeps_small_frames() -> None:
    frame = _frame(100, 1)
    assert sample_rows(frame, 500, 0) is frame
    assert sample_rows(frame, 10, 0).index.tolist() == sample_rows(frame, 10, 0).index.tolist()
