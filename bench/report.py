"""Regenerate README's performance table from a `bash bench/run.sh` log.

    python3 bench/report.py .local/bench/latest.log README.md

Replaces the lines between `<!-- BEGIN bench -->` and `<!-- END bench -->` with one row per
`FIGURE` line (bench/figures.py), in the order the benchmarks printed them. Stdlib only.
"""

from __future__ import annotations

import sys
from pathlib import Path

BEGIN, END = "<!-- BEGIN bench -->", "<!-- END bench -->"
HEADER = (
    "| figure | measured | baseline (same run) | ratio | target | |\n|---|---|---|---|---|---|"
)


def table(log: str) -> str:
    rows = [
        "| " + " | ".join(cell.strip() for cell in line.split("|")[1:]) + " |"
        for line in log.splitlines()
        if line.startswith("FIGURE |")
    ]
    if not rows:
        raise SystemExit("no FIGURE lines in the log: did bench/run.sh run?")
    return "\n".join([HEADER, *rows])


def main(log_path: str, readme_path: str) -> None:
    readme = Path(readme_path).read_text()
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    log = Path(log_path).read_text()
    stamp = next((line for line in log.splitlines() if line.startswith("# run:")), "")
    updated = f"{readme[:start]}\n{stamp.removeprefix('# ')}\n\n{table(log)}\n{readme[end:]}"
    Path(readme_path).write_text(updated)


if __name__ == "__main__":
    main(*sys.argv[1:3])
