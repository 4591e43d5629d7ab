"""Command line for a code location: ``python -m <project> land --rows 5000 --drift 0.5``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
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
    land.add_argument(
        "--landing-dir",
        default=os.environ.get("MLPLATFORM_LANDING_DIR"),
        help="landing root (default: $MLPLATFORM_LANDING_DIR)",
    )
    land.add_argument(
        "--if-empty", action="store_true", help="do nothing when files have already landed"
    )
    return parser


def land_batch(
    spec: ProjectSpec, landing_root: Path, rows: int, seed: int, drift: float, fmt: str
) -> Path:
    """Generate a batch with ``spec.generate`` and land it under ``<root>/<project>/``."""
    from mlplatform.landing import write_batch

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"batch-{stamp}-seed{seed}-drift{drift:g}.{fmt}"
    return write_batch(landing_root / spec.name, name, spec.generate(rows, seed, drift))


def main(spec: ProjectSpec, argv: Sequence[str] | None = None) -> int:
    args = _parser(spec).parse_args(argv)
    if not args.landing_dir:
        print("error: set MLPLATFORM_LANDING_DIR or pass --landing-dir", file=sys.stderr)
        return 2
    root = Path(args.landing_dir)
    from mlplatform.landing import LandingZone

    if args.if_empty and LandingZone(root=str(root)).list_files(spec.name):
        print(f"{spec.name}: data already landed in {root / spec.name}, nothing to do")
        return 0
    seed = args.seed if args.seed is not None else int(datetime.now(UTC).timestamp())
    path = land_batch(spec, root, args.rows, seed, args.drift, args.format)
    print(f"{spec.name}: landed {args.rows} rows (seed {seed}, drift {args.drift:g}) at {path}")
    return 0
