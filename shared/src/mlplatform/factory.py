"""Builds a project's standard assets and their checks from its :class:`ProjectSpec`.

Lineage: ``raw_data -> features -> model -> champion -> {drift_report, predictions}``; the drift
report and predictions also read the current ``raw_data``, and ``champion`` scores on the current
``features``. Every asset carries checks; checks on raw data, features and the model are
blocking, so nothing downstream is built from data or a model that broke a rule.
"""

import sys
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster import AssetExecutionContext

from mlplatform.automation import asset_conditions
from mlplatform.landing import LandingZone
from mlplatform.markdown import markdown_table
from mlplatform.registry import ModelRegistry
from mlplatform.reports import ReportStore
from mlplatform.spec import ProjectSpec
from mlplatform.tracking import MLFLOW_RESOURCE_KEY

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.validation import RuleResult

# DataFrame inputs of the assets below are left unannotated: Dagster resolves annotations when
# the location loads, and naming pandas there would import it into every code server.

RAW_CHECKS = {
    "schema_matches_spec": "Every landed file has the spec's columns with the spec's types.",
    "no_null_target": "No landed row is missing the target.",
    "enough_rows": "Landed files hold at least the spec's minimum row count.",
}


class RawDataRejected(dg.Failure):
    """Raised after failed raw-data checks so the run fails and nothing downstream is built."""


def _check_result(check: str, result: "RuleResult", **metadata: Any) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=check,
        passed=result.passed,
        description=result.summary,
        metadata={
            "rule": result.rule,
            "problems": "\n".join(result.problems) or "none",
            **metadata,
        },
    )


def _preview(frame: "pd.DataFrame", rows: int = 5) -> dg.MetadataValue:
    head = frame.head(rows)
    return dg.MetadataValue.md(markdown_table([str(c) for c in head.columns], head.values))


def _table_schema(frame: "pd.DataFrame") -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()]
    )


def daily_partitions(spec: ProjectSpec) -> dg.DailyPartitionsDefinition | None:
    """The daily partitions of a daily project's raw data, features, drift and predictions."""
    part = spec.partitioning
    return dg.DailyPartitionsDefinition(start_date=part.start_date) if part else None


def build_project_assets(spec: ProjectSpec) -> list[dg.AssetsDefinition]:
    """The standard assets of ``spec`` with their checks, grouped under ``spec.name``.

    Example: ``dg.Definitions(assets=build_project_assets(spec), resources=...)``
    """
    part = spec.partitioning
    # Daily projects: one run per partition in a backfill, so one bad day's file fails only its
    # own run while the rest of the range proceeds (the code handles one day at a time).
    daily = daily_partitions(spec)
    backfill = dg.BackfillPolicy.multi_run(max_partitions_per_run=1) if part else None
    history = (
        dg.TimeWindowPartitionMapping(
            start_offset=-(part.feature_window_days - 1),
            allow_nonexistent_upstream_partitions=True,
        )
        if part
        else None
    )

    def day_of(context: AssetExecutionContext) -> str | None:
        return context.partition_key if part else None

    def only_day(frame, day: str | None):
        if day is None:
            return frame
        return frame[frame[part.date_column] == day].reset_index(drop=True)

    def recent(features):
        if not part:
            return features
        from mlplatform.training import latest_days

        return latest_days(features, part.date_column, part.training_window_days)

    nouns = ("raw_data", "features", "model", "champion", "drift_report", "predictions")
    automation = asset_conditions(spec)
    raw_key, features_key, model_key, champion_key, drift_key, predictions_key = (
        dg.AssetKey([spec.name, n]) for n in nouns
    )

    @dg.asset(
        key=raw_key,
        group_name=spec.name,
        description=f"Raw {spec.name} records landed as CSV/Parquet files, concatenated.",
        kinds={"pandas", "parquet"},
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=spec.raw_data_fail_after),
        automation_condition=automation["raw_data"],
        partitions_def=daily,
        backfill_policy=backfill,
        check_specs=[
            dg.AssetCheckSpec(
                name, asset=raw_key, description=text, blocking=True, partitions_def=daily
            )
            for name, text in RAW_CHECKS.items()
        ],
        output_required=False,
    )
    def raw_data(context: AssetExecutionContext, landing: LandingZone):
        import pandas as pd

        from mlplatform.validation import check_min_rows, check_no_null_target, check_schema

        files = landing.read_all(spec.name, prefix=day_of(context) or "")
        context.log.info(f"Read {len(files)} landed file(s) from {landing.project_dir(spec.name)}")
        results = {
            "schema_matches_spec": check_schema(files, spec.raw_schema),
            "no_null_target": check_no_null_target(files, spec.target),
            "enough_rows": check_min_rows(files, spec.min_rows),
        }
        for check, result in results.items():
            yield _check_result(check, result, files=", ".join(files))
        broken = [r.summary for r in results.values() if not r.passed]
        if broken:
            raise RawDataRejected(
                description=f"{spec.name}/raw_data rejected, landed files left untouched: "
                + " | ".join(broken),
            )
        frame = pd.concat(files.values(), ignore_index=True)
        yield dg.Output(
            frame,
            metadata={
                "dagster/row_count": len(frame),
                "dagster/column_schema": _table_schema(frame),
                "files": dg.MetadataValue.json(sorted(files)),
                "preview": _preview(frame),
                # Which environment ran this: each location must run in its own interpreter.
                "runtime/python": sys.executable,
            },
        )

    @dg.asset(
        key=features_key,
        ins={"raw_data": dg.AssetIn(raw_key, partition_mapping=history)},
        group_name=spec.name,
        description=f"Model-ready {spec.name} features and target, one row per record.",
        kinds={"pandas", "parquet"},
        automation_condition=automation["features"],
        partitions_def=daily,
        backfill_policy=backfill,
        # A day's features need that day's raw rows; backfills also request the following days
        # whose window includes a backfilled day, and those may have no data of their own yet.
        output_required=False,
        check_specs=[
            dg.AssetCheckSpec(
                "no_null_features",
                asset=features_key,
                description="No feature column has missing values.",
                blocking=True,
                partitions_def=daily,
            )
        ],
    )
    def features(context: AssetExecutionContext, raw_data):
        from mlplatform.validation import changed_raw_columns, null_feature_problems

        frame = spec.build_features(raw_data)
        changed = changed_raw_columns(raw_data, frame, spec.drift_columns)
        if changed:
            raise TypeError(
                f"{spec.name}: build_features changed raw columns {', '.join(changed)}; raw "
                "columns are the model's drift reference and must pass through unchanged - "
                "derive a new column instead"
            )
        day = day_of(context)
        frame = only_day(frame, day)
        if day is not None and frame.empty:
            context.log.warning(f"{spec.name}/features: no raw rows for {day}; nothing to build")
            yield dg.AssetCheckResult(
                check_name="no_null_features",
                passed=True,
                description=f"no raw rows for {day}: nothing built, nothing to check",
            )
            return
        problems = null_feature_problems(frame, spec.feature_columns)
        yield dg.Output(
            frame,
            metadata={
                "dagster/row_count": len(frame),
                "dagster/column_schema": _table_schema(frame),
                "preview": _preview(frame),
            },
        )
        yield dg.AssetCheckResult(
            check_name="no_null_features",
            passed=not problems,
            description="; ".join(problems) or "no nulls",
        )

    gate = spec.quality_gate

    @dg.asset(
        key=model_key,
        ins={"features": dg.AssetIn(features_key)},
        group_name=spec.name,
        description=f"{spec.name} {spec.task} model, logged and registered in MLflow.",
        kinds={"mlflow", "scikitlearn"},
        required_resource_keys={MLFLOW_RESOURCE_KEY, "registry"},
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=spec.model_fail_after),
        automation_condition=automation["model"],
        check_specs=[
            dg.AssetCheckSpec(
                f"{gate.metric}_gate",
                asset=model_key,
                description=f"Held-out {gate.describe()}: models below it go no further.",
                blocking=True,
            )
        ],
    )
    def model(context: AssetExecutionContext, features):
        from mlplatform.drift import sample_rows
        from mlplatform.lineage import code_version, data_hash
        from mlplatform.promotion import CHALLENGER
        from mlplatform.registry import log_trained_model
        from mlplatform.training import train

        features = recent(features)
        trained = train(spec, features)
        score = trained.metrics[gate.metric]
        passed = gate.passes(score)
        context.log.info(f"Trained {spec.name}: {trained.metrics}; gate {gate.describe()}")
        reference = sample_rows(
            trained.split.x_train[list(spec.drift_columns)], spec.drift_sample_rows, spec.seed
        )
        lineage = {
            "dagster_run_id": context.run.run_id,
            "code_version": code_version(),
            "training_data_hash": data_hash(features),
            "reference_data_hash": data_hash(reference),
            "features": ",".join(spec.feature_columns),
        }
        tags = {
            "project": spec.name,
            "dagster_asset_key": model_key.to_user_string(),
            "quality_gate": "passed" if passed else "failed",
            **lineage,
            **spec.extra_tags,
        }
        logged = log_trained_model(spec, trained, reference, tags)
        registry: ModelRegistry = context.resources.registry
        registry.client().set_registered_model_alias(
            spec.registered_model_name, CHALLENGER, logged.version
        )
        return dg.MaterializeResult(
            metadata={
                **{f"metric/{name}": value for name, value in trained.metrics.items()},
                **{f"lineage/{name}": value for name, value in lineage.items()},
                "model_name": spec.registered_model_name,
                "model_version": logged.version,
                "model_uri": logged.model_uri,
                "mlflow_run_id": logged.run_id,
                "mlflow_run": dg.MetadataValue.url(
                    registry.run_url(logged.experiment_id, logged.run_id)
                ),
                "train_rows": len(trained.split.x_train),
                "test_rows": len(trained.split.x_test),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=f"{gate.metric}_gate",
                    passed=passed,
                    description=f"{gate.metric}={score:.4f}, required {gate.describe()}",
                    metadata={gate.metric: score, "floor": gate.floor},
                )
            ],
        )

    @dg.asset(
        key=champion_key,
        ins={"features": dg.AssetIn(features_key)},
        deps=[model_key],
        group_name=spec.name,
        description=f"The {spec.name} model version serving predictions (MLflow alias "
        f"'champion'), promoted from the challenger only if better by {spec.promotion_margin:g}.",
        kinds={"mlflow"},
        automation_condition=automation["champion"],
        check_specs=[
            dg.AssetCheckSpec(
                "champion_meets_gate",
                asset=champion_key,
                description=f"The champion still reaches {gate.describe()} on current data.",
            )
        ],
    )
    def champion(context: AssetExecutionContext, features, registry: ModelRegistry):
        from mlplatform.promotion import CHALLENGER, promote
        from mlplatform.training import evaluate, split_features

        name = spec.registered_model_name
        challenger_version = registry.alias_version(name, CHALLENGER)
        if challenger_version is None:
            raise dg.Failure(description=f"{name} has no '{CHALLENGER}' version: train one first")
        holdout = split_features(spec, recent(features))

        def score(version: str) -> float:
            estimator = registry.load_model(name, version)
            scores = evaluate(spec, estimator, holdout.x_test, holdout.y_test, holdout.y_train)
            return scores[gate.metric]

        decision = promote(registry, name, challenger_version, gate, spec.promotion_margin, score)
        context.log.info(
            f"{'Promoted' if decision.promoted else 'Kept'}: champion v{decision.champion_after}"
            f" ({decision.reason})"
        )
        champion_score = (
            decision.challenger_score if decision.promoted else decision.champion_score
        )
        return dg.MaterializeResult(
            metadata={
                "model_name": name,
                "model_version": decision.champion_after,
                "promoted": decision.promoted,
                "reason": decision.reason,
                "challenger_version": decision.challenger_version,
                "previous_champion_version": decision.champion_version or "none",
                f"challenger_{gate.metric}": decision.challenger_score,
                f"champion_{gate.metric}": (
                    decision.champion_score if decision.champion_score is not None else "none"
                ),
                "holdout_rows": len(holdout.x_test),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="champion_meets_gate",
                    passed=champion_score is not None and gate.passes(champion_score),
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"champion v{decision.champion_after} {gate.metric}="
                    f"{champion_score}, required {gate.describe()}",
                )
            ],
        )

    @dg.asset(
        key=drift_key,
        ins={"raw_data": dg.AssetIn(raw_key)},
        deps=[champion_key],
        partitions_def=daily,
        backfill_policy=backfill,
        group_name=spec.name,
        description=f"Evidently data-drift report: current {spec.name} raw data vs the "
        "champion's training reference.",
        kinds={"evidently", "html"},
        automation_condition=automation["drift_report"],
        check_specs=[
            dg.AssetCheckSpec(
                "drift_share_below_threshold",
                asset=drift_key,
                description=f"Less than {spec.drift_threshold:.0%} of columns drifted.",
                partitions_def=daily,
            )
        ],
    )
    def drift_report(
        context: AssetExecutionContext,
        raw_data,
        registry: ModelRegistry,
        reports: ReportStore,
    ):
        from mlplatform.drift import compute_drift
        from mlplatform.lineage import data_hash

        version = _champion_version(registry, spec)
        reference = registry.reference_data(spec.registered_model_name, version)
        schema = {c: spec.raw_schema[c] for c in spec.drift_columns}
        result = compute_drift(
            reference, raw_data, schema, max_rows=spec.drift_sample_rows, seed=spec.seed
        )
        report = f"drift_report-{day_of(context)}" if part else "drift_report"
        path = result.save_html(reports.path_for(spec.name, report, context.run.run_id))
        context.log.info(
            f"Drift share {result.share:.2f} ({result.drifted_count}/{len(result.columns)} "
            f"columns) vs model version {version}; report at {path}"
        )
        exceeded = result.share >= spec.drift_threshold
        return dg.MaterializeResult(
            metadata={
                "drift_share": result.share,
                "drift_threshold": spec.drift_threshold,
                # Identifies the compared data: the drift sensor retrains once per data+champion.
                "current_data_hash": data_hash(raw_data),
                "partition": day_of(context) or "none",
                "drifted_columns": result.drifted_count,
                "columns_checked": len(result.columns),
                "model_version": version,
                "reference_rows": result.reference_rows,
                "current_rows": result.current_rows,
                "report_path": dg.MetadataValue.path(str(path)),
                "report_url": dg.MetadataValue.url(path.resolve().as_uri()),
                "column_drift": dg.MetadataValue.md(result.markdown()),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="drift_share_below_threshold",
                    passed=not exceeded,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"drift share {result.share:.2f}, threshold "
                    f"{spec.drift_threshold:.2f}",
                    metadata={"drift_share": result.share, "threshold": spec.drift_threshold},
                )
            ],
        )

    @dg.asset(
        key=predictions_key,
        ins={"raw_data": dg.AssetIn(raw_key, partition_mapping=history)},
        deps=[champion_key],
        partitions_def=daily,
        backfill_policy=backfill,
        group_name=spec.name,
        description=f"Batch predictions for the latest {spec.name} raw data from the champion.",
        kinds={"mlflow", "parquet"},
        automation_condition=automation["predictions"],
        check_specs=[
            dg.AssetCheckSpec(
                "one_prediction_per_row",
                asset=predictions_key,
                description="Every raw row has exactly one non-null prediction.",
                partitions_def=daily,
            )
        ],
    )
    def predictions(context: AssetExecutionContext, raw_data, registry: ModelRegistry):
        from mlplatform.scoring import score_batch

        version = _champion_version(registry, spec)
        estimator = registry.load_model(spec.registered_model_name, version)
        day = day_of(context)
        scored = score_batch(spec, estimator, raw_data, version, day)
        expected = len(only_day(raw_data, day))
        missing = int(scored["prediction"].isna().sum())
        context.log.info(f"Scored {len(scored)} rows with {spec.name} champion v{version}")
        yield dg.Output(
            scored,
            metadata={
                "model_name": spec.registered_model_name,
                "model_version": version,
                "model_uri": f"models:/{spec.registered_model_name}/{version}",
                "dagster/row_count": len(scored),
                "preview": _preview(scored),
            },
        )
        yield dg.AssetCheckResult(
            check_name="one_prediction_per_row",
            passed=len(scored) == expected and not missing,
            description=f"{len(scored)} predictions for {expected} rows, {missing} missing",
        )

    return [raw_data, features, model, champion, drift_report, predictions]


def _champion_version(registry: ModelRegistry, spec: ProjectSpec) -> str:
    from mlplatform.promotion import CHAMPION

    version = registry.alias_version(spec.registered_model_name, CHAMPION)
    if version is None:
        raise dg.Failure(
            description=f"{spec.registered_model_name} has no '{CHAMPION}' version yet: "
            f"materialize {spec.name}/champion after a model passes the gate"
        )
    return version
