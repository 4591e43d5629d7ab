"""The credential scan the security tests run over the repository's files and the built images'
environment and build history: patterns of real credentials, and secret-named variables given a
value."""

from __future__ import annotations

import re
from pathlib import Path

CREDENTIALS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Slack webhook": re.compile(r"hooks\.slack\.com/services/T\w+/B\w+/\w+"),
    # user:password@ in a URL, unless the password is a placeholder (${VAR}, {field}, <...>)
    "password in a URL": re.compile(
        r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"${<*][^\s@/'\"]*)@"
    ),
    # a secret-named key given a literal quoted value
    "literal secret": re.compile(
        r"(?i)(?:password|passwd|secret|token|api_key)\w*['\"]?\s*[:=]\s*['\"]([^'\"\s${<]{8,})['\"]"
    ),
}
# Values that look like credentials on purpose: fakes the tests plant, and the local-only
# PostgreSQL default of scripts/postgres.sh (it listens on 127.0.0.1 only).
NOT_SECRETS = {"not-a-secret", "build-only", "mlplatform-local-test", "pa55word-in-url"}


# An environment variable with one of these in its name holds a credential when it has a value.
SECRET_NAME = re.compile(r"(?i)password|passwd|secret|token|api_?key|access_?key|private_?key")


def text_findings(source: str, text: str) -> list[str]:
    """``source:line: kind`` for every credential-looking string in ``text``."""
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        for kind, pattern in CREDENTIALS.items():
            for match in pattern.finditer(line):
                value = match.group(match.lastindex or 0)
                if value not in NOT_SECRETS:
                    findings.append(f"{source}:{number}: {kind}")
    return findings


def credential_findings(root: Path, files: list[str]) -> list[str]:
    """``file:line: kind`` for every credential-looking string in ``files`` (text files only)."""
    findings = []
    for name in files:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        findings.extend(text_findings(name, text))
    return findings


def environment_findings(source: str, environment: list[str]) -> list[str]:
    """``source: NAME`` for every ``NAME=value`` that sets a secret-named variable to a value,
    and every credential-looking value (an image's ``Config.Env``, say)."""
    findings = []
    for entry in environment:
        name, _, value = entry.partition("=")
        if SECRET_NAME.search(name) and value and value not in NOT_SECRETS:
            findings.append(f"{source}: {name}")
        findings.extend(text_findings(f"{source}: {name}", value))
    return findings
