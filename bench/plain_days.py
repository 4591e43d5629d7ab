"""The plain-Python baseline of a daily project's backfill: the functions the assets call, over
every landed day in one process, with no Dagster. Prints one JSON line of seconds.

Per day: read and validate the day's files, build its features from its window, then train once
on the latest days, log and register the model in MLflow, and per day measure drift, save and
publish the HTML report to MLflow, and score the day. Run in the location's own environment:
    code_locations/demand_forecasting/.venv/bin/python bench/plain_days.py DATA_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import mlflow
import pandas as pd
from mlflow_store import use_experiment

from demand_forecasting.definitions import spec
from mlplatform.lifecycle.published import publish_report
from mlplatform.lifecycle.registry import ModelRegistry, log_trained_model
from mlplatform.steps.drift import measure_drift
from mlplatform.steps.features import DayFrames, build_feature_frame, training_rows
from mlplatform.steps.scoring import score_batch
from mlplatform.steps.training import drift_reference, train
from mlplatform.steps.validation import validate_raw
from mlplatform.storage.landing import LandingZone


def main(data_dir: Path) -> None:
    landing = LandingZone(root=str(data_dir / "landing"))
    days = sorted({name[:10] for name in landing.read_all(spec.name)})
    uri = f"sqlite:///{data_dir / 'plain-mlflow.db'}"
    use_experiment(uri, "plain")
    registry = ModelRegistry(tracking_uri=uri, lock_dir=str(data_dir / "plain-locks"))
    start = time.perf_counter()
    raw, features = {}, {}
    for day in days:
        files = landing.read_all(spec.name, prefix=day, contract=spec.data)
        assert not validate_raw(files, spec.data).broken
        raw[day] = pd.concat(files.values(), ignore_index=True)
    windows = DayFrames(pd.concat(raw.values(), ignore_index=True), spec)  # as the assets split
    for day in days:
        features[day], problems = build_feature_frame(spec, windows.window(day), day)
        assert not problems
    trained = train(spec, training_rows(spec, pd.concat(features.values(), ignore_index=True)))
    reference = drift_reference(spec, trained)
    with mlflow.start_run():
        logged = log_trained_model(spec, trained, reference, {"project": spec.name})
    reports = data_dir / "plain-reports"
    for day in days:
        result = measure_drift(spec, reference, raw[day])
        path = result.save_html(reports / f"drift_report-{day}.html")
        publish_report(registry, "/plain/drift", path, day, {}, {"drift_share": result.share})
        score_batch(spec, trained.estimator, windows.window(day), logged.version, day)
    print(json.dumps({"days": len(days), "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
