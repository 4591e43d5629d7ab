"""The in-process Dagster chain against the same step functions called directly, and against
Dagster's own floor (the same asset graph with empty bodies).

Both sides call the very functions the assets call (``mlplatform.steps``, ``mlplatform.lifecycle``
and the champion decision): read the landed file, validate it against the data contract, build
features, train and evaluate, log and register the model in MLflow (one run, same SQLite store
kind) as the challenger, decide the champion (loading the version back from MLflow, as the
champion step does), load the champion's reference and model, measure drift, save its HTML
report and publish it to MLflow, and score the batch. What the chain adds is Dagster: the event
log, Parquet hand-offs between steps, resource setup. The floor is that graph (same keys,
inputs, dependencies and checks) with bodies that do nothing, on the same instance; its inputs
are handed over as ``None`` by an IO manager that stores nothing, so Dagster's own cost of
loading them (two events each) is in the floor and any I/O is not. It reads no rows, so its
figure is the best of its repeats at both sizes.

Figures: at 100k rows, (chain - plain) <= 1.1x the floor; at 1M rows, chain <= 1.2x plain.
Run in churn's environment: code_locations/churn/.venv/bin/python bench/bench_chain.py
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import mlflow
from figures import figure
from mlflow_store import use_experiment

from churn.definitions import spec
from mlplatform import build_project_assets
from mlplatform.lifecycle.promotion import CHALLENGER, CHAMPION
from mlplatform.lifecycle.published import publish_report
from mlplatform.lifecycle.registry import ModelRegistry, log_trained_model
from mlplatform.orchestration.assets.champion import decide_champion
from mlplatform.orchestration.resources import local_tracking_uri, resources_for_dir
from mlplatform.steps.drift import measure_drift
from mlplatform.steps.features import build_feature_frame, training_rows
from mlplatform.steps.scoring import score_batch
from mlplatform.steps.training import drift_reference, train
from mlplatform.steps.validation import validate_raw
from mlplatform.storage.landing import LandingZone, write_batch

REPEATS = 5


def plain_script(data_dir: Path) -> float:
    uri = local_tracking_uri(data_dir / "plain")
    use_experiment(uri, "plain")  # the chain's model loads set the process-wide registry
    registry = ModelRegistry(tracking_uri=uri, lock_dir=str(data_dir / "plain-locks"))
    name = spec.registered_model_name
    start = time.perf_counter()
    files = LandingZone(root=str(data_dir / "landing")).read_all(spec.name, contract=spec.data)
    broken = validate_raw(files, spec.data).broken
    assert not broken, broken
    [raw] = files.values()
    features, problems = build_feature_frame(spec, raw)
    assert not problems, problems
    trained = train(spec, training_rows(spec, features))
    reference = drift_reference(spec, trained)
    with mlflow.start_run():
        logged = log_trained_model(spec, trained, reference, {"project": spec.name})
    registry.client().set_registered_model_alias(name, CHALLENGER, logged.version)
    decide_champion(spec, registry, features)
    champion = registry.alias_version(name, CHAMPION)
    reference = registry.reference_data(name, champion)
    result = measure_drift(spec, reference, raw)
    path = result.save_html(data_dir / "plain-report.html")
    publish_report(registry, "/plain/drift", path, "drift", {}, {"drift_share": result.share})
    score_batch(spec, registry.load_model(name, champion), raw, champion)
    return time.perf_counter() - start


def _empty_like(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The same key, inputs, dependencies and checks, with a body that does nothing."""
    key = assets_def.key
    checks = list(assets_def.check_specs)
    loaded = {d.name for d in assets_def.node_def.input_defs if not d.dagster_type.is_nothing}
    inputs = {name: k for name, k in assets_def.keys_by_input_name.items() if name in loaded}
    deps = assets_def.asset_deps[key] - set(inputs.values())

    @dg.asset(
        key=key,
        ins={name: dg.AssetIn(k) for name, k in inputs.items()},
        deps=sorted(deps, key=str),
        check_specs=[dg.AssetCheckSpec(c.name, asset=key, blocking=c.blocking) for c in checks],
    )
    def empty(**_inputs) -> dg.MaterializeResult:
        return dg.MaterializeResult(
            check_results=[dg.AssetCheckResult(check_name=c.name, passed=True) for c in checks]
        )

    return empty


class _NoStorage(dg.ConfigurableIOManager):
    """Stores nothing and hands every input over as ``None``: the floor's inputs cost Dagster's
    own loading (its events), not any I/O."""

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        pass

    def load_input(self, context: dg.InputContext) -> None:
        return None


def empty_graph(instance: dg.DagsterInstance) -> float:
    assets = [_empty_like(a) for a in build_project_assets(spec)]
    start = time.perf_counter()
    result = dg.materialize(assets, resources={"io_manager": _NoStorage()}, instance=instance)
    assert result.success
    return time.perf_counter() - start


def dagster_chain(data_dir: Path, instance: dg.DagsterInstance) -> float:
    start = time.perf_counter()
    result = dg.materialize(
        build_project_assets(spec), resources=resources_for_dir(spec, data_dir), instance=instance
    )
    assert result.success
    return time.perf_counter() - start


def _spread(name: str, seconds: list[float]) -> str:
    return f"{name} {min(seconds):.2f} s (slowest {max(seconds):.2f} s)"


def _settle_heap() -> None:
    """Collect, then freeze what the warm-up left (imports, Dagster's definitions, MLflow's
    stores: about 700k objects). Otherwise one full collection over them (about 0.4 s) lands on
    whichever measure happens to trigger it, plain or chain alike; a run worker starts with a
    far smaller heap."""
    gc.collect()
    gc.freeze()


def measure(rows: int, seed: int) -> tuple[float, float, float]:
    """Plain, chain and floor seconds, best of REPEATS, interleaved so noise hits all alike.
    Each one's slowest repeat is printed too: a floor far above the other size's floor means the
    machine (often its disk: every event is a SQLite commit) was slow during that measure."""
    with tempfile.TemporaryDirectory() as tmp, dg.instance_for_test() as instance:
        data_dir = Path(tmp)
        landing = data_dir / "landing" / spec.name
        write_batch(landing, "warmup.csv", spec.generate(2000, 1, 0.0))
        dagster_chain(data_dir, instance)  # warm-up: imports, MLflow store creation
        plain_script(data_dir)
        empty_graph(instance)
        (landing / "warmup.csv").unlink()
        write_batch(landing, "batch.csv", spec.generate(rows, seed, 0.0))
        _settle_heap()
        plain, chain, floor = [], [], []
        for _ in range(REPEATS):
            plain.append(plain_script(data_dir))
            chain.append(dagster_chain(data_dir, instance))
            floor.append(empty_graph(instance))
    print(
        f"{rows} rows: "
        + ", ".join(map(_spread, ("plain", "chain", "empty graph"), (plain, chain, floor)))
    )
    return min(plain), min(chain), min(floor)


def main(small: int = 100_000, large: int = 1_000_000) -> None:
    plain, chain, floor = measure(small, 2)
    large_plain, large_chain, large_floor = measure(large, 3)
    # The empty graph reads no rows, so both sizes measure the same floor: the best of all its
    # repeats is the estimate, not the best of the three that a slow spell may have hit.
    what = f"chain overhead over plain at {small} rows, vs Dagster's floor (empty graph)"
    figure(what, chain - plain, min(floor, large_floor), 1.1)
    figure(f"whole chain at {large} rows vs plain functions", large_chain, large_plain, 1.2)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
