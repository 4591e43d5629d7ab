"""The in-process Dagster chain vs the same pure functions called directly, at 100k rows.

Target: ratio <= 1.2x. Both sides do the same work with the same functions: read the landed
file, run the raw-data rules, build features, train and evaluate, log and register the model in
MLflow (one run, same SQLite store kind), and compute the Evidently drift report with its HTML.
What the chain adds is Dagster: the event log, Parquet hand-offs between steps, resource setup.
"""

import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import mlflow

from churn.definitions import spec
from mlplatform import build_project_assets
from mlplatform.drift import compute_drift, sample_rows
from mlplatform.landing import LandingZone, write_batch
from mlplatform.registry import log_trained_model
from mlplatform.resources import local_tracking_uri, resources_for_dir
from mlplatform.training import train
from mlplatform.validation import check_min_rows, check_no_null_target, check_schema

REPEATS = 3


def plain_script(data_dir: Path) -> float:
    mlflow.set_tracking_uri(local_tracking_uri(data_dir / "plain"))
    mlflow.set_experiment("plain")
    start = time.perf_counter()
    files = LandingZone(root=str(data_dir / "landing")).read_all(spec.name)
    for rule in (
        check_schema(files, spec.raw_schema),
        check_no_null_target(files, spec.target),
        check_min_rows(files, spec.min_rows),
    ):
        assert rule.passed, rule.summary
    [raw] = files.values()
    features = spec.build_features(raw)
    trained = train(spec, features)
    reference = sample_rows(
        trained.split.x_train[list(spec.drift_columns)], spec.drift_sample_rows, spec.seed
    )
    with mlflow.start_run():
        log_trained_model(spec, trained, reference, {"project": spec.name})
    schema = {c: spec.raw_schema[c] for c in spec.drift_columns}
    result = compute_drift(reference, raw, schema, max_rows=spec.drift_sample_rows, seed=spec.seed)
    result.save_html(data_dir / "plain-report.html")
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
