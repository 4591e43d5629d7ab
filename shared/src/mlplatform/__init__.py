"""mlplatform: the library every ML code location builds on.

A code location describes itself with a :class:`ProjectSpec` and calls
:func:`build_definitions`; the platform supplies the standard assets
(``raw_data -> features -> model -> drift_report``), their checks, resources and
the MLflow tracking guarantees.

Heavy libraries (mlflow, evidently, scikit-learn) are imported inside the functions
that need them so that importing a definitions module stays close to the cost of
``import dagster``.
"""

from mlplatform.definitions import build_definitions
from mlplatform.factory import build_project_assets
from mlplatform.spec import ColumnType, DailyPartitioning, ProjectSpec, QualityGate

__all__ = [
    "ColumnType",
    "DailyPartitioning",
    "ProjectSpec",
    "QualityGate",
    "build_definitions",
    "build_project_assets",
]
