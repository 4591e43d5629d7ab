"""What the built images hold: the service user with its own group, no credential in any image's
environment or build history, and in a location's image neither the test tools of its lock nor
any test of the repository, and no healthcheck (runs use the image)."""

from __future__ import annotations

import pytest

from ..conftest import GC_THRESHOLDS, ROOT, platform_gc_thresholds
from ..credentials import environment_findings, text_findings
from ..projects import project_names
from .engine import docker, inspect
from .stack import Stack

pytestmark = pytest.mark.containers

USER = "uid=10001(dagster) gid=10001(dagster) groups=10001(dagster)"
PROBE = """
id
python -c "import importlib.util as u; print([m for m in ('pytest', '_pytest', 'pluggy',
'iniconfig') if u.find_spec(m)])"
find /opt/mlplatform \\( -name tests -o -name 'test_*.py' -o -name conftest.py \\) -print
"""


@pytest.mark.parametrize("location", project_names(ROOT))
def test_a_location_image_has_no_test_tools_tests_or_healthcheck(
    stack: Stack, location: str
) -> None:
    image = stack.image(location)
    assert inspect(image)["Config"].get("Healthcheck") is None
    lines = docker("run", "--rm", image, "sh", "-c", PROBE).splitlines()
    assert lines == [USER, "[]"]


@pytest.mark.parametrize(("name", "user"), [("dagster", "dagster"), ("mlflow", "mlflow")])
def test_service_images_run_as_10001_with_a_group_of_that_id(
    stack: Stack, name: str, user: str
) -> None:
    answer = docker("run", "--rm", stack.image(name), "id").strip()
    assert answer == f"uid=10001({user}) gid=10001({user}) groups=10001({user})"


@pytest.mark.parametrize("name", [*project_names(ROOT), "dagster", "mlflow"])
def test_every_image_starts_python_with_the_platform_gc_thresholds(
    stack: Stack, name: str
) -> None:
    started = docker("run", "--rm", stack.image(name), "python", "-c", GC_THRESHOLDS)
    assert started == platform_gc_thresholds()


def test_no_built_image_holds_a_credential_in_its_environment_or_history(stack: Stack) -> None:
    """Every image of this build (locations, an adopted project's legacy image, dagster, mlflow)
    and the locally built base images: its baked-in environment and labels, and the commands and
    build arguments of its layers."""
    this_build = f"reference={stack.prefix}/*:{stack.tag}"
    bases = "reference=mlplatform-base/*"  # built here when the official images cannot be pulled
    listed = [
        image
        for where in (this_build, bases)
        for image in docker(
            "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", where
        ).split()
    ]
    expected = {stack.image(name) for name in [*project_names(ROOT), "dagster", "mlflow"]}
    assert expected <= set(listed), listed
    findings = []
    for image in listed:
        config = inspect(image)["Config"]
        findings += environment_findings(image, config.get("Env") or [])
        labels = [f"{k}={v}" for k, v in (config.get("Labels") or {}).items()]
        findings += environment_findings(f"{image} label", labels)
        history = docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image)
        findings += text_findings(f"{image} history", history)
    assert findings == []
