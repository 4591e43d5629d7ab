"""Vehicle-pricing pure logic: synthetic listings, features and a LightGBM pipeline.

numpy, pandas, scikit-learn and lightgbm are imported inside the functions so that loading the
code location stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform import ProjectSpec

LISTING_YEAR = 2026
MAKES = {"kia": 24_000, "ford": 27_000, "toyota": 29_000, "volkswagen": 30_000, "bmw": 46_000}
FUELS = {"petrol": 1.0, "diesel": 1.04, "hybrid": 1.12, "electric": 1.22}
BODIES = {"hatchback": 0.9, "sedan": 1.0, "wagon": 1.04, "suv": 1.18, "pickup": 1.22}
REGIONS = {"north": 0.97, "south": 1.0, "east": 1.03, "west": 1.06}
CATEGORICAL = ("make", "fuel", "body_type", "region")


def generate_listings(rows: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """Seeded synthetic used-vehicle listings; ``drift`` in [0, 1] ages the fleet, adds mileage,
    shifts the fuel mix toward electric and inflates prices.

    Price = make base x body x fuel x region x yearly depreciation x mileage wear x condition,
    with log-normal noise.
    """
    import numpy as np
    import pandas as pd

    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    rng = np.random.default_rng(seed)
    make = rng.choice(list(MAKES), rows, p=[0.2, 0.25, 0.25, 0.18, 0.12])
    fuel_p = [0.55 - 0.25 * drift, 0.25 - 0.1 * drift, 0.12 + 0.1 * drift, 0.08 + 0.25 * drift]
    fuel = rng.choice(list(FUELS), rows, p=fuel_p)
    body = rng.choice(list(BODIES), rows, p=[0.22, 0.3, 0.1, 0.3, 0.08])
    region = rng.choice(list(REGIONS), rows)
    age = np.clip(rng.gamma(2.0, 2.6 + 3.0 * drift, rows), 0, 18).astype(np.int64)
    mileage = np.clip(age * rng.normal(14_000 + 6_000 * drift, 4_000, rows), 0, None).round()
    condition = np.clip(np.round(4.2 - 0.12 * age + rng.normal(0, 0.7, rows)), 1, 5)
    base = np.array([MAKES[m] for m in make], dtype=float)
    factor = (
        np.array([BODIES[b] for b in body])
        * np.array([FUELS[f] for f in fuel])
        * np.array([REGIONS[r] for r in region])
    )
    price = (
        base
        * factor
        * 0.86**age
        * np.clip(1.0 - mileage / 400_000, 0.35, 1.0)
        * (0.75 + 0.06 * condition)
        * (1.0 + 0.25 * drift)
        * rng.lognormal(0.0, 0.08, rows)
    )
    return pd.DataFrame(
        {
            "listing_id": [f"L{seed:04d}-{i:07d}" for i in range(rows)],
            "make": make,
            "model_year": (LISTING_YEAR - age).astype(np.int64),
            "mileage_km": mileage.astype(np.int64),
            "fuel": fuel,
            "body_type": body,
            "region": region,
            "condition": condition.astype(np.int64),
            "price": price.round(0),
        }
    )


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw inputs unchanged plus age and yearly mileage; one row per listing, target kept."""
    age = LISTING_YEAR - raw["model_year"]
    return raw.drop(columns=["listing_id"]).assign(
        age_years=age,
        km_per_year=raw["mileage_km"] / age.clip(lower=1),
    )


def make_model(spec: ProjectSpec) -> Any:
    """Ordinal-encoded categoricals and numeric features into a LightGBM regressor."""
    from lightgbm import LGBMRegressor
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    numeric = [c for c in spec.model.feature_columns if c not in CATEGORICAL]
    encode = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    columns = ColumnTransformer(
        [("categorical", encode, list(CATEGORICAL)), ("numeric", "passthrough", numeric)]
    )
    regressor = LGBMRegressor(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        random_state=spec.model.seed,
        verbose=-1,
    )
    return Pipeline([("columns", columns), ("regressor", regressor)])
