"""Secrets come only from the environment (no file in the repository holds a credential), and
everything the local and compose setups publish listens on loopback unless told otherwise."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .credentials import credential_findings, environment_findings


def _git_files(root: Path, *options: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", *options], cwd=root, capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def _repository_files(root: Path) -> list[str]:
    return _git_files(root, "--cached", "--others", "--exclude-standard")


def test_no_file_in_the_repository_holds_a_credential(root: Path) -> None:
    files = _repository_files(root)
    assert len(files) > 100
    assert credential_findings(root, files) == []


def test_nothing_git_ignores_is_committed(root: Path) -> None:
    # Local state (environments, Dagster homes, MLflow stores) is ignored; a forced or early
    # `git add` once committed a Dagster temp home's SQLite files, which every checkout then had.
    assert _git_files(root, "--cached", "--ignored", "--exclude-standard") == []


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        # Assembled here, so that this file itself holds none of them.
        ("-----BEGIN OPENSSH " + "PRIVATE KEY-----", "private key"),
        ("aws_key = AKIA" + "ABCDEFGHIJKLMNOP", "AWS access key"),
        ("ghp_" + "a1" * 18, "GitHub token"),
        ("SLACK=xoxb" + "-1234567890-abcdef", "Slack token"),
        ("https://hooks.slack.com" + "/services/T0AB/B0CD/xyz123", "Slack webhook"),
        ("postgresql://mlflow:" + "hunter22@db/mlflow", "password in a URL"),
        ("POSTGRES_PASSWORD = " + '"correct-horse-battery"', "literal secret"),
    ],
)
def test_the_scan_finds_a_planted_credential(tmp_path: Path, planted: str, kind: str) -> None:
    (tmp_path / "leak.txt").write_text(f"harmless\n{planted}\n")
    assert f"leak.txt:2: {kind}" in credential_findings(tmp_path, ["leak.txt"])


@pytest.mark.parametrize(
    "line",
    [
        "url = f'postgresql://{user}:{password}@{host}/db'",
        "${POSTGRES_USER}:${POSTGRES_PASSWORD:?set it}@postgres:5432",
        'password="${MLPLATFORM_PG_PASSWORD:-x}"',
        "password=os.environ['PG_PASSWORD']",
    ],
)
def test_the_scan_passes_values_taken_from_the_environment(tmp_path: Path, line: str) -> None:
    (tmp_path / "ok.txt").write_text(line + "\n")
    assert credential_findings(tmp_path, ["ok.txt"]) == []


def test_the_environment_scan_finds_a_baked_in_secret() -> None:
    environment = [
        "PATH=/usr/local/bin:/usr/bin",
        "MLPLATFORM_PG_PASSWORD=",  # declared, empty: set at run time
        "MLFLOW_TRACKING_TOKEN=abc123def456",
        "MLFLOW_TRACKING_URI=http://mlflow:" + "hunter22@mlflow:5000",
    ]
    assert environment_findings("image", environment) == [
        "image: MLFLOW_TRACKING_TOKEN",
        "image: MLFLOW_TRACKING_URI:1: password in a URL",
    ]


def test_published_ports_listen_on_loopback_by_default(root: Path) -> None:
    compose = (root / "docker" / "docker-compose.yml").read_text()
    published = re.findall(r"^\s+ports:\n((?:\s+- .+\n)+)", compose, re.M)
    mappings = [m.strip()[2:] for block in published for m in block.splitlines()]
    assert len(mappings) == 2, mappings
    for mapping in mappings:
        assert re.match(r"\$\{\w+_BIND:-127\.0\.0\.1\}:", mapping), mapping
    scripts = {
        "scripts/up.sh": "-h 127.0.0.1",
        "scripts/mlflow-ui.sh": "--host 127.0.0.1",
        "scripts/postgres.sh": "listen_addresses=127.0.0.1",
    }
    for name, flag in scripts.items():
        assert flag in (root / name).read_text(), name
    # Inside a container a server listens on all of its interfaces; on the host nothing does.
    for script in (root / "scripts").glob("*.sh"):
        assert "0.0.0.0" not in script.read_text(), script.name
