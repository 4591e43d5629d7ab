"""The landing zone: where raw data (``<root>/<project>/``) and outcomes
(``<root>/<project>/outcomes/``) arrive as CSV or Parquet files, never modified by us."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.storage.files import write_atomically

if TYPE_CHECKING:
    import pandas as pd

RAW_SUFFIXES = (".csv", ".parquet")
OUTCOMES_DIR = "outcomes"


class RawDataError(ValueError):
    """A landed file cannot be read; the message names the file and what is wrong."""


class LandingZone(dg.ConfigurableResource):
    """Reads raw files landed under ``<root>/<project>/`` (read-only: files are never changed).

    Example::

        landing = LandingZone(root="/data/landing")
        frames = landing.read_all("churn")   # {"batch_001.csv": DataFrame, ...}
    """

    root: str

    def project_dir(self, project: str) -> Path:
        return Path(self.root) / project

    def outcomes_dir(self, project: str) -> Path:
        return self.project_dir(project) / OUTCOMES_DIR

    def list_files(self, project: str, prefix: str = "") -> list[Path]:
        """Landed raw files (whose names start with ``prefix``) in name order; hidden and
        temporary files are ignored."""
        return landed_files(self.project_dir(project), prefix)

    def list_outcome_files(self, project: str, prefix: str = "") -> list[Path]:
        """Landed outcome files (whose names start with ``prefix``), as ``list_files``."""
        return landed_files(self.outcomes_dir(project), prefix)

    def read_outcomes(self, project: str, prefix: str = "") -> dict[str, pd.DataFrame]:
        """Every landed outcome file (of one day, with a date ``prefix``) parsed, keyed by file
        name; none landed yet is an empty dict, not an error."""
        return {
            path.name: read_raw_file(path) for path in self.list_outcome_files(project, prefix)
        }

    def read_all(self, project: str, prefix: str = "") -> dict[str, pd.DataFrame]:
        """Every landed file (of one day, with a date ``prefix``) parsed, keyed by file name;
        raises RawDataError if there are none."""
        files = self.list_files(project, prefix)
        if not files:
            pattern = f"{prefix}*.csv or {prefix}*.parquet"
            raise RawDataError(f"no raw data in {self.project_dir(project)}: expected {pattern}")
        return {path.name: read_raw_file(path) for path in files}


def landed_files(folder: Path, prefix: str = "") -> list[Path]:
    """CSV/Parquet files directly in ``folder`` (names starting with ``prefix``), in name order;
    hidden and temporary files are ignored."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix in RAW_SUFFIXES
        and not p.name.startswith(".")
        and p.name.startswith(prefix)
    )


def read_raw_file(path: Path) -> pd.DataFrame:
    """Parse one landed file, with an error naming the file when it is empty or unparsable."""
    import pandas as pd

    if path.stat().st_size == 0:
        raise RawDataError(f"{path}: file is empty (0 bytes)")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as exc:  # any parser failure becomes one clear, file-named error
        kind = "Parquet" if path.suffix == ".parquet" else "CSV"
        raise RawDataError(f"{path}: cannot be parsed as {kind}: {exc}") from exc


def write_batch(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    """Land ``frame`` as ``folder/name`` (.csv or .parquet), atomically so no reader sees half."""
    path = folder / name
    if path.suffix not in RAW_SUFFIXES:
        raise ValueError(f"{name}: landed files must end in one of {RAW_SUFFIXES}")
    if path.exists():
        raise FileExistsError(f"{path} already exists: landed files are immutable")
    if path.suffix == ".parquet":
        return write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
