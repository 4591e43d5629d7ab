"""The repository keeps the shape every project relies on."""

import re
from pathlib import Path

import yaml

REQUIRED = ["pyproject.toml", "README.md", "workspace.yaml", "code_locations", "shared", "tests"]


def _locations(root: Path) -> list[Path]:
    folders = (root / "code_locations").iterdir()
    return sorted(p for p in folders if (p / "pyproject.toml").exists())


def test_required_layout(root: Path) -> None:
    missing = [name for name in [*REQUIRED, "docker"] if not (root / name).exists()]
    assert missing == []
    assert _locations(root), "no code location found"


def test_every_lock_is_hash_pinned_and_names_no_download_address(root: Path) -> None:
    locks = [root / "requirements.lock", root / "scripts/bootstrap.lock"]
    locks += [p / "requirements.lock" for p in _locations(root)]
    for lock in locks:
        text = lock.read_text()
        pins = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==\S+", text, flags=re.M)
        assert pins, f"{lock} pins nothing"
        assert text.count("--hash=sha256:") >= len(pins), f"{lock} has unhashed pins"
        code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        assert not [line for line in code if "://" in line or "index-url" in line], lock


def test_workspace_runs_each_location_in_its_own_environment(root: Path) -> None:
    entries = [
        e["python_module"]
        for e in yaml.safe_load((root / "workspace.yaml").read_text())["load_from"]
    ]
    by_name = {e["location_name"]: e for e in entries}
    assert sorted(by_name) == [p.name for p in _locations(root)]
    for name, entry in by_name.items():
        assert entry["executable_path"] == f"code_locations/{name}/.venv/bin/python"
        assert entry["module_name"] == f"{name}.definitions"


def test_ci_runs_the_readme_test_command(root: Path) -> None:
    readme = (root / "README.md").read_text()
    assert "bash scripts/test.sh" in readme and "bash scripts/up.sh" in readme
    ci = [line for line in (root / ".ci/run").read_text().splitlines() if line.startswith("bash")]
    assert ci == ["bash scripts/test.sh"]


def test_shared_never_imports_a_location(root: Path) -> None:
    names = [p.name for p in _locations(root)]
    for source in (root / "shared/src").rglob("*.py"):
        text = source.read_text()
        for name in names:
            assert not re.search(rf"^\s*(from|import) {name}\b", text, flags=re.M), source
