"""Summarise one lock's audit: pip-audit's JSON report, then, for each pin pip-audit could not
audit, the registry's project page (``/pypi/<name>/json``), whose ``vulnerabilities`` are those
of the project's latest release. A pin at that release is audited from it; an older pin is
reported "not audited" with the latest version, never as clean.

    python scripts/audit_locks.py LOCK PINS PIP_AUDIT_JSON PIP_AUDIT_LOG CACHE_DIR

Prints one line per lock (packages, audited, vulnerable with the advisories, not audited with
why) and exits 1 if a package is vulnerable or could not be audited. Standard library only: it
runs on the bootstrap Python.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://pypi.org/pypi"
TIMEOUT_S = 30
WORKERS = 8


@dataclass(frozen=True)
class Verdict:
    name: str
    version: str
    advisories: tuple[str, ...] = ()
    not_audited: str = ""  # why, when the pin could not be audited


def normalize(name: str) -> str:
    """PEP 503's normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project_page(name: str, cache: Path) -> dict | None:
    """The registry's project JSON for ``name`` (cached per run), or None when unreachable."""
    path = cache / f"{normalize(name)}.json"
    if not path.is_file():
        try:
            with urllib.request.urlopen(
                f"{REGISTRY}/{normalize(name)}/json", timeout=TIMEOUT_S
            ) as r:
                path.write_bytes(r.read())
        except (urllib.error.URLError, TimeoutError):
            return None
    return json.loads(path.read_text())


def from_project_page(name: str, version: str, cache: Path) -> Verdict:
    """Audit ``name==version`` from the project page when the pin is the latest release."""
    page = project_page(name, cache)
    if page is None:
        return Verdict(name, version, not_audited="registry unreachable")
    latest = page["info"]["version"]
    if latest != version:
        return Verdict(
            name,
            version,
            not_audited=f"pinned {version}, latest {latest}: the registry here serves "
            "advisories for the latest release only",
        )
    ids = tuple(v["id"] for v in page.get("vulnerabilities", []) if not v.get("withdrawn"))
    return Verdict(name, version, advisories=ids)


def read_pins(path: Path) -> dict[str, str]:
    """``name==version`` lines -> {normalized name: version}."""
    pins = (line.split("==", 1) for line in path.read_text().splitlines() if "==" in line)
    return {normalize(name): version for name, version in pins}


def verdicts(report: dict, pins: dict[str, str], cache: Path) -> list[Verdict]:
    """One verdict per pin: pip-audit's where it audited, the project page's otherwise (its
    skipped entries carry no version, so the pin gives it)."""
    audited = [
        Verdict(d["name"], d["version"], tuple(v["id"] for v in d.get("vulns", [])))
        for d in report["dependencies"]
        if "skip_reason" not in d
    ]
    skipped = [d for d in report["dependencies"] if "skip_reason" in d]
    with ThreadPoolExecutor(WORKERS) as pool:
        rest = list(
            pool.map(
                lambda d: from_project_page(d["name"], pins[normalize(d["name"])], cache), skipped
            )
        )
    return audited + rest


def summary(lock: str, found: list[Verdict]) -> tuple[str, bool]:
    """The lock's line and whether it is clean (every pin audited, none vulnerable)."""
    vulnerable = [v for v in found if v.advisories]
    missing = [v for v in found if v.not_audited]
    audited = len(found) - len(missing)
    line = f"{lock}: {len(found)} packages, {audited} audited, {len(vulnerable)} vulnerable"
    if vulnerable:
        line += (
            " ("
            + "; ".join(f"{v.name} {v.version}: {', '.join(v.advisories)}" for v in vulnerable)
            + ")"
        )
    line += f", {len(missing)} not audited"
    if missing:
        line += " (" + ", ".join(f"{v.name} {v.version}" for v in missing[:8])
        line += f", ... {len(missing) - 8} more" if len(missing) > 8 else ""
        line += f"; {missing[0].not_audited.split(': ', 1)[-1]})"
    return line, not vulnerable and not missing


def main(lock: str, pins_path: str, report_path: str, log_path: str, cache_dir: str) -> int:
    if not Path(report_path).is_file():
        print(f"{lock}: pip-audit failed: {Path(log_path).read_text().strip()[-300:]}")
        return 1
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    line, clean = summary(
        lock,
        verdicts(json.loads(Path(report_path).read_text()), read_pins(Path(pins_path)), cache),
    )
    print(line)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
