"""The pure steps load without Dagster: a notebook or a script can call them directly."""

import subprocess
import sys


def test_importing_every_step_loads_no_dagster() -> None:
    code = (
        "import sys, mlplatform.spec, mlplatform.steps.validation, mlplatform.steps.features, "
        "mlplatform.steps.training, mlplatform.steps.drift, mlplatform.steps.scoring; "
        "print(sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_public_names_still_resolve_from_the_package() -> None:
    import mlplatform

    assert mlplatform.ProjectSpec.__name__ == "ProjectSpec"
    assert callable(mlplatform.build_definitions) and callable(mlplatform.project_names)
