"""Adopted training scripts (``ModelSpec.legacy``) run through subprocess Pipes on the demo
project: a script that works becomes the champion like any model; a script that exits non-zero,
hangs past its timeout, writes no model or unreadable metrics fails the model asset with its last
stderr lines, registers nothing, keeps the champion and leaves no process behind."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from demo_project import SPEC

from mlplatform import LegacyTraining, ModelSpec, project_names
from mlplatform.lifecycle.promotion import CHAMPION
from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.resources import local_tracking_uri
from mlplatform.storage.landing import write_batch
from mlplatform.testing import (
    failure_text,
    materialization_metadata,
    materialize_project,
    model_versions,
)

NAMES = project_names(SPEC)
# One worker runs this file: its tests share one trained champion (``with_champion``).
pytestmark = pytest.mark.xdist_group("legacy")
# A team's script in miniature: argv is MODE INPUT OUTPUT_DIR PID_FILE; MODE picks a failure.
SCRIPT = """\
import json, os, subprocess, sys, time
from pathlib import Path

mode, source, out, pid_file = sys.argv[1:]
out = Path(out)
print(f"loading {source}", flush=True)
if mode == "crash":
    print("Traceback (most recent call last):", file=sys.stderr)
    print("KeyError: 'monthly_income'", file=sys.stderr, flush=True)
    sys.exit(3)
if mode == "hang":
    child = subprocess.Popen(["sleep", "300"])
    Path(pid_file).write_text(f"{os.getpid()} {child.pid}")
    print("waiting for the warehouse", file=sys.stderr, flush=True)
    time.sleep(300)

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

frame = pd.read_csv(source)
x, y = frame.drop(columns=["converted"]), frame["converted"]
numeric = [c for c in x.columns if c != "plan"]
model = Pipeline([
    ("pre", ColumnTransformer([("n", StandardScaler(), numeric),
                               ("c", OneHotEncoder(handle_unknown="ignore"), ["plan"])])),
    ("clf", LogisticRegression(max_iter=500)),
]).fit(x, y)
auc = roc_auc_score(y, model.predict_proba(x)[:, 1])
if mode != "no_model":
    joblib.dump(model, out / "model.joblib")
else:
    print("skipping model: disk quota", file=sys.stderr)
metrics = "{roc_auc: oops" if mode == "bad_metrics" else json.dumps({"roc_auc": auc, "n": len(x)})
(out / "metrics.json").write_text(metrics)
print(f"done roc_auc={auc:.3f}", flush=True)
"""


def legacy_project(root: Path) -> Path:
    """A legacy project folder whose ``.venv/bin/python`` is this interpreter (it has sklearn)."""
    (root / ".venv/bin").mkdir(parents=True)
    python = root / ".venv/bin/python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (root / "train.py").write_text(SCRIPT)
    return root


def adopted(root: Path, mode: str, timeout: float = 120.0):
    legacy = LegacyTraining(
        project_dir=str(root),
        image="unused:dev",
        script="train.py",
        arguments=(mode, "{input}", "{output_dir}", str(root / "pids")),
        timeout_seconds=timeout,
    )
    model = dataclasses.replace(SPEC.model, make_model=None, legacy=legacy)
    return dataclasses.replace(SPEC, model=model)


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its (re)parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def champion_version(data_dir: Path) -> str | None:
    registry = ModelRegistry(tracking_uri=local_tracking_uri(data_dir), lock_dir=str(data_dir))
    return registry.alias_version(SPEC.registered_model_name, CHAMPION)


@pytest.fixture(scope="module")
def with_champion(tmp_path_factory) -> Iterator[tuple[Path, dg.DagsterInstance, Path]]:
    """A data dir whose champion (version 1) was trained by the working script."""
    data_dir = tmp_path_factory.mktemp("legacy") / "data"
    root = legacy_project(data_dir.parent / "team_project")
    write_batch(data_dir / "landing" / SPEC.name, "b1.csv", SPEC.generate(1500, 1, 0.0))
    with dg.instance_for_test() as instance:
        train = [NAMES.raw_data, NAMES.features, NAMES.model, NAMES.champion]
        result = materialize_project(adopted(root, "ok"), data_dir, instance, train)
        assert result.success, failure_text(result)
        yield data_dir, instance, root


def test_a_working_script_trains_the_champion(with_champion) -> None:
    data_dir, instance, _ = with_champion
    tracking_uri = local_tracking_uri(data_dir)
    [version] = model_versions(tracking_uri, SPEC.registered_model_name)
    assert version.tags["quality_gate"] == "passed"
    assert champion_version(data_dir) == "1"
    [run] = instance.get_runs(limit=1)
    logs = [e.message for e in instance.all_logs(run.run_id)]
    assert any(m.startswith("[demo train.py stdout] done roc_auc=") for m in logs), logs
    assert not list((data_dir / "legacy").iterdir()), "the run's work dir is removed"


@pytest.mark.parametrize(
    ("mode", "timeout", "expected"),
    [
        ("crash", 120.0, ["exited with code 3", "KeyError: 'monthly_income'"]),
        ("hang", 6.0, ["ran past its timeout of 6 s", "waiting for the warehouse"]),
        ("no_model", 120.0, ["wrote no model file", "model.joblib", "disk quota"]),
        ("bad_metrics", 120.0, ["metrics.json is not valid JSON", "loading "]),
    ],
)
def test_a_failing_script_fails_the_model_and_keeps_the_champion(
    with_champion, mode: str, timeout: float, expected: list[str]
) -> None:
    data_dir, instance, root = with_champion
    tracking_uri = local_tracking_uri(data_dir)
    before = len(model_versions(tracking_uri, SPEC.registered_model_name))

    result = materialize_project(
        adopted(root, mode, timeout), data_dir, instance, [NAMES.model, NAMES.champion]
    )

    assert not result.success
    message = failure_text(result)
    for text in expected:
        assert text in message, message
    assert len(model_versions(tracking_uri, SPEC.registered_model_name)) == before
    assert champion_version(data_dir) == "1"
    assert not list((data_dir / "legacy").iterdir()), "the run's work dir is removed"
    if mode == "hang":
        pids = [int(pid) for pid in (root / "pids").read_text().split()]
        assert not [pid for pid in pids if running(pid)], "the script and its child are stopped"


def test_the_asset_names_where_the_model_comes_from(with_champion) -> None:
    data_dir, instance, root = with_champion
    result = materialize_project(adopted(root, "ok"), data_dir, instance, [NAMES.model])
    metadata = materialization_metadata(result, NAMES.model)
    assert metadata["legacy/script"] == "train.py"
    assert metadata["legacy/metrics_from"] == "metrics.json"
    assert metadata["metric/n"] == 1500.0


def test_a_model_spec_trains_in_process_or_by_a_script_not_both() -> None:
    legacy = adopted(Path("/nowhere"), "ok").model.legacy
    with pytest.raises(ValueError, match="exactly one of make_model and legacy"):
        ModelSpec("classification", ("a",), SPEC.model.build_features, legacy=None)
    with pytest.raises(ValueError, match="exactly one of make_model and legacy"):
        dataclasses.replace(SPEC.model, legacy=legacy)
    with pytest.raises(ValueError, match=r"must pass \{output_dir\}"):
        dataclasses.replace(legacy, arguments=("--input", "{input}"))


def test_a_script_is_run_with_its_arguments_filled_in() -> None:
    from mlplatform.steps.legacy import script_arguments

    legacy = adopted(Path("/p"), "ok").model.legacy
    assert script_arguments(legacy, "/w/input.csv", "/w/output") == [
        "ok",
        "/w/input.csv",
        "/w/output",
        "/p/pids",
    ]
    assert legacy.python == "/p/.venv/bin/python"
