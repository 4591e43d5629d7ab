"""A spec that could not build a working project is refused when the location loads."""

import dataclasses

import pytest

from mlplatform import ColumnType, ProjectSpec, QualityGate

BASE = ProjectSpec(
    name="demo",
    target="y",
    id_columns=("id",),
    raw_schema={"id": ColumnType.STRING, "a": ColumnType.FLOAT, "y": ColumnType.BOOLEAN},
    feature_columns=("a", "a_squared"),
    build_features=lambda raw: raw,
    make_model=lambda spec: None,
    generate=lambda rows, seed, drift: None,
    task="classification",
    quality_gate=QualityGate("roc_auc", 0.7),
)


def test_drift_columns_are_raw_inputs_without_target_and_ids() -> None:
    assert BASE.drift_columns == ("a",)
    assert BASE.registered_model_name == "demo" and BASE.experiment_name == "/demo"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Demo-1"}, "must be lowercase"),
        ({"target": "missing"}, "target 'missing' is not in raw_schema"),
        ({"id_columns": ("nope",)}, r"id_columns \['nope'\]"),
        ({"feature_columns": ("a", "y")}, "target 'y' must not be a feature"),
        ({"feature_columns": ("a_squared",)}, r"raw columns \['a'\] must also be feature"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"drift_threshold": 0.0}, "drift_threshold"),
    ],
)
def test_invalid_spec_is_refused(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(BASE, **change)


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
