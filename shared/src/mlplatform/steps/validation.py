"""Pure raw-data rules, each giving a :class:`RuleResult` that names the files and columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from mlplatform.spec import ColumnType, DataContract


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one rule over all landed files; ``problems`` are human-readable lines."""

    rule: str
    passed: bool
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        if self.passed:
            return f"{self.rule}: ok"
        return f"{self.rule} broken: " + "; ".join(self.problems)


def _column_matches(series: pd.Series, expected: ColumnType) -> bool:
    types = pd.api.types
    if expected is ColumnType.STRING:
        return series.dtype == object or types.is_string_dtype(series)
    if expected is ColumnType.BOOLEAN:
        return types.is_bool_dtype(series)
    if expected is ColumnType.INTEGER:
        return types.is_integer_dtype(series)
    return types.is_numeric_dtype(series) and not types.is_bool_dtype(series)


def schema_problems(name: str, frame: pd.DataFrame, schema: Mapping[str, ColumnType]) -> list[str]:
    """Missing columns and columns whose dtype does not match ``schema`` in one file."""
    problems = [f"{name}: missing column {col!r}" for col in schema if col not in frame.columns]
    for col, expected in schema.items():
        if col in frame.columns and not _column_matches(frame[col], expected):
            problems.append(
                f"{name}: column {col!r} has dtype {frame[col].dtype}, expected {expected.value}"
            )
    return problems


def check_schema(
    files: Mapping[str, pd.DataFrame], schema: Mapping[str, ColumnType]
) -> RuleResult:
    """Every file has every expected column with the expected type."""
    problems = [p for name, frame in files.items() for p in schema_problems(name, frame, schema)]
    return RuleResult("schema matches spec", not problems, tuple(problems))


def check_no_null_target(files: Mapping[str, pd.DataFrame], target: str) -> RuleResult:
    """No row in any file has a missing target."""
    problems = []
    for name, frame in files.items():
        if target not in frame.columns:
            problems.append(f"{name}: target column {target!r} is missing")
            continue
        nulls = int(frame[target].isna().sum())
        if nulls:
            problems.append(f"{name}: {nulls} rows with null target {target!r}")
    return RuleResult("no null target", not problems, tuple(problems))


def check_min_rows(files: Mapping[str, pd.DataFrame], min_rows: int) -> RuleResult:
    """All files together hold at least ``min_rows`` rows."""
    total = sum(len(frame) for frame in files.values())
    if total >= min_rows:
        return RuleResult(f"row count >= {min_rows}", True)
    per_file = ", ".join(f"{name}={len(frame)}" for name, frame in files.items())
    return RuleResult(f"row count >= {min_rows}", False, (f"{total} rows in total ({per_file})",))


def null_feature_problems(features: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Feature columns that contain nulls, with their counts."""
    counts = features[list(columns)].isna().sum()
    return [f"feature {col!r} has {int(n)} nulls" for col, n in counts.items() if n]


def changed_raw_columns(
    raw: pd.DataFrame, features: pd.DataFrame, columns: Sequence[str]
) -> list[str]:
    """Raw columns whose dtype ``build_features`` changed; they must pass through unchanged
    because the model's drift reference is taken from them."""
    return [
        f"{col!r} ({raw[col].dtype} -> {features[col].dtype})"
        for col in columns
        if col in raw.columns and col in features.columns and raw[col].dtype != features[col].dtype
    ]


@dataclass(frozen=True)
class RawValidation:
    """The three raw-data rules over one set of landed files."""

    schema: RuleResult
    target: RuleResult
    rows: RuleResult

    @property
    def broken(self) -> list[str]:
        """Summaries of the rules broken (empty when the files may be ingested)."""
        return [r.summary for r in (self.schema, self.target, self.rows) if not r.passed]


def validate_raw(files: Mapping[str, pd.DataFrame], contract: DataContract) -> RawValidation:
    """Every landed file against the data contract: schema, non-null target, minimum rows."""
    return RawValidation(
        schema=check_schema(files, contract.raw_schema),
        target=check_no_null_target(files, contract.target),
        rows=check_min_rows(files, contract.min_rows),
    )
