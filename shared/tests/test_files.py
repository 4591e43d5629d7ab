"""Landing zone reads and atomic writes: nothing half-written, nothing overwritten."""

from pathlib import Path

import pandas as pd
import pytest

from mlplatform.storage.files import write_atomically
from mlplatform.storage.landing import LandingZone, RawDataError, read_raw_file, write_batch

FRAME = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})


def test_failed_atomic_write_keeps_previous_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("previous")

    def failing(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, failing)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_landing_lists_only_raw_files_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    write_batch(folder, "b.parquet", FRAME)
    write_batch(folder, "a.csv", FRAME)
    (folder / ".a.csv.123.tmp").write_text("partial")
    (folder / "notes.txt").write_text("not data")
    zone = LandingZone(root=str(tmp_path))
    assert [p.name for p in zone.list_files("proj")] == ["a.csv", "b.parquet"]
    frames = zone.read_all("proj")
    assert list(frames) == ["a.csv", "b.parquet"]
    pd.testing.assert_frame_equal(frames["b.parquet"], FRAME)


def test_landed_files_are_never_overwritten(tmp_path: Path) -> None:
    write_batch(tmp_path, "a.csv", FRAME)
    with pytest.raises(FileExistsError, match="immutable"):
        write_batch(tmp_path, "a.csv", FRAME.head(1))
    assert len(pd.read_csv(tmp_path / "a.csv")) == 2


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"a\.json: landed files must end in"):
        write_batch(tmp_path, "a.json", FRAME)


def test_empty_landing_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RawDataError, match=f"no raw data in {tmp_path / 'proj'}"):
        LandingZone(root=str(tmp_path)).read_all("proj")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.csv", b"", "file is empty"),
        ("e.parquet", b"PAR1 garbage", "cannot be parsed as Parquet"),
        ("e.csv", b"a,b\n1,2\n3,4,5,6\n", "cannot be parsed as CSV"),
    ],
)
def test_unreadable_file_error_names_the_file(tmp_path, name, content, message) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RawDataError, match=message) as error:
        read_raw_file(path)
    assert str(path) in str(error.value)
