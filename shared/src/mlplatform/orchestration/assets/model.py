"""``<project>/model``: train on the current features, log and register the version in MLflow
(alias ``challenger``), gated by a blocking quality-gate check.

Training is the spec's ``make_model`` fitted in process, or, for an adopted project
(``ModelSpec.legacy``), the team's own script run through Dagster Pipes by the
``legacy_runner`` resource; everything after it (lineage, logging, registration, the gate) is
the same for both.
"""

from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.lifecycle.tracking import MLFLOW_RESOURCE_KEY, retry_when_mlflow_unreachable
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.lifecycle.registry import LoggedModel
    from mlplatform.steps.training import TrainedModel

LEGACY_RUNNER_KEY = "legacy_runner"


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
) -> tuple["TrainedModel", "LoggedModel", dict[str, str], dict[str, Any]]:
    """Train (or run the adopted script) in this run's MLflow run, log and register the version,
    point ``challenger`` at it; also returns the adopted script's metadata (empty otherwise)."""
    from mlplatform.lifecycle.lineage import model_lineage
    from mlplatform.lifecycle.promotion import CHALLENGER
    from mlplatform.lifecycle.registry import log_trained_model
    from mlplatform.steps.features import training_rows
    from mlplatform.steps.training import drift_reference, train

    gate = spec.gate
    context.resources.mlflow.start()  # this run's MLflow run, from here to the run's end
    features = training_rows(spec, features)
    if spec.model.legacy is not None:
        trained, script_metadata = train_with_script(context, spec, features)
    else:
        trained, script_metadata = train(spec, features), {}
    passed = gate.passes(trained.metrics[gate.metric])
    context.log.info(f"Trained {spec.name}: {trained.metrics}; gate {gate.describe()}")
    reference = drift_reference(spec, trained)
    lineage = model_lineage(context.run.run_id, spec, features, reference)
    # An adopted script's name and runner are on the version too (where it came from).
    tags = {
        **version_tags(spec, names, passed, lineage),
        **trained.split.rule.tags(),
        **{key: str(value) for key, value in script_metadata.items()},
    }
    logged = log_trained_model(spec, trained, reference, tags)
    context.resources.registry.client().set_registered_model_alias(
        spec.registered_model_name, CHALLENGER, logged.version
    )
    return trained, logged, lineage, script_metadata


def train_with_script(
    context: dg.AssetExecutionContext, spec: ProjectSpec, features: "pd.DataFrame"
) -> tuple["TrainedModel", dict[str, Any]]:
    """The adopted script's model and metrics, and metadata about the run (script, runner,
    model file). A script that fails or leaves no usable model or metrics fails the asset with
    its last output lines."""
    from mlplatform.steps.legacy import (
        LegacyScriptError,
        adopted_model,
        file_facts,
        legacy_spec,
        script_arguments,
        script_input,
        write_input,
    )

    legacy = legacy_spec(spec)
    runner = getattr(context.resources, LEGACY_RUNNER_KEY)
    with runner.run_dir(context) as work:
        input_path = write_input(legacy, script_input(spec, features), work)
        output_dir = work / "output"
        arguments = script_arguments(legacy, str(input_path), str(output_dir))
        reported, output = runner.run_script(context, spec, arguments)
        try:
            trained = adopted_model(spec, features, output_dir, reported)
        except LegacyScriptError as error:
            raise dg.Failure(description=f"{error}; {output.last_lines()}") from None
        facts = file_facts(output_dir / legacy.model_file)
    return trained, {
        "legacy/script": legacy.script,
        "legacy/runner": runner.resolved_mode(),
        "legacy/metrics_from": "dagster pipes" if reported else legacy.metrics_file,
        **{f"legacy/model_file_{name}": value for name, value in facts.items()},
    }


def build_model(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    gate, check = spec.gate, names.checks.gate
    adopted = spec.model.legacy
    how = f"trained by {adopted.script} via Pipes" if adopted else "trained in process"

    @dg.asset(
        key=names.model,
        ins={"features": dg.AssetIn(names.features)},
        group_name=spec.name,
        description=f"{spec.name} {spec.model.task} model {how}, logged and registered in MLflow.",
        kinds={"mlflow", "scikitlearn"},
        required_resource_keys={MLFLOW_RESOURCE_KEY, "registry"}
        | ({LEGACY_RUNNER_KEY} if adopted else set()),
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
            trained, logged, lineage, script_metadata = train_and_register(
                context, spec, names, features
            )
        score = trained.metrics[gate.metric]
        passed = gate.passes(score)
        registry: ModelRegistry = context.resources.registry
        return dg.MaterializeResult(
            metadata={
                **model_metadata(spec, trained, logged, lineage, passed, registry),
                **script_metadata,
            },
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
