"""Real drift (Evidently on generated data) drives the drift sensor: a drifted batch requests one
retrain, tagged with the figure; a clean batch requests nothing."""

import dagster as dg
from mlplatform.orchestration.sensors import (
    DRIFT_REPORT_RUN_TAG,
    DRIFT_SHARE_TAG,
    drift_sensor_name,
)

from churn.definitions import spec
from mlplatform import build_definitions
from mlplatform.orchestration.automation import TRAINING_TAG, TRIGGER_TAG
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.testing import asset_keys, materialization_metadata

KEYS = asset_keys(spec)


def test_drifted_batch_requests_one_retrain(land, run_chain, instance, data_dir) -> None:
    defs = build_definitions(spec, resources=resources_for_dir(spec, data_dir))
    sensor = defs.resolve_sensor_def(drift_sensor_name(spec))

    def tick(cursor: str | None):
        context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        return sensor.evaluate_tick(context)

    land("batch_001.csv", rows=2000, seed=1)
    first = run_chain()
    assert first.success
    clean_share = materialization_metadata(first, KEYS["drift_report"])["drift_share"]
    assert clean_share < spec.lifecycle.drift_threshold
    clean = tick(None)
    assert not clean.run_requests

    land("batch_002.csv", rows=6000, seed=2, drift=1.0)
    drifted = run_chain([KEYS["raw_data"], KEYS["drift_report"]])
    assert drifted.success
    share = materialization_metadata(drifted, KEYS["drift_report"])["drift_share"]
    assert share >= spec.lifecycle.drift_threshold

    [retrain] = (after := tick(clean.cursor)).run_requests
    assert retrain.tags[TRIGGER_TAG] == "drift" and retrain.tags[TRAINING_TAG] == "churn"
    assert float(retrain.tags[DRIFT_SHARE_TAG]) == round(share, 4)
    assert retrain.tags[DRIFT_REPORT_RUN_TAG] == drifted.run_id
    assert not tick(after.cursor).run_requests
