"""Command line for a code location.

``python -m <project> land --rows 5000 --drift 0.5`` lands a synthetic batch;
``python -m <project> rollback --reason "..." --by alice [--to-version 3]`` rolls back.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

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


def main(spec: ProjectSpec, argv: Sequence[str] | None = None) -> int:
    args = _parser(spec).parse_args(argv)
    if args.command == "rollback":
        return run_rollback(spec, args.reason, args.requested_by, args.to_version)
    if not args.landing_dir:
        print("error: set MLPLATFORM_LANDING_DIR or pass --landing-dir", file=sys.stderr)
        return 2
    root = Path(args.landing_dir)
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
