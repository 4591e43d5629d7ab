"""Customer churn: which customers will cancel next month."""

from churn.logic import build_features, generate_customers, make_model
from mlplatform import ColumnType, ProjectSpec, QualityGate, build_definitions

spec = ProjectSpec(
    name="churn",
    description="Customer churn classification.",
    target="churned",
    id_columns=("customer_id",),
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
    generate=generate_customers,
    task="classification",
    quality_gate=QualityGate(metric="roc_auc", floor=0.75),
    min_rows=500,
    drift_threshold=0.3,
    # Retrain weekly (Mondays 03:00 UTC) and when drift is detected, not on every batch.
    retrain_policy="on_schedule",
    retrain_cron="0 3 * * 1",
)

defs = build_definitions(spec)
