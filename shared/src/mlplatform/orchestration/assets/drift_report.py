"""``<project>/drift_report``: Evidently's data-drift report of the current raw data against the
champion's training reference, with a WARN check at the spec's threshold."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.assets.metadata import day_of
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.reports import ReportStore

if TYPE_CHECKING:
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
        from mlplatform.lifecycle.lineage import data_hash
        from mlplatform.steps.drift import measure_drift

        version = champion_version(registry, spec)
        reference = registry.reference_data(spec.registered_model_name, version)
        result = measure_drift(spec, reference, raw_data)
        day = day_of(context, spec)
        report = f"drift_report-{day}" if day else "drift_report"
        path = result.save_html(reports.path_for(spec.name, report, context.run.run_id))
        published = publish_drift_report(
            spec, names, registry, context.run, path, result.share, version, day
        )
        context.log.info(
            f"Drift share {result.share:.2f} ({result.drifted_count}/{len(result.columns)} "
            f"columns) vs model version {version}; report at {published.url}"
        )
        return dg.MaterializeResult(
            metadata={
                **drift_metadata(spec, result, day, version, path, published, registry),
                # Identifies the compared data: the drift sensor retrains once per data+champion.
                "current_data_hash": data_hash(raw_data),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=check,
                    passed=result.share < threshold,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"drift share {result.share:.2f}, threshold {threshold:.2f}",
                    metadata={"drift_share": result.share, "threshold": threshold},
                )
            ],
        )

    return drift_report
