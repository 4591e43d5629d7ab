"""Credit risk's whole chain in process, its training done by the team's unchanged
legacy/train_model.py in the legacy project's own interpreter (subprocess Pipes), and by the
opt-in train_model_pipes.py: real Dagster instance, real SQLite MLflow store, Evidently."""

from __future__ import annotations

import dataclasses

import mlflow
import pandas as pd
import pytest

from credit_risk.definitions import spec
from mlplatform import project_names
from mlplatform.testing import mlflow_runs, model_versions

NAMES = project_names(spec)
PIPES = dataclasses.replace(
    spec,
    model=dataclasses.replace(
        spec.model, legacy=dataclasses.replace(spec.model.legacy, script="train_model_pipes.py")
    ),
)


@pytest.mark.parametrize(
    ("project", "metrics_from"), [(spec, "metrics.json"), (PIPES, "dagster pipes")]
)
def test_whole_chain_trains_with_the_teams_script_and_scores_applicants(
    land, run_whole_chain, tracking_uri, instance, project, metrics_from
) -> None:
    land("batch_001.csv", rows=2000, seed=1)

    chain = run_whole_chain(project=project)

    assert chain.success, chain.failures()
    assert chain.materialized == set(NAMES.asset_keys)
    assert all(check.passed for check in chain.checks()), chain.failures()
    model = chain.metadata(NAMES.model)
    assert model["legacy/script"] == project.model.legacy.script
    assert model["legacy/runner"] == "subprocess"
    assert model["legacy/metrics_from"] == metrics_from
    assert model["legacy/model_file_name"] == "model.joblib"
    assert len(model["legacy/model_file_sha256"]) == 64
    assert model["metric/roc_auc"] >= spec.gate.floor
    assert model["lineage/training_data_hash"]
    [run] = mlflow_runs(tracking_uri, spec.experiment_name)
    assert run.info.status == "FINISHED"
    assert run.data.params["estimator"] == "Pipeline"
    [version] = model_versions(tracking_uri, spec.registered_model_name)
    assert version.tags["quality_gate"] == "passed"
    assert chain.metadata(NAMES.champion)["promoted"] is True
    mlflow.set_tracking_uri(tracking_uri)
    loaded = mlflow.pyfunc.load_model(f"models:/{spec.registered_model_name}@champion")
    assert len(loaded.predict(spec.model.build_features(spec.generate(10, 9, 0.0)))) == 10
    assert chain.metadata(NAMES.drift_report)["drift_share"] < spec.lifecycle.drift_threshold
    scored = pd.read_parquet(chain.metadata(NAMES.predictions)["path"])
    assert len(scored) == 2000 and set(scored["model_version"]) == {"1"}
    # The script's own output is in the run's log, line by line; the opt-in variant's Pipes
    # log lines too.
    logs = [e.message for e in instance.all_logs(chain.results[-1].run_id)]
    script_lines = [m for m in logs if f"[credit_risk {project.model.legacy.script} " in m]
    assert any("held-out metrics" in m for m in script_lines), logs
    if project is PIPES:
        assert any(m.startswith("trained on 2000 rows") for m in logs), logs


def test_quality_gate_blocks_a_model_below_the_floor(land, run_whole_chain) -> None:
    # ROC AUC never exceeds 1.
    strict = dataclasses.replace(spec, gate=dataclasses.replace(spec.gate, floor=1.01))
    land("batch_001.csv", rows=2000, seed=1)

    chain = run_whole_chain(project=strict)

    assert not chain.success
    [gate] = [c for c in chain.checks() if c.check_name == NAMES.checks.gate]
    assert not gate.passed
    assert NAMES.model in chain.materialized and NAMES.champion not in chain.materialized
