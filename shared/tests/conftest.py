"""The platform's tests run the demo project (``demo_project.SPEC``) through the same pytest
plugin a location uses; daily tests override ``project_spec`` with ``demo_project.DAILY``."""

import pytest
from demo_project import SPEC

from mlplatform import ProjectSpec

pytest_plugins = ["mlplatform.pytest_plugin"]


@pytest.fixture
def project_spec() -> ProjectSpec:
    return SPEC
