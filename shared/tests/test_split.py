"""The held-out split is leak-free: repeated rows dropped, an entity's rows on one side, and a row
held out once is held out in every later split under the same rule, recorded on the version."""

from __future__ import annotations

import dataclasses

import mlflow
import pandas as pd
import pytest
from demo_project import SPEC

from mlplatform import project_names
from mlplatform.steps.features import build_feature_frame
from mlplatform.steps.training import SplitRule, model_row, split_features, train
from mlplatform.testing import materialization_metadata

NAMES = project_names(SPEC)


def _features(rows: int = 2000, seed: int = 1) -> pd.DataFrame:
    frame, problems = build_feature_frame(SPEC, SPEC.generate(rows, seed, 0.0))
    assert not problems
    return frame


def _rows(x: pd.DataFrame, y: pd.Series) -> set[tuple]:
    return set(map(tuple, x.assign(target=y).itertuples(index=False)))


def test_features_keep_the_entity_id_and_the_split_groups_by_it() -> None:
    features = _features()
    split = split_features(SPEC, features)
    assert split.rule.keys == ("id",)
    train_ids = set(features.loc[split.x_train.index, "id"])
    test_ids = set(features.loc[split.x_test.index, "id"])
    assert not train_ids & test_ids
    assert 0.15 < len(split.x_test) / len(features) < 0.25


def test_one_row_repeated_5000_times_is_one_row_on_one_side() -> None:
    features = _features()
    before = split_features(SPEC, features)
    copies = features.iloc[[0] * 5000]
    split = split_features(SPEC, pd.concat([features, copies], ignore_index=True))
    assert split.duplicates == before.duplicates + 5000
    assert len(split.x_train) == len(before.x_train)
    assert len(split.x_test) == len(before.x_test)
    assert not _rows(split.x_train, split.y_train) & _rows(split.x_test, split.y_test)


def test_repeated_rows_under_new_ids_are_still_dropped() -> None:
    features = _features()
    before = split_features(SPEC, features).duplicates
    copies = features.iloc[[0] * 300].assign(id=[f"copy-{i}" for i in range(300)])
    split = split_features(SPEC, pd.concat([features, copies], ignore_index=True))
    assert split.duplicates == before + 300
    assert not _rows(split.x_train, split.y_train) & _rows(split.x_test, split.y_test)


def test_a_held_out_row_stays_held_out_when_more_data_arrives() -> None:
    first = _features(2000, 1)
    later = pd.concat([first, _features(3000, 2)], ignore_index=True)
    held_first = set(first.loc[split_features(SPEC, first).x_test.index, "id"])
    held_later = set(later.loc[split_features(SPEC, later).x_test.index, "id"])
    assert held_first == held_later & set(first["id"])


def test_models_trained_under_other_rules_are_scored_only_on_rows_none_trained_on() -> None:
    features = _features(4000, 3)
    other = SplitRule(("id",), 0.5, 7)
    split = split_features(SPEC, features, [other])
    held = features.loc[split.x_test.index]
    assert other.held_out(held).all()
    assert SplitRule(("id",), SPEC.model.test_fraction, SPEC.model.seed).held_out(held).all()
    assert SplitRule.from_tags(other.tags()) == other


def test_the_models_own_rule_repeated_changes_nothing() -> None:
    """Challenger and champion usually share the spec's rule: listing it (twice) holds out the
    very rows the rule alone holds out."""
    features = _features(4000, 4)
    alone = split_features(SPEC, features)
    repeated = split_features(SPEC, features, [alone.rule, alone.rule])
    other = SplitRule(("id",), 0.5, 7)
    assert repeated.x_test.index.equals(alone.x_test.index)
    assert split_features(SPEC, features, [alone.rule, other, other]).x_test.index.equals(
        split_features(SPEC, features, [other]).x_test.index
    )


def test_without_id_columns_the_split_groups_identical_rows() -> None:
    schema = {c: kind for c, kind in SPEC.data.raw_schema.items() if c != "id"}
    data = dataclasses.replace(SPEC.data, raw_schema=schema, id_columns=())
    spec = dataclasses.replace(SPEC, data=data)
    features = _features().drop(columns=["id"])
    split = split_features(spec, features)
    assert split.rule.keys == model_row(spec)


def test_too_little_distinct_data_is_a_clear_error() -> None:
    features = _features().iloc[[0] * 500]
    with pytest.raises(ValueError, match="too little distinct data"):
        train(SPEC, features)


def test_a_version_records_its_split_and_the_champion_is_scored_on_rows_held_out_by_it(
    land, run_chain, tracking_uri: str, data_dir
) -> None:
    land("batch_001.csv")
    result = run_chain([NAMES.raw_data, NAMES.features, NAMES.model, NAMES.champion])
    assert result.success

    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    tags = client.get_model_version(SPEC.registered_model_name, "1").tags
    rule = SplitRule.from_tags(tags)
    assert rule == SplitRule(("id",), SPEC.model.test_fraction, SPEC.model.seed)
    features = pd.read_parquet(data_dir / "assets" / SPEC.name / "features.parquet")
    assert "id" in features.columns
    held_out = split_features(SPEC, features, [rule]).x_test
    assert materialization_metadata(result, NAMES.champion)["holdout_rows"] == len(held_out)
    assert materialization_metadata(result, NAMES.model)["split_keys"] == "id"
