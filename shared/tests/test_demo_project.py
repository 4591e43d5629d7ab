"""The demo project the platform's tests run keeps the properties they rely on: seeded data that
meets its contract, a model that passes its gate, and a drift knob Evidently notices."""

import pandas as pd
import pytest
from demo_project import DAILY, SPEC, build_daily_features, generate, generate_day

from mlplatform.steps.drift import measure_drift
from mlplatform.steps.training import drift_reference, train
from mlplatform.steps.validation import validate_raw


def test_generators_are_seeded_and_meet_the_data_contract() -> None:
    first = generate(600, 7)
    pd.testing.assert_frame_equal(first, generate(600, 7))
    assert not generate(600, 8).equals(first)
    assert validate_raw({"batch.csv": first}, SPEC.data).broken == []
    assert first["id"].is_unique
    day = generate_day(150, 7, 0.0, "2026-03-01")
    assert validate_raw({"2026-03-01.csv": day}, DAILY.data).broken == []
    assert set(day["date"]) == {"2026-03-01"}
    assert not day["usage"].equals(generate_day(150, 7, 0.0, "2026-03-02")["usage"])
    with pytest.raises(ValueError, match=r"drift must be in \[0, 1\], got 1.5"):
        generate(10, 1, 1.5)


def test_model_passes_the_gate_on_2000_rows() -> None:
    for seed in (1, 2, 3):
        trained = train(SPEC, SPEC.model.build_features(generate(2000, seed)))
        assert SPEC.gate.passes(trained.metrics[SPEC.gate.metric]), trained.metrics


def test_drift_knob_moves_the_drift_share_across_the_threshold() -> None:
    trained = train(SPEC, SPEC.model.build_features(generate(2000, 1)))
    reference = drift_reference(SPEC, trained)
    threshold = SPEC.lifecycle.drift_threshold
    assert measure_drift(SPEC, reference, generate(2000, 2, 0.0)).share < threshold
    assert measure_drift(SPEC, reference, generate(2000, 2, 0.9)).share >= threshold


def test_daily_features_count_the_earlier_days_in_the_frame() -> None:
    days = ["2026-03-01", "2026-03-02", "2026-03-03"]
    raw = pd.concat([generate_day(50, 1, 0.0, d) for d in days], ignore_index=True)
    features = build_daily_features(raw)
    pd.testing.assert_index_equal(features.index, raw.index)
    assert features.groupby("date")["history_days"].unique().map(list).to_dict() == {
        "2026-03-01": [0],
        "2026-03-02": [1],
        "2026-03-03": [2],
    }
