"""Browser tests (marker `browser`, left out of the default pytest run; `bash scripts/test.sh
--browser` runs them): what a user clicks in the Dagster UI, done in Debian's Chromium driven by
Playwright, against a real `dagster dev` over the three example locations and a real MLflow UI on
the same store, both on 127.0.0.1, in a temp DAGSTER_HOME and data dir.

Prerequisites: `bash scripts/setup.sh --browser` (Playwright in .venv, /usr/bin/chromium).
Every step saves a screenshot to .local/test-reports/browser/<test>-<step>.png; a failing test
also saves <test>-failure.png.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from ..conftest import ROOT
from ..dagster_processes import (
    dagster_dev,
    data_dir_env,
    free_port,
    location_statuses,
    start_group,
    stop_group,
    wait_for,
)
from ..projects import local_workspace, location_python

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / ".local/test-reports/browser"
LOCATIONS = ("churn", "demand_forecasting", "vehicle_pricing")
# The days landed for the daily project, which the backfill test materializes.
DAYS = [f"2026-03-{day:02d}" for day in range(1, 8)]
# Sensors tick once when the daemon starts (the landing sensors ingest what has landed) and not
# again in a session: every other run is one a user starts in the UI, so the tests do not race
# the platform's own automation for the two run slots (that loop has tests/test_automation_live).
SENSOR_INTERVAL_SECONDS = 3600
CLICK_TIMEOUT_MS = 30_000
# Generous for 2 cores while runs execute next to the browser; every wait is bounded.
PAGE_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Stack:
    """The two web servers the browser talks to, on 127.0.0.1."""

    dagster_port: int
    mlflow_port: int

    @property
    def dagster(self) -> str:
        return f"http://127.0.0.1:{self.dagster_port}"

    @property
    def mlflow(self) -> str:
        return f"http://127.0.0.1:{self.mlflow_port}"

    def mlflow_api(self, path: str) -> dict:
        """GET ``/api/2.0/mlflow/<path>`` from the MLflow UI server."""
        with urllib.request.urlopen(f"{self.mlflow}/api/2.0/mlflow/{path}", timeout=30) as r:
            return json.loads(r.read())


def _land(name: str, env: dict[str, str], seed: int, rows: int, day: str | None = None) -> None:
    """A synthetic batch through the location's own CLI, as a user lands one."""
    command = [str(location_python(ROOT, name)), "-m", name, "land", "--rows", str(rows)]
    command += ["--seed", str(seed)] + (["--date", day] if day else [])
    subprocess.run(command, env={**env, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)


def _instance_config() -> dict:
    """The local instance (scripts/dagster.local.yaml), with queued runs started every second
    instead of every 5 s: a backfill queues dozens of short runs, two at a time."""
    config = yaml.safe_load((ROOT / "scripts/dagster.local.yaml").read_text())
    config["run_coordinator"]["config"]["dequeue_interval_seconds"] = 1
    return config


@contextmanager
def mlflow_ui(tracking_uri: str, cwd: Path, log: Path) -> Iterator[int]:
    """`mlflow ui` (the platform library's environment, as scripts/mlflow-ui.sh serves it) on a
    free port, in its own process group, stopped by that group's id only; yields the port at
    once (it answers /health only after 15-20 s: wait with ``wait_for_mlflow``)."""
    port = free_port()
    process = start_group(
        [str(ROOT / "shared/.venv/bin/mlflow"), "ui", "--backend-store-uri", tracking_uri]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "DO_NOT_TRACK": "1"},
        cwd=cwd,
        log=log,
    )
    try:
        yield port
    finally:
        stop_group(process)


def wait_for_mlflow(port: int, log: Path) -> None:
    def healthy() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            return answer.status == 200

    try:
        wait_for(healthy, 120, "the MLflow UI to answer /health")
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}\n{log.read_text()[-3000:]}") from None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Data landed with each location's CLI (churn: one batch; demand_forecasting: DAYS;
    vehicle_pricing: none), then MLflow UI and `dagster dev -w <the three locations>`."""
    missing = [str(p) for p in (CHROMIUM, ROOT / "shared/.venv/bin/mlflow") if not p.exists()]
    if missing:
        pytest.fail(f"missing {missing}: run `bash scripts/setup.sh --browser` first")
    tmp = tmp_path_factory.mktemp("browser")
    home, data = tmp / "dagster_home", tmp / "data"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(_instance_config()))
    (data / "mlflow").mkdir(parents=True)
    workspace = tmp / "workspace.yaml"
    workspace.write_text(local_workspace(list(LOCATIONS)))
    tracking_uri = data_dir_env(data, home)["MLFLOW_TRACKING_URI"]
    with ExitStack() as processes:
        mlflow_log = tmp / "mlflow-ui.log"
        mlflow_port = processes.enter_context(mlflow_ui(tracking_uri, tmp, mlflow_log))
        env = {
            **data_dir_env(data, home),
            "MLPLATFORM_SENSOR_INTERVAL_SECONDS": str(SENSOR_INTERVAL_SECONDS),
            # The platform links MLflow runs and artifacts (the drift report) in this UI.
            "MLPLATFORM_MLFLOW_UI_URL": f"http://127.0.0.1:{mlflow_port}",
        }
        _land("churn", env, seed=1, rows=2000)
        for seed, day in enumerate(DAYS, start=1):
            _land("demand_forecasting", env, seed=seed, rows=1000, day=day)
        dagster_port = processes.enter_context(
            dagster_dev(ROOT, env, tmp / "dagster-dev.log", workspace)
        )
        wait_for(
            lambda: all(
                location_statuses(dagster_port).get(name) == ("LOADED", "RepositoryLocation")
                for name in LOCATIONS
            ),
            180,
            "every location to load",
        )
        wait_for_mlflow(mlflow_port, mlflow_log)
        yield Stack(dagster_port, mlflow_port)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # Root in CI needs --no-sandbox. Every page the tests open is on 127.0.0.1: no other
            # host name resolves, so nothing a page loads can reach the network.
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(CLICK_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new tab per test; on failure, a screenshot of every open tab."""
    page = context.new_page()
    # Dagster's newsletter invitation opens once per instance on 127.0.0.1: a user skips it.
    page.add_locator_handler(
        page.get_by_text("Join the Dagster community"),
        lambda: page.get_by_role("button", name="Skip").click(),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for index, tab in enumerate(context.pages):
            suffix = "" if index == 0 else f"-tab{index}"
            with contextlib.suppress(PlaywrightError):
                tab.screenshot(path=SCREENSHOTS / f"{_test_name(request)}-failure{suffix}.png")
    for tab in context.pages:
        tab.close()


def _test_name(request: pytest.FixtureRequest) -> str:
    return request.node.name.removeprefix("test_")


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """``shot(page, step)`` saves .local/test-reports/browser/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, step: str) -> Path:
        path = SCREENSHOTS / f"{_test_name(request)}-{step}.png"
        page.screenshot(path=path, full_page=False)
        return path

    return save
