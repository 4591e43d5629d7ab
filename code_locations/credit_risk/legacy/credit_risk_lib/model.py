"""The default-risk model: scaled numbers and one-hot categories into gradient boosting."""

from __future__ import annotations

import logging

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

log = logging.getLogger(__name__)

TARGET = "defaulted"
NUMERIC = (
    "age",
    "income",
    "loan_amount",
    "term_months",
    "credit_history_years",
    "open_accounts",
    "past_delinquencies",
    "debt_to_income",
)
CATEGORICAL = ("employment", "purpose")
FEATURES = (*NUMERIC, *CATEGORICAL)


def build_pipeline(seed: int) -> Pipeline:
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
        ]
    )
    booster = GradientBoostingClassifier(n_estimators=120, max_depth=3, random_state=seed)
    return Pipeline([("preprocess", preprocess), ("classifier", booster)])


def train_model(
    x: pd.DataFrame, y: pd.Series, seed: int = 7, test_size: float = 0.25
) -> tuple[Pipeline, dict[str, float]]:
    """Fit on a stratified split and return the fitted pipeline with its held-out metrics."""
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=y
    )
    model = build_pipeline(seed).fit(x_train, y_train)
    proba = model.predict_proba(x_test)[:, 1]
    predicted = model.predict(x_test)
    metrics = {
        "roc_auc": float(roc_auc_score(y_test, proba)),
        "accuracy": float(accuracy_score(y_test, predicted)),
        "f1": float(f1_score(y_test, predicted)),
        "log_loss": float(log_loss(y_test, proba)),
        "train_rows": len(x_train),
        "test_rows": len(x_test),
    }
    log.info("held-out metrics: %s", metrics)
    return model, metrics
