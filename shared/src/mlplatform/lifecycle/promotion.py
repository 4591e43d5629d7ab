"""Champion/challenger lifecycle on MLflow aliases: gated promotion and audited rollback.

Aliases: ``challenger`` is every newly trained version; ``champion`` serves predictions and is
the drift reference; ``previous`` is the champion before the last change, so rollback is one step.
Every change happens under the registry's per-model lock, so concurrent promotions and rollbacks
see each other's result: read champion, decide, move aliases, record, in one critical section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.spec import QualityGate

if TYPE_CHECKING:
    from mlplatform.steps.performance import LiveComparison

CHAMPION, CHALLENGER, PREVIOUS = "champion", "challenger", "previous"


class PromotionError(ValueError):
    """A promotion or rollback request that cannot be carried out; nothing was changed."""


@dataclass(frozen=True)
class Decision:
    """One promotion decision, as recorded in MLflow tags and Dagster metadata."""

    model_name: str
    challenger_version: str
    champion_version: str | None
    metric: str
    challenger_score: float
    champion_score: float | None
    promoted: bool
    reason: str
    decided_at: str
    # Live outcomes both versions scored (shadow scoring), when the gate asks for them.
    live_rows: int | None = None
    challenger_live_score: float | None = None
    champion_live_score: float | None = None

    @property
    def champion_after(self) -> str | None:
        return self.challenger_version if self.promoted else self.champion_version


def decide(gate: QualityGate, challenger: float, champion: float | None) -> tuple[bool, str]:
    """Promote iff the challenger passes the gate and beats the champion by more than
    ``gate.promotion_margin``; a tie (improvement == margin) keeps the champion."""
    margin = gate.promotion_margin
    if not gate.passes(challenger):
        return False, f"challenger {gate.metric}={challenger:.4f} fails gate {gate.describe()}"
    if champion is None:
        return True, f"no champion yet; challenger passes gate {gate.describe()}"
    improvement = challenger - champion if gate.higher_is_better else champion - challenger
    if improvement > margin:
        return True, (
            f"challenger {gate.metric}={challenger:.4f} beats champion {champion:.4f} "
            f"by {improvement:.4f} > margin {margin:g}"
        )
    return False, (
        f"challenger {gate.metric}={challenger:.4f} vs champion {champion:.4f}: improvement "
        f"{improvement:+.4f} is not above margin {margin:g}; champion kept"
    )


def decide_live(gate: QualityGate, live: LiveComparison | None) -> tuple[bool, str]:
    """With ``gate.live_promotion_rows``: promote only if the challenger's shadow predictions
    beat the champion's served ones by more than the margin on at least that many outcomes."""
    needed = gate.live_promotion_rows
    rows = live.rows if live else 0
    if live is None or rows < needed or None in (live.champion_score, live.challenger_score):
        return False, (
            f"{rows} live outcomes scored by both, {needed} required before the challenger can "
            "replace the champion; champion kept"
        )
    challenger, champion = live.challenger_score, live.champion_score
    improvement = challenger - champion if gate.higher_is_better else champion - challenger
    verdict = "beats" if improvement > gate.promotion_margin else "does not beat"
    return improvement > gate.promotion_margin, (
        f"on {rows} live outcomes challenger {gate.metric}={challenger:.4f} {verdict} champion "
        f"{champion:.4f} (improvement {improvement:+.4f}, margin {gate.promotion_margin:g})"
    )


Scorer = Callable[[str], float]
LiveScorer = Callable[[str, str], "LiveComparison"]


def promote(
    registry: ModelRegistry,
    model_name: str,
    challenger_version: str,
    gate: QualityGate,
    score: Scorer,
    live: LiveScorer | None = None,
) -> Decision:
    """Compare ``challenger_version`` with the current champion using ``score(version)`` (the
    gate metric on the same current held-out data) and move the aliases if it wins. With
    ``gate.live_promotion_rows``, ``live(champion, challenger)`` must also show the challenger
    ahead on live outcomes (see :func:`decide_live`)."""
    client = registry.client()
    with registry.lock(model_name):
        champion_version = registry.alias_version(model_name, CHAMPION)
        challenger_score = score(challenger_version)
        if champion_version == challenger_version:
            champion_score = challenger_score
            promoted, reason = False, f"v{challenger_version} is already the champion"
        else:
            champion_score = score(champion_version) if champion_version else None
            promoted, reason = decide(gate, challenger_score, champion_score)
        comparison = None
        if champion_version and champion_version != challenger_version and live is not None:
            comparison = live(champion_version, challenger_version)
            if promoted and gate.live_promotion_rows:
                promoted, live_reason = decide_live(gate, comparison)
                reason = f"held-out: {reason}; live: {live_reason}"
        if promoted:
            if champion_version:
                client.set_registered_model_alias(model_name, PREVIOUS, champion_version)
            client.set_registered_model_alias(model_name, CHAMPION, challenger_version)
        decision = Decision(
            model_name=model_name,
            challenger_version=challenger_version,
            champion_version=champion_version,
            metric=gate.metric,
            challenger_score=challenger_score,
            champion_score=champion_score,
            promoted=promoted,
            reason=reason,
            decided_at=datetime.now(UTC).isoformat(),
            live_rows=comparison.rows if comparison else None,
            challenger_live_score=comparison.challenger_score if comparison else None,
            champion_live_score=comparison.champion_score if comparison else None,
        )
        _record(client, decision)
    return decision


def _record(client: Any, decision: Decision) -> None:
    """The decision as ``promotion.*`` tags on the challenger version (one registry write each:
    MLflow has no batch for them) and on its training run (one batch)."""
    from mlflow.entities import RunTag

    tags = {
        f"promotion.{key}": "" if value is None else str(value)
        for key, value in asdict(decision).items()
        if key not in ("model_name", "challenger_version")
    }
    version = client.get_model_version(decision.model_name, decision.challenger_version)
    for key, value in tags.items():
        client.set_model_version_tag(decision.model_name, decision.challenger_version, key, value)
    client.log_batch(version.run_id, tags=[RunTag(key, value) for key, value in tags.items()])


@dataclass(frozen=True)
class Rollback:
    model_name: str
    from_version: str
    to_version: str
    reason: str
    requested_by: str
    rolled_back_at: str


def rollback(
    registry: ModelRegistry,
    model_name: str,
    reason: str,
    requested_by: str,
    to_version: str | None = None,
) -> Rollback:
    """Point ``champion`` at ``to_version`` (default: the ``previous`` alias); the demoted
    version becomes ``previous`` so the rollback itself can be undone the same way."""
    if not reason.strip() or not requested_by.strip():
        raise PromotionError("a rollback needs a reason and who requested it")
    client = registry.client()
    with registry.lock(model_name):
        current = registry.alias_version(model_name, CHAMPION)
        if current is None:
            raise PromotionError(f"{model_name} has no champion to roll back")
        target = to_version or registry.alias_version(model_name, PREVIOUS)
        if target is None:
            raise PromotionError(
                f"{model_name} has no 'previous' champion recorded: name the version to restore"
            )
        if target == current:
            raise PromotionError(f"{model_name} v{target} is already the champion")
        if not registry.version_exists(model_name, target):
            raise PromotionError(f"{model_name} has no version {target!r}; champion unchanged")
        client.set_registered_model_alias(model_name, CHAMPION, target)
        client.set_registered_model_alias(model_name, PREVIOUS, current)
        event = Rollback(
            model_name, current, target, reason, requested_by, datetime.now(UTC).isoformat()
        )
        for key, value in asdict(event).items():
            if key != "model_name":
                client.set_model_version_tag(model_name, current, f"rollback.{key}", value)
    return event
