"""Pure raw-data rules, each giving a :class:`RuleResult` that names the files and columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from mlplatform.spec import ColumnType, DataContract
from mlplatform.storage.raw_files import listed


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
    """Missing columns, and the cause of each column that does not hold ``schema``'s type, with
    the rows (1-based data rows: line N + 1 of a CSV with its header on line 1)."""
    problems = [f"{name}: missing column {col!r}" for col in schema if col not in frame.columns]
    for col, expected in schema.items():
        if col in frame.columns:
            causes = column_causes(frame[col], expected)
            if not causes and not _column_matches(frame[col], expected):
                causes = [f"has dtype {frame[col].dtype}, expected {expected.value}"]
            problems.extend(f"{name}: column {col!r} {cause}" for cause in causes)
    return problems


def _rows(mask: pd.Series) -> list[int]:
    import numpy as np

    return [int(i) + 1 for i in np.flatnonzero(mask.to_numpy())]


def _values(series: pd.Series, mask: pd.Series) -> str:
    shown = list(dict.fromkeys(str(v) for v in series[mask].head(50)))[:3]
    return ", ".join(repr(v) for v in shown)


def column_causes(series: pd.Series, expected: ColumnType) -> list[str]:
    """Why ``series`` cannot be a column of type ``expected`` (empty when it can): an empty
    column, non-numbers, non-finite numbers, fractions or gaps in integers, non-booleans."""
    missing = series.isna()
    if len(series) and bool(missing.all()):
        return [f"is empty (no value in any of its {len(series)} rows)"]
    if expected is ColumnType.STRING:
        return []
    if expected is ColumnType.BOOLEAN:
        return _boolean_causes(series, missing)
    if pd.api.types.is_bool_dtype(series):
        return []
    return _number_causes(series, missing, expected is ColumnType.INTEGER)


def _is_boolean(value: object) -> bool:
    """A boolean, or text a CSV reader takes for one (a column mixing them is read as text)."""
    import numpy as np

    if isinstance(value, str):
        return value.lower() in ("true", "false")
    return isinstance(value, bool | np.bool_)


def _boolean_causes(series: pd.Series, missing: pd.Series) -> list[str]:
    if pd.api.types.is_bool_dtype(series):
        return []
    causes = []
    if missing.any():
        causes.append(f"has no value in {listed('row', _rows(missing))}")
    other = ~missing & ~series.map(_is_boolean)
    if other.any():
        causes.append(
            f"has {_values(series, other)} in {listed('row', _rows(other))}: not booleans "
            "(True/False)"
        )
    return causes


def _number_causes(series: pd.Series, missing: pd.Series, integer: bool) -> list[str]:
    import numpy as np

    numbers = pd.to_numeric(series, errors="coerce") if series.dtype == object else series
    causes = []
    text = ~missing & numbers.isna()
    if text.any():
        causes.append(f"has {_values(series, text)} in {listed('row', _rows(text))}: not numbers")
    as_floats = numbers.to_numpy(dtype=float, na_value=np.nan)
    infinite = pd.Series(np.isinf(as_floats), index=series.index)
    if infinite.any():
        causes.append(
            f"has non-finite values ({_values(series, infinite)}) in "
            f"{listed('row', _rows(infinite))}"
        )
    if integer:
        if missing.any():
            causes.append(
                f"has no value in {listed('row', _rows(missing))} (an integer column has no gaps)"
            )
        finite = numbers.notna() & ~infinite
        fractional = finite & (numbers.where(finite, 0) % 1 != 0)
        if fractional.any():
            causes.append(
                f"has {_values(series, fractional)} in {listed('row', _rows(fractional))}: "
                "not whole numbers"
            )
    return causes


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


def duplicate_counts(files: Mapping[str, pd.DataFrame]) -> dict[str, tuple[int, int]]:
    """Per file (in name order): rows repeating an earlier row of the same file, and rows
    repeating a row of an earlier file (whole rows compared, by a 64-bit hash of each)."""
    import numpy as np

    counts: dict[str, tuple[int, int]] = {}
    earlier = np.empty(0, dtype=np.uint64)
    for name in sorted(files):
        hashes = pd.util.hash_pandas_object(files[name], index=False, categorize=False)
        hashes = hashes.to_numpy()
        within = pd.Series(hashes).duplicated().to_numpy()
        counts[name] = (int(within.sum()), int(np.isin(hashes[~within], earlier).sum()))
        earlier = np.concatenate([earlier, hashes])
    return counts


def check_duplicates(
    files: Mapping[str, pd.DataFrame],
    max_share: float,
    counts: Mapping[str, tuple[int, int]] | None = None,
) -> RuleResult:
    """No file has more than ``max_share`` of its rows repeating an earlier row (``counts``:
    :func:`duplicate_counts`, if already computed)."""
    problems = []
    for name, (within, earlier) in (counts or duplicate_counts(files)).items():
        rows = len(files[name])
        if rows and (within + earlier) / rows > max_share:
            problems.append(
                f"{name}: {within + earlier} of {rows} rows repeat an earlier row ({within} "
                f"within the file, {earlier} from earlier files), above the limit of "
                f"{max_share:.0%} (DataContract.max_duplicate_share)"
            )
    return RuleResult(f"duplicate rows <= {max_share:.0%}", not problems, tuple(problems))


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
    """The four raw-data rules over one set of landed files."""

    schema: RuleResult
    target: RuleResult
    rows: RuleResult
    duplicates: RuleResult
    duplicate_rows: int = 0

    @property
    def broken(self) -> list[str]:
        """Summaries of the rules broken (empty when the files may be ingested)."""
        rules = (self.schema, self.target, self.rows, self.duplicates)
        return [r.summary for r in rules if not r.passed]


def validate_raw(files: Mapping[str, pd.DataFrame], contract: DataContract) -> RawValidation:
    """Every landed file against the data contract: schema (with the cause of each mismatch),
    non-null target, minimum rows, duplicate rows."""
    counts = duplicate_counts(files)
    return RawValidation(
        schema=check_schema(files, contract.raw_schema),
        target=check_no_null_target(files, contract.target),
        rows=check_min_rows(files, contract.min_rows),
        duplicates=check_duplicates(files, contract.max_duplicate_share, counts),
        duplicate_rows=sum(within + earlier for within, earlier in counts.values()),
    )
