"""Scaffold a project: ``bash scripts/new-project.sh NAME --task classification|regression
[--daily]`` (which bootstraps uv and runs this with Python 3.11; standard library only).

Writes ``code_locations/NAME/`` from ``scripts/templates/project/`` (a spec, synthetic data,
features, a model that passes its own gate, tests), pins its environment in a hash-pinned
``requirements.lock`` at the versions the other projects are tested with, and adds the project
to every generated file (``scripts/projects.py generate``). A bad name or task is refused with
one line on stderr (exit 2) before anything is written.

Templates: ``$name``-style placeholders (``string.Template``). A line ending in ``# [tag]`` is
kept only when the tag holds (``# [!tag]`` when it does not), and lines between ``# [if tag]``
and ``# [end]`` likewise. Tags: the task, ``daily``, and ``project_first`` (the project's
package sorts before ``mlplatform``, which decides the order of first-party imports).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from string import Template
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = "scripts/templates/project"
USAGE = (
    "bash scripts/new-project.sh NAME --task classification|regression [--daily] "
    "[--adopt SCRIPT_DIR [--script train_model.py]]"
)
# Left behind when an existing project's folder is adopted into legacy/.
ADOPT_IGNORE = (".venv", "venv", "__pycache__", "*.pyc", ".git", ".pytest_cache", "*.egg-info")
TASKS = ("classification", "regression")
# Long enough for a descriptive name; short enough that the templates' lines that hold it stay
# within the line length, and its host and image names within their limits.
MAX_NAME_LENGTH = 30
LOCK_OPTIONS = [
    "--extra",
    "test",
    "--generate-hashes",
    "--no-emit-index-url",
    "--no-emit-find-links",
    "--python-version",
    "3.11",
    "-o",
    "requirements.lock",
]
# The command every lock's header names; a scaffolded lock is reproduced by running it.
LOCK_COMMAND = "uv pip compile pyproject.toml " + " ".join(LOCK_OPTIONS)
# What every location (or its tests) imports: a package of the same name would shadow it.
# Standard-library names and whatever the locations' locks and environments hold join them.
IMPORTED_BY_LOCATIONS = frozenset(
    {"mlplatform", "dagster", "mlflow", "pandas", "numpy", "sklearn", "scipy", "evidently"}
    | {"pyarrow", "pytest", "test", "tests", "conftest"}
)
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.M)
_LINE_TAG = re.compile(r"\s+# \[(!?\w+)\]$")
_BLOCK_START = re.compile(r"^\s*# \[if (!?\w+)\]$")
_BLOCK_END = re.compile(r"^\s*# \[end\]$")


class BadInput(ValueError):
    """A name or option the scaffold refuses (exit 2, nothing written)."""


def _load_by_path(name: str, path: Path) -> ModuleType:
    """Import one file as a module, without its package's ``__init__`` (which needs Dagster)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Registered before executing: dataclasses look their module up while being built.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _projects(root: Path) -> ModuleType:
    return _load_by_path("mlplatform_projects_script", root / "scripts/projects.py")


def _host_key(name: str) -> str:
    """Names with the same key would get the same host name (and the same package)."""
    return name.lower().replace("-", "_")


def shadowed_modules(root: Path) -> set[str]:
    """Top-level module names a project package must not take."""
    names = set(sys.stdlib_module_names) | IMPORTED_BY_LOCATIONS
    locks = [root / "shared/requirements.lock", *root.glob("code_locations/*/requirements.lock")]
    for lock in (lock for lock in locks if lock.exists()):
        names |= {_host_key(package) for package, _ in _PIN.findall(lock.read_text())}
    for site in root.glob("code_locations/*/.venv/lib/python3*/site-packages"):
        names |= {p.name.split(".")[0].lower() for p in site.iterdir()}
    return names


def name_problem(root: Path, name: str) -> str:
    """Why ``name`` cannot be a new project here ("" if it can)."""
    existing = [p.name for p in (root / "code_locations").iterdir() if p.is_dir()]
    if name in existing:
        return f"code_locations/{name} already exists"
    clash = [e for e in existing if _host_key(e) == _host_key(name)]
    if clash:
        return f"it collides with code_locations/{clash[0]} (the same host name and package)"
    spec_module = _load_by_path("mlplatform_spec_only", root / "shared/src/mlplatform/spec.py")
    if problem := spec_module.project_name_problem(name):
        return problem
    if len(name) > MAX_NAME_LENGTH:
        return f"use at most {MAX_NAME_LENGTH} characters"
    if name in shadowed_modules(root):
        return f"{name!r} is a module the location imports or installs; it would be shadowed"
    return ""


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line, raised rather than printed, so main() reports every refusal
    the same way."""

    def error(self, message: str) -> None:
        raise BadInput(f"{message} (usage: {USAGE})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _OneLineParser(prog="new-project.sh", usage=USAGE, description=__doc__)
    parser.add_argument("name", help="lowercase Python identifier, e.g. fraud_detection")
    parser.add_argument("--task", required=True, choices=TASKS)
    parser.add_argument("--daily", action="store_true", help="one raw partition per day")
    parser.add_argument(
        "--adopt",
        type=Path,
        help="an existing project's folder (training script, library, requirements, Dockerfile), "
        "copied unchanged to legacy/ and run through Dagster Pipes",
    )
    parser.add_argument("--script", default="train_model.py", help="the adopted training script")
    parser.add_argument("--uv", default=str(ROOT / ".local/bootstrap/bin/uv"), help="uv binary")
    return parser.parse_args(argv)


def _holds(tag: str, tags: set[str]) -> bool:
    return tag[1:] not in tags if tag.startswith("!") else tag in tags


def select_lines(text: str, tags: set[str]) -> str:
    """Keep the lines whose ``# [tag]`` or ``# [if tag]`` block holds; drop the markers."""
    kept: list[str] = []
    block: str | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        if start := _BLOCK_START.match(body):
            block = start.group(1)
        elif _BLOCK_END.match(body):
            block = None
        elif block is None or _holds(block, tags):
            tag = _LINE_TAG.search(body)
            if tag is None:
                kept.append(line)
            elif _holds(tag.group(1), tags):
                kept.append(body[: tag.start()] + "\n")
    return "".join(kept)


def adopt_problem(folder: Path | None, script: str) -> str:
    """Why ``folder`` cannot be adopted ("" if it can, or if nothing is adopted)."""
    if folder is None:
        return ""
    if not folder.is_dir():
        return f"--adopt {folder}: no such directory"
    missing = [n for n in (script, "Dockerfile") if not (folder / n).is_file()]
    if missing:
        return f"--adopt {folder}: it has no {' or '.join(missing)}"
    if not any((folder / n).is_file() for n in ("requirements.lock", "requirements.txt")):
        return f"--adopt {folder}: it has no requirements.lock or requirements.txt"
    return ""


def adopt_folder(source: Path, project: Path, uv: str) -> None:
    """``source`` copied unchanged to ``<project>/legacy``, with a hash-pinned lock compiled
    from its requirements.txt if it has none, and a .dockerignore for its image build."""
    legacy = project / "legacy"
    shutil.copytree(source, legacy, ignore=shutil.ignore_patterns(*ADOPT_IGNORE))
    if not (legacy / "requirements.lock").exists():
        command = [uv, "pip", "compile", "--quiet", "requirements.txt", *LOCK_OPTIONS[2:]]
        subprocess.run(command, cwd=legacy, check=True)
    if not (legacy / ".dockerignore").exists():
        (legacy / ".dockerignore").write_text(".venv\n**/__pycache__\n*.pyc\n")


def template_values(root: Path, name: str, task: str, script: str = "") -> dict[str, str]:
    pyproject = (root / "pyproject.toml").read_text()
    [dagster_postgres] = re.findall(r'"(dagster-postgres==[^"]+)"', pyproject)
    return {
        "name": name,
        "title": name.replace("_", " ").capitalize(),
        "task": task,
        "dagster_postgres": dagster_postgres,
        "script": script,
    }


def template_tags(name: str, task: str, daily: bool, adopt: bool = False) -> set[str]:
    tags = {task, "daily"} if daily else {task}
    tags |= {"adopt"} if adopt else set()
    # isort puts `from <name>...` before `from mlplatform...` when the name sorts first.
    return tags | {"project_first"} if name < "mlplatform" else tags


def render_project(root: Path, folder: Path, values: dict[str, str], tags: set[str]) -> None:
    """Every template under scripts/templates/project, rendered into ``folder``."""
    templates = root / TEMPLATES
    for template in sorted(templates.rglob("*.tmpl")):
        relative = template.relative_to(templates)
        parts = [values["name"] if part == "PROJECT" else part for part in relative.parts]
        target = folder.joinpath(*parts).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(select_lines(template.read_text(), tags)).substitute(values))


def tested_pins(root: Path) -> list[str]:
    """``name==version`` of every package all the existing locations' locks pin alike."""
    versions: dict[str, set[str]] = {}
    for lock in root.glob("code_locations/*/requirements.lock"):
        for package, version in _PIN.findall(lock.read_text()):
            versions.setdefault(package.lower(), set()).add(version)
    return sorted(f"{p}=={next(iter(v))}" for p, v in versions.items() if len(v) == 1)


def without_constraint_notes(lock: str) -> str:
    """The lock without uv's ``-c <file>`` provenance lines (the constraints file is temporary);
    a ``# via`` left with one source takes the one-line form uv writes for a single source."""
    lock = re.sub(r"^    #   -c .*\n", "", lock, flags=re.M)
    return re.sub(r"^    # via\n    #   (.*)\n(?!    #   )", r"    # via \1\n", lock, flags=re.M)


def compile_lock(folder: Path, uv: str, pins: list[str]) -> None:
    """``requirements.lock`` by the command in every lock's header, constrained to ``pins``."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as constraints:
        constraints.write("\n".join(pins) + "\n")
        constraints.flush()
        command = [uv, "pip", "compile", "--quiet", "pyproject.toml", *LOCK_OPTIONS]
        command += ["-c", constraints.name, "--custom-compile-command", LOCK_COMMAND]
        subprocess.run(command, cwd=folder, check=True)
    lock = folder / "requirements.lock"
    lock.write_text(without_constraint_notes(lock.read_text()))


def create_project(
    root: Path, name: str, task: str, daily: bool, uv: str, adopt: tuple[Path, str] | None = None
) -> Path:
    """``code_locations/<name>/`` rendered and locked (and, adopting, the existing project in its
    ``legacy/``); removed again if any step fails."""
    folder = root / "code_locations" / name
    try:
        tags = template_tags(name, task, daily, adopt is not None)
        values = template_values(root, name, task, adopt[1] if adopt else "")
        render_project(root, folder, values, tags)
        compile_lock(folder, uv, tested_pins(root))
        if adopt is not None:
            adopt_folder(adopt[0], folder, uv)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def next_steps(name: str) -> str:
    return f"""\
{name}: created code_locations/{name}/ and added it to workspace.yaml, docker/ and Helm values.
Next:
  bash scripts/setup.sh                       # its environment (.venv) from requirements.lock
  $EDITOR code_locations/{name}/src/{name}/logic.py         # your data, features, model
  $EDITOR code_locations/{name}/src/{name}/definitions.py   # schema, target, gate, schedule
  bash scripts/test.sh                        # everything, including {name}'s own tests"""


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    try:
        args = parse_args(argv)
        if problem := name_problem(root, args.name) or adopt_problem(args.adopt, args.script):
            raise BadInput(f"cannot create project {args.name!r}: {problem}")
    except BadInput as error:
        print(f"new-project: {error}", file=sys.stderr)
        return 2
    try:
        adopt = (args.adopt.resolve(), args.script) if args.adopt else None
        create_project(root, args.name, args.task, args.daily, args.uv, adopt)
    except subprocess.CalledProcessError:
        print(
            "new-project: pinning the environment failed (uv's error above); nothing was created",
            file=sys.stderr,
        )
        return 1
    generated = _projects(root).main(["generate"], root)
    print(next_steps(args.name))
    return generated


if __name__ == "__main__":
    sys.exit(main())
