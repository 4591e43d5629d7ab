"""Reading and cleaning the applicants extract."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from credit_risk_lib.model import CATEGORICAL, FEATURES, NUMERIC, TARGET

log = logging.getLogger(__name__)


def load_data(path: str | Path) -> pd.DataFrame:
    """The extract as a frame (CSV or Parquet, by file suffix)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"input file {path} does not exist")
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    log.info("loaded %d rows x %d columns from %s", len(frame), frame.shape[1], path)
    return frame


def prep_data(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Feature matrix and target: required columns checked, rows without a target dropped,
    missing numbers set to the median and missing categories to 'unknown'."""
    missing = [c for c in (*FEATURES, TARGET) if c not in frame.columns]
    if missing:
        raise ValueError(f"input lacks columns {missing}")
    frame = frame.dropna(subset=[TARGET])
    x = frame[list(FEATURES)].copy()
    for column in NUMERIC:
        x[column] = x[column].fillna(x[column].median())
    for column in CATEGORICAL:
        x[column] = x[column].fillna("unknown").astype(str)
    y = frame[TARGET].astype(bool)
    log.info("prepared %d rows, default rate %.3f", len(x), y.mean())
    return x, y
