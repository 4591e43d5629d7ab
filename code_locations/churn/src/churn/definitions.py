"""Customer churn: which customers will cancel next month."""

from churn.logic import build_features, generate_customers, make_model
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
    name="churn",
    description="Customer churn classification.",
    data=DataContract(
        raw_schema={
            "customer_id": ColumnType.STRING,
            "tenure_months": ColumnType.INTEGER,
            "monthly_charges": ColumnType.FLOAT,
            "total_charges": ColumnType.FLOAT,
            "contract": ColumnType.STRING,
            "payment_method": ColumnType.STRING,
            "internet_service": ColumnType.STRING,
            "support_calls": ColumnType.INTEGER,
            "senior_citizen": ColumnType.BOOLEAN,
            "churned": ColumnType.BOOLEAN,
        },
        target="churned",
        id_columns=("customer_id",),
        min_rows=500,
    ),
    model=ModelSpec(
        task="classification",
        feature_columns=(
            "tenure_months",
            "monthly_charges",
            "total_charges",
            "contract",
            "payment_method",
            "internet_service",
            "support_calls",
            "senior_citizen",
            "charges_per_tenure_month",
            "calls_per_year",
            "is_new_customer",
        ),
        build_features=build_features,
        make_model=make_model,
    ),
    gate=QualityGate(metric="roc_auc", floor=0.75),
    generate=generate_customers,
    # Retrain weekly (Mondays 03:00 UTC) and when drift is detected, not on every batch.
    lifecycle=Lifecycle(retrain_policy="on_schedule", drift_threshold=0.3),
    schedule=Schedule(retrain_cron="0 3 * * 1"),
)

defs = build_definitions(spec)
