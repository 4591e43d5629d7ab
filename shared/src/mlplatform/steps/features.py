"""Pure feature step: the project's ``build_features`` plus the contract the platform relies on.

The assets, tests and benchmarks call :func:`build_feature_frame`; no Dagster import.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from mlplatform.steps.validation import changed_raw_columns, null_feature_problems

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.spec import ProjectSpec


class FeatureContractError(TypeError):
    """``build_features`` changed a raw column the model's drift reference is taken from."""


def only_day(frame: pd.DataFrame, spec: ProjectSpec, day: str | None) -> pd.DataFrame:
    """The rows of ``day`` (daily projects; a window of history may come in), else all rows."""
    if day is None or spec.partitioning is None:
        return frame
    return frame[frame[spec.partitioning.date_column] == day].reset_index(drop=True)


class DayFrames:
    """Rows of several days (a ranged run's input), split once by the date column, so each day
    gets its own rows or its feature window without rescanning the whole frame. Unpartitioned
    projects have the one "day" ``None``: every row."""

    def __init__(self, frame: pd.DataFrame, spec: ProjectSpec) -> None:
        self._frame = frame
        self._part = spec.partitioning
        self._days: dict[str, pd.DataFrame] = {}
        if self._part is not None and not frame.empty:
            grouped = frame.groupby(self._part.date_column, sort=True)
            self._days = {str(day): rows for day, rows in grouped}

    def _concat(self, days: list[str]) -> pd.DataFrame:
        import pandas as pd

        found = [self._days[d] for d in days if d in self._days]
        if not found:
            return self._frame.iloc[0:0].reset_index(drop=True)
        return pd.concat(found, ignore_index=True)

    def day(self, day: str | None) -> pd.DataFrame:
        """The rows of ``day`` (every row for ``None``)."""
        return self._frame if day is None or self._part is None else self._concat([day])

    def window(self, day: str | None) -> pd.DataFrame:
        """The rows of the ``feature_window_days`` up to ``day``, oldest first: what a one-day run
        loads through the window partition mapping."""
        if day is None or self._part is None:
            return self._frame
        last = date.fromisoformat(day)
        span = range(self._part.feature_window_days - 1, -1, -1)
        return self._concat([(last - timedelta(days=back)).isoformat() for back in span])


def training_rows(spec: ProjectSpec, features: pd.DataFrame) -> pd.DataFrame:
    """The rows a model trains and is compared on: the latest ``training_window_days`` of a daily
    project, every row otherwise."""
    part = spec.partitioning
    if part is None:
        return features
    keep = sorted(features[part.date_column].unique())[-part.training_window_days :]
    return features[features[part.date_column].isin(keep)].reset_index(drop=True)


def with_ids(spec: ProjectSpec, raw: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the spec's id columns that ``build_features`` dropped put back (by the raw
    index each row kept), so the held-out split can keep an entity's rows on one side."""
    missing = [c for c in spec.data.id_columns if c not in frame.columns and c in raw.columns]
    if not missing or frame.empty:
        return frame
    if not raw.index.is_unique or not frame.index.isin(raw.index).all():
        raise FeatureContractError(
            f"{spec.name}: build_features dropped the id columns {missing} and the raw index, "
            "so rows cannot be matched to their entity: keep the raw index (or the id columns)"
        )
    return frame.assign(**{c: raw.loc[frame.index, c].to_numpy() for c in missing})


def build_feature_frame(
    spec: ProjectSpec, raw: pd.DataFrame, day: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """``spec.model.build_features(raw)`` (only ``day``'s rows for daily projects) and the null
    problems of its feature columns.

    Raises :class:`FeatureContractError` if a raw model input changed type: raw columns are the
    drift reference and must pass through unchanged.
    """
    frame = spec.model.build_features(raw)
    changed = changed_raw_columns(raw, frame, spec.drift_columns)
    if changed:
        raise FeatureContractError(
            f"{spec.name}: build_features changed raw columns {', '.join(changed)}; raw "
            "columns are the model's drift reference and must pass through unchanged - "
            "derive a new column instead"
        )
    frame = only_day(with_ids(spec, raw, frame), spec, day)
    if frame.empty:
        return frame, []
    return frame, null_feature_problems(frame, spec.model.feature_columns)
