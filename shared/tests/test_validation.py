"""Raw-data rules name the file, the column and the rule broken."""

import pandas as pd
import pytest

from mlplatform.spec import ColumnType
from mlplatform.steps.validation import (
    changed_raw_columns,
    check_min_rows,
    check_no_null_target,
    check_schema,
    null_feature_problems,
)

SCHEMA = {
    "id": ColumnType.STRING,
    "n": ColumnType.INTEGER,
    "x": ColumnType.FLOAT,
    "flag": ColumnType.BOOLEAN,
}
GOOD = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "x": [0.5, 1.5], "flag": [True, False]})


def test_good_file_passes_every_rule() -> None:
    files = {"good.csv": GOOD}
    assert check_schema(files, SCHEMA).passed
    assert check_no_null_target(files, "flag").passed
    assert check_min_rows(files, 2).passed


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("n", ["1", "2"], "column 'n' has dtype object, expected integer"),
        ("n", [1.5, 2.0], "column 'n' has dtype float64, expected integer"),
        ("x", ["a", "b"], "column 'x' has dtype object, expected float"),
        ("x", [True, False], "column 'x' has dtype bool, expected float"),
        ("flag", [1, 0], "column 'flag' has dtype int64, expected boolean"),
        ("id", [1, 2], "column 'id' has dtype int64, expected string"),
    ],
)
def test_wrong_dtype_is_named(column, values, expected) -> None:
    result = check_schema({"b.csv": GOOD.assign(**{column: values})}, SCHEMA)
    assert not result.passed
    assert result.problems == (f"b.csv: {expected}",)


def test_integers_are_acceptable_floats() -> None:
    assert check_schema({"b.csv": GOOD.assign(x=[1, 2])}, SCHEMA).passed


def test_missing_column_names_file_and_column() -> None:
    result = check_schema({"ok.csv": GOOD, "b.csv": GOOD.drop(columns=["x"])}, SCHEMA)
    assert result.problems == ("b.csv: missing column 'x'",)
    assert "schema matches spec broken: b.csv: missing column 'x'" == result.summary


def test_null_target_counts_rows_per_file() -> None:
    bad = GOOD.astype({"flag": object}).assign(flag=[None, True])
    result = check_no_null_target({"a.csv": GOOD, "b.csv": bad}, "flag")
    assert result.problems == ("b.csv: 1 rows with null target 'flag'",)


def test_min_rows_counts_all_files_together() -> None:
    files = {"a.csv": GOOD, "b.csv": GOOD}
    assert check_min_rows(files, 4).passed
    result = check_min_rows(files, 5)
    assert result.problems == ("4 rows in total (a.csv=2, b.csv=2)",)


def test_null_features_and_changed_raw_columns() -> None:
    features = GOOD.assign(x=[None, 1.0], flag=[1, 0])
    assert null_feature_problems(features, ["n", "x"]) == ["feature 'x' has 1 nulls"]
    assert changed_raw_columns(GOOD, features, ["n", "flag"]) == ["'flag' (bool -> int64)"]
