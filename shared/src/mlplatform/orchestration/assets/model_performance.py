"""``<project>/model_performance``: landed outcomes joined with the logged predictions of the
model version that made them; the spec's metrics per version, role (champion, shadow challenger)
and window, as numeric materialization metadata (plotted by the UI over time) and as metrics on
each version's MLflow run. Daily projects compute it per day.

Outcome files are refused like raw files (blocking ``outcomes_valid``); outcomes for unknown ids
are counted and reported (WARN ``outcome_ids_known``); live performance below the quality gate
warns (``live_performance_meets_gate``), and the performance sensor retrains on it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import dagster as dg

from mlplatform.lifecycle.registry import ModelRegistry
from mlplatform.markdown import markdown_table
from mlplatform.orchestration.assets.days import Built, DayCheck, DayRefused, build_days
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import LandingZone

if TYPE_CHECKING:
    import pandas as pd

    from mlplatform.steps.performance import Joined, LiveComparison, Performance
    from mlplatform.storage.io_manager import ParquetIOManager

WARN = dg.AssetCheckSeverity.WARN
# Metadata keys the performance sensor reads back.
LIVE_PREFIX = "live/"
CHAMPION_VERSION_KEY = "champion_version"
LIVE_ROWS_KEY = "live_rows"
CHALLENGER_VERSION_KEY = "challenger_version"
SHADOW_ROWS_KEY = "shadow_rows"


class OutcomesRejected(DayRefused):
    """Landed outcome files broke a rule: the step fails and no model alias changes."""


@dataclass(frozen=True)
class Versions:
    """The registry's champion and challenger versions when the step started."""

    champion: str | None
    challenger: str | None


def performance_check_specs(spec: ProjectSpec, names: ProjectNames) -> list[dg.AssetCheckSpec]:
    checks, key, parts = names.checks, names.model_performance, names.partitions
    return [
        dg.AssetCheckSpec(
            checks.outcomes,
            asset=key,
            description="Outcome files hold the outcome id and a non-null target of the "
            "spec's type, one outcome per id.",
            blocking=True,
            partitions_def=parts,
        ),
        dg.AssetCheckSpec(
            checks.outcome_ids,
            asset=key,
            description="Every outcome's id was landed as raw data.",
            partitions_def=parts,
        ),
        dg.AssetCheckSpec(
            checks.live_gate,
            asset=key,
            description=f"The champion's live {spec.gate.describe()} on at least "
            f"{spec.lifecycle.performance_min_rows} outcomes.",
            partitions_def=parts,
        ),
    ]


def build_model_performance(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    @dg.asset(
        key=names.model_performance,
        deps=[names.raw_data, names.predictions],
        partitions_def=names.partitions,
        backfill_policy=names.backfill_policy,
        group_name=spec.name,
        description=f"Live {spec.name} model performance: landed outcomes joined with the "
        "predictions of the version that made them (champion and shadow challenger).",
        kinds={"mlflow", "parquet"},
        automation_condition=asset_conditions(spec, names)[names.model_performance],
        check_specs=performance_check_specs(spec, names),
    )
    def model_performance(
        context: dg.AssetExecutionContext, landing: LandingZone, registry: ModelRegistry
    ):
        from mlplatform.lifecycle.promotion import CHALLENGER, CHAMPION

        name = spec.registered_model_name
        versions = Versions(
            registry.alias_version(name, CHAMPION), registry.alias_version(name, CHALLENGER)
        )
        store: ParquetIOManager = context.resources.io_manager

        def build(day: str | None) -> Built:
            return day_performance(spec, names, landing, store, registry, versions, day)

        yield from build_days(context, names.model_performance, build)

    return model_performance


def day_performance(
    spec: ProjectSpec,
    names: ProjectNames,
    landing: LandingZone,
    store: "ParquetIOManager",
    registry: ModelRegistry,
    versions: Versions,
    day: str | None,
) -> Built:
    """Live performance of ``day`` (every outcome, unpartitioned) from its outcome files. The
    day's raw ids are read (that one column) only when outcomes landed: they tell an outcome
    waiting for its prediction from one whose id never landed."""
    from mlplatform.steps.performance import join_outcomes, performance_table

    id_column = spec.data.outcome_id_column
    files = landing.read_outcomes(spec.name, prefix=day or "") if id_column else {}
    outcomes = accepted_outcomes(spec, names, files, day)
    if outcomes is None:
        return _no_outcomes(spec, names, landing, day, id_column)
    path = store.path_for(names.prediction_log, day)
    log = store.read(path) if path.exists() else None
    known = set(raw_ids(names, store, day, id_column))
    joined = join_outcomes(spec, outcomes, log, known)
    table = performance_table(spec, joined.frame)
    log_to_mlflow(spec, registry, table)
    return Built(
        performance_frame(table),
        performance_metadata(spec, joined, table, versions, sorted(files)),
        performance_checks(spec, names, joined, table, versions, sorted(files)),
    )


def raw_ids(
    names: ProjectNames, store: "ParquetIOManager", day: str | None, column: str
) -> list[str]:
    """The ids of ``day``'s stored raw rows (every row's, unpartitioned), as text."""
    path = store.path_for(names.raw_data, day)
    if not path.exists():
        raise FileNotFoundError(
            f"{names.raw_data.to_user_string()} has no stored value at {path}: materialize it "
            "first (outcomes are matched against its ids)"
        )
    from mlplatform.steps.performance import id_text

    return id_text(store.read_column(path, column)).to_pylist()


def accepted_outcomes(
    spec: ProjectSpec, names: ProjectNames, files: dict[str, "pd.DataFrame"], day: str | None
) -> "pd.DataFrame | None":
    """The landed outcome files concatenated once every rule passes; ``None`` if none landed."""
    import pandas as pd

    from mlplatform.steps.outcomes import validate_outcomes

    if not files:
        return None
    validation = validate_outcomes(files, spec.data)
    if validation.broken:
        where = f" for {day}" if day else ""
        check = DayCheck(
            names.checks.outcomes,
            False,
            " | ".join(validation.broken),
            metadata={"files": ", ".join(files), "problems": "\n".join(validation.problems)},
        )
        raise OutcomesRejected(
            f"{spec.name}/model_performance{where}: outcomes rejected, landed files left "
            "untouched and no model alias changed: " + " | ".join(validation.broken),
            (check,),
        )
    return pd.concat(files.values(), ignore_index=True)


def _no_outcomes(
    spec: ProjectSpec,
    names: ProjectNames,
    landing: LandingZone,
    day: str | None,
    id_column: str | None,
) -> Built:
    """An explicit result with no outcomes (none landed yet, or no id to join on)."""
    import pandas as pd

    reason = (
        f"no outcomes landed in {landing.outcomes_dir(spec.name)}" + (f" for {day}" if day else "")
        if id_column
        else "no outcome id: set DataContract.outcome_id to join outcomes"
    )
    checks = [
        DayCheck(names.checks.outcomes, True, reason),
        DayCheck(names.checks.outcome_ids, True, reason, WARN),
        DayCheck(names.checks.live_gate, True, f"not judged: {reason}", WARN),
    ]
    return Built(
        pd.DataFrame({"model_version": []}), {"outcomes": 0, "no_outcomes": reason}, checks
    )


def champion_total(table: "list[Performance]", versions: Versions) -> "Performance | None":
    """The current champion's served predictions over every window of the evaluation."""
    from mlplatform.steps.performance import ALL_WINDOWS, CHAMPION_ROLE

    for row in table:
        if (row.model_version, row.role, row.window) == (
            versions.champion,
            CHAMPION_ROLE,
            ALL_WINDOWS,
        ):
            return row
    return None


def comparison(spec: ProjectSpec, joined: "Joined", versions: Versions) -> "LiveComparison | None":
    """Champion against the shadow challenger on the same outcomes, while one exists."""
    from mlplatform.steps.performance import live_comparison

    if versions.champion is None or versions.challenger in (None, versions.champion):
        return None
    return live_comparison(spec, joined.frame, versions.champion, versions.challenger)


def performance_metadata(
    spec: ProjectSpec,
    joined: "Joined",
    table: "list[Performance]",
    versions: Versions,
    files: list[str],
) -> dict[str, Any]:
    """Numeric figures (plotted across materializations) and the whole table in Markdown."""
    champion = champion_total(table, versions)
    metric = spec.gate.metric
    metadata: dict[str, Any] = {
        CHAMPION_VERSION_KEY: versions.champion or "none",
        LIVE_ROWS_KEY: champion.rows if champion else 0,
        **{f"{LIVE_PREFIX}{k}": v for k, v in (champion.metrics if champion else {}).items()},
        "outcomes": joined.outcomes,
        "matched_outcomes": joined.matched,
        "waiting_outcomes": len(joined.waiting),
        "unknown_outcome_ids": len(joined.unknown),
        "files": dg.MetadataValue.json(files),
        "performance": dg.MetadataValue.md(performance_markdown(table)),
        "dagster/row_count": len(table),
    }
    versus = comparison(spec, joined, versions)
    if versus is not None:
        metadata[CHALLENGER_VERSION_KEY] = versions.challenger
        metadata[SHADOW_ROWS_KEY] = versus.rows
        if versus.rows:
            metadata[f"shadow/champion_{metric}"] = versus.champion_score
            metadata[f"shadow/challenger_{metric}"] = versus.challenger_score
    return {k: v for k, v in metadata.items() if v is not None}


def performance_checks(
    spec: ProjectSpec,
    names: ProjectNames,
    joined: "Joined",
    table: "list[Performance]",
    versions: Versions,
    files: list[str],
) -> list[DayCheck]:
    unknown = joined.unknown
    ids = DayCheck(
        names.checks.outcome_ids,
        not unknown,
        f"{len(unknown)} of {joined.outcomes} outcomes have ids never landed as raw data"
        + (f", e.g. {list(unknown[:5])}" if unknown else "")
        + f"; {len(joined.waiting)} wait for their prediction",
        WARN,
        {"unknown_ids": len(unknown), "examples": ", ".join(unknown[:20]) or "none"},
    )
    valid = DayCheck(names.checks.outcomes, True, f"{len(files)} outcome file(s) accepted")
    return [valid, ids, live_gate_check(spec, names, champion_total(table, versions), versions)]


def live_gate_check(
    spec: ProjectSpec, names: ProjectNames, champion: "Performance | None", versions: Versions
) -> DayCheck:
    """WARN when the champion's live gate metric, over enough outcomes, fails the gate."""
    gate, needed = spec.gate, spec.lifecycle.performance_min_rows
    rows = champion.rows if champion else 0
    score = champion.metrics.get(gate.metric) if champion else None
    who = f"champion v{versions.champion}"
    if rows < needed or score is None:
        text = f"not judged: {rows} outcomes matched {who}'s predictions, {needed} needed"
        return DayCheck(names.checks.live_gate, True, text, WARN, {"rows": rows})
    return DayCheck(
        names.checks.live_gate,
        gate.passes(score),
        f"{who} live {gate.metric}={score:.4f} on {rows} outcomes, required {gate.describe()}",
        WARN,
        {gate.metric: score, "floor": gate.floor, "rows": rows},
    )


def performance_frame(table: "list[Performance]") -> "pd.DataFrame":
    """The stored value: one row per version, role and window, one column per metric."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "model_version": r.model_version,
                "role": r.role,
                "window": r.window,
                "rows": r.rows,
                **r.metrics,
            }
            for r in table
        ]
    )


def performance_markdown(table: "list[Performance]") -> str:
    metrics = sorted({m for r in table for m in r.metrics})
    rows = [
        [
            f"v{r.model_version}",
            r.role,
            r.window,
            r.rows,
            *(f"{r.metrics[m]:.4f}" if m in r.metrics else "" for m in metrics),
        ]
        for r in table
    ]
    return markdown_table(["version", "role", "window", "rows", *metrics], rows)


def log_to_mlflow(spec: ProjectSpec, registry: ModelRegistry, table: "list[Performance]") -> None:
    """Each window's metrics on the MLflow run of the version that made the predictions:
    ``live_<metric>`` for served predictions, ``shadow_<metric>`` for shadow ones, at the
    window's day (step: days since 1970-01-01)."""
    from mlflow.entities import Metric

    from mlplatform.steps.performance import ALL_WINDOWS, CHAMPION_ROLE

    client = registry.client()
    runs: dict[str, str] = {}
    for row in table:
        if row.window == ALL_WINDOWS:
            continue
        if row.model_version not in runs:
            runs[row.model_version] = client.get_model_version(
                spec.registered_model_name, row.model_version
            ).run_id
        day = date.fromisoformat(row.window)
        stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        step = (day - date(1970, 1, 1)).days
        prefix = "live" if row.role == CHAMPION_ROLE else "shadow"
        metrics = [
            Metric(f"{prefix}_{name}", value, stamp, step)
            for name, value in {**row.metrics, "rows": float(row.rows)}.items()
        ]
        client.log_batch(runs[row.model_version], metrics=metrics)


def live_scorer(
    spec: ProjectSpec, names: ProjectNames, landing: LandingZone, store: "ParquetIOManager"
) -> "Callable[[str, str], LiveComparison] | None":
    """``live(champion, challenger)``: both versions' gate metric on the landed outcomes of the
    ids both scored (every day's, for daily projects). Outcome files that break a rule give no
    live evidence (the model_performance run reports them); ``None`` without an outcome id."""
    if spec.data.outcome_id_column is None:
        return None

    def live(champion: str, challenger: str) -> "LiveComparison":
        import pandas as pd

        from mlplatform.steps.outcomes import validate_outcomes
        from mlplatform.steps.performance import LiveComparison, join_outcomes, live_comparison

        files = landing.read_outcomes(spec.name)
        if not files or validate_outcomes(files, spec.data).broken:
            return LiveComparison(0, None, None)
        logs = [store.read(path) for path in store.stored_paths(names.prediction_log)]
        if not logs:
            return LiveComparison(0, None, None)
        outcomes = pd.concat(files.values(), ignore_index=True)
        joined = join_outcomes(spec, outcomes, pd.concat(logs, ignore_index=True), set())
        return live_comparison(spec, joined.frame, champion, challenger)

    return live
