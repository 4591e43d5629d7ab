"""Demand-forecasting pure logic: synthetic daily store x product sales, rolling features.

numpy, pandas and scikit-learn are imported inside the functions so that loading the code
location stays cheap.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform import ProjectSpec

STORES = 8
CATEGORICAL = ("store_id", "product_id")
HISTORY_DAYS = 7


def generate_day(rows: int, seed: int, drift: float = 0.0, day: str | None = None) -> pd.DataFrame:
    """One day of sales for ``rows`` store x product pairs (8 stores), seeded per day.

    Units follow product base demand x store size x weekday seasonality x promo uplift x price
    elasticity x temperature, with Poisson noise. ``drift`` in [0, 1] raises prices, cuts promos
    and warms the weather.
    """
    import numpy as np
    import pandas as pd

    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    when = date.fromisoformat(day) if day else date.today()
    rng = np.random.default_rng([seed, when.toordinal()])
    products = max(1, -(-rows // STORES))  # rounded up; the last store may carry fewer
    store = np.repeat([f"S{s:02d}" for s in range(STORES)], products)[:rows]
    product_index = np.tile(np.arange(products), STORES)[:rows]
    base = 8.0 + 40.0 * np.random.default_rng(seed).random(products)[product_index]
    size = np.repeat(np.linspace(0.6, 1.6, STORES), products)[:rows]
    weekday = 1.0 + 0.25 * (when.weekday() >= 5)
    promo = rng.random(rows) < (0.2 - 0.15 * drift)
    list_price = 2.0 + base / 10.0
    price = (list_price * (1.0 + 0.3 * drift) * np.where(promo, 0.8, 1.0)).round(2)
    temperature = (rng.normal(15.0 + 12.0 * drift, 6.0, rows)).round(1)
    expected = (
        base
        * size
        * weekday
        * np.where(promo, 1.5, 1.0)
        * (price / list_price) ** -1.2
        * (1.0 + 0.01 * (temperature - 15.0))
    )
    units = rng.poisson(np.clip(expected, 0.1, None))
    iso = when.isoformat()
    product = np.array([f"P{p:03d}" for p in product_index])
    return pd.DataFrame(
        {
            "record_id": [f"{s}-{p}-{iso}" for s, p in zip(store, product, strict=True)],
            "date": iso,
            "store_id": store,
            "product_id": product,
            "price": price,
            "promo": promo,
            "temperature": temperature,
            "units_sold": units.astype(np.int64),
        }
    )


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw columns unchanged plus weekday and the mean units of each store x product over the
    previous days in the frame (up to 7; never the same day's target). Keeps the raw index."""
    import pandas as pd

    keys = ["store_id", "product_id"]
    ordered = raw.sort_values([*keys, "date"], kind="stable")
    previous = ordered.groupby(keys, sort=False)["units_sold"].shift(1)
    past = (
        previous.groupby([ordered[k] for k in keys], sort=False)
        .rolling(HISTORY_DAYS, min_periods=1)
        .mean()
        .droplevel(list(range(len(keys))))
        .reindex(raw.index)
    )
    features = raw.drop(columns=["record_id"]).assign(
        weekday=pd.to_datetime(raw["date"], format="%Y-%m-%d").dt.weekday.astype("int64"),
        units_recent_mean=past.fillna(0.0),
        has_history=past.notna().astype("int64"),
    )
    return features


def make_model(spec: ProjectSpec) -> Any:
    """Ordinal-encoded store/product and numeric features into gradient-boosted trees."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    numeric = [c for c in spec.model.feature_columns if c not in CATEGORICAL]
    encode = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    columns = ColumnTransformer(
        [("categorical", encode, list(CATEGORICAL)), ("numeric", "passthrough", numeric)]
    )
    model = HistGradientBoostingRegressor(max_iter=200, random_state=spec.model.seed)
    return Pipeline([("columns", columns), ("regressor", model)])
