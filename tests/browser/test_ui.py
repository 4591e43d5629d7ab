"""What a user does in the Dagster UI, in a real browser, step by step. The tests run in this
order and share one `dagster dev` and one MLflow UI (see conftest.py): see every location's
asset graph and checks, materialize and watch the run succeed, follow the drift report's and the
model's links into MLflow, backfill a date range of the daily project from the Materialize
dialog, and find every sensor and schedule running on the Automation page.

Selectors are roles, names and visible text; the production build of the Dagster UI ships no
data-testid attributes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from ..dagster_processes import graphql
from .conftest import DAYS, LOCATIONS, Stack

pytestmark = pytest.mark.browser

# The standard assets (mlplatform.orchestration.names.STANDARD_ASSETS; this environment has no
# mlplatform to import it from).
NOUNS = (
    "raw_data",
    "features",
    "model",
    "champion",
    "drift_report",
    "predictions",
    "model_performance",
)
RUN_TIMEOUT_MS = 240_000  # a whole-chain churn run takes 15-30 s here
# A week's backfill is one run per asset and day (see the test), about 4.5 min here.
BACKFILL_TIMEOUT_MS = 600_000
# The UI's first page (its whole bundle) and the lineage graph's layout on 2 busy cores.
PAGE_TIMEOUT_MS = 30_000
DIALOG_RECENT_DAYS = 90  # the Materialize dialog shows this many recent days until asked
MLFLOW_TIMEOUT_MS = 90_000  # the MLflow UI's first page load is heavy on 2 busy cores

CHECKS_QUERY = """
query($location: String!) { assetNodes(group: {groupName: $location,
    repositoryName: "__repository__", repositoryLocationName: $location}) {
    assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } }
} }
"""
LATEST_MATERIALIZATION_QUERY = """
query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
    assetMaterializations(limit: 1) { runId }
} } }
"""
BACKFILL_QUERY = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill {
    status
    assetBackfillData { rootTargetedPartitions { ranges { start end } } assetBackfillStatuses {
        ... on AssetPartitionsStatusCounts { assetKey { path } numPartitionsTargeted
            numPartitionsMaterialized numPartitionsFailed numPartitionsInProgress }
        ... on UnpartitionedAssetStatus { assetKey { path } materialized failed inProgress }
    } }
} } }
"""
FAILED_RUNS_QUERY = """
query($filter: RunsFilter!) { runsOrError(filter: $filter) { ... on Runs { results {
    runId tags { key value } assetSelection { path }
    eventConnection(afterCursor: null) { events { __typename
        ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } } } }
} } } }
"""
AUTOMATION_QUERY = """
{ repositoriesOrError { ... on RepositoryConnection { nodes {
    location { name }
    sensors { name sensorState { status ticks(limit: 100) { status error { message } } } }
    schedules { name scheduleState { status ticks(limit: 100) { status error { message } } } }
} } } }
"""


def _checks(stack: Stack, location: str) -> dict[str, list[str]]:
    """{asset noun: its check names}, as the webserver serves them to the UI."""
    nodes = graphql(stack.dagster_port, CHECKS_QUERY, {"location": location})["data"]
    return {
        node["assetKey"]["path"][-1]: [c["name"] for c in node["assetChecksOrError"]["checks"]]
        for node in nodes["assetNodes"]
    }


def _open_group(page: Page, stack: Stack, location: str) -> None:
    """Catalog -> the location's asset group: its lineage graph."""
    page.goto(f"{stack.dagster}/locations/{location}/asset-groups/{location}")
    graph = page.get_by_text("drift_report", exact=True).first
    expect(graph).to_be_visible(timeout=PAGE_TIMEOUT_MS)


def _launched_run_id(page: Page) -> str:
    """The run id in the link of the "Launched run ..." toast."""
    view = page.locator("a[href^='/runs/']").filter(has_text=re.compile(r"^View$")).last
    expect(view).to_be_visible()
    return view.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]


def _wait_for_success(page: Page, stack: Stack, run_id: str) -> None:
    """Open the run's page and wait until its status tag shows a final status: Success.
    (On failure the page, with the run's events, is the failure screenshot.)"""
    page.goto(f"{stack.dagster}/runs/{run_id}")
    final = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    expect(final).to_be_visible(timeout=RUN_TIMEOUT_MS)
    assert final.inner_text() == "Success", f"run {run_id} ended {final.inner_text()}"


def _metadata_link(page: Page, stack: Stack, asset: str, label: str) -> Locator:
    """On the asset's page, the link in the metadata row ``label`` of the latest
    materialization."""
    page.goto(f"{stack.dagster}/assets/{asset}")
    row = page.get_by_role("row").filter(has=page.get_by_text(label, exact=True)).first
    expect(row).to_be_visible()
    link = row.get_by_role("link").first
    expect(link).to_be_visible()
    return link


def _failed_runs(stack: Stack, backfill_id: str) -> str:
    """Each failed run of the backfill: partition, assets and the failing steps' errors."""
    run_filter = {
        "tags": [{"key": "dagster/backfill", "value": backfill_id}],
        "statuses": ["FAILURE", "CANCELED"],
    }
    runs = graphql(stack.dagster_port, FAILED_RUNS_QUERY, {"filter": run_filter})["data"]
    lines = []
    for run in runs["runsOrError"]["results"]:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        day = tags.get("dagster/asset_partition_range_start", tags.get("dagster/partition", ""))
        assets = ",".join("/".join(a["path"]) for a in run["assetSelection"] or [])
        errors = [
            f"{e['stepKey']}: {(e['error']['cause'] or e['error'])['message'].strip()}"
            for e in run["eventConnection"]["events"]
            if e["__typename"] == "ExecutionStepFailureEvent"
        ]
        lines.append(f"run {run['runId']} ({day}, {assets}): {errors}")
    return "\n".join(lines)


def test_asset_graphs_show_every_asset_and_its_checks(page: Page, stack: Stack, shot) -> None:
    """Step 1: each location's lineage graph has the seven standard assets, each node with its
    checks; an asset's Checks tab names them."""
    for location in LOCATIONS:
        checks = _checks(stack, location)
        assert sorted(checks) == sorted(NOUNS), checks
        _open_group(page, stack, location)
        for noun in NOUNS:
            expect(page.get_by_text(noun, exact=True).first).to_be_visible()
            count = len(checks[noun])
            assert count, f"{location}/{noun} has no check"
            # The node's "Asset checks" row: "<passed> / <checks> Passed", linking to them.
            in_node = page.locator(f"a[href='/assets/{location}/{noun}?view=checks']")
            expect(in_node).to_contain_text(
                re.compile(rf"\d+ / {count}\b"), timeout=PAGE_TIMEOUT_MS
            )
        shot(page, f"{location}-graph")
        page.goto(f"{stack.dagster}/assets/{location}/raw_data")
        page.get_by_role("tab", name="Checks").click()
        expect(page.get_by_text(f"Checks ({len(checks['raw_data'])})")).to_be_visible()
        for check in checks["raw_data"]:
            expect(page.get_by_text(check, exact=True).first).to_be_visible()
        shot(page, f"{location}-raw_data-checks")


def test_materialize_churn_model_and_watch_the_run_succeed(page: Page, stack: Stack, shot) -> None:
    """Step 2: churn's raw data is ingested by the landing sensor; Materialize all builds the
    rest (the drift report needs a champion), then Materialize on the model's page retrains.
    Both runs succeed in the UI."""
    _open_group(page, stack, "churn")
    page.get_by_role("button", name=re.compile(r"Materialize all$")).click()
    run_id = _launched_run_id(page)
    shot(page, "all-launched")
    _wait_for_success(page, stack, run_id)
    shot(page, "all-succeeded")

    page.goto(f"{stack.dagster}/assets/churn/model")
    page.get_by_role("button", name=re.compile(r"\bMaterialize$")).click()
    run_id = _launched_run_id(page)
    shot(page, "model-launched")
    _wait_for_success(page, stack, run_id)
    shot(page, "model-succeeded")
    key = {"path": ["churn", "model"]}
    latest = graphql(stack.dagster_port, LATEST_MATERIALIZATION_QUERY, {"key": key})["data"]
    assert latest["assetOrError"]["assetMaterializations"][0]["runId"] == run_id


def test_drift_report_link_opens_the_rendered_report(page: Page, stack: Stack, shot) -> None:
    """Step 3: report_url on churn's drift report opens the Evidently report in the MLflow UI
    (rendered in an iframe there), not a file path."""
    link = _metadata_link(page, stack, "churn/drift_report", "report_url")
    href = link.get_attribute("href") or ""
    shot(page, "asset")
    assert urlparse(href).netloc == f"127.0.0.1:{stack.mlflow_port}", href
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    rendered = report.frame_locator("iframe").first.get_by_text(
        re.compile("Dataset Drift|Drift is detected")
    )
    expect(rendered.first).to_be_visible(timeout=MLFLOW_TIMEOUT_MS)
    shot(report, "report")


def test_model_mlflow_run_link_opens_the_run(page: Page, stack: Stack, shot) -> None:
    """Step 4: mlflow_run on churn's model opens its MLflow run: run name and roc_auc."""
    link = _metadata_link(page, stack, "churn/model", "mlflow_run")
    href = link.get_attribute("href") or ""
    shot(page, "asset")
    assert urlparse(href).netloc == f"127.0.0.1:{stack.mlflow_port}", href
    run_id = re.search(r"/runs/([0-9a-f]{32})", href)
    assert run_id, href
    run = stack.mlflow_api(f"runs/get?run_id={run_id.group(1)}")["run"]
    with page.context.expect_page() as opened:
        link.click()
    run_page = opened.value
    expect(run_page.get_by_text(run["info"]["run_name"]).first).to_be_visible(
        timeout=MLFLOW_TIMEOUT_MS
    )
    metric = run_page.get_by_role("row").filter(has=run_page.get_by_text("roc_auc", exact=True))
    expect(metric.first).to_be_visible()
    shot(run_page, "run")


def test_backfill_a_week_from_the_materialize_dialog(page: Page, stack: Stack, shot) -> None:
    """Step 5: demand_forecasting, Materialize all over the seven landed days: one backfill
    (one run per day and asset, the model trained once) that ends with every partition of every
    asset materialized.

    The range covers DAYS; the features (and so the predictions) of the six days after them
    are requested too, since their window holds the backfilled raw days.
    """
    _open_group(page, stack, "demand_forecasting")
    page.get_by_role("button", name=re.compile(r"Materialize all")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Partition selection")).to_be_visible()
    # The dialog offers the last 90 days first. When the landed days are older, wait for its
    # "Show all partitions" offer (it renders after the partitions load) and take it.
    if date.fromisoformat(DAYS[0]) < date.today() - timedelta(days=DIALOG_RECENT_DAYS):
        show_all = dialog.get_by_role("button", name="Show all partitions")
        expect(show_all).to_be_visible()
        show_all.click()
        expect(show_all).to_be_hidden()
    selection = dialog.get_by_role("textbox").first
    selection.fill(f"[{DAYS[0]}...{DAYS[-1]}]")
    selection.press("Enter")
    expect(dialog.get_by_text(f"{len(DAYS)} partitions", exact=True)).to_be_visible()
    shot(page, "dialog")
    dialog.get_by_role("button", name="Launch backfill").click()
    view = page.locator("a[href^='/runs/b/']").filter(has_text=re.compile(r"^View$")).last
    expect(view).to_be_visible()
    backfill_id = urlparse(view.get_attribute("href")).path.rstrip("/").rsplit("/", 1)[-1]

    page.goto(f"{stack.dagster}/runs/b/{backfill_id}")
    status = page.get_by_text("Status", exact=True).locator("xpath=..")
    final = status.get_by_text(re.compile(r"^(Succeeded|Completed|Failed|Canceled)$"))
    expect(final).to_be_visible(timeout=BACKFILL_TIMEOUT_MS)
    shot(page, "finished")
    filled = graphql(stack.dagster_port, BACKFILL_QUERY, {"id": backfill_id})["data"]
    backfill = filled["partitionBackfillOrError"]
    statuses = backfill["assetBackfillData"]["assetBackfillStatuses"]
    unfinished = [
        a
        for a in statuses
        if a.get("numPartitionsFailed")
        or a.get("failed")
        or a.get("materialized") is False
        or a.get("numPartitionsMaterialized", 0) != a.get("numPartitionsTargeted", 0)
    ]
    assert backfill["status"] == "COMPLETED_SUCCESS" and not unfinished, (
        f"{backfill}\n{_failed_runs(stack, backfill_id)}"
    )
    roots = backfill["assetBackfillData"]["rootTargetedPartitions"]["ranges"]
    assert roots == [{"start": DAYS[0], "end": DAYS[-1]}]
    expect(final).to_have_text("Succeeded")
    expect(page.get_by_text("100% completed", exact=True)).to_have_count(len(NOUNS))


def test_automation_page_shows_everything_running(page: Page, stack: Stack, shot) -> None:
    """Step 6: Automation lists every sensor and schedule of every location, each switched on,
    and none has a failed tick."""
    repos = graphql(stack.dagster_port, AUTOMATION_QUERY)["data"]["repositoriesOrError"]["nodes"]
    assert sorted(repo["location"]["name"] for repo in repos) == sorted(LOCATIONS)
    for repo in repos:
        location = repo["location"]["name"]
        instigators = {
            **{s["name"]: ("sensors", s["sensorState"]) for s in repo["sensors"]},
            **{s["name"]: ("schedules", s["scheduleState"]) for s in repo["schedules"]},
        }
        failed = {
            name: [t["error"] for t in state["ticks"] if t["status"] == "FAILURE"]
            for name, (_, state) in instigators.items()
        }
        assert not {n: e for n, e in failed.items() if e}, failed
        assert {n: s["status"] for n, (_, s) in instigators.items()} == dict.fromkeys(
            instigators, "RUNNING"
        )
        # The list is virtualized: filter it to one location so every row is rendered.
        page.goto(f"{stack.dagster}/automation")
        search = page.get_by_role("textbox", name="Search and filter automations")
        search.fill(location)
        search.press("Enter")
        listed = page.locator("a[href*='/sensors/'], a[href*='/schedules/']")
        expect(listed).to_have_count(len(instigators))
        for name, (kind, _) in instigators.items():
            link = page.locator(f"a[href='/locations/{location}/{kind}/{name}']")
            expect(link).to_be_visible()
            # The row: the nearest box holding the selection checkbox and the on/off switch.
            row = link.locator("xpath=ancestor::div[count(.//input[@type='checkbox']) >= 2][1]")
            switch = row.get_by_role("checkbox").last
            expect(switch).to_be_checked()
            expect(row.get_by_role("img", name=re.compile("fail|error", re.I))).to_have_count(0)
        shot(page, location)
