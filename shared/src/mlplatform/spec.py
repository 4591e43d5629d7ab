"""The frozen description of an ML project: everything that differs between locations.

A :class:`ProjectSpec` is made of one part per concern, each typed and defaulted where a default
serves:

| part | class | what it says |
|---|---|---|
| ``data`` | :class:`DataContract` | landed raw data: columns, types, target, ids, minimum rows |
| ``model`` | :class:`ModelSpec` | task, features, the feature and model functions (or an adopted
  training script, :class:`LegacyTraining`), the split |
| ``gate`` | :class:`QualityGate` | the metric a model must reach, and the promotion margin |
| ``lifecycle`` | :class:`Lifecycle` | when a model retrains, drift, freshness |
| ``schedule`` | :class:`Schedule` | the retrain cron and, for daily projects, the partitioning |

Nothing here imports Dagster: the spec is data, and the Dagster layer reads it.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

_PROJECT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ColumnType(StrEnum):
    """Logical column types checked on landed raw data."""

    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"
    BOOLEAN = "boolean"


Task = Literal["classification", "regression"]
# When the model retrains by itself: "on_new_data" whenever its features change (declarative
# automation), "on_schedule" only on the retrain cron and when drift is detected.
RetrainPolicy = Literal["on_new_data", "on_schedule"]

FeatureBuilder = Callable[["pd.DataFrame"], "pd.DataFrame"]
ModelFactory = Callable[["ProjectSpec"], Any]
DataGenerator = Callable[..., "pd.DataFrame"]


def project_name_problem(name: str) -> str:
    """Why ``name`` cannot name a project ("" if it can): it becomes a Python package, an asset
    key prefix, an MLflow model name and (with '-' for '_') a host name."""
    if not _PROJECT_NAME.match(name):
        return "use lowercase letters, digits and '_', starting with a letter"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return "it is a Python keyword"
    if name.endswith("_") or "__" in name:
        return "no trailing or doubled '_' (its host name, with '-', would be invalid)"
    return ""


@dataclass(frozen=True)
class DataContract:
    """What every landed raw file must hold.

    ``id_columns`` name the entity a row describes: the held-out split keeps all rows of one
    entity on one side. A file in which more than ``max_duplicate_share`` of the rows repeat an
    earlier row (of the same file or of an earlier file read with it) is refused, and so is a
    file over ``max_file_bytes``.

    Example: ``DataContract(raw_schema={"id": ColumnType.STRING, "y": ColumnType.BOOLEAN},
    target="y", id_columns=("id",))``

    Outcomes (the true target, known later) land under ``landing/<project>/outcomes/`` with
    ``outcome_id`` (default: the only id column) and the target.
    """

    raw_schema: Mapping[str, ColumnType]
    target: str
    id_columns: tuple[str, ...] = ()
    min_rows: int = 500
    max_duplicate_share: float = 0.01
    max_file_bytes: int = 2 * 1024**3
    outcome_id: str = ""

    def __post_init__(self) -> None:
        if self.target not in self.raw_schema:
            raise ValueError(f"target {self.target!r} is not in raw_schema")
        missing = [c for c in self.id_columns if c not in self.raw_schema]
        if missing:
            raise ValueError(f"id_columns {missing} are not in raw_schema")
        if self.min_rows < 1:
            raise ValueError("min_rows must be >= 1")
        if not 0 <= self.max_duplicate_share <= 1:
            raise ValueError("max_duplicate_share must be in [0, 1]")
        if self.max_file_bytes < 1:
            raise ValueError("max_file_bytes must be >= 1")
        if self.outcome_id and self.outcome_id not in self.id_columns:
            raise ValueError(f"outcome_id {self.outcome_id!r} is not one of id_columns")

    @property
    def outcome_id_column(self) -> str | None:
        """The id column outcomes are joined on; ``None`` when the data has no single id (then
        the project has no live performance monitoring)."""
        if self.outcome_id:
            return self.outcome_id
        return self.id_columns[0] if len(self.id_columns) == 1 else None


@dataclass(frozen=True)
class LegacyTraining:
    """Training by a team's existing script, run unchanged through Dagster Pipes.

    The platform writes the current features to a file (``input_format``), runs ``script`` with
    ``arguments`` (``{input}`` and ``{output_dir}`` filled in), and reads back ``model_file``
    (a pickled/joblib scikit-learn estimator that predicts from the feature columns) and
    ``metrics_file`` (a JSON object holding the quality gate's metric). A script that reports
    its metrics through Pipes (``report_asset_materialization``) needs no metrics file.

    Locally and in tests the script runs in ``project_dir``'s own interpreter
    (``<project_dir>/.venv/bin/python``, built by ``scripts/setup.sh`` from its lock); in the
    container deployment in ``image``, with ``image_command`` (default ``python <script>``, in
    the image's working directory) in front of ``arguments``.
    A run past ``timeout_seconds`` is stopped and fails.

    Example: ``LegacyTraining(project_dir=str(LEGACY_DIR), image="acme/credit_risk-legacy:7")``
    """

    project_dir: str
    image: str
    script: str = "train_model.py"
    arguments: tuple[str, ...] = ("--input", "{input}", "--output-dir", "{output_dir}")
    image_command: tuple[str, ...] = ()
    input_format: Literal["csv", "parquet"] = "csv"
    model_file: str = "model.joblib"
    metrics_file: str = "metrics.json"
    timeout_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if self.input_format not in ("csv", "parquet"):
            raise ValueError(f"input_format {self.input_format!r} must be 'csv' or 'parquet'")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be > 0")
        if not any("{output_dir}" in argument for argument in self.arguments):
            raise ValueError("arguments must pass {output_dir} to the script")

    @property
    def container_command(self) -> tuple[str, ...]:
        return self.image_command or ("python", self.script)

    @property
    def python(self) -> str:
        """The legacy project's own interpreter (local and test runs)."""
        return f"{self.project_dir}/.venv/bin/python"


@dataclass(frozen=True)
class ModelSpec:
    """The learning problem: task, features, and the project's pure feature/model functions.

    ``build_features`` maps a raw frame to features (raw model inputs unchanged, plus derived
    columns, target kept); ``make_model(spec)`` returns an unfitted scikit-learn estimator, or
    ``legacy`` names an existing training script that fits one (exactly one of the two).
    ``packages`` are extra pip requirements of the logged model; ``trusted_types`` the
    non-scikit-learn types inside the pipeline that MLflow's skops serializer may persist.
    """

    task: Task
    feature_columns: tuple[str, ...]
    build_features: FeatureBuilder
    make_model: ModelFactory | None = None
    legacy: LegacyTraining | None = None
    test_fraction: float = 0.2
    seed: int = 42
    packages: tuple[str, ...] = ()
    trusted_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.task not in ("classification", "regression"):
            raise ValueError(f"task {self.task!r} must be 'classification' or 'regression'")
        if not 0 < self.test_fraction < 1:
            raise ValueError("test_fraction must be in (0, 1)")
        if (self.make_model is None) == (self.legacy is None):
            raise ValueError("give exactly one of make_model and legacy (an adopted script)")


@dataclass(frozen=True)
class QualityGate:
    """A model must reach ``floor`` on ``metric`` (held-out split) to pass, and beat the champion
    by more than ``promotion_margin`` to replace it.

    Example: ``QualityGate(metric="roc_auc", floor=0.75)``; for error metrics use
    ``higher_is_better=False`` and a ceiling in ``floor``.
    """

    metric: str
    floor: float
    higher_is_better: bool = True
    promotion_margin: float = 0.0
    # > 0: promotion also requires the challenger to beat the champion on at least this many
    # live outcomes that both scored (shadow scoring); 0: the held-out split decides alone.
    live_promotion_rows: int = 0

    def __post_init__(self) -> None:
        if self.promotion_margin < 0:
            raise ValueError("promotion_margin must be >= 0")
        if self.live_promotion_rows < 0:
            raise ValueError("live_promotion_rows must be >= 0")

    def passes(self, value: float) -> bool:
        return value >= self.floor if self.higher_is_better else value <= self.floor

    def describe(self) -> str:
        op = ">=" if self.higher_is_better else "<="
        return f"{self.metric} {op} {self.floor}"


@dataclass(frozen=True)
class Lifecycle:
    """When the model retrains by itself, how drift is measured, and how stale is too stale.

    A drift report with drift share >= ``drift_threshold`` fails its WARN check and triggers one
    retrain; both sides of the comparison are sampled to ``drift_sample_rows``.
    A step that finds MLflow unreachable is retried ``mlflow_retries`` times, after
    ``mlflow_retry_delay_seconds`` doubled on each retry (15 + 30 + 60 s: a restart of the
    tracking server is ridden out); any other failure is not retried.

    Live performance (predictions joined with landed outcomes) is judged against the quality
    gate once the champion has ``performance_min_rows`` outcomes; below the gate in
    ``performance_patience`` evaluations in a row triggers one retrain per champion version.
    """

    retrain_policy: RetrainPolicy = "on_schedule"
    drift_threshold: float = 0.3
    drift_sample_rows: int = 20_000
    raw_data_fail_after: timedelta = timedelta(days=2)
    model_fail_after: timedelta = timedelta(days=8)
    mlflow_retries: int = 3
    mlflow_retry_delay_seconds: float = 15.0
    performance_min_rows: int = 200
    performance_patience: int = 1

    def __post_init__(self) -> None:
        if self.retrain_policy not in ("on_new_data", "on_schedule"):
            raise ValueError(
                f"retrain_policy {self.retrain_policy!r} must be 'on_new_data' or 'on_schedule'"
            )
        if not 0 < self.drift_threshold <= 1:
            raise ValueError("drift_threshold must be in (0, 1]")
        if self.drift_sample_rows < 100:
            raise ValueError("drift_sample_rows must be >= 100")
        if self.mlflow_retries < 0 or self.mlflow_retry_delay_seconds < 0:
            raise ValueError("mlflow_retries and mlflow_retry_delay_seconds must be >= 0")
        if self.performance_min_rows < 1 or self.performance_patience < 1:
            raise ValueError("performance_min_rows and performance_patience must be >= 1")


@dataclass(frozen=True)
class DailyPartitioning:
    """One raw-data partition per landed day (files named ``<YYYY-MM-DD>*.csv|parquet``).

    ``features`` of a day may look back ``feature_window_days`` of raw data (rolling features);
    the model trains on the latest ``training_window_days`` days of features. A backfill builds
    up to ``backfill_days_per_run`` days of an asset in one run (each day still stored, checked
    and failed on its own).
    """

    start_date: str
    date_column: str
    feature_window_days: int = 7
    training_window_days: int = 28
    backfill_days_per_run: int = 92
    # The daily schedule builds the day that just ended at this time (UTC).
    schedule_hour: int = 2
    schedule_minute: int = 0

    def __post_init__(self) -> None:
        windows = (self.feature_window_days, self.training_window_days, self.backfill_days_per_run)
        if min(windows) < 1:
            raise ValueError(
                "feature_window_days, training_window_days and backfill_days_per_run must be >= 1"
            )
        if not (0 <= self.schedule_hour < 24 and 0 <= self.schedule_minute < 60):
            raise ValueError("schedule_hour must be in 0..23 and schedule_minute in 0..59")


@dataclass(frozen=True)
class Schedule:
    """The retrain cron (UTC, default Mondays 03:00) and, for daily projects, the partitioning."""

    retrain_cron: str = "0 3 * * 1"
    partitioning: DailyPartitioning | None = None

    def __post_init__(self) -> None:
        if len(self.retrain_cron.split()) != 5:
            raise ValueError(f"retrain_cron {self.retrain_cron!r} must be a 5-field cron string")


@dataclass(frozen=True)
class ProjectSpec:
    """What a code location declares; the platform builds the standard assets from it.

    Example::

        spec = ProjectSpec(
            name="churn",
            data=DataContract(raw_schema={...}, target="churned", id_columns=("customer_id",)),
            model=ModelSpec(
                task="classification",
                feature_columns=("tenure_months", ...),
                build_features=build_features,   # pure: raw frame -> features + target
                make_model=make_model,           # returns an unfitted sklearn estimator
            ),
            gate=QualityGate("roc_auc", 0.75),
            generate=generate_customers,         # (rows, seed, drift) -> raw frame
        )
    """

    name: str
    data: DataContract
    model: ModelSpec
    gate: QualityGate
    generate: DataGenerator
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    schedule: Schedule = field(default_factory=Schedule)
    description: str = ""
    extra_tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if problem := project_name_problem(self.name):
            raise ValueError(f"project name {self.name!r}: {problem}")
        if self.data.target in self.model.feature_columns:
            raise ValueError(f"{self.name}: target {self.data.target!r} must not be a feature")
        missing_drift = [c for c in self.drift_columns if c not in self.model.feature_columns]
        if missing_drift:
            raise ValueError(
                f"{self.name}: raw columns {missing_drift} must also be feature columns "
                "(drift is measured on raw columns the model sees)"
            )
        part = self.schedule.partitioning
        if part and part.date_column not in self.data.raw_schema:
            raise ValueError(
                f"{self.name}: partition date column {part.date_column!r} is not in raw_schema"
            )

    @property
    def partitioning(self) -> DailyPartitioning | None:
        """The daily partitioning, or ``None`` for an unpartitioned project."""
        return self.schedule.partitioning

    @property
    def drift_columns(self) -> tuple[str, ...]:
        """Raw input columns compared between reference and current data (not the target, ids or
        the partition date, which differs between any two days by construction)."""
        excluded = {self.data.target, *self.data.id_columns}
        if self.partitioning:
            excluded.add(self.partitioning.date_column)
        return tuple(c for c in self.data.raw_schema if c not in excluded)

    @property
    def registered_model_name(self) -> str:
        return self.name

    @property
    def experiment_name(self) -> str:
        return f"/{self.name}"

    @property
    def drift_experiment_name(self) -> str:
        """Drift reports get their own MLflow runs here, apart from the training runs."""
        return f"/{self.name}/drift_reports"
