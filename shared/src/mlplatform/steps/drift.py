"""Data drift between a model's reference data and current raw data, computed with Evidently."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mlplatform.markdown import markdown_table
from mlplatform.spec import ColumnType, ProjectSpec
from mlplatform.storage.files import write_atomically


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str
    score: float
    threshold: float
    drifted: bool


@dataclass(frozen=True)
class DriftResult:
    """Drift figures plus the Evidently snapshot that renders the HTML report."""

    share: float
    drifted_count: int
    columns: tuple[ColumnDrift, ...]
    reference_rows: int
    current_rows: int
    snapshot: Any

    def save_html(self, path: Path) -> Path:
        return write_atomically(path, lambda tmp: self.snapshot.save_html(str(tmp)))

    def markdown(self) -> str:
        """Per-column scores as a Markdown table, drifted columns first."""
        ordered = sorted(self.columns, key=lambda c: (not c.drifted, c.column))
        return markdown_table(
            ["column", "drifted", "method", "score", "threshold"],
            [
                [c.column, "yes" if c.drifted else "no", c.method, c.score, c.threshold]
                for c in ordered
            ],
        )


def sample_rows(frame: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    """At most ``limit`` rows, sampled reproducibly (Evidently's cost grows with rows)."""
    return frame if len(frame) <= limit else frame.sample(n=limit, random_state=seed)


def _column_drift(metric: Mapping[str, Any]) -> ColumnDrift:
    config = metric["config"]
    method = str(config["method"])
    score = float(metric["value"])
    threshold = float(config["threshold"])
    # Statistical tests report p-values (drift when small); distances drift when large.
    drifted = score < threshold if "p_value" in method else score >= threshold
    return ColumnDrift(str(config["column"]), method, score, threshold, drifted)


def compute_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    schema: Mapping[str, ColumnType],
    *,
    max_rows: int,
    seed: int = 0,
) -> DriftResult:
    """Run Evidently's DataDriftPreset on the columns of ``schema`` (both frames sampled)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = list(schema)
    numeric = [c for c, t in schema.items() if t in (ColumnType.INTEGER, ColumnType.FLOAT)]
    categorical = [c for c in columns if c not in numeric]
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    ref = sample_rows(reference[columns], max_rows, seed)
    cur = sample_rows(current[columns], max_rows, seed)
    snapshot = Report([DataDriftPreset(columns=columns)]).run(
        current_data=Dataset.from_pandas(cur, data_definition=definition),
        reference_data=Dataset.from_pandas(ref, data_definition=definition),
    )
    per_column = tuple(
        _column_drift(m)
        for m in snapshot.dict()["metrics"]
        if m["config"]["type"].endswith(":ValueDrift")
    )
    drifted = sum(c.drifted for c in per_column)
    return DriftResult(
        share=drifted / len(per_column) if per_column else 0.0,
        drifted_count=drifted,
        columns=per_column,
        reference_rows=len(ref),
        current_rows=len(cur),
        snapshot=snapshot,
    )


def measure_drift(
    spec: ProjectSpec, reference: pd.DataFrame, current: pd.DataFrame
) -> DriftResult:
    """Drift of ``current`` raw data from a model's ``reference`` over the spec's raw model inputs,
    both sides sampled to ``spec.lifecycle.drift_sample_rows``."""
    schema = {c: spec.data.raw_schema[c] for c in spec.drift_columns}
    return compute_drift(
        reference,
        current,
        schema,
        max_rows=spec.lifecycle.drift_sample_rows,
        seed=spec.model.seed,
    )
