"""Platform tests run in the platform environment (.venv); project code runs in its own."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Copied into every platform environment by scripts/setup.sh (and into the images).
GC_SETTINGS = ROOT / "docker/mlplatform-gc.pth"
GC_THRESHOLDS = "import gc; print(gc.get_threshold())"


def platform_gc_thresholds() -> str:
    """What GC_SETTINGS sets, as GC_THRESHOLDS prints it: its import line run without
    site-packages (so without any environment's own start-up setting)."""
    [line] = [ln for ln in GC_SETTINGS.read_text().splitlines() if ln.startswith("import")]
    code = f"{line}\n{GC_THRESHOLDS}"
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def root() -> Path:
    return ROOT
