#!/usr/bin/env bash
# The whole test suite: lint, platform tests in the platform environment, the platform library's
# tests (shared/tests) and each location's tests in its own environment, then the
# deployment tests (tests/deployment: the production topology, on a local Postgres).
# Extra arguments go to every pytest call, e.g. `bash scripts/test.sh -m "not slow"`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --deployment || exit 1
export DO_NOT_TRACK=1
reports="$root/.local/test-reports"
rm -rf "$reports" && mkdir -p "$reports"
status=0

echo "== ruff"
.venv/bin/ruff check . && .venv/bin/ruff format --check . || status=1
echo "== platform tests (tests/)"
.venv/bin/python -m pytest tests --ignore=tests/deployment --junitxml="$reports/platform.xml" "$@" || status=1
echo "== platform library tests (shared/tests)"
shared/.venv/bin/python -m pytest shared/tests --junitxml="$reports/shared.xml" "$@" || status=1
for project in $(.venv/bin/python scripts/projects.py list); do
  location="code_locations/$project"
  echo "== $project tests"
  "$location/.venv/bin/python" -m pytest "$location/tests" --junitxml="$reports/$project.xml" "$@" || status=1
done
echo "== deployment tests (tests/deployment)"
.venv/bin/python -m pytest tests/deployment -m deployment --junitxml="$reports/deployment.xml" "$@" || status=1
.venv/bin/python scripts/junit_summary.py "$reports"/*.xml || status=1
exit $status
