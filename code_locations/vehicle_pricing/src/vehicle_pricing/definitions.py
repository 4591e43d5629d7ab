"""Used-vehicle pricing: what a listing should sell for."""

from mlplatform import (
    ColumnType,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    build_definitions,
)
from vehicle_pricing.logic import build_features, generate_listings, make_model

spec = ProjectSpec(
    name="vehicle_pricing",
    description="Used-vehicle price regression (LightGBM).",
    data=DataContract(
        raw_schema={
            "listing_id": ColumnType.STRING,
            "make": ColumnType.STRING,
            "model_year": ColumnType.INTEGER,
            "mileage_km": ColumnType.INTEGER,
            "fuel": ColumnType.STRING,
            "body_type": ColumnType.STRING,
            "region": ColumnType.STRING,
            "condition": ColumnType.INTEGER,
            "price": ColumnType.FLOAT,
        },
        target="price",
        id_columns=("listing_id",),
        min_rows=500,
    ),
    model=ModelSpec(
        task="regression",
        feature_columns=(
            "make",
            "model_year",
            "mileage_km",
            "fuel",
            "body_type",
            "region",
            "condition",
            "age_years",
            "km_per_year",
        ),
        build_features=build_features,
        make_model=make_model,
        packages=("lightgbm",),
        trusted_types=(
            "collections.OrderedDict",
            "lightgbm.basic.Booster",
            "lightgbm.sklearn.LGBMRegressor",
        ),
    ),
    # MAE must be at most 45% of the naive model's (predict the training median).
    gate=QualityGate(metric="mae_vs_baseline", floor=0.45, higher_is_better=False),
    generate=generate_listings,
    # Listings prices move with every batch and LightGBM trains in seconds: retrain on new data.
    lifecycle=Lifecycle(retrain_policy="on_new_data", drift_threshold=0.3),
)

defs = build_definitions(spec)
