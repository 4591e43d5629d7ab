"""Churn-specific pure logic: synthetic customers, features and the model pipeline.

numpy, pandas and scikit-learn are imported inside the functions so that loading the code
location stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform import ProjectSpec

CONTRACTS = ("month-to-month", "one-year", "two-year")
PAYMENT_METHODS = ("electronic-check", "mailed-check", "bank-transfer", "credit-card")
INTERNET_SERVICES = ("dsl", "fiber", "none")
CATEGORICAL = ("contract", "payment_method", "internet_service")


def generate_customers(rows: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """Seeded synthetic customers; ``drift`` in [0, 1] shifts tenure, prices, contracts and calls.

    Churn follows a logistic model: month-to-month contracts, short tenure, high charges, many
    support calls, electronic-check payment and fiber service raise the risk.
    """
    import numpy as np
    import pandas as pd

    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    rng = np.random.default_rng(seed)
    contract = rng.choice(
        CONTRACTS, rows, p=[0.5 + 0.3 * drift, 0.27 - 0.15 * drift, 0.23 - 0.15 * drift]
    )
    internet = rng.choice(
        INTERNET_SERVICES, rows, p=[0.35 - 0.2 * drift, 0.4 + 0.3 * drift, 0.25 - 0.1 * drift]
    )
    payment = rng.choice(PAYMENT_METHODS, rows, p=[0.34, 0.22, 0.22, 0.22])
    tenure = np.clip(rng.gamma(1.6, 18.0 * (1.0 - 0.6 * drift), rows), 0, 72).astype(np.int64)
    base_price = np.select([internet == "fiber", internet == "dsl"], [82.0, 55.0], default=22.0)
    monthly = np.clip(base_price + rng.normal(25.0 * drift, 9.0, rows), 18.0, 150.0).round(2)
    total = (monthly * tenure * rng.normal(1.0, 0.04, rows)).clip(0).round(2)
    calls = rng.poisson(1.1 + 2.5 * drift, rows).astype(np.int64)
    senior = rng.random(rows) < 0.16
    logit = (
        -1.1
        + 1.4 * (contract == "month-to-month")
        - 0.8 * (contract == "two-year")
        - 0.045 * tenure
        + 0.018 * (monthly - 65.0)
        + 0.38 * calls
        + 0.55 * (payment == "electronic-check")
        + 0.35 * senior
        + 0.3 * (internet == "fiber")
    )
    churned = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"C{seed:04d}-{i:07d}" for i in range(rows)],
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "contract": contract,
            "payment_method": payment,
            "internet_service": internet,
            "support_calls": calls,
            "senior_citizen": senior,
            "churned": churned,
        }
    )


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw model inputs unchanged plus derived ratios; one row per customer, target kept."""
    tenure_years = (raw["tenure_months"] / 12.0).clip(lower=1.0)
    return raw.drop(columns=["customer_id"]).assign(
        charges_per_tenure_month=raw["total_charges"] / (raw["tenure_months"] + 1),
        calls_per_year=raw["support_calls"] / tenure_years,
        is_new_customer=(raw["tenure_months"] < 6).astype("int64"),
    )


def make_model(spec: ProjectSpec) -> Any:
    """Scaled numeric + one-hot categorical features into a logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in spec.model.feature_columns if c not in CATEGORICAL]
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression(max_iter=500))])
