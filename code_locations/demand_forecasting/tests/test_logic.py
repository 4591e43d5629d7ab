"""Demand pure logic: per-day generator, rolling features that never see the same day's target."""

import pandas as pd

from demand_forecasting.definitions import spec
from demand_forecasting.logic import build_features, generate_day
from mlplatform.steps.validation import check_schema


def _days(n: int, start: str = "2026-03-01") -> pd.DataFrame:
    days = pd.date_range(start, periods=n).strftime("%Y-%m-%d")
    return pd.concat([generate_day(80, 1, 0.0, d) for d in days], ignore_index=True)


def test_generator_is_seeded_per_day_and_matches_schema() -> None:
    one = generate_day(80, 1, 0.0, "2026-03-01")
    pd.testing.assert_frame_equal(one, generate_day(80, 1, 0.0, "2026-03-01"))
    assert not one["units_sold"].equals(generate_day(80, 1, 0.0, "2026-03-02")["units_sold"])
    assert check_schema({"day": one}, spec.data.raw_schema).passed
    assert set(one["date"]) == {"2026-03-01"} and one["record_id"].is_unique


def test_promotions_sell_more_and_drift_raises_prices() -> None:
    frame = _days(20)
    by_promo = frame.groupby("promo")["units_sold"].mean()
    assert by_promo[True] > by_promo[False]
    drifted = generate_day(800, 1, 1.0, "2026-03-01")
    calm = generate_day(800, 1, 0.0, "2026-03-01")
    assert drifted["price"].mean() > 1.2 * calm["price"].mean()


def test_rolling_mean_uses_only_previous_days() -> None:
    frame = _days(10)
    features = build_features(frame)
    pd.testing.assert_index_equal(features.index, frame.index)
    pair = (frame["store_id"] == "S03") & (frame["product_id"] == "P004")
    history = frame.loc[pair].sort_values("date")["units_sold"].tolist()
    recent = features.loc[pair].sort_values("date")["units_recent_mean"].tolist()
    assert recent[0] == 0.0  # first day: no history
    assert recent[3] == sum(history[:3]) / 3  # days 1-3, never day 4 itself
    assert recent[9] == sum(history[2:9]) / 7  # a 7-day window
    assert features.loc[pair, "has_history"].sum() == 9
