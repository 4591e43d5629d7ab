"""credit_risk_lib: the credit risk team's own training code (no Dagster, no MLflow).

``load_data`` reads the applicants extract, ``prep_data`` cleans it and splits off the target,
``train_model`` fits the default-risk pipeline and scores it on held-out rows.
"""

from credit_risk_lib.data import load_data, prep_data
from credit_risk_lib.model import FEATURES, TARGET, train_model

__all__ = ["FEATURES", "TARGET", "load_data", "prep_data", "train_model"]
