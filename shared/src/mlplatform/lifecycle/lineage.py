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
    """SHA-256 over column names, dtypes and values (row order matters, the index does not)."""
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


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
