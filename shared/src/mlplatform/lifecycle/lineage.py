"""Lineage recorded on every model version: code version and content hashes of data."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.spec import ProjectSpec

CODE_VERSION_ENV = "MLPLATFORM_CODE_VERSION"


def data_hash(frame: pd.DataFrame) -> str:
    """SHA-256 over column names, dtypes and values (row order matters, the index does not).

    Numeric, boolean and datetime columns hash their raw buffers, and columns of plain strings
    their NUL-joined UTF-8 text; anything else (categoricals, nullable or mixed columns, strings
    holding NUL) goes through pandas' per-value hash. About 3x faster than hashing every column
    with pandas on the projects' frames (1M rows: 0.18 s against 0.6 s)."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(str(len(frame)).encode())
    for name in frame.columns:
        digest.update(b"\x1f")
        digest.update(_column_bytes(frame[name]))
    return digest.hexdigest()


def _column_bytes(column: pd.Series) -> bytes:
    import numpy as np
    import pandas as pd
    from pandas.api.types import infer_dtype

    values = column.to_numpy()
    if values.dtype.kind in "biufcmM":
        return b"n" + np.ascontiguousarray(values).tobytes()
    if values.dtype == object and infer_dtype(values, skipna=False) == "string":
        text = "\x00".join(values)
        if text.count("\x00") == max(len(values) - 1, 0):  # no string holds a NUL itself
            return b"s" + text.encode("utf-8", "surrogatepass")
    return b"h" + pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes()


def code_version(start: Path | None = None) -> str:
    """``$MLPLATFORM_CODE_VERSION`` (set in images), else the git commit of the checkout holding
    this library, with ``-dirty`` for uncommitted changes; ``unknown`` when neither exists."""
    if os.environ.get(CODE_VERSION_ENV):
        return os.environ[CODE_VERSION_ENV]
    where = start or Path(__file__).resolve().parent

    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", "-C", str(where), *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if not commit:
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def model_lineage(
    dagster_run_id: str, spec: ProjectSpec, features: pd.DataFrame, reference: pd.DataFrame
) -> dict[str, str]:
    """What a model version was made from: the Dagster run, the code, the data it saw."""
    return {
        "dagster_run_id": dagster_run_id,
        "code_version": code_version(),
        "training_data_hash": data_hash(features),
        "reference_data_hash": data_hash(reference),
        "features": ",".join(spec.model.feature_columns),
    }
