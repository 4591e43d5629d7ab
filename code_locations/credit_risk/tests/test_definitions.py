"""The credit_risk location loads cheaply, and its training script is its own: the legacy
folder imports nothing of Dagster or the platform (only the opt-in variant uses dagster_pipes)."""

import dagster as dg

from credit_risk.definitions import LEGACY_DIR, defs, spec
from mlplatform import project_names
from mlplatform.testing import heavy_modules_loaded_by


def test_definitions_load_with_the_standard_assets() -> None:
    dg.Definitions.validate_loadable(defs)
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    assert set(keys) == set(project_names(spec).asset_keys)


def test_loading_definitions_does_not_import_heavy_libraries() -> None:
    assert heavy_modules_loaded_by("credit_risk.definitions", ["dagster_docker", "docker"]) == []


def test_the_legacy_project_knows_nothing_of_the_platform() -> None:
    sources = {p.name: p.read_text() for p in LEGACY_DIR.rglob("*.py") if ".venv" not in p.parts}
    assert "train_model.py" in sources and "from credit_risk_lib" in sources["train_model.py"]
    for name, text in sources.items():
        assert "mlplatform" not in text and "import dagster\n" not in text, name
        if name != "train_model_pipes.py":
            assert "dagster" not in text, name
