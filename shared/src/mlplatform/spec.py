"""The frozen description of an ML project: everything that differs between locations."""

from __future__ import annotations

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


@dataclass(frozen=True)
class QualityGate:
    """A model must reach ``floor`` on ``metric`` (held-out split) to pass.

    Example: ``QualityGate(metric="roc_auc", floor=0.75)``; for error metrics use
    ``higher_is_better=False`` and a ceiling in ``floor``.
    """

    metric: str
    floor: float
    higher_is_better: bool = True

    def passes(self, value: float) -> bool:
        return value >= self.floor if self.higher_is_better else value <= self.floor

    def describe(self) -> str:
        op = ">=" if self.higher_is_better else "<="
        return f"{self.metric} {op} {self.floor}"


@dataclass(frozen=True)
class DailyPartitioning:
    """One raw-data partition per landed day (files named ``<YYYY-MM-DD>*.csv|parquet``).

    ``features`` of a day may look back ``feature_window_days`` of raw data (rolling features);
    the model trains on the latest ``training_window_days`` days of features.
    """

    start_date: str
    date_column: str
    feature_window_days: int = 7
    training_window_days: int = 28
    # The daily schedule builds the day that just ended at this time (UTC).
    schedule_hour: int = 2
    schedule_minute: int = 0

    def __post_init__(self) -> None:
        if self.feature_window_days < 1 or self.training_window_days < 1:
            raise ValueError("feature_window_days and training_window_days must be >= 1")
        if not (0 <= self.schedule_hour < 24 and 0 <= self.schedule_minute < 60):
            raise ValueError("schedule_hour must be in 0..23 and schedule_minute in 0..59")


FeatureBuilder = Callable[["pd.DataFrame"], "pd.DataFrame"]
ModelFactory = Callable[["ProjectSpec"], Any]
DataGenerator = Callable[[int, int, float], "pd.DataFrame"]


@dataclass(frozen=True)
class ProjectSpec:
    """What a code location declares; the platform builds the standard assets from it.

    Example::

        spec = ProjectSpec(
            name="churn",
            target="churned",
            raw_schema={"tenure_months": ColumnType.INTEGER, ..., "churned": ColumnType.BOOLEAN},
            id_columns=("customer_id",),
            feature_columns=("tenure_months", ...),
            build_features=build_features,   # pure: raw frame -> features + target
            make_model=make_model,           # returns an unfitted sklearn estimator
            generate=generate_customers,     # (rows, seed, drift) -> raw frame
            task="classification",
            quality_gate=QualityGate("roc_auc", 0.75),
        )
    """

    name: str
    target: str
    raw_schema: Mapping[str, ColumnType]
    feature_columns: tuple[str, ...]
    build_features: FeatureBuilder
    make_model: ModelFactory
    generate: DataGenerator
    task: Task
    quality_gate: QualityGate
    id_columns: tuple[str, ...] = ()
    description: str = ""
    min_rows: int = 500
    test_fraction: float = 0.2
    seed: int = 42
    promotion_margin: float = 0.0
    # A drift report with drift share >= this fails its WARN check and triggers one retrain.
    drift_threshold: float = 0.3
    drift_sample_rows: int = 20_000
    raw_data_fail_after: timedelta = timedelta(days=2)
    model_fail_after: timedelta = timedelta(days=8)
    retrain_policy: RetrainPolicy = "on_schedule"
    # Cron (UTC) of the project's retraining schedule; default Mondays 03:00.
    retrain_cron: str = "0 3 * * 1"
    partitioning: DailyPartitioning | None = None
    model_packages: tuple[str, ...] = ()
    # Non-scikit-learn types inside the pipeline that MLflow's skops serializer may persist.
    model_trusted_types: tuple[str, ...] = ()
    extra_tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _PROJECT_NAME.match(self.name):
            raise ValueError(
                f"project name {self.name!r} must be lowercase letters, digits and '_' "
                "(it becomes an asset key prefix and an MLflow model name)"
            )
        if self.target not in self.raw_schema:
            raise ValueError(f"{self.name}: target {self.target!r} is not in raw_schema")
        missing_ids = [c for c in self.id_columns if c not in self.raw_schema]
        if missing_ids:
            raise ValueError(f"{self.name}: id_columns {missing_ids} are not in raw_schema")
        if self.target in self.feature_columns:
            raise ValueError(f"{self.name}: target {self.target!r} must not be a feature")
        missing_drift = [c for c in self.drift_columns if c not in self.feature_columns]
        if missing_drift:
            raise ValueError(
                f"{self.name}: raw columns {missing_drift} must also be feature columns "
                "(drift is measured on raw columns the model sees)"
            )
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"{self.name}: test_fraction must be in (0, 1)")
        if self.partitioning and self.partitioning.date_column not in self.raw_schema:
            raise ValueError(
                f"{self.name}: partition date column {self.partitioning.date_column!r} "
                "is not in raw_schema"
            )
        if self.promotion_margin < 0:
            raise ValueError(f"{self.name}: promotion_margin must be >= 0")
        if not 0 < self.drift_threshold <= 1:
            raise ValueError(f"{self.name}: drift_threshold must be in (0, 1]")
        if self.retrain_policy not in ("on_new_data", "on_schedule"):
            raise ValueError(
                f"{self.name}: retrain_policy {self.retrain_policy!r} must be 'on_new_data' "
                "or 'on_schedule'"
            )
        if len(self.retrain_cron.split()) != 5:
            raise ValueError(
                f"{self.name}: retrain_cron {self.retrain_cron!r} must be a 5-field cron string"
            )

    @property
    def drift_columns(self) -> tuple[str, ...]:
        """Raw input columns compared between reference and current data (not the target, ids or
        the partition date, which differs between any two days by construction)."""
        excluded = {self.target, *self.id_columns}
        if self.partitioning:
            excluded.add(self.partitioning.date_column)
        return tuple(c for c in self.raw_schema if c not in excluded)

    @property
    def registered_model_name(self) -> str:
        return self.name

    @property
    def experiment_name(self) -> str:
        return f"/{self.name}"
