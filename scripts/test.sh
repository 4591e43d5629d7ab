#!/usr/bin/env bash
# The whole test suite: lint, platform tests in the platform environment, the platform library's
# tests (shared/tests) and each location's tests in its own environment, and the deployment
# tests (tests/deployment: the production topology, on a local Postgres).
#   bash scripts/test.sh                 all of that
#   bash scripts/test.sh --browser       only the browser tests (tests/browser: the UI in Debian's
#                                        Chromium, driven by Playwright)
#   bash scripts/test.sh --with-browser  all of that, then the browser tests (what CI runs)
# The suites run concurrently, each in its own environment and log (.local/test-reports/*.log,
# printed in a fixed order when all are done); the two biggest spread over pytest-xdist workers.
# Most of the live tests' time is waiting on real processes, so this overlaps the waiting.
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
started=$SECONDS
lanes=()

# lane NAME COMMAND...: run COMMAND in the background, its output in $reports/NAME.log.
lane() {
  local name="$1"
  shift
  lanes+=("$name")
  ( "$@" >"$reports/$name.log" 2>&1; echo $? >"$reports/$name.rc" ) &
}

project_tests() {
  local project rc=0
  for project in $(.venv/bin/python scripts/projects.py list); do
    echo "== $project tests"
    "code_locations/$project/.venv/bin/python" -m pytest "code_locations/$project/tests" \
      --junitxml="$reports/$project.xml" "$@" || rc=1
  done
  return $rc
}

if [ "$suites" != browser ]; then
  echo "== ruff"
  .venv/bin/ruff check . && .venv/bin/ruff format --check . || status=1
  lane platform .venv/bin/python -m pytest tests --ignore=tests/deployment --ignore=tests/browser \
    -n 3 --dist loadfile --junitxml="$reports/platform.xml" "$@"
  lane shared shared/.venv/bin/python -m pytest shared/tests -n 2 --dist loadfile \
    --junitxml="$reports/shared.xml" "$@"
  lane projects project_tests "$@"
  lane deployment .venv/bin/python -m pytest tests/deployment -m deployment \
    --junitxml="$reports/deployment.xml" "$@"
  wait
  titles=(
    [0]="platform tests (tests/)"
    [1]="platform library tests (shared/tests)"
    [2]="each location's tests, in its own environment"
    [3]="deployment tests (tests/deployment)"
  )
  for i in "${!lanes[@]}"; do
    echo "== ${titles[$i]}"
    cat "$reports/${lanes[$i]}.log"
    [ "$(cat "$reports/${lanes[$i]}.rc")" = 0 ] || status=1
  done
  echo "== suites took $((SECONDS - started)) s (concurrently)"
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
