"""What the container tests ask the webserver's GraphQL API, beyond tests/dagster_processes:
materializations of an asset, launching a job with tags, and the runs the instance holds."""

from __future__ import annotations

from dataclasses import dataclass

from ..dagster_processes import LAUNCH_RUN_MUTATION, graphql

MATERIALIZATIONS_QUERY = """
query($key: AssetKeyInput!, $partitions: [String!]) { assetOrError(assetKey: $key) {
    ... on Asset { assetMaterializations(partitions: $partitions, limit: 20) {
        runId timestamp partition
} } } }
"""
RUNS_QUERY = "{ runsOrError { ... on Runs { results { runId status } } } }"
RUN_FAILURE_QUERY = """
query($id: ID!) { runOrError(runId: $id) { ... on Run { jobName tags { key value }
    eventConnection(afterCursor: null) { events { __typename
        ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } }
        ... on RunFailureEvent { message }
        ... on EngineEvent { message error { message } }
} } } } }
"""


@dataclass(frozen=True)
class Materialization:
    run_id: str
    timestamp: float  # epoch seconds
    partition: str | None


def materializations(
    port: int, key: list[str], partition: str | None = None
) -> list[Materialization]:
    """The asset's materializations (of one partition if given), newest first."""
    variables = {"key": {"path": key}, "partitions": [partition] if partition else None}
    asset = graphql(port, MATERIALIZATIONS_QUERY, variables)["data"]["assetOrError"]
    return [
        Materialization(m["runId"], int(m["timestamp"]) / 1000, m["partition"])
        for m in asset.get("assetMaterializations", [])
    ]


def materialized_after(
    port: int, key: list[str], after: float, partition: str | None = None
) -> Materialization | None:
    """The newest materialization later than ``after`` (epoch seconds), if any."""
    newer = [m for m in materializations(port, key, partition) if m.timestamp > after]
    return newer[0] if newer else None


def launch_job(port: int, location: str, job: str, tags: dict[str, str] | None = None) -> str:
    """Launch ``job`` of ``location`` as the UI's Launchpad does; the run id."""
    selector = {
        "repositoryLocationName": location,
        "repositoryName": "__repository__",
        "jobName": job,
    }
    metadata = {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}
    params = {"selector": selector, "runConfigData": {}, "executionMetadata": metadata}
    answer = graphql(port, LAUNCH_RUN_MUTATION, {"params": params})["data"]["launchRun"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    return answer["run"]["runId"]


def runs(port: int) -> dict[str, str]:
    """{run id: status} of every run the instance holds."""
    results = graphql(port, RUNS_QUERY)["data"]["runsOrError"]["results"]
    return {r["runId"]: r["status"] for r in results}


def run_failure(port: int, run_id: str) -> str:
    """What a failed run says: its job, trigger tags, and each step failure, run failure and
    engine error (the run container is gone by the time a test reads it)."""
    run = graphql(port, RUN_FAILURE_QUERY, {"id": run_id})["data"]["runOrError"]
    tags = {t["key"]: t["value"] for t in run.get("tags", []) if not t["key"].startswith(".")}
    lines = [f"run {run_id} of {run.get('jobName')} {tags}"]
    for event in run.get("eventConnection", {}).get("events", []):
        error = event.get("error") or {}
        cause = error.get("cause") or {}
        if event["__typename"] == "ExecutionStepFailureEvent":
            lines.append(f"  {event['stepKey']}: {error.get('message', '').strip()}")
            if cause:
                lines.append(f"    cause: {cause.get('message', '').strip()}")
        elif event["__typename"] == "RunFailureEvent" or error:
            lines.append(f"  {event.get('message', '')} {error.get('message', '')}".rstrip())
    return "\n".join(lines)
