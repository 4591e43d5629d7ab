"""Pure rules for landed outcomes (the true target of earlier predictions, known later), and the
synthetic decay ``land --outcomes`` applies to them.

An outcome file holds the spec's outcome id column and the target. Files are refused like raw
data: a missing column, a wrong type, a null target, an id given twice (in one file or across
files) or an empty file fails the run with a message naming the file, the column and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from mlplatform.spec import ColumnType, DataContract, Task
from mlplatform.steps.validation import RuleResult, check_no_null_target, check_schema


def outcome_schema(contract: DataContract) -> dict[str, ColumnType]:
    """The columns an outcome file must hold: the outcome id and the target, typed as raw."""
    id_column = contract.outcome_id_column
    if id_column is None:
        raise ValueError("outcomes need a single id column: set DataContract.outcome_id")
    return {
        id_column: contract.raw_schema[id_column],
        contract.target: contract.raw_schema[contract.target],
    }


def check_unique_ids(files: Mapping[str, pd.DataFrame], id_column: str) -> RuleResult:
    """No id has two outcomes, within a file or across files: which one would be the truth?"""
    seen: dict[str, str] = {}
    problems: list[str] = []
    for name, frame in files.items():
        if id_column not in frame.columns:
            continue
        ids = frame[id_column].astype(str)
        repeated = sorted(set(ids[ids.duplicated()]))
        if repeated:
            problems.append(
                f"{name}: {len(repeated)} ids in column {id_column!r} appear more "
                f"than once, e.g. {repeated[:3]}"
            )
        earlier = sorted({i for i in ids if i in seen})
        if earlier:
            problems.append(
                f"{name}: {len(earlier)} ids in column {id_column!r} already have "
                f"an outcome in {seen[earlier[0]]}, e.g. {earlier[:3]}"
            )
        for value in ids:
            seen.setdefault(value, name)
    return RuleResult("one outcome per id", not problems, tuple(problems))


def check_not_empty(files: Mapping[str, pd.DataFrame]) -> RuleResult:
    problems = [f"{name}: no rows" for name, frame in files.items() if frame.empty]
    return RuleResult("outcome files hold rows", not problems, tuple(problems))


@dataclass(frozen=True)
class OutcomeValidation:
    """The outcome rules over the landed outcome files."""

    rules: tuple[RuleResult, ...]

    @property
    def broken(self) -> list[str]:
        return [r.summary for r in self.rules if not r.passed]

    @property
    def problems(self) -> list[str]:
        return [p for r in self.rules for p in r.problems]


def validate_outcomes(
    files: Mapping[str, pd.DataFrame], contract: DataContract
) -> OutcomeValidation:
    """Every landed outcome file: id and target columns with the raw types, no null target,
    one outcome per id, no empty file."""
    schema = outcome_schema(contract)
    return OutcomeValidation(
        (
            check_schema(files, schema),
            check_no_null_target(files, contract.target),
            check_unique_ids(files, next(iter(schema))),
            check_not_empty(files),
        )
    )


def decay_outcomes(
    outcomes: pd.DataFrame, task: Task, target: str, decay: float, seed: int
) -> pd.DataFrame:
    """Outcomes whose truth moved away from what the model learned, by a known amount.

    Classification: a seeded ``decay`` share of the labels is flipped (at 1.0 every label, so
    accuracy becomes 1 - accuracy and ROC AUC 1 - ROC AUC). Regression: every target is scaled
    by ``1 + decay`` (integers stay integers).
    """
    import numpy as np

    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}")
    decayed = outcomes.copy()
    if decay == 0:
        return decayed
    if task == "classification":
        flip = np.random.default_rng(seed).random(len(decayed)) < decay
        decayed[target] = np.where(flip, ~decayed[target].astype(bool), decayed[target])
        decayed[target] = decayed[target].astype(bool)
        return decayed
    scaled = decayed[target] * (1.0 + decay)
    if pd.api.types.is_integer_dtype(decayed[target]):
        scaled = scaled.round().astype(decayed[target].dtype)
    decayed[target] = scaled
    return decayed


def outcomes_for_predictions(
    contract: DataContract,
    task: Task,
    predicted_ids: pd.Series,
    raw: pd.DataFrame,
    answered: set[str],
    decay: float,
    seed: int,
) -> pd.DataFrame:
    """The true target (from the landed raw rows) of every predicted id without an outcome yet,
    decayed by ``decay`` (see :func:`decay_outcomes`): what ``land --outcomes`` writes."""
    id_column = next(iter(outcome_schema(contract)))
    ids = pd.Series(sorted(set(predicted_ids.astype(str)) - answered), name=id_column)
    truth = raw[[id_column, contract.target]].assign(**{id_column: raw[id_column].astype(str)})
    outcomes = truth[truth[id_column].isin(set(ids))].drop_duplicates(id_column)
    return decay_outcomes(outcomes.reset_index(drop=True), task, contract.target, decay, seed)
