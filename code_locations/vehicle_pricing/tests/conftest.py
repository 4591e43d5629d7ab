"""Fixtures come from the platform's pytest plugin; this location only names its spec."""

import pytest

from mlplatform import ProjectSpec
from vehicle_pricing.definitions import spec

pytest_plugins = ["mlplatform.pytest_plugin"]


@pytest.fixture
def project_spec() -> ProjectSpec:
    return spec
