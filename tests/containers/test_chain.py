"""The platform in containers, driven as in production: nobody launches the chain. A batch
landed in each project's volume goes through the landing sensor, declarative automation and the
promotion decision to a champion, a drift report and predictions, and every run of it is a
container of the project's image that the DockerRunLauncher started (image, user, network and
volume checked). Daily projects retrain on their weekly schedule: the test launches that
schedule's job once the landed day's features exist. The MLflow server then holds the
versions and the champion alias.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ..dagster_processes import wait_for, wait_for_runs
from ..projects import is_adopted
from .dagster_api import Materialization, launch_job, materialized_after, run_failure, runs
from .engine import containers, inspect, run_container
from .stack import DATA_VOLUME, LOADED, NETWORK, RUN_USER, Figures, Stack

pytestmark = pytest.mark.containers

STAGE_TIMEOUT = 600
# Partitioned by day in a daily project; the model and the champion never are.
DAILY_NOUNS = ("raw_data", "features", "drift_report", "predictions")
NOUNS = ("raw_data", "features", "model", "champion", "drift_report", "predictions")


@dataclass(frozen=True)
class Landing:
    location: str
    day: str | None  # the landed day of a daily project
    at: float  # epoch seconds, just before landing

    def partition(self, noun: str) -> str | None:
        return self.day if noun in DAILY_NOUNS else None


def _no_failed_run(stack: Stack) -> None:
    failed = [run for run, status in runs(stack.webserver_port).items() if status == "FAILURE"]
    details = "\n".join(run_failure(stack.webserver_port, run_id) for run_id in failed)
    assert not failed, f"runs failed:\n{details}"


def _wait(stack: Stack, landing: Landing, noun: str) -> Materialization:
    key = [landing.location, noun]

    def found() -> Materialization | None:
        _no_failed_run(stack)
        return materialized_after(stack.webserver_port, key, landing.at, landing.partition(noun))

    return wait_for(found, STAGE_TIMEOUT, f"{'/'.join(key)} after landing", interval=2)


def _assert_run_container(stack: Stack, location: str, run_id: str) -> str:
    """The run ran in a container of its own: the location's image, the service user, the
    compose network and the data volume, no healthcheck (the image has none), exit 0 (the
    process exits a moment after it reports the run's success)."""
    container = wait_for(
        lambda: (c := run_container(run_id)) and not c["State"]["Running"] and c,
        60,
        f"the container of run {run_id} to exit",
    )
    config, state = container["Config"], container["State"]
    assert config["Image"] == stack.image(location)
    assert config["User"] == RUN_USER
    assert config["Labels"]["dagster/run_id"] == run_id
    assert list(container["NetworkSettings"]["Networks"]) == [NETWORK]
    mounts = {(m["Type"], m.get("Name"), m["Destination"]) for m in container["Mounts"]}
    # Only an adopted project's runs get the engine's socket (to start the team's image).
    socket = {("bind", None, "/var/run/docker.sock")} if is_adopted(location) else set()
    assert mounts == {("volume", DATA_VOLUME, "/data")} | socket
    assert config.get("Healthcheck") is None and "Health" not in state
    assert (state["Status"], state["ExitCode"]) == ("exited", 0)
    return container["Id"]


@pytest.fixture(scope="module")
def chains(stack: Stack, figures: Figures) -> dict[str, dict[str, Materialization]]:
    """Land one batch per project (a daily project: yesterday, its latest day), wait for every
    standard asset; {location: {noun: its materialization}}."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    landings = {}
    for location in stack.locations:
        day = yesterday if location in stack.daily else None
        landings[location] = Landing(location, day, time.time())
        stack.land(location, day)
    for location in stack.daily:
        _wait(stack, landings[location], "features")
        tags = {"mlplatform/trigger": "schedule"}
        launch_job(stack.webserver_port, location, f"{location}_retrain", tags)
    found: dict[str, dict[str, Materialization]] = {}
    for location, landing in landings.items():
        found[location] = {noun: _wait(stack, landing, noun) for noun in NOUNS}
        champion = found[location]["champion"].timestamp - landing.at
        figures.record(f"landing_to_champion_{location}_s", round(champion, 1))
        last = max(m.timestamp for m in found[location].values()) - landing.at
        figures.record(f"landing_to_predictions_{location}_s", round(last, 1))
    run_ids = sorted({m.run_id for chain in found.values() for m in chain.values()})
    finished = wait_for_runs(stack.webserver_port, run_ids, STAGE_TIMEOUT)
    assert set(finished.values()) == {"SUCCESS"}, finished
    return found


def test_every_location_is_loaded(stack: Stack) -> None:
    assert {n: stack.statuses()[n] for n in stack.locations} == dict.fromkeys(
        stack.locations, LOADED
    )


def test_a_landed_batch_becomes_a_champion_drift_report_and_predictions(
    stack: Stack, chains: dict[str, dict[str, Materialization]]
) -> None:
    for location, chain in chains.items():
        assert chain["model"].run_id == chain["champion"].run_id, "promotion decided in training"
        run_ids = {m.run_id for m in chain.values()}
        # Landing, features, training, and scoring: four or more runs, one container each.
        assert len(run_ids) >= 4, chain
        ran_in = {_assert_run_container(stack, location, run_id) for run_id in run_ids}
        assert len(ran_in) == len(run_ids)


def test_the_mlflow_server_holds_the_versions_and_the_champion_alias(
    stack: Stack, chains: dict[str, dict[str, Materialization]]
) -> None:
    for location, chain in chains.items():
        image_env = dict(e.split("=", 1) for e in inspect(stack.image(location))["Config"]["Env"])
        model = stack.mlflow("registered-models/get", name=location)["registered_model"]
        aliases = {a["alias"]: a["version"] for a in model.get("aliases", [])}
        found = stack.mlflow("model-versions/search", filter=f"name='{location}'")
        versions = {v["version"]: v for v in found["model_versions"]}
        assert {"champion", "challenger"} <= set(aliases) and aliases["champion"] in versions
        champion = versions[aliases["champion"]]
        assert champion["source"].startswith(("mlflow-artifacts:", "models:/")), champion
        run = stack.mlflow("runs/get", run_id=champion["run_id"])["run"]
        run_tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
        assert run_tags["dagster_run_id"] == chain["model"].run_id
        version_tags = {t["key"]: t["value"] for t in champion.get("tags", [])}
        lineage = {*version_tags.values(), *run_tags.values()}
        assert image_env["MLPLATFORM_CODE_VERSION"] in lineage
        if is_adopted(location):
            # Trained by the team's unchanged script in its own image (PipesDockerClient),
            # whose container is gone.
            assert version_tags["legacy/runner"] == "docker", version_tags
            assert version_tags["legacy/script"] == "train_model.py"
            assert not containers(f"label=mlplatform/run_id={chain['model'].run_id}")
