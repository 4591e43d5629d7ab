"""Stores DataFrame outputs as Parquet under a base directory, one file per asset (partition)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import PrivateAttr

from mlplatform.storage.files import unsafe_name, write_atomically

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


class ParquetIOManager(dg.ConfigurableIOManager):
    """Writes ``<base_dir>/<asset key path>.parquet`` (partitions: ``.../<partition>.parquet``).

    Writes are atomic (temp file + rename), so a failed run never leaves a truncated file.

    Within a run, what it wrote is handed to the next steps from memory (a copy) instead of being
    read back, as long as the file on disk is still the one written (same size and modification
    time); up to ``memory_rows`` rows are kept.

    Example: ``Definitions(resources={"io_manager": ParquetIOManager(base_dir="/data/assets")})``
    """

    base_dir: str
    memory_rows: int = 2_000_000
    _written: OrderedDict = PrivateAttr(default_factory=OrderedDict)

    def path_for(self, key: dg.AssetKey, partition: str | None = None) -> Path:
        """Where ``key`` (one partition of it) is stored."""
        path = Path(self.base_dir).joinpath(*key.path)
        for part in (*key.path, partition or "-"):
            if problem := unsafe_name(part):
                raise ValueError(
                    f"{key.to_user_string()} partition {partition!r}: {part!r} {problem}"
                )
        if partition is None:
            return path.with_suffix(".parquet")
        return path / f"{partition}.parquet"

    def stored_paths(self, key: dg.AssetKey) -> list[Path]:
        """Every stored file of ``key``: the one file, or each partition's, in name order."""
        single = self.path_for(key)
        if single.exists():
            return [single]
        return sorted(single.with_suffix("").glob("*.parquet"))

    def store(self, key: dg.AssetKey, partition: str | None, frame: pd.DataFrame) -> Path:
        """Write one value (one partition of it) atomically. Daily assets store each day of a
        ranged run through this, so the good days of a range stay stored when a bad day fails."""
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"{key.to_user_string()}: ParquetIOManager stores DataFrames, "
                f"got {type(frame).__name__}"
            )
        path = write_atomically(
            self.path_for(key, partition), lambda tmp: write_parquet(frame, tmp)
        )
        self._remember(path, frame)
        return path

    def _remember(self, path: Path, frame: pd.DataFrame) -> None:
        stat = path.stat()
        self._written.pop(path, None)
        self._written[path] = ((stat.st_size, stat.st_mtime_ns), frame)
        while sum(len(f) for _, f in self._written.values()) > self.memory_rows:
            self._written.popitem(last=False)

    def read(self, path: Path, columns: list[str] | None = None) -> pd.DataFrame:
        """The frame stored at ``path`` (only ``columns``, if given): from memory if this run
        wrote that very file."""
        import pandas as pd

        frame = self._remembered(path)
        if frame is not None:
            return (frame if columns is None else frame[columns]).copy()
        return pd.read_parquet(path, columns=columns)

    def read_column(self, path: Path, column: str) -> pa.ChunkedArray:
        """One column of the frame stored at ``path`` as Arrow data, never converted to Python
        objects: 1M string ids take 0.03 s this way and 0.3 s through ``read``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = self._remembered(path)
        if frame is not None:
            return pa.chunked_array([pa.Array.from_pandas(frame[column])])
        return pq.read_table(path, columns=[column]).column(column)

    def _remembered(self, path: Path) -> pd.DataFrame | None:
        """The frame this run wrote at ``path``, if the file is still the one it wrote."""
        remembered = self._written.get(path)
        if remembered is None:
            return None
        stat = path.stat()
        return remembered[1] if remembered[0] == (stat.st_size, stat.st_mtime_ns) else None

    def _path(self, context: dg.OutputContext | dg.InputContext) -> Path:
        partition = context.asset_partition_key if context.has_asset_partitions else None
        return self.path_for(context.asset_key, partition)

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        partition = context.asset_partition_key if context.has_asset_partitions else None
        path = self.store(context.asset_key, partition, obj)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:

        if context.has_asset_partitions and len(context.asset_partition_keys) > 1:
            return self._load_partitions(context)
        path = self._path(context)
        if not path.exists():
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} has no stored value at {path}: "
                "materialize it first"
            )
        return self.read(path)

    def _load_partitions(self, context: dg.InputContext) -> pd.DataFrame:
        """Several partitions (a window, or all of them below an unpartitioned asset) as one
        frame; partitions never materialized are skipped, none at all is an error."""
        import pandas as pd

        paths = [self.path_for(context.asset_key, key) for key in context.asset_partition_keys]
        folder = paths[0].parent
        found = [p for p in paths if p.exists()]
        if not found:
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()}: none of the {len(paths)} requested "
                f"partitions is stored under {folder}: materialize them first"
            )
        context.log.info(
            f"Loading {len(found)} of {len(paths)} requested partitions of "
            f"{context.asset_key.to_user_string()}"
        )
        return pd.concat([self.read(p) for p in found], ignore_index=True)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as Parquet at ``path``, with min/max statistics for its numeric, boolean and
    time columns only: text statistics (1M distinct ids) cost about 0.1 s per 1M rows, and no
    reader here filters on them."""
    plain = [str(c) for c, dtype in frame.dtypes.items() if dtype.kind in "biufcmM"]
    frame.to_parquet(path, write_statistics=plain)
