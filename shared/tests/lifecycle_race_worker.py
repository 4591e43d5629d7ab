"""One racer of ``test_fault_lifecycle_race``, in its own interpreter: imports only the registry
and the lifecycle (no project, no asset graph), so a spawned process is ready quickly."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from mlplatform.lifecycle.promotion import promote, rollback
from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.spec import QualityGate

SCORES = {"1": 0.70, "2": 0.80, "3": 0.85, "4": 0.90}
GATE = QualityGate("roc_auc", 0.6)


def _slow_score(version: str) -> float:
    time.sleep(0.3)  # widen the read-decide-write window, as loading and scoring a model does
    return SCORES[version]


def _act(registry: ModelRegistry, name: str, action: str, version: str) -> dict[str, Any]:
    if action == "promote":
        return asdict(promote(registry, name, version, GATE, _slow_score))
    return asdict(rollback(registry, name, reason="race test", requested_by="tester"))


def race(store: tuple[str, str, str], action: str, version: str, start: Any, out: Any) -> None:
    """Wait at ``start`` with the others, then promote ``version`` or roll back; put
    ``(action, version, result, error, seconds)`` on ``out``."""
    tracking_uri, lock_dir, name = store
    registry = ModelRegistry(tracking_uri=tracking_uri, lock_dir=lock_dir)
    registry.client()  # imports and store checks before the start line, not inside the race
    start.wait()
    began = time.perf_counter()
    try:
        result, error = _act(registry, name, action, version), None
    except Exception as exc:  # reported to the test, which fails on it
        result, error = None, repr(exc)
    out.put((action, version, result, error, time.perf_counter() - began))
