"""The standard assets of a project, one builder per asset, each a thin adapter over the pure
steps in :mod:`mlplatform.steps` and the MLflow lifecycle in :mod:`mlplatform.lifecycle`.

Lineage: ``raw_data -> features -> model -> champion -> {drift_report, predictions}``, and
``predictions -> model_performance`` (joined with landed outcomes); the drift
report and predictions also read the current ``raw_data``, and ``champion`` scores on the current
``features``. Every asset carries checks; checks on raw data, features and the model are
blocking, so nothing downstream is built from data or a model that broke a rule.
"""

import dagster as dg

from mlplatform.orchestration.assets.champion import build_champion
from mlplatform.orchestration.assets.drift_report import build_drift_report
from mlplatform.orchestration.assets.features import build_features_asset
from mlplatform.orchestration.assets.model import build_model
from mlplatform.orchestration.assets.model_performance import build_model_performance
from mlplatform.orchestration.assets.predictions import build_predictions
from mlplatform.orchestration.assets.raw_data import build_raw_data
from mlplatform.orchestration.names import project_names
from mlplatform.spec import ProjectSpec

BUILDERS = (
    build_raw_data,
    build_features_asset,
    build_model,
    build_champion,
    build_drift_report,
    build_predictions,
    build_model_performance,
)


def build_project_assets(spec: ProjectSpec) -> list[dg.AssetsDefinition]:
    """The standard assets of ``spec`` with their checks, grouped under ``spec.name``.

    Example: ``dg.Definitions(assets=build_project_assets(spec), resources=...)``
    """
    names = project_names(spec)
    return [build(spec, names) for build in BUILDERS]
