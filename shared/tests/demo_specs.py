"""Small specs for the platform's own tests: one unpartitioned, one daily."""

import dataclasses

from mlplatform import (
    ColumnType,
    DailyPartitioning,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
)

SPEC = ProjectSpec(
    name="demo",
    data=DataContract(
        raw_schema={"id": ColumnType.STRING, "a": ColumnType.FLOAT, "y": ColumnType.BOOLEAN},
        target="y",
        id_columns=("id",),
    ),
    model=ModelSpec(
        task="classification",
        feature_columns=("a",),
        build_features=lambda raw: raw,
        make_model=lambda spec: None,
    ),
    gate=QualityGate("roc_auc", 0.7),
    generate=lambda rows, seed, drift: None,
    lifecycle=Lifecycle(drift_threshold=0.3),
)
DAILY = dataclasses.replace(
    SPEC,
    name="daily_demo",
    data=dataclasses.replace(
        SPEC.data, raw_schema={**SPEC.data.raw_schema, "date": ColumnType.STRING}
    ),
    schedule=Schedule(partitioning=DailyPartitioning(start_date="2026-01-01", date_column="date")),
)
