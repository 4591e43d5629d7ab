"""Every installed module a run imports has bytecode from setup (docker/compile-bytecode.sh, as
in the images), so no process compiles it again where Python cannot write bytecode: an image's
runtime user, or a machine that sets PYTHONDONTWRITEBYTECODE."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import sysconfig
from pathlib import Path

# What a whole-chain run imports beyond the definitions (each step imports its own).
RUN_IMPORTS = ("dagster", "mlflow", "evidently", "sklearn.ensemble", "pandas", "pyarrow.parquet")


def _uncompiled_installed_modules() -> list[str]:
    site = Path(sysconfig.get_path("purelib"))
    sources = [getattr(module, "__file__", None) for module in list(sys.modules.values())]
    return sorted(
        str(Path(source).relative_to(site))
        for source in sources
        if source
        and source.endswith(".py")
        and Path(source).is_relative_to(site)
        and not Path(importlib.util.cache_from_source(source)).exists()
    )


def test_every_installed_module_a_run_imports_has_bytecode() -> None:
    for name in RUN_IMPORTS:
        importlib.import_module(name)

    assert _uncompiled_installed_modules() == []
