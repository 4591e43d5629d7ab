"""Atomic file writes (readers never see a half-written file) and whole-line appends."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temp file beside ``path``, then rename it into place.

    Example: ``write_atomically(p, lambda tmp: frame.to_parquet(tmp))``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise OSError(exc.errno, f"No space left on device writing {path}") from exc
        raise
    return path


def append_line(path: Path, line: str) -> None:
    """Append ``line`` + newline with one ``write`` on an ``O_APPEND`` descriptor, so lines
    appended by concurrent processes (on a local filesystem) do not interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def unsafe_name(name: str) -> str:
    """Why ``name`` cannot be one component of a path we build ("" if it can): no separators,
    no ``..``, not absolute, no control characters."""
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        return "must be a single file or folder name (no '/', '\\', '.' or '..')"
    if any(ord(ch) < 32 for ch in name):
        return "contains a control character"
    return ""
