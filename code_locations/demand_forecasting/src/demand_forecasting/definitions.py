"""Daily demand forecasting: units each store will sell of each product, one partition a day."""

from demand_forecasting.logic import build_features, generate_day, make_model
from mlplatform import ColumnType, DailyPartitioning, ProjectSpec, QualityGate, build_definitions

spec = ProjectSpec(
    name="demand_forecasting",
    description="Daily store x product demand regression on time-partitioned raw data.",
    target="units_sold",
    id_columns=("record_id",),
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
    generate=generate_day,
    task="regression",
    quality_gate=QualityGate(metric="mae_vs_baseline", floor=0.7, higher_is_better=False),
    partitioning=DailyPartitioning(
        start_date="2026-01-01", date_column="date", feature_window_days=7, training_window_days=28
    ),
    # Models are trained by this platform only, so skops may persist the tree predictor type.
    model_trusted_types=("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",),
    min_rows=100,
    drift_threshold=0.3,
    # Retrain weekly on the latest 28 days, and when a day drifts; yesterday builds at 02:00 UTC.
    retrain_policy="on_schedule",
    retrain_cron="0 4 * * 1",
)

defs = build_definitions(spec)
