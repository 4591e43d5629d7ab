"""Credit risk: a classification project.

Its data, features and model are a synthetic example: replace them with your own (logic.py),
then describe your raw data, features, quality gate and schedule here.
"""

from credit_risk.logic import build_features, generate, make_model
from mlplatform import (
    ColumnType,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
    build_definitions,
)

spec = ProjectSpec(
    name="credit_risk",
    description="Credit risk (classification).",
    data=DataContract(
        raw_schema={
            "record_id": ColumnType.STRING,
            "amount": ColumnType.FLOAT,
            "quantity": ColumnType.INTEGER,
            "segment": ColumnType.STRING,
            "is_member": ColumnType.BOOLEAN,
            "label": ColumnType.BOOLEAN,
        },
        target="label",
        id_columns=("record_id",),
        min_rows=500,
    ),
    model=ModelSpec(
        task="classification",
        # Every raw model input (drift is measured on them), then the derived columns.
        feature_columns=(
            "amount",
            "quantity",
            "segment",
            "is_member",
            "log_amount",
            "amount_per_item",
        ),
        build_features=build_features,
        make_model=make_model,
    ),
    gate=QualityGate(metric="roc_auc", floor=0.7),
    generate=generate,
    # Retrain weekly and when drift is detected, rather than on every batch.
    lifecycle=Lifecycle(retrain_policy="on_schedule", drift_threshold=0.3),
    schedule=Schedule(retrain_cron="0 3 * * 1"),
)

defs = build_definitions(spec)
