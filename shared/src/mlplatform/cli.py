"""Command line for a code location.

``python -m <project> land --rows 5000 --drift 0.5`` lands a synthetic batch;
``python -m <project> land --outcomes --decay 0.3`` lands the outcomes of earlier predictions;
``python -m <project> rollback --reason "..." --by alice [--to-version 3]`` rolls back.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mlplatform.spec import ProjectSpec


def _parser(spec: ProjectSpec) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {spec.name}", description=spec.description)
    commands = parser.add_subparsers(dest="command", required=True)
    land = commands.add_parser("land", help="write a synthetic batch into the landing dir")
    land.add_argument("--rows", type=int, default=5000, help="rows in the batch (default 5000)")
    land.add_argument("--seed", type=int, default=None, help="generator seed (default: time)")
    land.add_argument(
        "--drift", type=float, default=0.0, help="shift distributions, 0 (none) to 1 (default 0)"
    )
    land.add_argument("--format", choices=("csv", "parquet"), default="csv")
    if spec.partitioning:
        land.add_argument(
            "--date", default=None, help="day to land, YYYY-MM-DD (default: today, UTC)"
        )
    land.add_argument(
        "--landing-dir",
        default=os.environ.get("MLPLATFORM_LANDING_DIR"),
        help="landing root (default: $MLPLATFORM_LANDING_DIR)",
    )
    land.add_argument(
        "--if-empty", action="store_true", help="do nothing when files have already landed"
    )
    land.add_argument(
        "--outcomes",
        action="store_true",
        help="land the true target of every prediction made so far without an outcome yet "
        "(into <landing>/<project>/outcomes/; reads the prediction log in --asset-dir)",
    )
    land.add_argument(
        "--decay",
        type=float,
        default=0.0,
        help="with --outcomes: flip this share of labels (classifiers) or scale targets by "
        "1 + decay (regressors), 0 to 1 (default 0)",
    )
    land.add_argument(
        "--asset-dir",
        default=os.environ.get("MLPLATFORM_ASSET_DIR"),
        help="with --outcomes: where assets are stored (default: $MLPLATFORM_ASSET_DIR)",
    )
    back = commands.add_parser(
        "rollback",
        help="point the champion back (runs the rollback job on the instance in $DAGSTER_HOME)",
    )
    back.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    back.add_argument("--by", required=True, dest="requested_by", help="who asks for it")
    back.add_argument("--to-version", default="", help="version to restore (default: previous)")
    return parser


def run_rollback(spec: ProjectSpec, reason: str, requested_by: str, to_version: str) -> int:
    """Execute ``<project>_rollback`` in process against the configured Dagster instance."""
    import dagster as dg

    from mlplatform.orchestration.definitions import build_definitions
    from mlplatform.orchestration.names import project_names

    names = project_names(spec)
    job = build_definitions(spec).resolve_job_def(names.rollback_job)
    op_config = {"reason": reason, "requested_by": requested_by, "to_version": to_version}
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config={"ops": {names.rollback_op: {"config": op_config}}},
            instance=instance,
            raise_on_error=False,
        )
    if not result.success:
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        print(f"error: {failure.step_failure_data.error.message.strip()}", file=sys.stderr)
        return 1
    print(f"{spec.name}: rollback recorded in Dagster run {result.run_id}")
    return 0


def land_batch(
    spec: ProjectSpec,
    landing_root: Path,
    rows: int,
    seed: int,
    drift: float,
    fmt: str,
    day: str | None = None,
) -> Path:
    """Generate a batch with ``spec.generate`` and land it under ``<root>/<project>/``; a daily
    project's file is named after its day (its partition)."""
    from mlplatform.storage.landing import write_batch

    if spec.partitioning:
        day = _iso_day(day) if day else datetime.now(UTC).date().isoformat()
        name = f"{day}-seed{seed}-drift{drift:g}.{fmt}"
        frame = spec.generate(rows, seed, drift, day=day)
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"batch-{stamp}-seed{seed}-drift{drift:g}.{fmt}"
        frame = spec.generate(rows, seed, drift)
    return write_batch(landing_root / spec.name, name, frame)


def _iso_day(day: str) -> str:
    """``day`` if it is a date written YYYY-MM-DD (it names the landed file, so nothing else)."""
    try:
        valid = date.fromisoformat(day).isoformat() == day
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"--date {day!r} is not a day written YYYY-MM-DD")
    return day


def land_outcomes(
    spec: ProjectSpec,
    landing_root: Path,
    asset_dir: Path,
    decay: float,
    seed: int,
    fmt: str,
    day: str | None = None,
) -> list[Path]:
    """Land the outcomes of logged predictions that have none yet (one file per day with
    predictions, named by the day, for daily projects); returns the files written."""
    import pandas as pd

    from mlplatform.orchestration.names import project_names
    from mlplatform.steps.outcomes import outcomes_for_predictions
    from mlplatform.storage.io_manager import ParquetIOManager
    from mlplatform.storage.landing import LandingZone, write_batch

    names, landing = project_names(spec), LandingZone(root=str(landing_root))
    store = ParquetIOManager(base_dir=str(asset_dir))
    logs = _prediction_logs(store, names, day)
    answered_frames = landing.read_outcomes(spec.name).values()
    id_column = spec.data.outcome_id_column
    answered = {str(i) for frame in answered_frames for i in frame.get(id_column, [])}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    written = []
    for log_day, path in logs:
        log = pd.read_parquet(path)
        raw = pd.concat(landing.read_all(spec.name, prefix=log_day or "").values())
        outcomes = outcomes_for_predictions(
            spec.data, spec.model.task, log[id_column], raw, answered, decay, seed
        )
        if outcomes.empty:
            continue
        name = f"{log_day + '-' if log_day else ''}outcomes-{stamp}-decay{decay:g}.{fmt}"
        written.append(write_batch(landing.outcomes_dir(spec.name), name, outcomes))
    return written


def _prediction_logs(store: Any, names: Any, day: str | None) -> list[tuple[str | None, Path]]:
    """(day, path) of the stored prediction logs: one unpartitioned, or one per day."""
    paths = store.stored_paths(names.prediction_log)
    if names.partitions is None:
        return [(None, path) for path in paths]
    return [(p.stem, p) for p in paths if day is None or p.stem == day]


def _land_outcomes_command(spec: ProjectSpec, args: argparse.Namespace, root: Path) -> int:
    if not args.asset_dir:
        print("error: set MLPLATFORM_ASSET_DIR or pass --asset-dir", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int(datetime.now(UTC).timestamp())
    day = getattr(args, "date", None)
    written = land_outcomes(spec, root, Path(args.asset_dir), args.decay, seed, args.format, day)
    if not written:
        print(f"{spec.name}: no predictions without outcomes in {args.asset_dir}, nothing landed")
        return 0
    for path in written:
        print(f"{spec.name}: landed outcomes (decay {args.decay:g}) at {path}")
    return 0


def main(spec: ProjectSpec, argv: Sequence[str] | None = None) -> int:
    args = _parser(spec).parse_args(argv)
    if args.command == "rollback":
        return run_rollback(spec, args.reason, args.requested_by, args.to_version)
    if not args.landing_dir:
        print("error: set MLPLATFORM_LANDING_DIR or pass --landing-dir", file=sys.stderr)
        return 2
    root = Path(args.landing_dir)
    if args.outcomes:
        return _land_outcomes_command(spec, args, root)
    from mlplatform.storage.landing import LandingZone

    if args.if_empty and LandingZone(root=str(root)).list_files(spec.name):
        print(f"{spec.name}: data already landed in {root / spec.name}, nothing to do")
        return 0
    seed = args.seed if args.seed is not None else int(datetime.now(UTC).timestamp())
    day = getattr(args, "date", None)
    try:
        path = land_batch(spec, root, args.rows, seed, args.drift, args.format, day)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{spec.name}: landed {args.rows} rows (seed {seed}, drift {args.drift:g}) at {path}")
    return 0
