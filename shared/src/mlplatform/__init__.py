"""mlplatform: the library every ML code location builds on.

A code location describes itself with a :class:`ProjectSpec` and calls
:func:`build_definitions`; the platform supplies the standard assets
(``raw_data -> features -> model -> champion -> {drift_report, predictions}``), their checks,
jobs, sensors, schedules, resources and the MLflow tracking guarantees.

Packages, one job each:

- :mod:`mlplatform.spec`: the project description, one part per concern (no Dagster);
- :mod:`mlplatform.steps`: pure ML steps (validation, features, training, drift, scoring);
- :mod:`mlplatform.orchestration`: the Dagster layer (names, one builder per asset, jobs,
  sensors, schedules, automation, alerts, resources, ``build_definitions``);
- :mod:`mlplatform.lifecycle`: MLflow tracking, registry, promotion and rollback, lineage;
- :mod:`mlplatform.storage`: landed files, the Parquet IO manager, reports;
- :mod:`mlplatform.testing` and :mod:`mlplatform.pytest_plugin`: a location's tests.

Heavy libraries (mlflow, evidently, scikit-learn, pandas) are imported inside the functions
that need them so that importing a definitions module stays close to the cost of
``import dagster``.
"""

from mlplatform.orchestration.assets import build_project_assets
from mlplatform.orchestration.definitions import build_definitions
from mlplatform.orchestration.names import ProjectNames, project_names
from mlplatform.spec import (
    ColumnType,
    DailyPartitioning,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
)

__all__ = [
    "ColumnType",
    "DailyPartitioning",
    "DataContract",
    "Lifecycle",
    "ModelSpec",
    "ProjectNames",
    "ProjectSpec",
    "QualityGate",
    "Schedule",
    "build_definitions",
    "build_project_assets",
    "project_names",
]
