"""Stores DataFrame outputs as Parquet under a base directory, one file per asset (partition)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from mlplatform.storage.files import write_atomically

if TYPE_CHECKING:
    import pandas as pd


class ParquetIOManager(dg.ConfigurableIOManager):
    """Writes ``<base_dir>/<asset key path>.parquet`` (partitions: ``.../<partition>.parquet``).

    Writes are atomic (temp file + rename), so a failed run never leaves a truncated file.

    Example: ``Definitions(resources={"io_manager": ParquetIOManager(base_dir="/data/assets")})``
    """

    base_dir: str

    def _path(self, context: dg.OutputContext | dg.InputContext) -> Path:
        key_path = context.asset_key.path
        path = Path(self.base_dir).joinpath(*key_path)
        if context.has_asset_partitions:
            return path / f"{context.asset_partition_key}.parquet"
        return path.with_suffix(".parquet")

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        import pandas as pd

        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: ParquetIOManager stores DataFrames, "
                f"got {type(obj).__name__}"
            )
        path = write_atomically(self._path(context), lambda tmp: obj.to_parquet(tmp))
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        import pandas as pd

        if context.has_asset_partitions and len(context.asset_partition_keys) > 1:
            return self._load_partitions(context)
        path = self._path(context)
        if not path.exists():
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} has no stored value at {path}: "
                "materialize it first"
            )
        return pd.read_parquet(path)

    def _load_partitions(self, context: dg.InputContext) -> pd.DataFrame:
        """Several partitions (a window, or all of them below an unpartitioned asset) as one
        frame; partitions never materialized are skipped, none at all is an error."""
        import pandas as pd

        folder = Path(self.base_dir).joinpath(*context.asset_key.path)
        paths = [folder / f"{key}.parquet" for key in context.asset_partition_keys]
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
        return pd.concat([pd.read_parquet(p) for p in found], ignore_index=True)
