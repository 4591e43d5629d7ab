"""``<project>/champion``: the promotion decision after each new model. The challenger replaces
the champion only if it passes the gate and beats it on the same held-out rows."""

from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.lifecycle.tracking import retry_when_mlflow_unreachable
from mlplatform.orchestration.assets.model_performance import live_scorer
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import LandingZone

if TYPE_CHECKING:
    from mlplatform.lifecycle.promotion import Decision, LiveScorer
    from mlplatform.steps.training import SplitRule


def decision_metadata(
    spec: ProjectSpec,
    decision: "Decision",
    holdout_rows: int,
    run: dg.DagsterRun,
    registry: ModelRegistry,
) -> dict[str, Any]:
    from mlplatform.orchestration.automation import run_trigger

    metric, name = spec.gate.metric, spec.registered_model_name
    trigger = run_trigger(run)
    return {
        "model_version": decision.champion_after,
        "promoted": decision.promoted,
        "reason": decision.reason,
        # Who decided: the trigger of the Dagster run (manual = launched from the UI or CLI).
        "decided_by": f"{trigger} (Dagster run {run.run_id})",
        "decided_at": decision.decided_at,
        "mlflow_model": dg.MetadataValue.url(
            registry.model_version_url(name, str(decision.champion_after))
        ),
        "model_name": name,
        "challenger_version": decision.challenger_version,
        "previous_champion_version": decision.champion_version or "none",
        f"challenger_{metric}": decision.challenger_score,
        f"champion_{metric}": (
            decision.champion_score if decision.champion_score is not None else "none"
        ),
        "holdout_rows": holdout_rows,
        **live_metadata(decision),
    }


def live_metadata(decision: "Decision") -> dict[str, Any]:
    """Both versions' live gate metric on the outcomes both scored, when there were any."""
    if not decision.live_rows:
        return {}
    return {
        "live_rows": decision.live_rows,
        f"challenger_live_{decision.metric}": decision.challenger_live_score,
        f"champion_live_{decision.metric}": decision.champion_live_score,
    }


def decide_champion(
    spec: ProjectSpec, registry: ModelRegistry, features, live: "LiveScorer | None" = None
) -> tuple["Decision", int]:
    """Score the challenger and the champion on one held-out split of the current features,
    rows neither was trained on, and promote (under the registry lock) when the gate and the
    margin allow (and, with ``live_promotion_rows``, the live outcomes of the shadow
    challenger)."""
    from mlplatform.lifecycle.promotion import CHALLENGER, CHAMPION, promote
    from mlplatform.steps.features import training_rows
    from mlplatform.steps.training import evaluate, split_features

    name = spec.registered_model_name
    challenger = registry.alias_version(name, CHALLENGER)
    if challenger is None:
        raise dg.Failure(description=f"{name} has no '{CHALLENGER}' version: train one first")
    rules = trained_rules(registry, name, [challenger, registry.alias_version(name, CHAMPION)])
    holdout = split_features(spec, training_rows(spec, features), rules)

    def score(version: str) -> float:
        estimator = registry.load_model(name, version)
        scores = evaluate(spec, estimator, holdout.x_test, holdout.y_test, holdout.y_train)
        return scores[spec.gate.metric]

    decision = promote(registry, name, challenger, spec.gate, score, live)
    return decision, len(holdout.x_test)


def trained_rules(
    registry: ModelRegistry, name: str, versions: list[str | None]
) -> list["SplitRule"]:
    """The split rules the ``versions`` were trained under (recorded as ``split.*`` tags)."""
    from mlplatform.steps.training import SplitRule

    client = registry.client()
    found = (SplitRule.from_tags(client.get_model_version(name, v).tags) for v in versions if v)
    return [rule for rule in found if rule is not None]


def build_champion(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    gate, check = spec.gate, names.checks.champion_gate

    @dg.asset(
        key=names.champion,
        ins={"features": dg.AssetIn(names.features)},
        deps=[names.model],
        group_name=spec.name,
        description=f"The {spec.name} model version serving predictions (MLflow alias "
        f"'champion'), promoted from the challenger only if better by {gate.promotion_margin:g}.",
        kinds={"mlflow"},
        automation_condition=asset_conditions(spec, names)[names.champion],
        check_specs=[
            dg.AssetCheckSpec(
                check,
                asset=names.champion,
                description=f"The champion still reaches {gate.describe()} on current data.",
            )
        ],
    )
    def champion(
        context: dg.AssetExecutionContext, features, registry: ModelRegistry, landing: LandingZone
    ):
        live = live_scorer(spec, names, landing, context.resources.io_manager)
        with retry_when_mlflow_unreachable(context, spec.lifecycle):
            decision, holdout_rows = decide_champion(spec, registry, features, live)
        context.log.info(
            f"{'Promoted' if decision.promoted else 'Kept'}: champion v{decision.champion_after}"
            f" ({decision.reason})"
        )
        score = decision.challenger_score if decision.promoted else decision.champion_score
        return dg.MaterializeResult(
            metadata=decision_metadata(spec, decision, holdout_rows, context.run, registry),
            check_results=[
                dg.AssetCheckResult(
                    check_name=check,
                    passed=score is not None and gate.passes(score),
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"champion v{decision.champion_after} {gate.metric}="
                    f"{score}, required {gate.describe()}",
                )
            ],
        )

    return champion
