"""Raw-data rules name the file, the column and the rule broken."""

import pandas as pd
import pytest

from mlplatform.spec import ColumnType
from mlplatform.steps.validation import (
    changed_raw_columns,
    check_duplicates,
    check_min_rows,
    check_no_null_target,
    check_schema,
    duplicate_counts,
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
        ("n", [1.5, 2.0], "column 'n' has '1.5' in row 1: not whole numbers"),
        ("n", [1.0, None], "column 'n' has no value in row 2 (an integer column has no gaps)"),
        ("n", [float("inf"), 2.0], "column 'n' has non-finite values ('inf') in row 1"),
        ("n", [None, None], "column 'n' is empty (no value in any of its 2 rows)"),
        ("x", ["a", "b"], "column 'x' has 'a', 'b' in rows 1, 2: not numbers"),
        ("x", [1.0, float("-inf")], "column 'x' has non-finite values ('-inf') in row 2"),
        ("x", [True, False], "column 'x' has dtype bool, expected float"),
        ("flag", [1, 0], "column 'flag' has '1', '0' in rows 1, 2: not booleans (True/False)"),
        ("flag", ["True", "yes"], "column 'flag' has 'yes' in row 2: not booleans (True/False)"),
        ("n", pd.array([1, None], dtype="Int64"), "column 'n' has no value in row 2 (an integer"),
        ("id", [1, 2], "column 'id' has dtype int64, expected string"),
        ("id", [None, None], "column 'id' is empty (no value in any of its 2 rows)"),
    ],
)
def test_the_cause_of_a_wrong_column_is_named_with_its_rows(column, values, expected) -> None:
    result = check_schema({"b.csv": GOOD.assign(**{column: values})}, SCHEMA)
    assert not result.passed
    [problem] = result.problems
    assert problem.startswith(f"b.csv: {expected}")


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


def test_duplicate_rows_are_counted_within_a_file_and_against_earlier_files() -> None:
    repeated = GOOD.iloc[[0, 0, 0, 1]]
    files = {"a.csv": GOOD, "b.csv": repeated}
    assert duplicate_counts(files) == {"a.csv": (0, 0), "b.csv": (2, 2)}
    assert check_duplicates(files, 1.0).passed
    result = check_duplicates(files, 0.5)
    assert result.problems == (
        "b.csv: 4 of 4 rows repeat an earlier row (2 within the file, 2 from earlier files), "
        "above the limit of 50% (DataContract.max_duplicate_share)",
    )


def test_null_features_and_changed_raw_columns() -> None:
    features = GOOD.assign(x=[None, 1.0], flag=[1, 0])
    assert null_feature_problems(features, ["n", "x"]) == ["feature 'x' has 1 nulls"]
    assert changed_raw_columns(GOOD, features, ["n", "flag"]) == ["'flag' (bool -> int64)"]
