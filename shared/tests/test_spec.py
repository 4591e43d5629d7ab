"""A spec that could not build a working project is refused when the location loads."""

import dataclasses
from datetime import timedelta

import pytest
from demo_project import DAILY, SPEC

from mlplatform import (
    ColumnType,
    DailyPartitioning,
    DataContract,
    Lifecycle,
    ModelSpec,
    ProjectSpec,
    QualityGate,
    Schedule,
)

SCHEMA = {"id": ColumnType.STRING, "a": ColumnType.FLOAT, "y": ColumnType.BOOLEAN}
BASE = ProjectSpec(
    name="demo",
    data=DataContract(raw_schema=SCHEMA, target="y", id_columns=("id",)),
    model=ModelSpec(
        task="classification",
        feature_columns=("a", "a_squared"),
        build_features=lambda raw: raw,
        make_model=lambda spec: None,
    ),
    gate=QualityGate("roc_auc", 0.7),
    generate=lambda rows, seed, drift: None,
)


def test_drift_columns_are_raw_inputs_without_target_and_ids() -> None:
    assert BASE.drift_columns == ("a",)
    assert BASE.registered_model_name == "demo" and BASE.experiment_name == "/demo"
    assert BASE.partitioning is None


def test_daily_drift_columns_leave_out_the_partition_date() -> None:
    assert DAILY.partitioning is DAILY.schedule.partitioning
    assert "date" in DAILY.data.raw_schema and "date" not in DAILY.drift_columns
    assert DAILY.drift_columns == SPEC.drift_columns


def _model(**change) -> ModelSpec:
    return dataclasses.replace(BASE.model, **change)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Demo-1"}, "use lowercase letters"),
        ({"name": "class"}, "is a Python keyword"),
        ({"name": "demo__x"}, "no trailing or doubled"),
        ({"model": _model(feature_columns=("a", "y"))}, "target 'y' must not be a feature"),
        ({"model": _model(feature_columns=("a_squared",))}, r"raw columns \['a'\] must also be"),
        (
            {"schedule": Schedule(partitioning=DailyPartitioning("2026-01-01", "day"))},
            "partition date column 'day' is not in raw_schema",
        ),
    ],
)
def test_invalid_spec_is_refused(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(BASE, **change)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: DataContract(SCHEMA, target="missing"), "target 'missing' is not in raw_schema"),
        (lambda: DataContract(SCHEMA, "y", id_columns=("nope",)), r"id_columns \['nope'\]"),
        (lambda: DataContract(SCHEMA, "y", min_rows=0), "min_rows"),
        (lambda: _model(test_fraction=1.0), "test_fraction"),
        (lambda: _model(task="ranking"), "task 'ranking'"),
        (lambda: QualityGate("roc_auc", 0.7, promotion_margin=-0.1), "promotion_margin"),
        (lambda: Lifecycle(drift_threshold=0.0), "drift_threshold"),
        (lambda: Lifecycle(retrain_policy="hourly"), "retrain_policy 'hourly'"),
        (lambda: Lifecycle(drift_sample_rows=10), "drift_sample_rows"),
        (lambda: Schedule(retrain_cron="weekly"), "5-field cron"),
        (lambda: DailyPartitioning("2026-01-01", "d", feature_window_days=0), "window_days"),
        (lambda: DailyPartitioning("2026-01-01", "d", schedule_hour=24), "schedule_hour"),
    ],
)
def test_invalid_spec_part_is_refused(build, message) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_parts_have_the_documented_defaults() -> None:
    assert BASE.lifecycle == Lifecycle(
        retrain_policy="on_schedule",
        drift_threshold=0.3,
        drift_sample_rows=20_000,
        raw_data_fail_after=timedelta(days=2),
        model_fail_after=timedelta(days=8),
    )
    assert BASE.schedule == Schedule(retrain_cron="0 3 * * 1", partitioning=None)
    assert BASE.gate.promotion_margin == 0.0 and BASE.data.min_rows == 500


@pytest.mark.parametrize(
    ("gate", "value", "passes"),
    [
        (QualityGate("roc_auc", 0.7), 0.7, True),
        (QualityGate("roc_auc", 0.7), 0.69, False),
        (QualityGate("mae", 10.0, higher_is_better=False), 9.5, True),
        (QualityGate("mae", 10.0, higher_is_better=False), 10.5, False),
    ],
)
def test_quality_gate(gate, value, passes) -> None:
    assert gate.passes(value) is passes
