"""``<project>/drift_report``: Evidently's data-drift report of the current raw data against the
champion's training reference, with a WARN check at the spec's threshold."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.assets.days import Built, DayCheck, build_days
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.reports import ReportStore

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.lifecycle.published import PublishedReport
    from mlplatform.steps.drift import DriftResult


def champion_version(registry: ModelRegistry, spec: ProjectSpec) -> str:
    """The version behind the ``champion`` alias; a clear failure when there is none yet."""
    from mlplatform.lifecycle.promotion import CHAMPION

    version = registry.alias_version(spec.registered_model_name, CHAMPION)
    if version is None:
        raise dg.Failure(
            description=f"{spec.registered_model_name} has no '{CHAMPION}' version yet: "
            f"materialize {spec.name}/champion after a model passes the gate"
        )
    return version


def drift_metadata(
    spec: ProjectSpec,
    result: "DriftResult",
    day: str | None,
    version: str,
    path: Path,
    published: "PublishedReport",
    registry: ModelRegistry,
) -> dict[str, Any]:
    return {
        "drift_share": result.share,
        "drift_threshold": spec.lifecycle.drift_threshold,
        "partition": day or "none",
        "drifted_columns": result.drifted_count,
        "columns_checked": len(result.columns),
        "model_version": version,
        "reference_rows": result.reference_rows,
        "current_rows": result.current_rows,
        # The report rendered by the MLflow UI (a browser refuses file:// links from the
        # Dagster UI); the file stays in the report store too.
        "report_url": dg.MetadataValue.url(published.url),
        "mlflow_run": dg.MetadataValue.url(
            registry.run_url(published.experiment_id, published.run_id)
        ),
        "report_path": dg.MetadataValue.path(str(path)),
        "column_drift": dg.MetadataValue.md(result.markdown()),
    }


def publish_drift_report(
    spec: ProjectSpec,
    names: ProjectNames,
    registry: ModelRegistry,
    run: dg.DagsterRun,
    path: Path,
    share: float,
    version: str,
    day: str | None,
) -> "PublishedReport":
    """The report as an artifact of its own MLflow run in the project's drift experiment."""
    from mlplatform.lifecycle.published import publish_report
    from mlplatform.lifecycle.tracking import DAGSTER_RUN_TAG
    from mlplatform.orchestration.automation import run_trigger

    trigger = run_trigger(run)
    tags = {
        DAGSTER_RUN_TAG: run.run_id,
        "project": spec.name,
        "dagster_asset_key": names.drift_report.to_user_string(),
        "champion_version": version,
        "partition": day or "none",
    }
    name = f"{spec.name} drift_report{f' {day}' if day else ''} ({trigger})"
    return publish_report(
        registry, spec.drift_experiment_name, path, name, tags, {"drift_share": share}
    )


def build_drift_report(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    threshold, check = spec.lifecycle.drift_threshold, names.checks.drift

    @dg.asset(
        key=names.drift_report,
        ins={"raw_data": dg.AssetIn(names.raw_data)},
        deps=[names.champion],
        partitions_def=names.partitions,
        backfill_policy=names.backfill_policy,
        group_name=spec.name,
        description=f"Evidently data-drift report: current {spec.name} raw data vs the "
        "champion's training reference.",
        kinds={"evidently", "html"},
        automation_condition=asset_conditions(spec, names)[names.drift_report],
        check_specs=[
            dg.AssetCheckSpec(
                check,
                asset=names.drift_report,
                description=f"Less than {threshold:.0%} of columns drifted.",
                partitions_def=names.partitions,
            )
        ],
    )
    def drift_report(
        context: dg.AssetExecutionContext, raw_data, registry: ModelRegistry, reports: ReportStore
    ):
        from mlplatform.steps.features import DayFrames

        version = champion_version(registry, spec)
        reference = registry.reference_data(spec.registered_model_name, version)
        raw = DayFrames(raw_data, spec)

        def build(day: str | None) -> Built:
            current = raw.day(day)
            if current.empty:
                raise dg.Failure(description=f"{spec.name}/raw_data has no rows for {day}")
            report = DayReport(spec, names, registry, context.run, version, day)
            return report.build(reference, current, reports)

        yield from build_days(context, names.drift_report, build)

    return drift_report


@dataclass(frozen=True)
class DayReport:
    """One day's (or, unpartitioned, the batch's) drift report against one champion version."""

    spec: ProjectSpec
    names: ProjectNames
    registry: ModelRegistry
    run: dg.DagsterRun
    version: str
    day: str | None

    def build(
        self, reference: "pd.DataFrame", current: "pd.DataFrame", reports: ReportStore
    ) -> Built:
        """Measure, save the HTML, publish it to MLflow, and describe it for the UI."""
        from mlplatform.lifecycle.lineage import data_hash
        from mlplatform.steps.drift import measure_drift

        spec, day, threshold = self.spec, self.day, self.spec.lifecycle.drift_threshold
        result = measure_drift(spec, reference, current)
        name = f"drift_report-{day}" if day else "drift_report"
        path = result.save_html(reports.path_for(spec.name, name, self.run.run_id))
        published = publish_drift_report(
            spec, self.names, self.registry, self.run, path, result.share, self.version, day
        )
        metadata = {
            **drift_metadata(spec, result, day, self.version, path, published, self.registry),
            # Identifies the compared data: the drift sensor retrains once per data+champion.
            "current_data_hash": data_hash(current),
        }
        check = DayCheck(
            self.names.checks.drift,
            passed=result.share < threshold,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"drift share {result.share:.2f}, threshold {threshold:.2f}",
            metadata={"drift_share": result.share, "threshold": threshold},
        )
        return Built(None, metadata, (check,))
