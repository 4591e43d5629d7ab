"""Credit risk: will a loan applicant default? An adopted project.

The team's training is its existing script, ``legacy/train_model.py`` (with ``credit_risk_lib``,
its own requirements and Dockerfile), run unchanged through Dagster Pipes: in the legacy
project's own interpreter locally, in its image in the container deployment. The platform
supplies everything around it: raw data and its checks, the features file the script reads,
MLflow logging and registration, the quality gate, champion/challenger, drift and predictions.
"""

from pathlib import Path

from credit_risk.logic import build_features, generate
from mlplatform import (
    ColumnType,
    DataContract,
    LegacyTraining,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
    build_definitions,
)

# code_locations/credit_risk/legacy: the team's project as it was, next to this package.
LEGACY_DIR = Path(__file__).resolve().parents[2] / "legacy"

spec = ProjectSpec(
    name="credit_risk",
    description="Loan default classification, trained by the team's own train_model.py.",
    data=DataContract(
        raw_schema={
            "applicant_id": ColumnType.STRING,
            "age": ColumnType.INTEGER,
            "income": ColumnType.FLOAT,
            "loan_amount": ColumnType.FLOAT,
            "term_months": ColumnType.INTEGER,
            "credit_history_years": ColumnType.FLOAT,
            "open_accounts": ColumnType.INTEGER,
            "past_delinquencies": ColumnType.INTEGER,
            "debt_to_income": ColumnType.FLOAT,
            "employment": ColumnType.STRING,
            "purpose": ColumnType.STRING,
            "defaulted": ColumnType.BOOLEAN,
        },
        target="defaulted",
        id_columns=("applicant_id",),
        min_rows=500,
    ),
    model=ModelSpec(
        task="classification",
        # The columns credit_risk_lib's model reads (its FEATURES).
        feature_columns=(
            "age",
            "income",
            "loan_amount",
            "term_months",
            "credit_history_years",
            "open_accounts",
            "past_delinquencies",
            "debt_to_income",
            "employment",
            "purpose",
        ),
        build_features=build_features,
        # credit_risk_lib's gradient boosting keeps its trees in this type (see ModelSpec).
        trusted_types=("sklearn.tree._tree.Tree",),
        legacy=LegacyTraining(
            project_dir=str(LEGACY_DIR),
            image="mlplatform/credit_risk-legacy:dev",
            script="train_model.py",
            timeout_seconds=1800,
        ),
    ),
    gate=QualityGate(metric="roc_auc", floor=0.75),
    generate=generate,
    # The Airflow DAG ran weekly on Mondays; so does the retrain schedule, and on drift.
    lifecycle=Lifecycle(retrain_policy="on_schedule", drift_threshold=0.3),
    schedule=Schedule(retrain_cron="0 3 * * 1"),
)

defs = build_definitions(spec)
