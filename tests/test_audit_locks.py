"""The lock audit's verdicts (scripts/audit_locks.py) from pip-audit's report and the registry's
project pages, on pages written to its cache: no network."""

from __future__ import annotations

import json
from pathlib import Path

from .projects import script_module

audit = script_module("audit_locks.py")


def _page(cache: Path, name: str, latest: str, vulns: list[dict]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    page = {"info": {"version": latest}, "vulnerabilities": vulns}
    (cache / f"{audit.normalize(name)}.json").write_text(json.dumps(page))


def _files(tmp_path: Path, report: dict, pins: str) -> list[str]:
    (tmp_path / "pins").write_text(pins)
    (tmp_path / "report.json").write_text(json.dumps(report))
    (tmp_path / "log").write_text("")
    return [str(tmp_path / n) for n in ("pins", "report.json", "log")]


def test_a_pin_at_the_latest_release_is_audited_from_its_project_page(tmp_path, capsys) -> None:
    cache = tmp_path / "pypi"
    _page(cache, "Safe_Pkg", "1.0", [{"id": "OLD-1", "withdrawn": "2026-01-01"}])
    _page(cache, "bad-pkg", "2.0", [{"id": "GHSA-xxxx"}])
    report = {
        "dependencies": [
            {"name": "audited", "version": "3.1", "vulns": []},
            {"name": "Safe_Pkg", "skip_reason": "Dependency not found on PyPI"},
            {"name": "bad-pkg", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    pins, report_path, log = _files(
        tmp_path, report, "audited==3.1\nsafe-pkg==1.0\nbad-pkg==2.0\n"
    )

    assert audit.main("x.lock", pins, report_path, log, str(cache)) == 1
    line = capsys.readouterr().out
    assert "3 packages, 3 audited, 1 vulnerable (bad-pkg 2.0: GHSA-xxxx), 0 not audited" in line


def test_an_older_pin_is_not_audited_never_clean(tmp_path, capsys) -> None:
    cache = tmp_path / "pypi"
    _page(cache, "old-pkg", "5.0", [])
    report = {"dependencies": [{"name": "old-pkg", "skip_reason": "Dependency not found"}]}
    pins, report_path, log = _files(tmp_path, report, "old-pkg==4.2\n")

    assert audit.main("x.lock", pins, report_path, log, str(cache)) == 1
    line = capsys.readouterr().out
    assert "1 packages, 0 audited, 0 vulnerable, 1 not audited (old-pkg 4.2;" in line
    assert "latest release only" in line


def test_every_pin_audited_and_none_vulnerable_is_clean(tmp_path, capsys) -> None:
    cache = tmp_path / "pypi"
    _page(cache, "fresh", "1.2", [])
    report = {
        "dependencies": [
            {"name": "pkg", "version": "0.9", "vulns": []},
            {"name": "fresh", "skip_reason": "Dependency not found"},
        ]
    }
    pins, report_path, log = _files(tmp_path, report, "pkg==0.9\nfresh==1.2\n")

    assert audit.main("x.lock", pins, report_path, log, str(cache)) == 0
    assert "2 packages, 2 audited, 0 vulnerable, 0 not audited" in capsys.readouterr().out
