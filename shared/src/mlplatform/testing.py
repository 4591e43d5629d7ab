"""Helpers for a code location's in-process tests (plain functions; fixtures stay in conftest).

Example::

    result = materialize_project(spec, tmp_path / "data", instance)
    assert materialization_metadata(result, project_names(spec).model)["model_version"]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from mlplatform.orchestration.assets import build_project_assets
from mlplatform.orchestration.names import STANDARD_ASSETS, project_names
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.spec import ProjectSpec

HEAVY_MODULES = ("mlflow", "sklearn", "evidently", "pandas", "pyarrow", "lightgbm", "scipy")


def asset_keys(spec: ProjectSpec) -> dict[str, dg.AssetKey]:
    """``{"raw_data": AssetKey([project, "raw_data"]), ...}`` for the standard assets."""
    names = project_names(spec)
    return {noun: names.key(noun) for noun in STANDARD_ASSETS}


def heavy_modules_loaded_by(module: str, extra: Sequence[str] = ()) -> list[str]:
    """Heavy modules a fresh interpreter holds after ``import module`` (should be none: every
    code server, run worker and step process pays for them)."""
    heavy = sorted({*HEAVY_MODULES, *extra})
    code = f"import sys, {module}; print(','.join(sorted(set({heavy!r}) & set(sys.modules))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [name for name in out.stdout.strip().split(",") if name]


def materialize_project(
    spec: ProjectSpec,
    data_dir: Path,
    instance: dg.DagsterInstance,
    selection: list[dg.AssetKey] | None = None,
    partition_key: str | None = None,
    partition_range: tuple[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """The project's assets (all, or ``selection``) in process on ``resources_for_dir``. Daily
    projects: one ``partition_key``, or a ``partition_range`` (first, last day) built in one run
    the way a backfill's ranged run builds it."""
    return dg.materialize(
        build_project_assets(spec),
        resources=resources_for_dir(spec, data_dir),
        instance=instance,
        selection=selection,
        partition_key=partition_key,
        tags=range_tags(*partition_range) if partition_range else None,
        raise_on_error=False,
    )


def range_tags(first: str, last: str) -> dict[str, str]:
    """The tags that make a run build partitions ``first``..``last`` (what a backfill sets)."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


@dataclass(frozen=True)
class ChainRun:
    """The in-process runs that built a project's whole chain, in order."""

    results: tuple[dg.ExecuteInProcessResult, ...]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def materialized(self) -> set[dg.AssetKey]:
        return set().union(*(materialized_keys(r) for r in self.results))

    def metadata(self, key: dg.AssetKey) -> dict:
        """Metadata of the last materialization of ``key``."""
        [last] = [r for r in self.results if key in materialized_keys(r)][-1:]
        events = [e for e in last.get_asset_materialization_events() if e.asset_key == key]
        return {k: v.value for k, v in events[-1].materialization.metadata.items()}

    def checks(self) -> list[dg.AssetCheckEvaluation]:
        return [c for r in self.results for c in r.get_asset_check_evaluations()]

    def failures(self) -> str:
        return "\n".join(failure_text(r) for r in self.results if not r.success)


def materialize_whole_chain(
    spec: ProjectSpec,
    data_dir: Path,
    instance: dg.DagsterInstance,
    days: Sequence[str] = (),
) -> ChainRun:
    """Every standard asset in process, the way a user builds a project the first time.

    Unpartitioned projects: one run of the whole chain. Daily projects: raw data and features
    for each of ``days``, then the model and champion, then the last day's drift report,
    predictions and model performance. Stops at the first failed run.
    """
    names = project_names(spec)

    def run(keys: Sequence[dg.AssetKey], day: str | None = None) -> dg.ExecuteInProcessResult:
        return materialize_project(spec, data_dir, instance, list(keys), day)

    if names.partitions is None:
        return ChainRun((run(names.asset_keys),))
    if not days:
        raise ValueError(f"{spec.name} is daily: pass the landed days to build")
    steps: list[tuple[Sequence[dg.AssetKey], str | None]] = [
        *(((names.raw_data, names.features), day) for day in days),
        (names.training_keys, None),
        ((names.drift_report, names.predictions, names.model_performance), days[-1]),
    ]
    results: list[dg.ExecuteInProcessResult] = []
    for keys, day in steps:
        results.append(run(keys, day))
        if not results[-1].success:
            break
    return ChainRun(tuple(results))


def materialized_keys(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def materialization_metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    """Metadata values of the single materialization of ``key`` in ``result``."""
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def check_evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Every step error (with causes) and every failed check's description and problems."""
    failures = [
        e.event_specific_data.error.to_string()
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]
    checks = [
        f"{e.description}\n{e.metadata['problems'].value if 'problems' in e.metadata else ''}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    return "\n".join(failures + checks)


def mlflow_runs(tracking_uri: str, experiment_name: str) -> list[Any]:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri)
    experiment = client.get_experiment_by_name(experiment_name)
    return client.search_runs([experiment.experiment_id]) if experiment else []


def model_versions(tracking_uri: str, model_name: str) -> list[Any]:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    return client.search_model_versions(f"name='{model_name}'")


def record_figure(name: str, description: str, value: float, unit: str = "s") -> None:
    """Print a measured figure and append it as a JSON line to ``$MLPLATFORM_FIGURES_FILE``
    (``scripts/test.sh`` sets it), where the README's tables are filled from."""
    line = {"name": name, "description": description, "value": round(value, 2), "unit": unit}
    print(f"figure {name}: {line['value']} {unit} ({description})")
    target = os.environ.get("MLPLATFORM_FIGURES_FILE")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with Path(target).open("a") as handle:
            handle.write(json.dumps(line) + "\n")
