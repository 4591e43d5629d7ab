#!/usr/bin/env bash
# The whole test suite: lint, platform tests in the platform environment, the platform library's
# tests (shared/tests) and each location's tests in its own environment, then the
# deployment tests (tests/deployment: the production topology, on a local Postgres).
#   bash scripts/test.sh                 all of that
#   bash scripts/test.sh --browser       only the browser tests (tests/browser: the UI in Debian's
#                                        Chromium, driven by Playwright)
#   bash scripts/test.sh --with-browser  all of that, then the browser tests (what CI runs)
# Further arguments go to every pytest call, e.g. `bash scripts/test.sh -m "not slow"`. The last
# line counts every test run: `total: N passed, N failed, N skipped`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
suites=main
case "${1:-}" in
  --browser) suites=browser; shift ;;
  --with-browser) suites=main+browser; shift ;;
esac
export DO_NOT_TRACK=1
reports="$root/.local/test-reports"
if [ "$suites" = browser ]; then
  bash scripts/setup.sh --browser || exit 1
  # Only this suite's reports: those of a whole run stay readable beside them.
  rm -rf "$reports/browser" "$reports/browser.xml" && mkdir -p "$reports"
else
  setup_flags=(--deployment)
  [ "$suites" = main+browser ] && setup_flags+=(--browser)
  bash scripts/setup.sh "${setup_flags[@]}" || exit 1
  rm -rf "$reports" && mkdir -p "$reports"
fi
status=0

if [ "$suites" != browser ]; then
  echo "== ruff"
  .venv/bin/ruff check . && .venv/bin/ruff format --check . || status=1
  echo "== platform tests (tests/)"
  .venv/bin/python -m pytest tests --ignore=tests/deployment --ignore=tests/browser \
    --junitxml="$reports/platform.xml" "$@" || status=1
  echo "== platform library tests (shared/tests)"
  shared/.venv/bin/python -m pytest shared/tests --junitxml="$reports/shared.xml" "$@" || status=1
  for project in $(.venv/bin/python scripts/projects.py list); do
    location="code_locations/$project"
    echo "== $project tests"
    "$location/.venv/bin/python" -m pytest "$location/tests" --junitxml="$reports/$project.xml" "$@" || status=1
  done
  echo "== deployment tests (tests/deployment)"
  .venv/bin/python -m pytest tests/deployment -m deployment --junitxml="$reports/deployment.xml" "$@" || status=1
fi
if [ "$suites" != main ]; then
  echo "== browser tests (tests/browser)"
  .venv/bin/python -m pytest tests/browser -m browser --junitxml="$reports/browser.xml" "$@" || status=1
fi
if [ "$suites" = browser ]; then
  .venv/bin/python scripts/junit_summary.py "$reports/browser.xml" || status=1
else
  .venv/bin/python scripts/junit_summary.py "$reports"/*.xml || status=1
fi
exit $status
