"""Daily partitions end to end on the daily demo: per-day raw data and features built from a
window of days, a model on the latest days, per-day drift and predictions, and a bad or empty day
that touches only its own partition."""

import pandas as pd
import pytest
from demo_project import DAILY

from mlplatform import ProjectSpec, project_names
from mlplatform.testing import (
    check_evaluations,
    failure_text,
    materialization_metadata,
    materialized_keys,
)

NAMES = project_names(DAILY)
DAYS = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
ROWS = 200


@pytest.fixture
def project_spec() -> ProjectSpec:
    return DAILY


def _land_days(land, days=DAYS, drift: float = 0.0) -> None:
    for day in days:
        land(f"{day}.csv", rows=ROWS, seed=1, drift=drift, day=day)


def _daily(run_chain, day: str):
    return run_chain([NAMES.raw_data, NAMES.features], partition_key=day)


def _stored_features(data_dir, day: str) -> pd.DataFrame:
    return pd.read_parquet(data_dir / "assets" / DAILY.name / "features" / f"{day}.parquet")


def test_partitions_materialize_one_day_at_a_time(land, run_chain, data_dir) -> None:
    _land_days(land)

    results = {day: _daily(run_chain, day) for day in DAYS[:3]}

    for day, result in results.items():
        assert result.success, failure_text(result)
        raw = materialization_metadata(result, NAMES.raw_data)
        assert raw["files"] == [f"{day}.csv"] and raw["dagster/row_count"] == ROWS
        checks = check_evaluations(result)
        assert {c.partition for c in checks.values()} == {day}
        assert all(c.passed for c in checks.values())
    stored = sorted(p.name for p in (data_dir / "assets" / DAILY.name / "features").iterdir())
    assert stored == [f"{day}.parquet" for day in DAYS[:3]]


def test_features_of_a_day_see_its_window_of_previous_days(land, run_chain, data_dir) -> None:
    """feature_window_days=3: a day's features are built from that day and the two before it,
    and only that day's rows are stored."""
    _land_days(land)
    for day in DAYS:
        assert _daily(run_chain, day).success

    seen = {day: _stored_features(data_dir, day) for day in DAYS}

    for day, frame in seen.items():
        assert set(frame["date"]) == {day} and len(frame) == ROWS
    assert {day: set(frame["history_days"]) for day, frame in seen.items()} == {
        "2026-03-01": {0},
        "2026-03-02": {1},
        "2026-03-03": {2},
        "2026-03-04": {2},  # 03-01 has left the window
    }


def test_windowed_model_then_per_day_drift_and_predictions(land, run_chain) -> None:
    _land_days(land)
    for day in DAYS:
        assert _daily(run_chain, day).success

    trained = run_chain(list(NAMES.training_keys))
    assert trained.success, failure_text(trained)
    window = DAILY.partitioning.training_window_days
    assert window < len(DAYS), "the model must train on the latest days only"
    model = materialization_metadata(trained, NAMES.model)
    kept = window * ROWS - model["repeated_rows_dropped"]
    assert model["train_rows"] + model["test_rows"] == kept
    assert model["test_rows"] == pytest.approx(kept * DAILY.model.test_fraction, rel=0.2)

    land("2026-03-05.csv", rows=ROWS, seed=1, drift=0.9, day="2026-03-05")
    later = run_chain(
        [NAMES.raw_data, NAMES.drift_report, NAMES.predictions], partition_key="2026-03-05"
    )
    assert later.success, failure_text(later)
    drift = materialization_metadata(later, NAMES.drift_report)
    assert drift["partition"] == "2026-03-05" and drift["current_rows"] == ROWS
    assert not check_evaluations(later)[NAMES.checks.drift].passed
    predictions = materialization_metadata(later, NAMES.predictions)
    assert predictions["dagster/row_count"] == ROWS and predictions["model_version"] == "1"


def test_a_day_without_raw_rows_is_an_explicit_empty_day(land, run_chain, data_dir) -> None:
    """A backfill (and automation) also requests the days whose window includes a landed day; one
    with no raw rows of its own is materialized empty, with the reason, so the backfill completes
    instead of counting a partition that nothing materialized as failed."""
    _land_days(land, DAYS[:2])
    for day in DAYS[:2]:
        assert _daily(run_chain, day).success

    empty = run_chain([NAMES.features, NAMES.predictions], partition_key=DAYS[2])

    assert not empty.success, "no champion yet: predictions must fail, not pretend"
    assert materialized_keys(empty) == {NAMES.features}
    features = materialization_metadata(empty, NAMES.features)
    assert features["dagster/row_count"] == 0
    assert features["empty_day"] == f"no raw rows landed for {DAYS[2]}: an empty day"
    assert check_evaluations(empty)[NAMES.checks.null_features].passed
    stored = data_dir / "assets" / DAILY.name / "features" / f"{DAYS[2]}.parquet"
    assert stored.exists()


def test_an_empty_day_after_training_gets_empty_predictions(land, run_chain) -> None:
    _land_days(land, DAYS[:3])
    for day in DAYS[:3]:
        assert _daily(run_chain, day).success
    assert run_chain(list(NAMES.training_keys)).success

    later = run_chain([NAMES.features, NAMES.predictions], partition_key=DAYS[3])

    assert later.success, failure_text(later)
    predictions = materialization_metadata(later, NAMES.predictions)
    assert predictions["dagster/row_count"] == 0
    assert predictions["empty_day"] == f"no raw rows landed for {DAYS[3]}"
    assert check_evaluations(later)[NAMES.checks.predictions].passed


def test_a_bad_day_fails_only_its_own_partition(land, landing_dir, run_chain) -> None:
    _land_days(land, DAYS[:2])
    DAILY.generate(ROWS, 1, 0.0, day="2026-03-03").drop(columns=["plan"]).to_csv(
        landing_dir / "2026-03-03.csv", index=False
    )

    good = _daily(run_chain, "2026-03-02")
    bad = _daily(run_chain, "2026-03-03")

    assert good.success
    assert not bad.success
    assert "2026-03-03.csv: missing column 'plan'" in failure_text(bad)
    assert not materialized_keys(bad)
    assert (landing_dir / "2026-03-03.csv").exists()


def _materialized_days(result, key) -> list[str]:
    return sorted(
        e.materialization.partition
        for e in result.get_asset_materialization_events()
        if e.asset_key == key
    )


def test_a_ranged_run_builds_each_day_as_its_own_run_would(land, run_chain, data_dir) -> None:
    """A backfill's ranged run: one run builds every day, each with its own stored file,
    materialization, metadata and checks, equal to what one run per day builds."""
    _land_days(land)

    ranged = run_chain([NAMES.raw_data, NAMES.features], partition_range=(DAYS[0], DAYS[-1]))

    assert ranged.success, failure_text(ranged)
    for key in (NAMES.raw_data, NAMES.features):
        assert _materialized_days(ranged, key) == DAYS
    files = {
        e.materialization.partition: e.materialization.metadata["files"].value
        for e in ranged.get_asset_materialization_events()
        if e.asset_key == NAMES.raw_data
    }
    assert files == {day: [f"{day}.csv"] for day in DAYS}
    evaluations = ranged.get_asset_check_evaluations()
    assert len(evaluations) == len(DAYS) * 5, "four raw checks and one feature check a day"
    assert {e.partition for e in evaluations} == set(DAYS)
    assert all(e.passed and e.target_materialization_data for e in evaluations)
    from_range = {day: _stored_features(data_dir, day) for day in DAYS}
    for day in DAYS:
        assert _daily(run_chain, day).success
        pd.testing.assert_frame_equal(from_range[day], _stored_features(data_dir, day))


def test_a_bad_day_in_a_range_fails_only_itself(land, landing_dir, run_chain, data_dir) -> None:
    bad_day = DAYS[2]
    _land_days(land, [d for d in DAYS if d != bad_day])
    bad_file = landing_dir / f"{bad_day}.csv"
    DAILY.generate(ROWS, 1, 0.0, day=bad_day).drop(columns=["plan"]).to_csv(bad_file, index=False)
    landed = bad_file.read_bytes()

    ranged = run_chain([NAMES.raw_data], partition_range=(DAYS[0], DAYS[-1]))

    assert not ranged.success
    message = failure_text(ranged)
    assert f"1 of {len(DAYS)} days failed" in message
    assert f"{bad_day}: {DAILY.name}/raw_data for {bad_day} rejected" in message
    assert f"{bad_day}.csv: missing column 'plan'" in message
    good = [d for d in DAYS if d != bad_day]
    assert _materialized_days(ranged, NAMES.raw_data) == good
    stored = sorted(p.stem for p in (data_dir / "assets" / DAILY.name / "raw_data").iterdir())
    assert stored == good
    schema = [
        e for e in ranged.get_asset_check_evaluations() if e.check_name == NAMES.checks.schema
    ]
    assert {e.partition: e.passed for e in schema} == {d: d != bad_day for d in DAYS}
    assert bad_file.read_bytes() == landed


def test_ranged_drift_reports_and_predictions(land, run_chain) -> None:
    _land_days(land)
    assert run_chain([NAMES.raw_data, NAMES.features], partition_range=(DAYS[0], DAYS[-1])).success
    assert run_chain(list(NAMES.training_keys)).success

    ranged = run_chain(
        [NAMES.drift_report, NAMES.predictions], partition_range=(DAYS[0], DAYS[-1])
    )

    assert ranged.success, failure_text(ranged)
    for key in (NAMES.drift_report, NAMES.predictions):
        assert _materialized_days(ranged, key) == DAYS
    for event in ranged.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if event.asset_key == NAMES.drift_report:
            assert metadata["partition"].value == event.materialization.partition
            assert metadata["current_rows"].value == ROWS
        else:
            assert metadata["dagster/row_count"].value == ROWS
    assert {e.partition for e in ranged.get_asset_check_evaluations()} == set(DAYS)
