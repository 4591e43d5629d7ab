"""The repository's projects for the platform tests: the names come from the one list
(scripts/projects.py, which reads code_locations/*); what a project's spec says is asked of the
project's own environment, since the platform environment cannot import project code.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from .conftest import ROOT


def script_module(filename: str) -> ModuleType:
    """``scripts/<filename>``, imported by path (scripts/ is not a package)."""
    name = f"mlplatform_script_{Path(filename).stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / filename)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # Registered before executing: its dataclasses look their module up while being built.
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def projects_script() -> ModuleType:
    """scripts/projects.py, the one list of projects."""
    return script_module("projects.py")


def project_names(root: Path = ROOT) -> list[str]:
    """Every project (code location) under ``root``, sorted by name."""
    return projects_script().project_names(root)


def generated_files() -> list[str]:
    """The files with generated per-project blocks, from the repository root, in the order
    ``check`` names them."""
    return list(dict.fromkeys(block.path for block in projects_script().BLOCKS))


def host_name(name: str) -> str:
    """The project's compose service, Kubernetes deployment and host name."""
    return projects_script().host_name(name)


def is_adopted(name: str, root: Path = ROOT) -> bool:
    """Whether the project's training is a team's own script and image (legacy/Dockerfile)."""
    return name in projects_script().adopted_projects(root)


def location_python(root: Path, name: str) -> Path:
    return root / "code_locations" / name / ".venv/bin/python"


def is_daily(root: Path, name: str) -> bool:
    """Whether the project's spec has daily partitions (asked of its own environment)."""
    probe = f"from {name}.definitions import spec; print(spec.partitioning is not None)"
    answer = subprocess.run(
        [str(location_python(root, name)), "-c", probe], capture_output=True, text=True
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip() == "True"


def local_workspace(names: list[str]) -> str:
    """A local workspace.yaml loading only ``names`` (entries as in the repository's own;
    paths are from the repository root, where `dagster dev` starts)."""
    script = projects_script()
    [block] = [b for b in script.BLOCKS if b.path == "workspace.yaml"]
    return "load_from:\n" + script.render_entries(block, names, "  ")
