"""Bad raw data is rejected with an error naming the file and the rule, and nothing is lost."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from demo_project import SPEC

from mlplatform.testing import failure_text, materialized_keys, model_versions


def _missing_column(path: Path) -> None:
    SPEC.generate(800, 3, 0.0).drop(columns=["plan"]).to_csv(path, index=False)


def _wrong_dtype(path: Path) -> None:
    frame = SPEC.generate(800, 3, 0.0)
    frame["visits"] = frame["visits"].map(lambda n: f"{n} visits")
    frame.to_csv(path, index=False)


def _null_targets(path: Path) -> None:
    frame = SPEC.generate(800, 3, 0.0).astype({"converted": "object"})
    frame.loc[frame.index[:7], "converted"] = None
    frame.to_csv(path, index=False)


def _lines() -> list[str]:
    return SPEC.generate(800, 3, 0.0).to_csv(index=False).splitlines(keepends=True)


def _infinite(path: Path) -> None:
    lines = _lines()
    fields = lines[12].split(",")
    fields[2] = "inf"  # visits, an integer column: pandas would read the column as float64
    path.write_text("".join([*lines[:12], ",".join(fields), *lines[13:]]))


def _truncated_last_row(path: Path) -> None:
    lines = _lines()
    path.write_text("".join(lines[:-1]) + ",".join(lines[-1].split(",")[:3]) + "\n")


def _cut_off(path: Path) -> None:
    path.write_text("".join(_lines())[:-9])


def _repeated_header(path: Path) -> None:
    lines = _lines()
    path.write_text("".join([*lines[:400], lines[0], *lines[400:]]))


def _empty_column(path: Path) -> None:
    SPEC.generate(800, 3, 0.0).assign(spend=None).to_csv(path, index=False)


def _header_only(path: Path) -> None:
    path.write_text(_lines()[0])


def _semicolons(path: Path) -> None:
    SPEC.generate(800, 3, 0.0).to_csv(path, index=False, sep=";")


def _latin1(path: Path) -> None:
    lines = _lines()
    path.write_bytes(
        "".join([*lines[:30], lines[30].replace("D0003", "Dé"), *lines[31:]]).encode("latin-1")
    )


def _one_row_repeated(path: Path) -> None:
    SPEC.generate(1, 3, 0.0).iloc[[0] * 5000].to_csv(path, index=False)


def _unparsable_csv(path: Path) -> None:
    path.write_text("id,usage\nD1,3\nD2,4,extra,fields\n")


def _unparsable_parquet(path: Path) -> None:
    path.write_bytes(b"this is not a parquet file" * 10)


def _too_few_rows(path: Path) -> None:
    SPEC.generate(40, 3, 0.0).to_csv(path, index=False)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


BAD_FILES: dict[str, tuple[str, Callable[[Path], None], list[str]]] = {
    "missing column": ("bad.csv", _missing_column, ["bad.csv: missing column 'plan'"]),
    "wrong dtype": ("bad.csv", _wrong_dtype, ["bad.csv: column 'visits' has '", ": not numbers"]),
    "null targets": ("bad.csv", _null_targets, ["bad.csv: 7 rows with null target 'converted'"]),
    "empty file": ("bad.csv", _empty, ["file is empty"]),
    "unparsable csv": ("bad.csv", _unparsable_csv, ["line 3: more than 2 fields"]),
    "unparsable parquet": ("bad.parquet", _unparsable_parquet, ["cannot be parsed as Parquet"]),
    "too few rows": ("bad.csv", _too_few_rows, ["40 rows in total", "row count >= 500"]),
    "non-finite": (
        "bad.csv",
        _infinite,
        ["column 'visits' has non-finite values ('inf') in row 12"],
    ),
    "truncated row": (
        "bad.csv",
        _truncated_last_row,
        ["line 801: fewer than 6 fields (truncated)"],
    ),
    "cut off": ("bad.csv", _cut_off, ["the last line (line 801) does not end with a newline"]),
    "repeated header": ("bad.csv", _repeated_header, ["line 401: the header line repeated"]),
    "empty column": ("bad.csv", _empty_column, ["column 'spend' is empty (no value in any of"]),
    "no data rows": ("bad.csv", _header_only, ["no data rows (only the header line)"]),
    "wrong delimiter": (
        "bad.csv",
        _semicolons,
        ["wrong delimiter: the header is separated by ';'"],
    ),
    "wrong encoding": ("bad.csv", _latin1, ["wrong encoding: byte 0xe9 on line 31 is not UTF-8"]),
    "one row repeated": (
        "bad.csv",
        _one_row_repeated,
        ["4999 of 5000 rows repeat an earlier row"],
    ),
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
    assert not materialized_keys(result)
    assert _digest(bad) == before
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    assert client.search_registered_models() == []


@pytest.mark.parametrize("case", ["null targets", "one row repeated"])
def test_bad_batch_after_good_one_keeps_champion_and_stored_data(
    case, land, landing_dir, data_dir, run_chain, tracking_uri
):
    land("batch_001.csv")
    assert run_chain().success
    stored = data_dir / "assets" / SPEC.name / "raw_data.parquet"
    stored_before = _digest(stored)
    _, write, expected = BAD_FILES[case]
    write(landing_dir / "batch_002.csv")
    landed_before = {p.name: _digest(p) for p in landing_dir.iterdir()}

    result = run_chain()

    assert not result.success
    for text in expected:
        assert f"batch_002.csv: {text.removeprefix('bad.csv: ')}" in failure_text(result)
    assert {p.name: _digest(p) for p in landing_dir.iterdir()} == landed_before
    assert _digest(stored) == stored_before
    assert len(pd.read_parquet(stored)) == 2000
    versions = model_versions(tracking_uri, SPEC.registered_model_name)
    assert [str(v.version) for v in versions] == ["1"]
    client = mlflow.MlflowClient(tracking_uri, registry_uri=tracking_uri)
    champion = client.get_model_version_by_alias(SPEC.registered_model_name, "champion")
    assert str(champion.version) == "1"


def test_no_landed_files_is_a_clear_error(landing_dir, run_chain):
    result = run_chain()

    assert not result.success
    assert f"no raw data in {landing_dir}" in failure_text(result)
