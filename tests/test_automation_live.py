"""The automation loop with real processes: churn's code server (its container command, its own
venv) and a real `dagster-daemon` on 127.0.0.1, SQLite instance in a temp DAGSTER_HOME, sensors
every 5 s. Nobody launches a run: files land, and the platform reacts."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from .live_loop import TRIGGER_TAG, live_loop

TIMEOUT = 420  # per stage; each run imports scikit-learn, MLflow and Evidently (~10 s here)

pytestmark = pytest.mark.slow


def _registered_versions(python: str, env: dict[str, str]) -> dict[str, str]:
    """{version: dagster_run_id tag} from churn's MLflow registry, read with churn's MLflow."""
    code = (
        "import json, mlflow; c = mlflow.MlflowClient(); "
        "print(json.dumps({str(v.version): v.tags.get('dagster_run_id') "
        "for v in c.search_model_versions(\"name='churn'\")}))"
    )
    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_landing_and_drift_drive_the_platform_by_themselves(root: Path, tmp_path: Path) -> None:
    with live_loop(root, tmp_path, "churn", sensor_interval=5) as loop:
        landed_at = time.time()
        loop.land(rows=2000, seed=1)
        raw = loop.wait_for_materialization("raw_data", landed_at, TIMEOUT, "landing")
        loop.wait_for_materialization("features", landed_at, TIMEOUT)
        first_model = loop.wait_for_materialization("model", landed_at, TIMEOUT)
        clean = loop.wait_for_materialization("drift_report", landed_at, TIMEOUT)
        assert (
            loop.instance.get_run_by_id(raw.run_id)
            .tags["mlplatform/landed_files"]
            .startswith("batch-")
        )
        clean_share = clean.asset_materialization.metadata["drift_share"].value
        assert clean_share < 0.3

        drifted_at = time.time()
        loop.land(rows=6000, seed=2, drift=1.0)
        loop.wait_for_materialization("raw_data", drifted_at, TIMEOUT, "landing")
        drifted = loop.wait_for_materialization("drift_report", drifted_at, TIMEOUT)
        assert drifted.asset_materialization.metadata["drift_share"].value >= 0.3
        retrain = loop.wait_for_materialization("model", drifted_at, TIMEOUT, "drift")
        # Nothing checked below comes later: stopped before the new champion's automation
        # launches another drift report and predictions run (about 14 s of CPU).
        loop.stop_daemon()
        retrain_run = loop.instance.get_run_by_id(retrain.run_id)
        assert retrain_run.tags["mlplatform/drift_report_run"] == drifted.run_id
        assert retrain_run.tags["mlplatform/training"] == "churn"
        assert retrain.asset_materialization.metadata["model_version"].value == "2"

        versions = _registered_versions(loop.python, loop.env)
        assert versions == {"1": first_model.run_id, "2": retrain.run_id}
        # Every run was started by the platform (sensors, automation), none by hand.
        triggers = {run.tags.get(TRIGGER_TAG) for run in loop.runs()}
        assert triggers <= {"landing", "automation", "drift"}, triggers
        assert sum(1 for r in loop.runs() if r.tags.get(TRIGGER_TAG) == "drift") == 1
