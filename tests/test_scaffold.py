"""`bash scripts/new-project.sh` in a copy of this working tree: a new project touches only its
own folder and the generated files, passes ruff, joins the workspace, compose and Helm, and its
own tests pass in its own environment (built from its lock, as setup.sh builds it). Bad names
are refused with one line and create nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import GC_SETTINGS, ROOT
from .projects import generated_files

pytestmark = pytest.mark.slow

UV = Path(".local/bootstrap/bin/uv")


@dataclass(frozen=True)
class Scaffolded:
    """What `new-project.sh` printed and changed, and how long it took."""

    result: subprocess.CompletedProcess
    status: set[str]
    seconds: float


def _run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=scaffold-test", "-c", "user.email=scaffold-test@invalid"]
    result = _run(["git", *identity, *args], repo)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _copy_working_tree(root: Path, to: Path) -> None:
    """Tracked and untracked-but-not-ignored files as they are now (uncommitted work
    included); environments and .local stay behind, except uv, linked to reuse it."""
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], root)
    for relative in filter(None, listed.stdout.split("\0")):
        source = root / relative
        if source.is_file():
            (to / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / relative)
    (to / UV.parent.parent).parent.mkdir(parents=True, exist_ok=True)
    (to / UV.parent.parent).symlink_to(root / UV.parent.parent)


def _status(repo: Path) -> set[str]:
    return set(_git(repo, "status", "--porcelain", "--untracked-files=normal").splitlines())


def _new_project(repo: Path, *args: str) -> Scaffolded:
    started = time.monotonic()
    result = _run(["bash", "scripts/new-project.sh", *args], repo)
    return Scaffolded(result, _status(repo), time.monotonic() - started)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the working tree, so `git status` shows what the scaffold changed."""
    if not (ROOT / UV).exists():
        pytest.fail("uv is missing: run `bash scripts/setup.sh` first")
    copy = tmp_path_factory.mktemp("scaffold") / "repo"
    _copy_working_tree(ROOT, copy)
    _git(copy, "init", "--quiet")
    _git(copy, "add", "--all")
    _git(copy, "commit", "--quiet", "--message", "the working tree")
    return copy


@pytest.fixture(scope="module")
def fraud(repo: Path) -> Scaffolded:
    return _new_project(repo, "fraud", "--task", "classification")


def test_scaffold_changes_only_the_project_and_the_generated_files(
    fraud: Scaffolded, record_testsuite_property
) -> None:
    record_testsuite_property("scaffold_seconds", round(fraud.seconds, 1))
    assert fraud.result.returncode == 0, fraud.result.stderr
    regenerated = {f" M {path}" for path in generated_files()}
    assert fraud.status == {"?? code_locations/fraud/", *regenerated}
    assert "bash scripts/setup.sh" in fraud.result.stdout
    assert "bash scripts/test.sh" in fraud.result.stdout


def test_scaffolded_project_is_listed_current_and_lint_clean(
    repo: Path, fraud: Scaffolded
) -> None:
    listed = _run(["python3", "scripts/projects.py", "list"], repo)
    assert "fraud" in listed.stdout.split()
    checked = _run(["python3", "scripts/projects.py", "check"], repo)
    assert checked.returncode == 0, checked.stderr
    ruff = str(ROOT / ".venv/bin/ruff")
    for check in (["check"], ["format", "--check"]):
        linted = _run([ruff, *check, "code_locations/fraud"], repo)
        assert linted.returncode == 0, linted.stdout + linted.stderr
    folder = repo / "code_locations/fraud"
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert files == {
        "pyproject.toml",
        "requirements.lock",
        "src/fraud/__init__.py",
        "src/fraud/__main__.py",
        "src/fraud/definitions.py",
        "src/fraud/logic.py",
        "tests/conftest.py",
        "tests/test_logic.py",
        "tests/test_chain.py",
    }


def test_scaffolded_lock_pins_versions_the_other_projects_are_tested_with(
    repo: Path, fraud: Scaffolded
) -> None:
    """Compiled by the command in every lock's header; nothing names the temporary constraints."""
    lock = (repo / "code_locations/fraud/requirements.lock").read_text()
    churn = (repo / "code_locations/churn/requirements.lock").read_text()
    assert lock.splitlines()[:3] == churn.replace("churn", "fraud").splitlines()[:3]
    assert "-c " not in lock and "/tmp" not in lock
    tested = set()
    for other in repo.glob("code_locations/*/requirements.lock"):
        if other.parent.name != "fraud":
            tested |= set(re.findall(r"^\S+==\S+", other.read_text(), flags=re.M))
    pins = set(re.findall(r"^\S+==\S+", lock, flags=re.M))
    assert pins and pins <= tested


def test_compose_config_lists_the_scaffolded_service(repo: Path, fraud: Scaffolded) -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is installed by `bash scripts/setup.sh --deployment`")
    env = {**os.environ, "POSTGRES_PASSWORD": "not-a-secret", "DOCKER_GID": "999"}
    config = subprocess.run(
        ["docker-compose", "-f", "docker/docker-compose.yml", "config", "--services"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert config.returncode == 0, config.stderr
    assert "fraud" in config.stdout.split()


BAD = [
    (["churn", "--task", "regression"], "code_locations/churn already exists"),
    (["vehicle-pricing", "--task", "regression"], "collides with code_locations/vehicle_pricing"),
    (["Fraud2", "--task", "regression"], "use lowercase letters"),
    (["fraud-detection", "--task", "regression"], "use lowercase letters"),
    (["2fraud", "--task", "regression"], "starting with a letter"),
    (["lambda", "--task", "regression"], "Python keyword"),
    (["match", "--task", "regression"], "Python keyword"),
    (["fraud_", "--task", "regression"], "no trailing or doubled '_'"),
    (["fraud__x", "--task", "regression"], "no trailing or doubled '_'"),
    (["mlplatform", "--task", "regression"], "would be shadowed"),
    (["pandas", "--task", "regression"], "would be shadowed"),
    (["tests", "--task", "regression"], "would be shadowed"),
    (["json", "--task", "regression"], "would be shadowed"),
    (["a" * 31, "--task", "regression"], "at most 30 characters"),
    (["newproject"], "required: --task"),
    (["newproject", "--task", "clustering"], "invalid choice: 'clustering'"),
    (
        ["loans", "--task", "regression", "--adopt", "missing"],
        "--adopt missing: no such directory",
    ),
    (["loans", "--task", "regression", "--adopt", "shared"], "no train_model.py or Dockerfile"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_name_or_task_is_refused_in_one_line(
    repo: Path, args: list[str], message: str
) -> None:
    before = _status(repo)

    refused = _new_project(repo, *args)

    assert refused.result.returncode == 2
    [line] = refused.result.stderr.splitlines()
    assert line.startswith("new-project: ") and message in line
    assert refused.status == before


def _site_packages(venv: Path) -> Path:
    return venv / "lib/python3.11/site-packages"


def _create_environment(project: Path) -> float:
    """The project's .venv the way scripts/setup.sh makes it, with the bytecode setup.sh would
    link in from the repository's compiled environments (scripts/seed_bytecode.py; the
    scaffolded lock pins their versions), but without setup.sh's compile pass over the rest: the
    project's suite compiles what it imports that is left. Seconds taken."""
    uv = str(project.parents[1] / UV)
    env = {**os.environ, "VIRTUAL_ENV": str(project / ".venv")}
    python = str(project / ".venv/bin/python")
    compiled = [_site_packages(ROOT / "shared/.venv")] + [
        _site_packages(venv) for venv in sorted(ROOT.glob("code_locations/*/.venv"))
    ]
    started = time.monotonic()
    for command in (
        [uv, "venv", "--quiet", "--python", shutil.which("python3.11") or "python3", ".venv"],
        [uv, "pip", "sync", "--quiet", "--python", python, "requirements.lock"],
        [uv, "pip", "install", "--quiet", "--no-deps", "--python", python, "-e", "."],
        [python, str(ROOT / "scripts/seed_bytecode.py"), str(_site_packages(project / ".venv"))]
        + [str(site) for site in compiled],
    ):
        made = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
    shutil.copy(GC_SETTINGS, _site_packages(project / ".venv"))  # as setup.sh's tune_env
    return time.monotonic() - started


def test_scaffolded_projects_pass_their_own_tests(
    repo: Path, fraud: Scaffolded, record_testsuite_property
) -> None:
    """A classification project and a daily regression project, each in its own environment."""
    sales = _new_project(repo, "store_sales", "--task", "regression", "--daily")
    assert sales.result.returncode == 0, sales.result.stderr
    projects = [repo / "code_locations/fraud", repo / "code_locations/store_sales"]
    for project in projects:
        seconds = _create_environment(project)
        record_testsuite_property(f"{project.name}_venv_seconds", round(seconds, 1))

    started = time.monotonic()
    # From the repository root with the project's interpreter, as scripts/test.sh runs them.
    runs = {
        project.name: subprocess.Popen(
            [str(project / ".venv/bin/python"), "-m", "pytest", "-q", f"{project}/tests"],
            cwd=repo,
            env={**os.environ, "DO_NOT_TRACK": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for project in projects
    }
    outputs = {name: run.communicate(timeout=600)[0] for name, run in runs.items()}
    record_testsuite_property("project_tests_seconds", round(time.monotonic() - started, 1))

    for name, run in runs.items():
        assert run.returncode == 0, outputs[name][-5000:]
        assert " passed" in outputs[name] and "skipped" not in outputs[name], outputs[name]


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Scaffolded]:
    """A repository copy of its own with credit_risk's legacy project adopted as `loans`."""
    copy = tmp_path_factory.mktemp("adopt") / "repo"
    _copy_working_tree(ROOT, copy)
    _git(copy, "init", "--quiet")
    _git(copy, "add", "--all")
    _git(copy, "commit", "--quiet", "--message", "the working tree")
    source = "code_locations/credit_risk/legacy"
    return copy, _new_project(copy, "loans", "--task", "classification", "--adopt", source)


def test_adopting_copies_the_script_unchanged_and_runs_it_through_pipes(adopted) -> None:
    repo, loans = adopted
    assert loans.result.returncode == 0, loans.result.stderr
    regenerated = {f" M {path}" for path in generated_files()}
    assert loans.status == {"?? code_locations/loans/", *regenerated}
    source, legacy = (
        repo / "code_locations/credit_risk/legacy",
        repo / "code_locations/loans/legacy",
    )
    for relative in (
        "train_model.py",
        "credit_risk_lib/model.py",
        "requirements.lock",
        "Dockerfile",
    ):
        assert (legacy / relative).read_bytes() == (source / relative).read_bytes(), relative
    definitions = (repo / "code_locations/loans/src/loans/definitions.py").read_text()
    assert "legacy=LegacyTraining(" in definitions and "make_model" not in definitions
    assert 'script="train_model.py"' in definitions
    lint = _run([str(ROOT / ".venv/bin/ruff"), "check", "code_locations/loans"], repo)
    assert lint.returncode == 0, lint.stdout
    compose = (repo / "docker/docker-compose.yml").read_text()
    assert "loans-legacy:" in compose and "context: ../code_locations/loans/legacy" in compose
    assert "}/loans-legacy:" in compose and "DAGSTER_CONTAINER_CONTEXT" in compose
