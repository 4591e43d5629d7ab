"""Container tests (marker `containers`, left out of the default pytest run): the images of
docker/ built, the compose stack up on a real Docker engine, and the platform exercised through
the webserver's GraphQL API and the MLflow server's REST API, each run in its own container.

`bash scripts/test-containers.sh` provides the engine, the base images and the images, then runs
these tests. Run alone, they need an engine that answers and build missing images on `up`:
    .venv/bin/python -m pytest tests/containers -m containers
The stack is removed at the end (containers, run containers, network, volumes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..projects import is_daily, project_names
from .engine import engine_answers, image_size_mb, image_unique_mb
from .stack import Figures, Stack, new_stack, refuse_foreign_deployment, start, stop

FIGURES = ROOT / ".local" / "docker" / "figures.json"


@pytest.fixture(scope="session")
def figures() -> Figures:
    """Where the figures go: scripts/test-containers.sh names the file and prints it."""
    return Figures(Path(os.environ.get("MLPLATFORM_CONTAINER_FIGURES", FIGURES)))


@pytest.fixture(scope="session")
def stack(tmp_path_factory, figures: Figures) -> Iterator[Stack]:
    if not engine_answers():
        message = "no Docker engine answers: run `bash scripts/test-containers.sh`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    locations = project_names(ROOT)
    daily = [name for name in locations if is_daily(ROOT, name)]
    stack = new_stack(tmp_path_factory.mktemp("stack"), locations, daily)
    refuse_foreign_deployment()
    stop(stack)
    try:
        start(stack, figures)
        for name in [*locations, "dagster", "mlflow"]:
            figures.record(f"image_{name}_mb", image_size_mb(stack.image(name)))
            figures.record(f"image_{name}_unique_mb", image_unique_mb(stack.image(name)))
        yield stack
    finally:
        stop(stack)
