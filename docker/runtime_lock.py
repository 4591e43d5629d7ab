#!/usr/bin/env python3
"""The part of a hash-pinned lock that an image installs: the lock without the project's test
extra, without what only that extra needs, and without editable (``-e``) lines, which the image
installs after copying their sources (so a code change does not reinstall the dependencies).

Every requirement that remains keeps its pin and its hashes, unchanged from the lock:

    python3 docker/runtime_lock.py code_locations/churn/pyproject.toml \
        code_locations/churn/requirements.lock > runtime.lock

Standard library only: it runs in the image's build stage before any environment exists.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

TEST_EXTRA = "test"
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Entry:
    """One requirement of the lock: its lines (pin, hashes, via comments) and what it is for."""

    name: str
    lines: tuple[str, ...]
    via: frozenset[str]
    editable: bool


def _via(lines: list[str]) -> frozenset[str]:
    """Names in the ``# via`` comments; ``churn (pyproject.toml)`` counts as ``churn``."""
    comments = [line.strip().lstrip("#").strip() for line in lines if line.strip()[:1] == "#"]
    names = [c.removeprefix("via").strip() for c in comments if c]
    return frozenset(normalize(n.split(" ")[0]) for n in names if n and not n.startswith("-r "))


def parse(lock: str) -> tuple[list[str], list[Entry]]:
    """The lock's header comment lines, and its entries in order."""
    header: list[str] = []
    blocks: list[list[str]] = []
    for line in lock.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        else:
            header.append(line)
    entries = []
    for block in blocks:
        editable = block[0].startswith("-e ")
        match = _NAME.match(block[0].removeprefix("-e ").strip())
        name = normalize(match.group(1)) if match and not editable else block[0]
        entries.append(Entry(name, tuple(block), _via(block[1:]), editable))
    return header, entries


def test_only(entries: list[Entry], extra: list[str]) -> set[str]:
    """The extra's requirements and every entry needed only by them (transitively)."""
    dropped = {normalize(_NAME.match(r).group(1)) for r in extra if _NAME.match(r)}
    changed = True
    while changed:
        changed = False
        for entry in entries:
            if entry.name not in dropped and entry.via and entry.via <= dropped:
                dropped.add(entry.name)
                changed = True
    return dropped & {e.name for e in entries}


def runtime_lock(pyproject: str, lock: str) -> tuple[str, set[str]]:
    """The lock's text for the image, and the names it left out (test tools)."""
    extras = tomllib.loads(pyproject).get("project", {}).get("optional-dependencies", {})
    header, entries = parse(lock)
    dropped = test_only(entries, extras.get(TEST_EXTRA, []))
    kept = [e for e in entries if not e.editable and e.name not in dropped]
    lines = [*header, "# Test extra and editable lines removed by docker/runtime_lock.py."]
    for entry in kept:
        lines.extend(entry.lines)
    return "\n".join(lines) + "\n", dropped


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    text, dropped = runtime_lock(Path(argv[0]).read_text(), Path(argv[1]).read_text())
    sys.stdout.write(text)
    print(f"runtime_lock: left out {', '.join(sorted(dropped)) or 'nothing'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
