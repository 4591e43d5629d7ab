"""Bad raw data is rejected with an error naming the file and the rule, and nothing is lost."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from churn.definitions import spec
from mlplatform.testing import asset_keys, failure_text

KEYS = asset_keys(spec)
RAW, FEATURES, MODEL = KEYS["raw_data"], KEYS["features"], KEYS["model"]


def _missing_column(path: Path) -> None:
    spec.generate(800, 3, 0.0).drop(columns=["contract"]).to_csv(path, index=False)


def _wrong_dtype(path: Path) -> None:
    frame = spec.generate(800, 3, 0.0)
    frame["tenure_months"] = frame["tenure_months"].map(lambda m: f"{m} months")
    frame.to_csv(path, index=False)


def _null_targets(path: Path) -> None:
    frame = spec.generate(800, 3, 0.0).astype({"churned": "object"})
    frame.loc[frame.index[:7], "churned"] = None
    frame.to_csv(path, index=False)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _unparsable_csv(path: Path) -> None:
    path.write_text("customer_id,tenure_months\nC1,3\nC2,4,extra,fields\n")


def _unparsable_parquet(path: Path) -> None:
    path.write_bytes(b"this is not a parquet file" * 10)


def _too_few_rows(path: Path) -> None:
    spec.generate(40, 3, 0.0).to_csv(path, index=False)


BAD_FILES: dict[str, tuple[str, Callable[[Path], None], list[str]]] = {
    "missing column": ("bad.csv", _missing_column, ["missing column 'contract'"]),
    "wrong dtype": ("bad.csv", _wrong_dtype, ["'tenure_months'", "expected integer"]),
    "null targets": ("bad.csv", _null_targets, ["7 rows with null target 'churned'"]),
    "empty file": ("bad.csv", _empty, ["file is empty"]),
    "unparsable csv": ("bad.csv", _unparsable_csv, ["cannot be parsed as CSV"]),
    "unparsable parquet": ("bad.parquet", _unparsable_parquet, ["cannot be parsed as Parquet"]),
    "too few rows": ("bad.csv", _too_few_rows, ["40 rows in total", "row count >= 500"]),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_rejected_and_left_untouched(case, landing_dir, run_chain, tracking_uri):
    name, write, expected = BAD_FILES[case]
    landing_dir.mkdir(parents=True, exist_ok=True)
    bad = landing_dir / name
    write(bad)
    before = _digest(bad)

    result = run_chain()

    assert not result.success
    problems = failure_text(result)
    assert name in problems, problems
    for text in expected:
        assert text in problems, problems
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not materialized & {RAW, FEATURES, MODEL}
    assert _digest(bad) == before
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    assert client.search_registered_models() == []


def test_bad_batch_after_good_one_keeps_model_and_stored_data(
    land, landing_dir, data_dir, run_chain, tracking_uri
):
    land("batch_001.csv")
    assert run_chain().success
    stored = data_dir / "assets" / "churn" / "raw_data.parquet"
    stored_before = _digest(stored)
    _null_targets(landing_dir / "batch_002.csv")
    landed_before = {p.name: _digest(p) for p in landing_dir.iterdir()}

    result = run_chain()

    assert not result.success
    assert "batch_002.csv: 7 rows with null target" in failure_text(result)
    assert {p.name: _digest(p) for p in landing_dir.iterdir()} == landed_before
    assert _digest(stored) == stored_before
    assert len(pd.read_parquet(stored)) == 2000
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    versions = client.search_model_versions(f"name='{spec.registered_model_name}'")
    assert [str(v.version) for v in versions] == ["1"]


def test_no_landed_files_is_a_clear_error(landing_dir, run_chain):
    result = run_chain()

    assert not result.success
    assert f"no raw data in {landing_dir}" in failure_text(result)
