"""The data hash recorded as lineage: equal for equal data whatever the index, different when
any value, the row order, a column or its type changes, in every kind of column."""

from __future__ import annotations

import pandas as pd
import pytest

from mlplatform.lifecycle.lineage import data_hash


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "number": [1, 2, 3],
            "text": ["a", "b", "c"],
            "category": pd.Categorical(["u", "v", "u"]),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "time": pd.to_datetime(["2026-01-01"] * 3).tz_localize("UTC"),
            "mixed": ["a", 1, None],
        }
    )


def test_equal_data_hashes_equal_whatever_the_index() -> None:
    frame = _frame()
    assert data_hash(frame) == data_hash(frame.copy()) == data_hash(frame.set_axis([7, 8, 9]))


@pytest.mark.parametrize(
    ("column", "value"),
    [("number", 5), ("text", "z"), ("category", "v"), ("nullable", 7), ("mixed", "q")],
)
def test_a_changed_value_changes_the_hash(column: str, value: object) -> None:
    changed = _frame()
    changed.loc[0, column] = value
    assert data_hash(changed) != data_hash(_frame())


def test_time_row_order_columns_and_types_change_the_hash() -> None:
    frame = _frame()
    later = frame.assign(time=frame["time"] + pd.Timedelta(1, "s"))
    assert data_hash(later) != data_hash(frame)
    assert data_hash(frame.iloc[::-1]) != data_hash(frame)
    assert data_hash(frame.drop(columns="mixed")) != data_hash(frame)
    assert data_hash(frame.astype({"number": "float64"})) != data_hash(frame)


def test_strings_holding_the_separator_do_not_collide() -> None:
    one = pd.DataFrame({"s": ["a\x00", "b"]})
    other = pd.DataFrame({"s": ["a", "\x00b"]})
    assert data_hash(one) != data_hash(other)
