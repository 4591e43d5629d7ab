"""Daily demand forecasting: units each store will sell of each product, one partition a day."""

from demand_forecasting.logic import build_features, generate_day, make_model
from mlplatform import (
    ColumnType,
    DailyPartitioning,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
    build_definitions,
)

spec = ProjectSpec(
    name="demand_forecasting",
    description="Daily store x product demand regression on time-partitioned raw data.",
    data=DataContract(
        raw_schema={
            "record_id": ColumnType.STRING,
            "date": ColumnType.STRING,
            "store_id": ColumnType.STRING,
            "product_id": ColumnType.STRING,
            "price": ColumnType.FLOAT,
            "promo": ColumnType.BOOLEAN,
            "temperature": ColumnType.FLOAT,
            "units_sold": ColumnType.INTEGER,
        },
        target="units_sold",
        id_columns=("record_id",),
        min_rows=100,
    ),
    model=ModelSpec(
        task="regression",
        feature_columns=(
            "store_id",
            "product_id",
            "price",
            "promo",
            "temperature",
            "weekday",
            "units_recent_mean",
            "has_history",
        ),
        build_features=build_features,
        make_model=make_model,
        # Models are trained by this platform only, so skops may persist the tree predictor type.
        trusted_types=("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",),
    ),
    gate=QualityGate(metric="mae_vs_baseline", floor=0.7, higher_is_better=False),
    generate=generate_day,
    # Retrain weekly on the latest 28 days, and when a day drifts; yesterday builds at 02:00 UTC.
    lifecycle=Lifecycle(retrain_policy="on_schedule", drift_threshold=0.3),
    schedule=Schedule(
        retrain_cron="0 4 * * 1",
        partitioning=DailyPartitioning(
            start_date="2025-01-01",
            date_column="date",
            feature_window_days=7,
            training_window_days=28,
        ),
    ),
)

defs = build_definitions(spec)
