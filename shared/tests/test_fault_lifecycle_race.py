"""Fault: two promotions and a rollback race in three processes against one real MLflow store.

Each racer is its own interpreter (as two runs and a rollback command would be), so only the
registry's per-model file lock serializes them (the thread race and its no-lock control are in
``test_registry_lifecycle``). The audit trail (``promotion.*`` and ``rollback.*`` tags, each
stamped inside the lock) replayed in time order must reproduce the final aliases, and each
change must start from the champion the change before it left.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from demo_project import SPEC
from lifecycle_race_worker import SCORES, race

from mlplatform.lifecycle.promotion import CHAMPION, PREVIOUS
from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.orchestration.resources import resources_for_dir
from mlplatform.testing import record_figure

NAME = SPEC.registered_model_name
ACTIONS = (("promote", "3"), ("promote", "4"), ("rollback", ""))


def _store_with_champion_and_two_challengers(registry: ModelRegistry) -> None:
    """v1 previous, v2 champion, v3 and v4 challengers: real runs and versions, no training
    (the race is in the registry; the racers' scores come from ``SCORES``)."""
    client = registry.client()
    artifacts = (Path(registry.lock_dir).parent / "artifacts").as_uri()
    experiment = client.create_experiment("race", artifact_location=artifacts)
    client.create_registered_model(NAME)
    for _ in SCORES:
        run = client.create_run(experiment)
        client.create_model_version(NAME, f"runs:/{run.info.run_id}/model", run.info.run_id)
        client.set_terminated(run.info.run_id)
    client.set_registered_model_alias(NAME, PREVIOUS, "1")
    client.set_registered_model_alias(NAME, CHAMPION, "2")


def _audit_trail(registry: ModelRegistry) -> list[tuple[str, str, str]]:
    """(when, champion before, champion after) of every recorded decision or rollback."""
    trail = []
    for version in registry.client().search_model_versions(f"name='{NAME}'"):
        tags = version.tags
        if "promotion.decided_at" in tags:
            before = tags["promotion.champion_version"]
            after = str(version.version) if tags["promotion.promoted"] == "True" else before
            trail.append((tags["promotion.decided_at"], before, after))
        if "rollback.rolled_back_at" in tags:
            trail.append(
                (
                    tags["rollback.rolled_back_at"],
                    tags["rollback.from_version"],
                    tags["rollback.to_version"],
                )
            )
    return sorted(trail)


def _replay(trail: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
    """Whether each change starts where the one before ended, and the aliases they imply."""
    champion, previous, chained = "2", "1", True
    for _, before, after in trail:
        chained = chained and before == champion
        if after != before:
            champion, previous = after, before
    return chained, champion, previous


def _race(registry: ModelRegistry) -> list[tuple]:
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(len(ACTIONS)), context.Queue()
    store = (registry.tracking_uri, registry.lock_dir, NAME)
    racers = [
        context.Process(target=race, args=(store, action, version, start, out))
        for action, version in ACTIONS
    ]
    for racer in racers:
        racer.start()
    results = [out.get(timeout=180) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
    return results


def test_two_promotions_and_a_rollback_race_and_the_audit_trail_explains_the_aliases(
    data_dir: Path,
) -> None:
    registry = resources_for_dir(SPEC, data_dir)["registry"]
    _store_with_champion_and_two_challengers(registry)

    results = _race(registry)

    assert [r[3] for r in results if r[3]] == []
    trail = _audit_trail(registry)
    chained, champion, previous = _replay(trail)
    assert len(trail) == 3 and chained, trail
    aliases = (registry.alias_version(NAME, CHAMPION), registry.alias_version(NAME, PREVIOUS))
    assert aliases == (champion, previous), (trail, aliases)
    record_figure(
        "lifecycle_race",
        "two promotions and a rollback racing in 3 processes, serialized by the lock",
        max(r[4] for r in results),
    )
