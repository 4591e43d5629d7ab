"""seed_bytecode.py SITE_PACKAGES COMPILED_SITE_PACKAGES...: give an environment the bytecode of
every module it shares with environments already compiled, by hard link.

uv installs every environment by hard-linking files from one cache, so a module of the same
package version is the same file (inode) in every environment of this machine, with the same
modification time and size: all a timestamp-based ``.pyc`` records of its source (Python sets the
code's file name from where it loads it). Linking one in costs a stat; compiling a location's
environment costs about a minute of CPU. ``scripts/setup.sh`` seeds each environment from those
it compiled before, then compiles what is left (``docker/compile-bytecode.sh`` skips modules whose
bytecode is current). Only the same file qualifies: a copy, or another version, is left to the
compiler.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def seed(target: Path, sources: list[Path]) -> tuple[int, int]:
    """Link into ``target`` each ``.pyc`` of a source module that is the same file as the
    target's; (linked, modules without bytecode before)."""
    linked = missing = 0
    for directory, folders, files in os.walk(target):
        folders[:] = [f for f in folders if f != "__pycache__"]
        relative = os.path.relpath(directory, target)
        for name in files:
            if not name.endswith(".py"):
                continue
            module = os.path.join(directory, name)
            cached = importlib.util.cache_from_source(module)
            if os.path.exists(cached):
                continue
            missing += 1
            stat = os.stat(module)
            for source in sources:
                twin = os.path.join(source, relative, name)
                try:
                    if not _same_file(os.stat(twin), stat):
                        continue
                    os.makedirs(os.path.dirname(cached), exist_ok=True)
                    os.link(importlib.util.cache_from_source(twin), cached)
                except OSError:  # no twin, no bytecode there, or another file system
                    continue
                linked += 1
                break
    return linked, missing


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    target, *sources = (Path(a) for a in argv)
    linked, missing = seed(target, [s for s in sources if s.is_dir() and s != target])
    print(f"seed-bytecode: {linked} of {missing} uncompiled modules linked from compiled twins")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
