"""The demo project the platform's own tests run: small, but real, and no code location imported.

Synthetic subscribers with a logistic ``converted`` target: three numeric inputs and a plan
(categorical). ``drift`` in [0, 1] shifts every input, strongly enough that Evidently flags
every column at 0.9 (at 0.3 already, on a few thousand rows). ``SPEC`` is unpartitioned;
``DAILY`` lands one file per day and builds a day's features from a 3-day window of raw data
(``history_days`` counts the earlier days it saw).

Like a location's ``definitions.py`` it exports ``defs`` (and ``daily_defs``); like its
``python -m <project>``, ``python -m demo_project land|rollback ...`` (run from this folder) is
the command line of ``SPEC``.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PLANS = ("basic", "plus", "pro")
CATEGORICAL = ("plan",)


def _subscribers(rows: int, rng: np.random.Generator, drift: float, prefix: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if not 0.0 <= drift <= 1.0:
        raise ValueError(f"drift must be in [0, 1], got {drift}")
    usage = rng.normal(10.0 + 8.0 * drift, 3.0, rows).round(3)
    visits = rng.poisson(3.0 + 6.0 * drift, rows).astype(np.int64)
    spend = rng.gamma(2.0, 20.0 * (1.0 + 1.5 * drift), rows).round(2)
    plan = rng.choice(PLANS, rows, p=[0.6 - 0.4 * drift, 0.3, 0.1 + 0.4 * drift])
    logit = (
        -0.3
        + 0.45 * (usage - 10.0)
        + 0.25 * (visits - 3.0)
        - 0.02 * (spend - 40.0)
        + 0.9 * (plan == "pro")
        - 0.7 * (plan == "basic")
    )
    converted = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    return pd.DataFrame(
        {
            "id": [f"{prefix}-{i:06d}" for i in range(rows)],
            "usage": usage,
            "visits": visits,
            "spend": spend,
            "plan": plan,
            "converted": converted,
        }
    )


def generate(rows: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """Seeded synthetic subscribers; ``drift`` in [0, 1] raises usage, visits, spend and the share
    of the 'pro' plan."""
    import numpy as np

    return _subscribers(rows, np.random.default_rng(seed), drift, f"D{seed:04d}")


def generate_day(rows: int, seed: int, drift: float = 0.0, day: str | None = None) -> pd.DataFrame:
    """One day of subscribers (seeded per day), with the day in ``date``."""
    import numpy as np

    if day is None:
        raise ValueError("a daily batch needs its day (YYYY-MM-DD)")
    rng = np.random.default_rng([seed, date.fromisoformat(day).toordinal()])
    frame = _subscribers(rows, rng, drift, f"{day}-{seed:04d}")
    frame.insert(1, "date", day)
    return frame


def build_features(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw model inputs unchanged plus spend per visit; target kept, raw index kept."""
    return raw.drop(columns=["id"]).assign(spend_per_visit=raw["spend"] / (raw["visits"] + 1))


def build_daily_features(raw: pd.DataFrame) -> pd.DataFrame:
    """``build_features`` plus ``history_days``: how many earlier days the frame holds, i.e. the
    part of the feature window that precedes each row's day."""
    days = sorted(raw["date"].unique())
    earlier = raw["date"].map({day: index for index, day in enumerate(days)})
    return build_features(raw).assign(history_days=earlier.astype("int64"))


def make_model(spec: ProjectSpec) -> Any:
    """Scaled numeric features and the one-hot plan into a logistic regression."""
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


SPEC = ProjectSpec(
    name="demo",
    description="The platform's demo classification project.",
    data=DataContract(
        raw_schema={
            "id": ColumnType.STRING,
            "usage": ColumnType.FLOAT,
            "visits": ColumnType.INTEGER,
            "spend": ColumnType.FLOAT,
            "plan": ColumnType.STRING,
            "converted": ColumnType.BOOLEAN,
        },
        target="converted",
        id_columns=("id",),
        min_rows=500,
    ),
    model=ModelSpec(
        task="classification",
        feature_columns=("usage", "visits", "spend", "plan", "spend_per_visit"),
        build_features=build_features,
        make_model=make_model,
    ),
    gate=QualityGate("roc_auc", 0.7),
    generate=generate,
    lifecycle=Lifecycle(retrain_policy="on_schedule", drift_threshold=0.3),
)

DAILY = dataclasses.replace(
    SPEC,
    name="daily_demo",
    description="The platform's demo project, one partition a day.",
    data=dataclasses.replace(
        SPEC.data, raw_schema={**SPEC.data.raw_schema, "date": ColumnType.STRING}, min_rows=100
    ),
    model=dataclasses.replace(
        SPEC.model,
        feature_columns=(*SPEC.model.feature_columns, "history_days"),
        build_features=build_daily_features,
    ),
    generate=generate_day,
    schedule=Schedule(
        partitioning=DailyPartitioning(
            start_date="2026-01-01",
            date_column="date",
            feature_window_days=3,
            training_window_days=3,
        )
    ),
)

# What a location's definitions.py exports (resources from the environment, read at run time).
defs = build_definitions(SPEC)
daily_defs = build_definitions(DAILY)


if __name__ == "__main__":
    from mlplatform.cli import main

    sys.exit(main(SPEC))
