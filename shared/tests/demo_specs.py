"""Small specs for the platform's own tests: one unpartitioned, one daily."""

import dataclasses

from mlplatform import ColumnType, DailyPartitioning, ProjectSpec, QualityGate

SPEC = ProjectSpec(
    name="demo",
    target="y",
    id_columns=("id",),
    raw_schema={"id": ColumnType.STRING, "a": ColumnType.FLOAT, "y": ColumnType.BOOLEAN},
    feature_columns=("a",),
    build_features=lambda raw: raw,
    make_model=lambda spec: None,
    generate=lambda rows, seed, drift: None,
    task="classification",
    quality_gate=QualityGate("roc_auc", 0.7),
    drift_threshold=0.3,
)
DAILY = dataclasses.replace(
    SPEC,
    name="daily_demo",
    raw_schema={**SPEC.raw_schema, "date": ColumnType.STRING},
    partitioning=DailyPartitioning(start_date="2026-01-01", date_column="date"),
)
