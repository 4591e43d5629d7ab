"""docker/runtime_lock.py: what an image installs is its lock without the test extra, every
remaining requirement with its pin and hashes unchanged."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import pytest

from ..conftest import ROOT
from ..projects import project_names

pytestmark = pytest.mark.deployment

PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==")

PYPROJECT = """
[project]
name = "demo"
dependencies = ["mlplatform"]
[project.optional-dependencies]
test = ["pytest>=8"]
"""
LOCK = """# header
-e ../../shared
    # via demo (pyproject.toml)
colorama==0.4.6 \\
    --hash=sha256:aaaa
    # via
    #   click
    #   pytest
click==8.1.0 \\
    --hash=sha256:bbbb
    # via mlplatform
iniconfig==2.0.0 \\
    --hash=sha256:cccc
    # via pytest
pytest==9.0.0 \\
    --hash=sha256:dddd
    # via demo (pyproject.toml)
"""


def _module() -> ModuleType:
    name = "mlplatform_runtime_lock"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "docker/runtime_lock.py")
        assert spec and spec.loader
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_test_extra_and_what_only_it_needs_are_left_out() -> None:
    text, dropped = _module().runtime_lock(PYPROJECT, LOCK)
    assert dropped == {"pytest", "iniconfig"}
    # colorama is also needed by click: kept, with its hash.
    assert "colorama==0.4.6 \\\n    --hash=sha256:aaaa" in text
    assert "click==8.1.0" in text and "-e " not in text
    assert "pytest==" not in text and "iniconfig==" not in text


@pytest.mark.parametrize("location", project_names(ROOT))
def test_a_location_image_installs_its_lock_minus_pytest(location: str) -> None:
    folder = ROOT / "code_locations" / location
    lock = (folder / "requirements.lock").read_text()
    text, dropped = _module().runtime_lock((folder / "pyproject.toml").read_text(), lock)
    assert dropped == {"pytest", "iniconfig", "pluggy"}
    pins = [line for line in text.splitlines() if PIN.match(line)]
    assert len(pins) == len([line for line in lock.splitlines() if PIN.match(line)]) - 3
    assert text.count("--hash=sha256:") >= len(pins)
    added = {line for line in text.splitlines()} - set(lock.splitlines())
    assert added == {"# Test extra and editable lines removed by docker/runtime_lock.py."}
