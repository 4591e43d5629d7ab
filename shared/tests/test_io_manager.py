"""The Parquet IO manager round-trips DataFrames and refuses anything else."""

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from mlplatform.storage.io_manager import ParquetIOManager


@dg.asset(key=["proj", "numbers"])
def numbers() -> pd.DataFrame:
    return pd.DataFrame({"n": [1, 2, 3]})


@dg.asset(key=["proj", "doubled"], ins={"numbers": dg.AssetIn(["proj", "numbers"])})
def doubled(numbers: pd.DataFrame) -> pd.DataFrame:
    return numbers.assign(n=numbers["n"] * 2)


@dg.asset(key=["proj", "by_day"], partitions_def=dg.DailyPartitionsDefinition("2026-01-01"))
def by_day(context: dg.AssetExecutionContext) -> pd.DataFrame:
    return pd.DataFrame({"day": [context.partition_key]})


@dg.asset(key=["proj", "not_a_frame"])
def not_a_frame() -> dict:
    return {"n": 1}


def test_round_trip_under_key_path(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    result = dg.materialize([numbers, doubled], resources={"io_manager": io})
    assert result.success
    stored = pd.read_parquet(tmp_path / "proj" / "doubled.parquet")
    assert stored["n"].tolist() == [2, 4, 6]
    assert sorted(p.name for p in (tmp_path / "proj").iterdir()) == [
        "doubled.parquet",
        "numbers.parquet",
    ]


def test_partitions_are_separate_files(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    for day in ("2026-01-01", "2026-01-02"):
        assert dg.materialize([by_day], resources={"io_manager": io}, partition_key=day).success
    stored = pd.read_parquet(tmp_path / "proj" / "by_day" / "2026-01-02.parquet")
    assert stored["day"].tolist() == ["2026-01-02"]


def test_non_dataframe_output_is_a_clear_error(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    with pytest.raises(TypeError, match="proj/not_a_frame: ParquetIOManager stores DataFrames"):
        dg.materialize([not_a_frame], resources={"io_manager": io})
    assert not (tmp_path / "proj").exists()


def test_a_run_reads_back_what_it_wrote_as_a_copy(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"n": [1, 2, 3]})
    path = io.store(dg.AssetKey(["proj", "numbers"]), None, frame)

    handed = io.read(path)
    handed["n"] = 0

    pd.testing.assert_frame_equal(io.read(path), frame)
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)


def test_only_the_columns_asked_for_are_read(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2]})
    path = io.store(dg.AssetKey(["proj", "numbers"]), None, frame)

    from_memory = io.read(path, columns=["id"])
    from_memory["id"] = "changed"
    from_disk = ParquetIOManager(base_dir=str(tmp_path)).read(path, columns=["id"])

    pd.testing.assert_frame_equal(io.read(path, columns=["id"]), frame[["id"]])
    pd.testing.assert_frame_equal(from_disk, frame[["id"]])


def test_a_file_replaced_on_disk_is_read_from_disk(tmp_path: Path) -> None:
    """Another process may rewrite a stored value: memory serves only the very file written."""
    io = ParquetIOManager(base_dir=str(tmp_path))
    path = io.store(dg.AssetKey(["proj", "numbers"]), "2026-01-01", pd.DataFrame({"n": [1]}))
    newer = pd.DataFrame({"n": [7, 8]})
    newer.to_parquet(path)

    pd.testing.assert_frame_equal(io.read(path), newer)


def test_memory_keeps_at_most_memory_rows(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path), memory_rows=10)
    key = dg.AssetKey(["proj", "numbers"])
    paths = [io.store(key, f"2026-01-0{d}", pd.DataFrame({"n": range(6)})) for d in (1, 2, 3)]

    assert [p for p in paths if p in io._written] == [paths[-1]], "6 + 6 rows exceed 10"
    assert all(io.read(p)["n"].tolist() == list(range(6)) for p in paths)


def test_one_column_is_read_as_arrow_from_memory_or_disk(tmp_path: Path) -> None:
    io = ParquetIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2]})
    path = io.store(dg.AssetKey(["proj", "numbers"]), None, frame)

    from_memory = io.read_column(path, "id")
    from_disk = ParquetIOManager(base_dir=str(tmp_path)).read_column(path, "id")

    assert from_memory.to_pylist() == from_disk.to_pylist() == ["a", "b"]
    assert ParquetIOManager(base_dir=str(tmp_path)).read_column(path, "n").to_pylist() == [1, 2]
