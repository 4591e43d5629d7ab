"""Pure parts of adopting an existing training script (``ModelSpec.legacy``): its command line,
its input file, and reading back what it wrote. No Dagster: the model asset runs the script
through Dagster Pipes and calls these."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlplatform.spec import LegacyTraining, ProjectSpec

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.steps.training import TrainedModel


class LegacyScriptError(RuntimeError):
    """The adopted script failed, or left no usable model or metrics."""


def legacy_spec(spec: ProjectSpec) -> LegacyTraining:
    if spec.model.legacy is None:
        raise ValueError(f"{spec.name}: ModelSpec.legacy is not set")
    return spec.model.legacy


def script_arguments(legacy: LegacyTraining, input_path: str, output_dir: str) -> list[str]:
    """The script's arguments with ``{input}`` and ``{output_dir}`` filled in."""
    return [
        argument.replace("{input}", input_path).replace("{output_dir}", output_dir)
        for argument in legacy.arguments
    ]


def script_input(spec: ProjectSpec, features: pd.DataFrame) -> pd.DataFrame:
    """The features the script sees: without the id columns the platform keeps beside them for
    its leak-free split (unless the model uses them as features)."""
    kept = set(spec.model.feature_columns)
    dropped = [c for c in spec.data.id_columns if c not in kept]
    return features.drop(columns=dropped, errors="ignore")


def write_input(legacy: LegacyTraining, features: pd.DataFrame, work_dir: Path) -> Path:
    """The features as the script reads them: ``<work_dir>/input.<csv|parquet>``."""
    path = work_dir / f"input.{legacy.input_format}"
    if legacy.input_format == "csv":
        features.to_csv(path, index=False)
    else:
        features.to_parquet(path, index=False)
    return path


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def read_metrics(
    spec: ProjectSpec, output_dir: Path, reported: Mapping[str, Any] | None = None
) -> dict[str, float]:
    """The script's numeric metrics: those it reported through Pipes, else its metrics file.
    Refused (naming the file) when missing, not a JSON object, or without the gate's metric."""
    legacy = legacy_spec(spec)
    source = "the metrics reported through Dagster Pipes"
    if reported:
        raw: Any = dict(reported)
    else:
        path = output_dir / legacy.metrics_file
        source = str(path)
        if not path.is_file():
            raise LegacyScriptError(f"{spec.name}: the script wrote no metrics file {path}")
        try:
            raw = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise LegacyScriptError(f"{spec.name}: {path} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise LegacyScriptError(f"{spec.name}: {source} must be a JSON object of metrics")
    metrics = {str(k): n for k, v in raw.items() if (n := _numeric(v)) is not None}
    gate = spec.gate.metric
    if gate not in metrics:
        raise LegacyScriptError(
            f"{spec.name}: {source} has no numeric {gate!r} (the quality gate's metric); "
            f"found {sorted(raw)}"
        )
    return metrics


def read_model(spec: ProjectSpec, output_dir: Path) -> Any:
    """The fitted estimator the script wrote (joblib/pickle), checked to predict."""
    import joblib

    path = output_dir / legacy_spec(spec).model_file
    if not path.is_file():
        raise LegacyScriptError(f"{spec.name}: the script wrote no model file {path}")
    try:
        estimator = joblib.load(path)
    except Exception as error:  # a truncated or foreign file: say which file and why
        raise LegacyScriptError(f"{spec.name}: cannot load model file {path}: {error}") from None
    if not hasattr(estimator, "predict"):
        raise LegacyScriptError(
            f"{spec.name}: {path} holds a {type(estimator).__name__}, no model"
        )
    return estimator


def file_facts(path: Path) -> dict[str, Any]:
    """Name, size and content hash of a file the script wrote (materialization metadata)."""
    import hashlib

    return {
        "name": path.name,
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def adopted_model(
    spec: ProjectSpec, features: pd.DataFrame, output_dir: Path, reported: Mapping[str, Any]
) -> TrainedModel:
    """What the script wrote, as the platform's :class:`TrainedModel`: its estimator and its
    metrics; the split is the platform's own (row counts, the logged input example)."""
    from mlplatform.steps.training import TrainedModel, split_features

    metrics = read_metrics(spec, output_dir, reported)
    estimator = read_model(spec, output_dir)
    return TrainedModel(estimator, metrics, split_features(spec, features))
