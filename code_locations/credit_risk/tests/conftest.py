"""Fixtures come from the platform's pytest plugin; this location only names its spec."""

import pytest

from credit_risk.definitions import spec
from mlplatform import ProjectSpec

pytest_plugins = ["mlplatform.pytest_plugin"]


@pytest.fixture
def project_spec() -> ProjectSpec:
    return spec
