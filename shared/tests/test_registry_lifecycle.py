"""Champion/challenger promotion, rollback, predictions and lineage on a real SQLite registry."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from demo_project import SPEC

from mlplatform import QualityGate, project_names
from mlplatform.lifecycle.promotion import CHAMPION, PREVIOUS, promote
from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.jobs import build_rollback_job
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.testing import materialization_metadata

# A lower gate, so that a weaker model still passes it and the comparison decides.
spec = dataclasses.replace(SPEC, gate=QualityGate("roc_auc", 0.6))
NAME = spec.registered_model_name
NAMES = project_names(spec)
RAW, FEATURES, MODEL = NAMES.raw_data, NAMES.features, NAMES.model
CHAMPION_KEY, DRIFT, PREDICTIONS = NAMES.champion, NAMES.drift_report, NAMES.predictions
TRAIN_AND_PROMOTE = [RAW, FEATURES, MODEL, CHAMPION_KEY]
HERE = Path(__file__).resolve().parent


def make_weak_model(project):
    """Usage only: passes the lowered gate, loses to the full model."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    columns = ColumnTransformer([("usage", "passthrough", ["usage"])])
    return Pipeline([("columns", columns), ("model", LogisticRegression(max_iter=300))])


STRONG = spec
WEAK = dataclasses.replace(spec, model=dataclasses.replace(spec.model, make_model=make_weak_model))


@pytest.fixture
def registry(data_dir: Path) -> ModelRegistry:
    return resources_for_dir(spec, data_dir)["registry"]


@pytest.fixture
def rollback(data_dir: Path, instance: dg.DagsterInstance):
    job = dg.Definitions(
        jobs=[build_rollback_job(spec, NAMES)], resources=resources_for_dir(spec, data_dir)
    ).resolve_job_def(NAMES.rollback_job)

    def _rollback(**config: str) -> dg.ExecuteInProcessResult:
        return job.execute_in_process(
            run_config={"ops": {NAMES.rollback_op: {"config": config}}},
            instance=instance,
            raise_on_error=False,
        )

    return _rollback


def test_first_promoted_worse_kept_better_promoted_tie_kept(land, run_chain, registry) -> None:
    land("batch_001.csv", rows=3000)

    first = run_chain(TRAIN_AND_PROMOTE, project=WEAK)
    assert first.success
    assert materialization_metadata(first, CHAMPION_KEY)["promoted"] is True
    assert "no champion yet" in materialization_metadata(first, CHAMPION_KEY)["reason"]
    assert registry.alias_version(NAME, CHAMPION) == "1"
    assert registry.alias_version(NAME, PREVIOUS) is None

    better = run_chain(TRAIN_AND_PROMOTE, project=STRONG)
    decision = materialization_metadata(better, CHAMPION_KEY)
    assert decision["promoted"] is True and decision["model_version"] == "2"
    assert decision["challenger_roc_auc"] > decision["champion_roc_auc"]
    assert (registry.alias_version(NAME, CHAMPION), registry.alias_version(NAME, PREVIOUS)) == (
        "2",
        "1",
    )

    worse = run_chain(TRAIN_AND_PROMOTE, project=WEAK)
    decision = materialization_metadata(worse, CHAMPION_KEY)
    assert worse.success and decision["promoted"] is False
    assert decision["model_version"] == "2" and decision["challenger_version"] == "3"
    assert registry.alias_version(NAME, CHAMPION) == "2"

    tie = run_chain(TRAIN_AND_PROMOTE, project=STRONG)  # same data, same seed: equal scores
    decision = materialization_metadata(tie, CHAMPION_KEY)
    assert decision["challenger_roc_auc"] == decision["champion_roc_auc"]
    assert decision["promoted"] is False and "champion kept" in decision["reason"]
    assert registry.alias_version(NAME, CHAMPION) == "2"
    assert registry.alias_version(NAME, "challenger") == "4"

    tags = registry.client().get_model_version(NAME, "3").tags
    assert tags["promotion.promoted"] == "False"
    assert tags["promotion.champion_version"] == "2"
    assert float(tags["promotion.challenger_score"]) == pytest.approx(
        materialization_metadata(worse, CHAMPION_KEY)["challenger_roc_auc"]
    )
    run = registry.client().get_run(registry.client().get_model_version(NAME, "3").run_id)
    trail = {key: value for key, value in tags.items() if key.startswith("promotion.")}
    assert len(trail) == 10 and "promotion.reason" in trail
    assert {k: v for k, v in run.data.tags.items() if k.startswith("promotion.")} == trail


def test_rollback_restores_previous_and_predictions_follow(
    land, run_chain, registry, rollback
) -> None:
    land("batch_001.csv", rows=3000)
    assert run_chain(TRAIN_AND_PROMOTE, project=WEAK).success
    assert run_chain(TRAIN_AND_PROMOTE, project=STRONG).success
    served = run_chain([PREDICTIONS, DRIFT], project=STRONG)
    assert materialization_metadata(served, PREDICTIONS)["model_version"] == "2"
    assert materialization_metadata(served, DRIFT)["model_version"] == "2"

    result = rollback(reason="recall dropped on segment B", requested_by="alice")

    assert result.success
    assert registry.alias_version(NAME, CHAMPION) == "1"
    assert registry.alias_version(NAME, PREVIOUS) == "2"
    [audit] = [e for e in result.get_asset_materialization_events()]
    meta = {k: v.value for k, v in audit.materialization.metadata.items()}
    assert audit.asset_key == CHAMPION_KEY
    assert meta["requested_by"] == "alice" and meta["reason"] == "recall dropped on segment B"
    assert (meta["rolled_back_from"], meta["model_version"]) == ("2", "1")
    assert registry.client().get_model_version(NAME, "2").tags["rollback.requested_by"] == "alice"

    after = run_chain([PREDICTIONS, DRIFT], project=STRONG)
    assert materialization_metadata(after, PREDICTIONS)["model_version"] == "1"
    assert materialization_metadata(after, DRIFT)["model_version"] == "1"
    frame = pd.read_parquet(materialization_metadata(after, PREDICTIONS)["path"])
    assert set(frame["model_version"]) == {"1"} and len(frame) == 3000
    assert {"id", "prediction", "probability"} <= set(frame.columns)


def test_bad_rollback_requests_change_nothing(land, run_chain, registry, rollback) -> None:
    land("batch_001.csv", rows=3000)
    assert run_chain(TRAIN_AND_PROMOTE, project=STRONG).success

    no_previous = rollback(reason="x", requested_by="bob")
    unknown = rollback(reason="x", requested_by="bob", to_version="99")
    same = rollback(reason="x", requested_by="bob", to_version="1")

    for result, text in (
        (no_previous, "no 'previous' champion recorded"),
        (unknown, "has no version '99'; champion unchanged"),
        (same, "v1 is already the champion"),
    ):
        assert not result.success
        [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert text in failure.step_failure_data.error.to_string()
    assert registry.alias_version(NAME, CHAMPION) == "1"
    assert not result.get_asset_materialization_events()


def test_rollback_one_line_command(land, run_chain, registry, data_dir, tmp_path) -> None:
    land("batch_001.csv", rows=3000)
    assert run_chain(TRAIN_AND_PROMOTE, project=WEAK).success
    assert run_chain(TRAIN_AND_PROMOTE, project=STRONG).success
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "MLPLATFORM_LANDING_DIR": str(data_dir / "landing"),
        "MLPLATFORM_ASSET_DIR": str(data_dir / "assets"),
        "MLPLATFORM_REPORT_DIR": str(data_dir / "reports"),
        "MLPLATFORM_LOCK_DIR": str(data_dir / "locks"),
        "MLFLOW_TRACKING_URI": registry.tracking_uri,
    }
    (tmp_path / "home").mkdir()
    # `python -m <project> rollback ...`, as a location runs it; the demo's module is here.
    command = [sys.executable, "-m", "demo_project", "rollback", "--reason", "hotfix"]
    command += ["--by", "carol"]
    run = {"env": env, "cwd": HERE, "capture_output": True, "text": True, "timeout": 300}

    done = subprocess.run(command, **run)
    again = subprocess.run(
        [*command[:-4], "--to-version", "7", "--reason", "r", "--by", "carol"], **run
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "rollback recorded in Dagster run" in done.stdout
    assert registry.alias_version(NAME, CHAMPION) == "1"
    assert again.returncode == 1 and "has no version '7'" in again.stderr
    assert registry.alias_version(NAME, CHAMPION) == "1"


def _register_versions(land, run_chain, count: int) -> None:
    land("batch_001.csv", rows=3000)
    assert run_chain(TRAIN_AND_PROMOTE, project=WEAK).success  # v1, champion
    for _ in range(count):
        assert run_chain([RAW, FEATURES, MODEL], project=STRONG).success  # challengers only


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "without-lock-control"])
def test_racing_promotions_leave_one_champion_and_a_consistent_log(
    land, run_chain, registry, locked, monkeypatch
) -> None:
    _register_versions(land, run_chain, count=2)  # v2 and v3, both better than v1
    if not locked:  # control: proves the test detects a lost update when nothing serializes
        monkeypatch.setattr(ModelRegistry, "lock", lambda self, name: nullcontext())
    scores = {"1": 0.70, "2": 0.80, "3": 0.85}
    start = threading.Barrier(2)
    decisions, errors = {}, {}

    def slow_score(version: str) -> float:
        time.sleep(0.3)  # widen the read-decide-write window
        return scores[version]

    def run(version: str) -> None:
        start.wait()
        try:
            decisions[version] = promote(registry, NAME, version, spec.gate, slow_score)
        except Exception as exc:  # unserialized alias writes can break MLflow's store itself
            errors[version] = exc

    threads = [threading.Thread(target=run, args=(v,)) for v in ("2", "3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ordered = sorted(decisions.values(), key=lambda d: d.decided_at)
    consistent = (
        not errors
        and ordered[0].champion_version == "1"
        and ordered[1].champion_version == ordered[0].champion_after
        and registry.alias_version(NAME, CHAMPION) == ordered[1].champion_after == "3"
    )
    if locked:
        assert consistent, (ordered, errors)
        promoted = [d for d in ordered if d.promoted]
        expected_previous = promoted[-1].champion_version
        assert registry.alias_version(NAME, PREVIOUS) == expected_previous
    else:
        assert not consistent, "without the lock both promotions compare against v1 (or fail)"


def test_lineage_tags_and_data_hash_changes_iff_data_changes(land, run_chain, registry) -> None:
    land("batch_001.csv", rows=3000)
    first = run_chain([RAW, FEATURES, MODEL], project=STRONG)
    second = run_chain([RAW, FEATURES, MODEL], project=STRONG)
    land("batch_002.csv", rows=500, seed=2)
    third = run_chain([RAW, FEATURES, MODEL], project=STRONG)

    client = registry.client()
    tags = {v: client.get_model_version(NAME, v).tags for v in ("1", "2", "3")}
    for version, result in zip(("1", "2", "3"), (first, second, third), strict=True):
        assert tags[version]["dagster_run_id"] == result.run_id
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?|unknown", tags[version]["code_version"])
        assert tags[version]["features"] == ",".join(spec.model.feature_columns)
        meta = materialization_metadata(result, MODEL)
        assert meta["lineage/training_data_hash"] == tags[version]["training_data_hash"]
    assert tags["1"]["training_data_hash"] == tags["2"]["training_data_hash"]
    assert tags["1"]["reference_data_hash"] == tags["2"]["reference_data_hash"]
    assert tags["3"]["training_data_hash"] != tags["2"]["training_data_hash"]
    assert tags["3"]["reference_data_hash"] != tags["2"]["reference_data_hash"]
