"""``<project>/model``: train on the current features, log and register the version in MLflow
(alias ``challenger``), gated by a blocking quality-gate check."""

from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.lifecycle.tracking import MLFLOW_RESOURCE_KEY, retry_when_mlflow_unreachable
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    from mlplatform.lifecycle.registry import LoggedModel
    from mlplatform.steps.training import TrainedModel


def version_tags(
    spec: ProjectSpec, names: ProjectNames, passed: bool, lineage: dict[str, str]
) -> dict[str, str]:
    """Tags on the MLflow run and the model version: project, asset, gate result, lineage."""
    return {
        "project": spec.name,
        "dagster_asset_key": names.model.to_user_string(),
        "quality_gate": "passed" if passed else "failed",
        **lineage,
        **spec.extra_tags,
    }


def model_metadata(
    spec: ProjectSpec,
    trained: "TrainedModel",
    logged: "LoggedModel",
    lineage: dict[str, str],
    passed: bool,
    registry: ModelRegistry,
) -> dict[str, Any]:
    from mlplatform.lifecycle.promotion import CHALLENGER

    return {
        "model_version": logged.version,
        "aliases": CHALLENGER,
        "quality_gate": f"{'passed' if passed else 'failed'} ({spec.gate.describe()})",
        "mlflow_run": dg.MetadataValue.url(registry.run_url(logged.experiment_id, logged.run_id)),
        "mlflow_model": dg.MetadataValue.url(
            registry.model_version_url(spec.registered_model_name, logged.version)
        ),
        **{f"metric/{name}": value for name, value in trained.metrics.items()},
        **{f"lineage/{name}": value for name, value in lineage.items()},
        "model_name": spec.registered_model_name,
        "model_uri": logged.model_uri,
        "mlflow_run_id": logged.run_id,
        "train_rows": len(trained.split.x_train),
        "test_rows": len(trained.split.x_test),
        "repeated_rows_dropped": trained.split.duplicates,
        "split_keys": ",".join(trained.split.rule.keys),
    }


def train_and_register(
    context: dg.AssetExecutionContext, spec: ProjectSpec, names: ProjectNames, features
) -> tuple["TrainedModel", "LoggedModel", dict[str, str]]:
    """Train in this run's MLflow run, log and register the version, point ``challenger`` at it."""
    from mlplatform.lifecycle.lineage import model_lineage
    from mlplatform.lifecycle.promotion import CHALLENGER
    from mlplatform.lifecycle.registry import log_trained_model
    from mlplatform.steps.features import training_rows
    from mlplatform.steps.training import drift_reference, train

    gate = spec.gate
    context.resources.mlflow.start()  # this run's MLflow run, from here to the run's end
    features = training_rows(spec, features)
    trained = train(spec, features)
    passed = gate.passes(trained.metrics[gate.metric])
    context.log.info(f"Trained {spec.name}: {trained.metrics}; gate {gate.describe()}")
    reference = drift_reference(spec, trained)
    lineage = model_lineage(context.run.run_id, spec, features, reference)
    tags = {**version_tags(spec, names, passed, lineage), **trained.split.rule.tags()}
    logged = log_trained_model(spec, trained, reference, tags)
    context.resources.registry.client().set_registered_model_alias(
        spec.registered_model_name, CHALLENGER, logged.version
    )
    return trained, logged, lineage


def build_model(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    gate, check = spec.gate, names.checks.gate

    @dg.asset(
        key=names.model,
        ins={"features": dg.AssetIn(names.features)},
        group_name=spec.name,
        description=f"{spec.name} {spec.model.task} model, logged and registered in MLflow.",
        kinds={"mlflow", "scikitlearn"},
        required_resource_keys={MLFLOW_RESOURCE_KEY, "registry"},
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=spec.lifecycle.model_fail_after
        ),
        automation_condition=asset_conditions(spec, names)[names.model],
        check_specs=[
            dg.AssetCheckSpec(
                check,
                asset=names.model,
                description=f"Held-out {gate.describe()}: models below it go no further.",
                blocking=True,
            )
        ],
    )
    def model(context: dg.AssetExecutionContext, features):
        with retry_when_mlflow_unreachable(context, spec.lifecycle):
            trained, logged, lineage = train_and_register(context, spec, names, features)
        score = trained.metrics[gate.metric]
        passed = gate.passes(score)
        registry: ModelRegistry = context.resources.registry
        return dg.MaterializeResult(
            metadata=model_metadata(spec, trained, logged, lineage, passed, registry),
            check_results=[
                dg.AssetCheckResult(
                    check_name=check,
                    passed=passed,
                    description=f"{gate.metric}={score:.4f}, required {gate.describe()}",
                    metadata={gate.metric: score, "floor": gate.floor},
                )
            ],
        )

    return model
