"""The repository keeps the shape every project relies on."""

import ast
import re
from pathlib import Path

import yaml

from .projects import project_names

REQUIRED = ["pyproject.toml", "README.md", "workspace.yaml", "code_locations", "shared", "tests"]


def _locations(root: Path) -> list[Path]:
    return [root / "code_locations" / name for name in project_names(root)]


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
    """CI runs the whole suite, the browser tests and the container suite, with the command the
    README gives."""
    readme = (root / "README.md").read_text()
    assert "bash scripts/up.sh" in readme
    ci = [line for line in (root / ".ci/run").read_text().splitlines() if line.startswith("bash")]
    assert ci == ["bash scripts/test.sh --with-browser --with-containers"]
    assert ci[0] in readme


def test_shared_never_imports_a_location(root: Path) -> None:
    names = [p.name for p in _locations(root)]
    for source in (root / "shared/src").rglob("*.py"):
        text = source.read_text()
        for name in names:
            assert not re.search(rf"^\s*(from|import) {name}\b", text, flags=re.M), source


MAX_FUNCTION_LINES = 80


def _function_lengths(src: Path) -> list[tuple[int, str]]:
    """(lines, "file:line name") of every function under ``src``, decorators included and
    nested functions counted in their enclosing one too; longest first."""
    lengths = []
    for source in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                where = f"{source.relative_to(src)}:{node.lineno} {node.name}"
                lengths.append((node.end_lineno - start + 1, where))
    return sorted(lengths, reverse=True)


def test_no_function_in_shared_is_longer_than_80_lines(root: Path) -> None:
    lengths = _function_lengths(root / "shared/src")
    assert lengths, "no function found under shared/src"
    too_long = [
        f"{where}: {lines} lines" for lines, where in lengths if lines > MAX_FUNCTION_LINES
    ]
    assert too_long == [], f"split these (limit {MAX_FUNCTION_LINES} lines): {too_long}"


def _imported_modules(source: Path) -> set[str]:
    """The modules ``source`` imports anywhere (top level, in functions, under TYPE_CHECKING);
    for ``from a import b`` both ``a`` and ``a.b`` (``b`` may be a module)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def _module_file(src: Path, module: str) -> Path | None:
    base = src.joinpath(*module.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def test_steps_never_import_dagster(root: Path) -> None:
    """The pure steps, and every platform module they import (followed through explicit
    imports), name no Dagster module: tests and benchmarks call them without the framework."""
    src = root / "shared/src"
    steps = sorted((src / "mlplatform/steps").glob("*.py"))
    assert steps, "no step module found"
    imports: dict[Path, set[str]] = {}
    pending = list(steps)
    while pending:
        source = pending.pop()
        if source in imports:
            continue
        imports[source] = _imported_modules(source)
        platform = [m for m in imports[source] if m.split(".")[0] == "mlplatform"]
        pending += [p for m in platform if (p := _module_file(src, m)) and p not in imports]
    dagster = {
        str(source.relative_to(src)): sorted(
            m for m in modules if m.split(".")[0] == "dagster" or m.startswith("dagster_")
        )
        for source, modules in imports.items()
    }
    assert {source: found for source, found in dagster.items() if found} == {}
    assert len(imports) > len(steps), "the steps' platform imports were not followed"
