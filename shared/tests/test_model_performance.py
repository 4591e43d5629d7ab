"""Live model performance: outcomes landed like data, joined with the logged predictions of the
version that made them, the WARN check and one retrain on decay, shadow scoring and live
promotion, and bad outcome files - on the demo project, real instance, MLflow and files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from demo_project import SPEC
from sensor_ticks import Ticks
from sklearn.metrics import roc_auc_score

from mlplatform import ProjectSpec, QualityGate, project_names
from mlplatform.cli import land_outcomes
from mlplatform.lifecycle.promotion import CHALLENGER, CHAMPION
from mlplatform.orchestration.automation import TRAINING_TAG, TRIGGER_TAG
from mlplatform.orchestration.drift_sensor import REASON_TAG
from mlplatform.orchestration.performance_sensor import LIVE_METRIC_TAG
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.steps.outcomes import decay_outcomes, validate_outcomes
from mlplatform.steps.performance import CHALLENGER_ROLE
from mlplatform.testing import check_evaluations, failure_text, materialization_metadata

NAMES = project_names(SPEC)
PERFORMANCE = [NAMES.model_performance]


def _land_outcomes(data_dir: Path, decay: float, spec: ProjectSpec = SPEC) -> Path:
    [path] = land_outcomes(spec, data_dir / "landing", data_dir / "assets", decay, 7, "csv")
    return path


def _log(data_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(data_dir / "assets" / SPEC.name / "prediction_log.parquet")


def _outcomes_dir(data_dir: Path) -> Path:
    path = data_dir / "landing" / SPEC.name / "outcomes"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_outcome_rules_name_file_column_and_ids() -> None:
    good = pd.DataFrame({"id": ["a", "b"], "converted": [True, False]})
    again = pd.DataFrame({"id": ["b", "c", "c"], "converted": [True, False, True]})
    typed = pd.DataFrame({"id": ["d"], "converted": ["yes"]})
    broken = validate_outcomes({"o1.csv": good, "o2.csv": again, "o3.csv": typed}, SPEC.data)
    text = "\n".join(broken.problems)
    assert "o2.csv: 1 ids in column 'id' appear more than once, e.g. ['c']" in text
    assert "o2.csv: 1 ids in column 'id' already have an outcome in o1.csv, e.g. ['b']" in text
    assert "o3.csv: column 'converted' has 'yes' in row 1: not booleans" in text
    assert not validate_outcomes({"o1.csv": good}, SPEC.data).broken

    flipped = decay_outcomes(good, "classification", "converted", 1.0, seed=1)
    assert flipped["converted"].tolist() == [False, True]
    prices = pd.DataFrame({"id": ["a"], "units": [10]})
    assert decay_outcomes(prices, "regression", "units", 0.5, seed=1)["units"].tolist() == [15]


def test_decayed_outcomes_give_expected_metrics_warn_and_retrain_once(
    land, run_chain, data_dir, instance
) -> None:
    land("batch_001.csv", rows=2000, seed=1)
    assert run_chain().success
    log = _log(data_dir)
    assert set(log["role"]) == {"champion"} and set(log["model_version"]) == {"1"}

    _land_outcomes(data_dir, decay=1.0)  # every label flipped: a known decay
    sensor = Ticks(SPEC, NAMES.outcomes_sensor, data_dir, instance)
    [request] = sensor.tick().run_requests
    assert request.tags[TRIGGER_TAG] == "outcomes"
    assert not sensor.tick().run_requests, "the same outcome file must not run twice"

    result = run_chain(PERFORMANCE)
    assert result.success, failure_text(result)
    meta = materialization_metadata(result, NAMES.model_performance)
    truth = pd.read_csv(data_dir / "landing" / SPEC.name / "batch_001.csv")
    served_auc = roc_auc_score(truth["converted"], log.sort_values("id")["probability"])
    assert meta["live/roc_auc"] == pytest.approx(1 - served_auc)
    assert meta["live_rows"] == 2000 and meta["champion_version"] == "1"
    assert meta["unknown_outcome_ids"] == 0 and meta["waiting_outcomes"] == 0
    assert {"live/accuracy", "live/precision", "live/recall", "live/f1"} <= set(meta)
    live_check = check_evaluations(result)[NAMES.checks.live_gate]
    assert not live_check.passed and live_check.severity == dg.AssetCheckSeverity.WARN
    assert "live roc_auc=" in live_check.description

    retrain = Ticks(SPEC, NAMES.performance_sensor, data_dir, instance)
    [request] = retrain.tick().run_requests
    assert request.job_name == NAMES.retrain_job
    assert request.tags[TRIGGER_TAG] == "performance" and request.tags[TRAINING_TAG] == "demo"
    assert request.tags[LIVE_METRIC_TAG] == f"roc_auc={1 - served_auc:.4f}"
    assert "below roc_auc >= 0.7" in request.tags[REASON_TAG]
    # Recomputed on the same champion, still below: the same decay does not retrain again.
    assert run_chain(PERFORMANCE).success
    assert not retrain.tick().run_requests

    from mlplatform.testing import mlflow_runs

    [run] = [r for r in mlflow_runs(_tracking(data_dir), SPEC.experiment_name) if r.data.params]
    assert run.data.metrics["live_roc_auc"] == pytest.approx(1 - served_auc)


def _tracking(data_dir: Path) -> str:
    from mlplatform.orchestration.resources import local_tracking_uri

    return local_tracking_uri(data_dir)


def test_bad_outcomes_wait_are_counted_or_refused_and_change_no_alias(
    land, run_chain, data_dir, instance
) -> None:
    batch = SPEC.generate(1000, 3)
    land("batch_001.csv", rows=1000, seed=3)
    outcomes = _outcomes_dir(data_dir)
    unknown = pd.DataFrame({"id": [f"X-{i}" for i in range(5)], "converted": [True] * 5})
    early = pd.concat([batch[["id", "converted"]].head(300), unknown], ignore_index=True)
    early.to_csv(outcomes / "o1.csv", index=False)

    sensor = Ticks(SPEC, NAMES.outcomes_sensor, data_dir, instance)
    waiting = sensor.tick()
    assert not waiting.run_requests and "no predictions yet" in waiting.skip_message

    first = run_chain()
    assert first.success, failure_text(first)
    meta = materialization_metadata(first, NAMES.model_performance)
    assert (meta["unknown_outcome_ids"], meta["matched_outcomes"]) == (5, 300)
    ids_check = check_evaluations(first)[NAMES.checks.outcome_ids]
    assert not ids_check.passed and "5 of 305 outcomes have ids never landed" in (
        ids_check.description
    )
    assert len(sensor.tick().run_requests) == 1, "predictions exist now: the file is used"

    from mlplatform.lifecycle.registry import ModelRegistry

    registry: ModelRegistry = resources_for_dir(SPEC, data_dir)["registry"]
    aliases = (
        registry.alias_version("demo", CHAMPION),
        registry.alias_version("demo", CHALLENGER),
    )
    bad_files = {
        "o2.csv": batch[["id", "converted"]].iloc[250:400],  # 50 ids already in o1.csv
        "o3.csv": batch[["id"]].iloc[500:510].assign(converted="yes"),
    }
    for name, frame in bad_files.items():
        path = outcomes / name
        frame.to_csv(path, index=False)
        before = path.read_bytes()
        refused = run_chain(PERFORMANCE)
        assert not refused.success
        text = failure_text(refused)
        assert name in text and "outcomes rejected" in text
        assert path.read_bytes() == before
        path.unlink()
        assert (
            registry.alias_version("demo", CHAMPION),
            registry.alias_version("demo", CHALLENGER),
        ) == aliases
    assert "already have an outcome in o1.csv" in text or "column 'converted'" in text


def make_weak_model(project):
    """Usage only: passes the lowered gate, loses to the full model on held-out rows."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    columns = ColumnTransformer([("usage", "passthrough", ["usage"])])
    return Pipeline([("columns", columns), ("model", LogisticRegression(max_iter=300))])


LIVE = dataclasses.replace(SPEC, gate=QualityGate("roc_auc", 0.6, live_promotion_rows=300))
WEAK = dataclasses.replace(LIVE, model=dataclasses.replace(LIVE.model, make_model=make_weak_model))


@pytest.mark.parametrize(("decay", "promoted"), [(0.0, True), (1.0, False)])
def test_shadow_challenger_promoted_only_when_better_on_live_outcomes(
    land, run_chain, data_dir, instance, decay, promoted
) -> None:
    """A held-out winner waits for live outcomes; truth as generated makes the full model better
    live (promoted), every label flipped makes it worse live (kept)."""
    land("batch_001.csv", rows=2000, seed=1)
    first = [*NAMES.training_keys, NAMES.raw_data, NAMES.features, NAMES.predictions]
    assert run_chain(first, project=WEAK).success  # v1 (weak) champion, batch 1 logged
    waiting = run_chain([NAMES.model, NAMES.champion], project=LIVE)  # v2 (full) challenger
    meta = materialization_metadata(waiting, NAMES.champion)
    assert meta["promoted"] is False and "0 live outcomes scored by both" in meta["reason"]

    land("batch_002.csv", rows=2000, seed=2)
    scored = run_chain([NAMES.raw_data, NAMES.predictions], project=LIVE)
    assert materialization_metadata(scored, NAMES.predictions)["shadow_model_version"] == "2"
    log = _log(data_dir)
    shadow = log[log["role"] == CHALLENGER_ROLE]
    assert set(shadow["model_version"]) == {"2"} and len(shadow) == 2000

    _land_outcomes(data_dir, decay, LIVE)
    performance = run_chain(PERFORMANCE, project=LIVE)
    perf = materialization_metadata(performance, NAMES.model_performance)
    assert perf["shadow_rows"] == 2000 and perf["challenger_version"] == "2"
    better = perf["shadow/challenger_roc_auc"] > perf["shadow/champion_roc_auc"]
    assert better is promoted

    requests = Ticks(LIVE, NAMES.performance_sensor, data_dir, instance).tick().run_requests
    jobs = sorted(r.job_name for r in requests)
    # Every label flipped also sinks the champion below the gate: that one retrains as well.
    assert jobs == [NAMES.promotion_job] if promoted else [NAMES.promotion_job, NAMES.retrain_job]
    decision = materialization_metadata(run_chain([NAMES.champion], project=LIVE), NAMES.champion)
    assert decision["promoted"] is promoted, decision["reason"]
    assert decision["live_rows"] == 2000
    assert decision["challenger_live_roc_auc"] == pytest.approx(perf["shadow/challenger_roc_auc"])
    from mlplatform.testing import model_versions

    [v2] = [v for v in model_versions(_tracking(data_dir), "demo") if str(v.version) == "2"]
    assert v2.tags["promotion.promoted"] == str(promoted)
    assert float(v2.tags["promotion.champion_live_score"]) == pytest.approx(
        perf["shadow/champion_roc_auc"]
    )


def test_scoring_again_logs_and_shadow_scores_only_ids_new_to_the_log(
    land, run_chain, data_dir
) -> None:
    """Ids already in the log are neither logged again nor shadow-scored; new ones get the
    challenger's prediction of their own row."""
    from mlplatform.lifecycle.registry import ModelRegistry
    from mlplatform.steps.scoring import score_batch

    land("batch_001.csv", rows=2000, seed=1)
    first = [*NAMES.training_keys, NAMES.raw_data, NAMES.features, NAMES.predictions]
    assert run_chain(first, project=WEAK).success  # v1 champion, batch 1 logged
    assert run_chain([NAMES.model, NAMES.champion], project=LIVE).success  # v2 challenger
    again = run_chain([NAMES.predictions], project=LIVE)
    meta = materialization_metadata(again, NAMES.predictions)
    assert (meta["shadow_model_version"], meta["newly_logged_rows"]) == ("2", 0)
    assert CHALLENGER_ROLE not in set(_log(data_dir)["role"])

    new = pd.read_csv(land("batch_003.csv", rows=500, seed=3))
    scored = run_chain([NAMES.raw_data, NAMES.predictions], project=LIVE)
    assert materialization_metadata(scored, NAMES.predictions)["newly_logged_rows"] == 500
    log = _log(data_dir)
    shadow = log[log["role"] == CHALLENGER_ROLE].set_index("id")
    assert len(log) == 2000 + 2 * 500 and set(shadow.index) == set(new["id"])
    v2 = ModelRegistry(tracking_uri=_tracking(data_dir), lock_dir=str(data_dir)).load_model(
        LIVE.registered_model_name, "2"
    )
    expected = score_batch(LIVE, v2, new, "2")
    got = shadow.loc[expected["id"], "probability"].to_numpy()
    assert got == pytest.approx(expected["probability"].to_numpy())


def test_daily_outcomes_are_judged_per_day(data_dir, instance) -> None:
    """A daily project's outcomes are named by the day of their predictions; the sensor waits
    for that day's predictions, then model_performance of that day joins them."""
    from demo_project import DAILY

    from mlplatform.cli import main
    from mlplatform.storage.landing import write_batch
    from mlplatform.testing import materialize_project, materialize_whole_chain

    names = project_names(DAILY)
    days = ["2026-03-01", "2026-03-02", "2026-03-03"]
    for seed, day in enumerate(days, start=1):
        write_batch(
            data_dir / "landing" / DAILY.name, f"{day}.csv", DAILY.generate(400, seed, day=day)
        )
    sensor = Ticks(DAILY, names.outcomes_sensor, data_dir, instance)
    early = data_dir / "landing" / DAILY.name / "outcomes" / "2026-03-02-early.csv"
    early.parent.mkdir(parents=True)
    DAILY.generate(400, 2, day="2026-03-02")[["id", "converted"]].head(50).to_csv(
        early, index=False
    )
    assert "no predictions for 2026-03-02 yet" in sensor.tick().skip_message
    early.unlink()

    chain = materialize_whole_chain(DAILY, data_dir, instance, days)
    assert chain.success, chain.failures()
    argv = ["land", "--outcomes", "--decay", "0", "--seed", "3", "--date", days[-1]]
    argv += ["--landing-dir", str(data_dir / "landing"), "--asset-dir", str(data_dir / "assets")]
    assert main(DAILY, argv) == 0
    [landed] = sorted((data_dir / "landing" / DAILY.name / "outcomes").iterdir())
    assert landed.name.startswith(f"{days[-1]}-outcomes-")

    [request] = sensor.tick().run_requests
    assert request.partition_key == days[-1]
    result = materialize_project(DAILY, data_dir, instance, [names.model_performance], days[-1])
    assert result.success, failure_text(result)
    meta = materialization_metadata(result, names.model_performance)
    assert meta["live_rows"] == 400 and meta["outcomes"] == 400
    assert meta["live/roc_auc"] > DAILY.gate.floor
    assert check_evaluations(result)[names.checks.live_gate].passed


@pytest.mark.parametrize(
    "ids",
    [
        pd.Series(["a", "b", "c"]),
        pd.Series([10, 20, 30]),
        pd.Series([1.0, 2.5, 3.0]),
        pd.Series(["a", 2, None], dtype=object),
        pd.Series(pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-03"])),
    ],
    ids=["strings", "ints", "floats", "mixed-objects", "dates"],
)
def test_ids_are_matched_against_the_log_as_astype_str_spells_them(ids) -> None:
    """The log stores ids as text: a raw id is logged when its ``astype(str)`` text is there,
    whatever its type, and the Arrow comparison spells every id the same way."""
    import pyarrow as pa

    from mlplatform.steps.performance import id_text, log_id_column, unlogged

    column = log_id_column(SPEC)
    text = ids.astype(str)
    assert id_text(ids).to_pylist() == text.tolist()
    logged = pa.chunked_array([pa.array(text.iloc[[0, 2]].tolist())])
    scored = pd.DataFrame({column: ids})
    assert unlogged(SPEC, logged, scored).tolist() == [False, True, False]
    assert unlogged(SPEC, None, scored).tolist() == [True, True, True]


def test_regression_metrics_and_baseline() -> None:
    """MAE, RMSE and the live baseline (the median truth) for a regressor's joined rows."""
    from mlplatform.steps.performance import frame_metrics

    regression = dataclasses.replace(
        SPEC,
        model=dataclasses.replace(SPEC.model, task="regression"),
        gate=QualityGate("mae_vs_baseline", 0.7, higher_is_better=False),
    )
    rows = pd.DataFrame({"converted": [1.0, 2.0, 3.0, 6.0], "prediction": [1.0, 2.0, 4.0, 4.0]})
    scores = frame_metrics(regression, rows)
    assert scores["mae"] == pytest.approx(0.75)
    assert scores["rmse"] == pytest.approx((5 / 4) ** 0.5)
    assert scores["baseline_mae"] == pytest.approx(1.5)  # median 2.5
    assert scores["mae_vs_baseline"] == pytest.approx(0.5)


def test_the_performance_sensor_reads_past_evaluations_without_outcomes(
    tmp_path: Path, instance
) -> None:
    """Every predictions run makes a model_performance materialization, mostly with no outcomes
    yet; more of them than one tick reads (100) must not hide the judged one behind them."""
    from mlplatform.orchestration.assets.model_performance import (
        CHAMPION_VERSION_KEY,
        LIVE_PREFIX,
        LIVE_ROWS_KEY,
    )

    def report(metadata: dict) -> None:
        event = dg.AssetMaterialization(asset_key=NAMES.model_performance, metadata=metadata)
        instance.report_runless_asset_event(event)

    for _ in range(150):
        report({"outcomes": 0})
    rows = SPEC.lifecycle.performance_min_rows
    decayed = {
        CHAMPION_VERSION_KEY: "1",
        LIVE_ROWS_KEY: rows,
        f"{LIVE_PREFIX}{SPEC.gate.metric}": 0.1,
    }
    report(decayed)

    sensor = Ticks(SPEC, NAMES.performance_sensor, tmp_path, instance)
    first = sensor.tick()
    assert not first.run_requests, "the first tick reads only the 100 oldest evaluations"
    [retrain] = sensor.tick().run_requests
    assert retrain.tags[TRIGGER_TAG] == "performance"
    assert LIVE_METRIC_TAG in retrain.tags
    assert not sensor.tick().run_requests
