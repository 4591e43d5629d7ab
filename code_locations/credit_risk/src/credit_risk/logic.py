"""Credit risk's own pure functions on the platform side: synthetic applicants for tests and the
demo, and the features handed to the team's training script.

Training itself is not here: it is the team's existing ``legacy/train_model.py``, run unchanged
by the platform (``ModelSpec(legacy=LegacyTraining(...))`` in definitions.py).
numpy and pandas are imported inside the functions so that loading the location stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

EMPLOYMENT = ("salaried", "self_employed", "contract", "unemployed")
PURPOSE = ("car", "home", "education", "consolidation", "other")


def generate(rows: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """Seeded synthetic loan applicants, the columns of the team's weekly extract. ``drift`` in
    [0, 1] lowers incomes, raises loan amounts and shifts employment towards contracts.

    Default is drawn from a logistic model of the inputs, so a model has something to learn.
    """
    import numpy as np
    import pandas as pd

    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    rng = np.random.default_rng(seed)
    employment = rng.choice(EMPLOYMENT, rows, p=[0.6 - 0.3 * drift, 0.2, 0.15 + 0.3 * drift, 0.05])
    income = rng.lognormal(10.6 - 0.3 * drift, 0.5, rows).round(0)
    loan = rng.lognormal(9.3 + 0.4 * drift, 0.6, rows).round(0)
    history = rng.gamma(2.0, 4.0, rows).round(1)
    delinquencies = rng.poisson(0.4 + 0.6 * drift, rows).astype(np.int64)
    debt_to_income = (loan / income + rng.normal(0.15, 0.05, rows)).clip(0, None).round(3)
    signal = (
        -3.0
        + 5.0 * debt_to_income
        + 1.2 * delinquencies
        - 0.15 * history
        + 1.8 * (employment == "unemployed")
        + 0.8 * (employment == "contract")
    )
    return pd.DataFrame(
        {
            "applicant_id": [f"A{seed:04d}-{i:07d}" for i in range(rows)],
            "age": rng.integers(21, 70, rows).astype(np.int64),
            "income": income,
            "loan_amount": loan,
            "term_months": rng.choice([12, 24, 36, 48, 60], rows).astype(np.int64),
            "credit_history_years": history,
            "open_accounts": rng.poisson(3.0, rows).astype(np.int64),
            "past_delinquencies": delinquencies,
            "debt_to_income": debt_to_income,
            "employment": employment,
            "purpose": rng.choice(PURPOSE, rows),
            "defaulted": rng.random(rows) < 1.0 / (1.0 + np.exp(-signal)),
        }
    )


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """The extract as the training script has always read it: every raw column but the id."""
    return raw.drop(columns=["applicant_id"])
