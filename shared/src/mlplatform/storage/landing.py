"""The landing zone: where raw data (``<root>/<project>/``) and outcomes
(``<root>/<project>/outcomes/``) arrive as CSV or Parquet files, never modified by us."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.spec import DataContract
from mlplatform.storage.files import unsafe_name, write_atomically
from mlplatform.storage.raw_files import RAW_SUFFIXES, RawDataError, read_raw_file

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RAW_SUFFIXES", "LandingZone", "RawDataError", "read_raw_file", "write_batch"]
OUTCOMES_DIR = "outcomes"


class LandingZone(dg.ConfigurableResource):
    """Reads raw files landed under ``<root>/<project>/`` (read-only: files are never changed).

    Example::

        landing = LandingZone(root="/data/landing")
        frames = landing.read_all("churn")   # {"batch_001.csv": DataFrame, ...}
    """

    root: str

    def project_dir(self, project: str) -> Path:
        if problem := unsafe_name(project):
            raise RawDataError(f"project {project!r}: {problem}")
        return Path(self.root) / project

    def outcomes_dir(self, project: str) -> Path:
        return self.project_dir(project) / OUTCOMES_DIR

    def list_files(self, project: str, prefix: str = "") -> list[Path]:
        """Landed raw files (whose names start with ``prefix``) in name order; hidden and
        temporary files are ignored."""
        return landed_files(self.project_dir(project), safe_prefix(prefix))

    def list_outcome_files(self, project: str, prefix: str = "") -> list[Path]:
        """Landed outcome files (whose names start with ``prefix``), as ``list_files``."""
        return landed_files(self.outcomes_dir(project), safe_prefix(prefix))

    def read_outcomes(self, project: str, prefix: str = "") -> dict[str, pd.DataFrame]:
        """Every landed outcome file (of one day, with a date ``prefix``) parsed, keyed by file
        name; none landed yet is an empty dict, not an error. Links out of the outcomes dir are
        refused as in ``read_all``."""
        folder = self.outcomes_dir(project).resolve()
        return {
            path.name: read_raw_file(inside(folder, path))
            for path in self.list_outcome_files(project, prefix)
        }

    def read_all(
        self, project: str, prefix: str = "", contract: DataContract | None = None
    ) -> dict[str, pd.DataFrame]:
        """Every landed file (of one day, with a date ``prefix``) parsed, keyed by file name;
        raises RawDataError if there are none, or naming the first file that cannot be read (or
        is a link out of the landing dir, or is over ``contract.max_file_bytes``)."""
        files = self.list_files(project, prefix)
        if not files:
            pattern = f"{prefix}*.csv or {prefix}*.parquet"
            raise RawDataError(f"no raw data in {self.project_dir(project)}: expected {pattern}")
        schema = contract.raw_schema if contract else None
        limit = contract.max_file_bytes if contract else None
        folder = self.project_dir(project).resolve()
        return {p.name: read_raw_file(inside(folder, p), schema, limit) for p in files}


def safe_prefix(prefix: str) -> str:
    """``prefix`` (a partition key) if it is a plain name; traversal and the like are refused."""
    if prefix and (problem := unsafe_name(prefix)):
        raise RawDataError(f"partition key {prefix!r}: {problem}")
    return prefix


def inside(folder: Path, path: Path) -> Path:
    """``path`` if it (after following links) is inside ``folder``; a landed symlink pointing
    out of the landing dir is refused, never read."""
    target = path.resolve()
    if not target.is_relative_to(folder):
        raise RawDataError(
            f"{path}: is a link to {target}, outside the landing dir {folder}; "
            "land the file itself"
        )
    return path


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


def write_batch(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    """Land ``frame`` as ``folder/name`` (.csv or .parquet), atomically so no reader sees half."""
    if problem := unsafe_name(name):
        raise ValueError(f"{name!r}: {problem}")
    path = folder / name
    if path.suffix not in RAW_SUFFIXES:
        raise ValueError(f"{name}: landed files must end in one of {RAW_SUFFIXES}")
    if path.exists():
        raise FileExistsError(f"{path} already exists: landed files are immutable")
    if path.suffix == ".parquet":
        return write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
