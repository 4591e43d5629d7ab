"""The in-process Dagster chain vs the same step functions called directly, at 100k rows.

Target: ratio <= 1.2x. Both sides call the very functions the assets call (``mlplatform.steps``
and ``mlplatform.lifecycle``): read the landed file, validate it against the data contract, build
features, train and evaluate, log and register the model in MLflow (one run, same SQLite store
kind), decide the champion's reference, measure drift with its HTML report, and score the batch.
What the chain adds is Dagster: the event log, Parquet hand-offs between steps, resource setup,
and the champion decision's model loads.
"""

import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import mlflow

from churn.definitions import spec
from mlplatform import build_project_assets
from mlplatform.lifecycle.registry import log_trained_model
from mlplatform.orchestration.resources import local_tracking_uri, resources_for_dir
from mlplatform.steps.drift import measure_drift
from mlplatform.steps.features import build_feature_frame, training_rows
from mlplatform.steps.scoring import score_batch
from mlplatform.steps.training import drift_reference, train
from mlplatform.steps.validation import validate_raw
from mlplatform.storage.landing import LandingZone, write_batch

REPEATS = 3


def plain_script(data_dir: Path) -> float:
    mlflow.set_tracking_uri(local_tracking_uri(data_dir / "plain"))
    mlflow.set_experiment("plain")
    start = time.perf_counter()
    files = LandingZone(root=str(data_dir / "landing")).read_all(spec.name)
    broken = validate_raw(files, spec.data).broken
    assert not broken, broken
    [raw] = files.values()
    features, problems = build_feature_frame(spec, raw)
    assert not problems, problems
    trained = train(spec, training_rows(spec, features))
    reference = drift_reference(spec, trained)
    with mlflow.start_run():
        logged = log_trained_model(spec, trained, reference, {"project": spec.name})
    result = measure_drift(spec, reference, raw)
    result.save_html(data_dir / "plain-report.html")
    score_batch(spec, trained.estimator, raw, logged.version)
    return time.perf_counter() - start


def dagster_chain(data_dir: Path, instance: dg.DagsterInstance) -> float:
    start = time.perf_counter()
    result = dg.materialize(
        build_project_assets(spec), resources=resources_for_dir(spec, data_dir), instance=instance
    )
    assert result.success
    return time.perf_counter() - start


def main(rows: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp, dg.instance_for_test() as instance:
        data_dir = Path(tmp)
        write_batch(data_dir / "landing" / spec.name, "warmup.csv", spec.generate(2000, 1, 0.0))
        dagster_chain(data_dir, instance)  # warm-up: imports, MLflow store creation
        plain_script(data_dir)
        (data_dir / "landing" / spec.name / "warmup.csv").unlink()
        write_batch(data_dir / "landing" / spec.name, "batch.csv", spec.generate(rows, 2, 0.0))
        plain, chain = [], []
        for _ in range(REPEATS):  # interleaved, so machine noise hits both sides alike
            plain.append(plain_script(data_dir))
            chain.append(dagster_chain(data_dir, instance))
    plain, chain = min(plain), min(chain)
    print(f"plain script, same functions, {rows} rows: {plain:.2f} s (best of {REPEATS})")
    print(f"in-process Dagster chain, {rows} rows:      {chain:.2f} s (best of {REPEATS})")
    print(f"ratio {chain / plain:.2f}x  (target <= 1.2x)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
