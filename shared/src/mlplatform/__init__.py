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

from importlib import import_module
from typing import Any

# Public name -> module. Resolved on first use, so ``import mlplatform.steps.training`` (pure
# steps, e.g. in a notebook) does not import Dagster through this package.
_EXPORTS = {
    "build_project_assets": "mlplatform.orchestration.assets",
    "build_definitions": "mlplatform.orchestration.definitions",
    "ProjectNames": "mlplatform.orchestration.names",
    "project_names": "mlplatform.orchestration.names",
    **{
        name: "mlplatform.spec"
        for name in (
            "ColumnType",
            "DailyPartitioning",
            "DataContract",
            "LegacyTraining",
            "Lifecycle",
            "ModelSpec",
            "ProjectSpec",
            "QualityGate",
            "Schedule",
        )
    },
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mlplatform' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)


def _read_migration_scripts_once() -> None:
    # Every platform process that imports this package reads alembic's migration scripts
    # once, not at every store open (mlplatform.storage.schema_scripts).
    from mlplatform.storage.schema_scripts import read_migration_scripts_once

    read_migration_scripts_once()


_read_migration_scripts_once()
