"""What a run costs besides its steps: launch to first step, resource initialisation, and a
training run's wall time against its steps' own compute, from the event log of runs launched the
way the UI launches them on a real `dagster dev` (churn only, SQLite, scripts/dagster.local.yaml).

A batch is landed, raw data and features are built, then the training run (model, champion) is
launched four times; of the last three (a challenger against a champion, the steady state), the
median is reported.
Target: training run (enqueued -> success) <= 1.5x its steps' compute (step start -> success).
Run from the repo root: .venv/bin/python bench/bench_run_cost.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import figure  # noqa: E402
from tests.dagster_processes import (  # noqa: E402
    graphql,
    launch_assets,
    quiet_location,
    wait_for_runs,
)

PROJECT = "churn"
EVENTS_QUERY = """
query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
    ... on MessageEvent { eventType timestamp stepKey }
} } } }
"""


def _events(port: int, run_id: str) -> list[tuple[str, float, str | None]]:
    data = graphql(port, EVENTS_QUERY, {"id": run_id})["data"]["logsForRun"]["events"]
    return [(e["eventType"], int(e["timestamp"]) / 1000, e.get("stepKey")) for e in data if e]


def breakdown(port: int, run_id: str) -> dict[str, float]:
    """Seconds: enqueued -> run start, -> first step, resource init, steps' compute, whole run."""
    events = _events(port, run_id)

    def first(kind: str) -> float:
        return next(t for k, t, _ in events if k == kind)

    enqueued = first("RUN_ENQUEUED")
    starts = {s: t for k, t, s in events if k == "STEP_START"}
    ends = {s: t for k, t, s in events if k == "STEP_SUCCESS"}
    return {
        "to run start": first("RUN_START") - enqueued,
        "to first step": min(starts.values()) - enqueued,
        "resource init": first("RESOURCE_INIT_SUCCESS") - first("RESOURCE_INIT_STARTED"),
        "steps": sum(ends[s] - starts[s] for s in ends),
        "run": first("RUN_SUCCESS") - enqueued,
    }


def _launch(port: int, nouns: list[str]) -> str:
    run_id = launch_assets(port, PROJECT, [[PROJECT, n] for n in nouns])
    assert wait_for_runs(port, [run_id], 600) == {run_id: "SUCCESS"}
    return run_id


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        python = ROOT / "code_locations" / PROJECT / ".venv" / "bin" / "python"
        land = [str(python), "-m", PROJECT, "land", "--rows", "5000", "--seed", "1"]
        # Sensors off before landing: only the launched runs run.
        with quiet_location(ROOT, tmp, PROJECT) as (port, env):
            subprocess.run(land, env={**env, "PATH": "/usr/bin:/bin"}, check=True, cwd=ROOT)
            ingest = breakdown(port, _launch(port, ["raw_data"]))
            _launch(port, ["features"])
            _launch(port, ["model", "champion"])  # the first model: no champion to compare yet
            trainings = [breakdown(port, _launch(port, ["model", "champion"])) for _ in range(3)]
    training = sorted(trainings, key=lambda t: t["run"] / t["steps"])[1]  # the median run
    for what, figures in (("raw data run", ingest), ("training run", training)):
        print(f"{what}: " + ", ".join(f"{k} {v:.1f} s" for k, v in figures.items()))
    figure(
        "raw data run: enqueued -> first step, vs its step",
        ingest["to first step"],
        ingest["steps"],
        None,
    )
    figure(
        "training run (model, champion), whole run vs its steps' compute",
        training["run"],
        training["steps"],
        1.5,
    )


if __name__ == "__main__":
    main()
