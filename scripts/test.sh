#!/usr/bin/env bash
# The whole test suite: lint, platform tests in the platform environment, the platform library's
# tests (shared/tests) and each location's tests in its own environment, and the deployment
# tests (tests/deployment: the production topology, on a local Postgres).
#   bash scripts/test.sh                 all of that
#   bash scripts/test.sh --browser       only the browser tests (tests/browser: the UI in Debian's
#                                        Chromium, driven by Playwright)
#   bash scripts/test.sh --with-browser  all of that, then the browser tests
#   bash scripts/test.sh --containers    only the container suite (tests/containers: every image
#                                        built, the compose stack up; scripts/test-containers.sh)
#   bash scripts/test.sh --with-browser --with-containers
#                                        everything, the container suite last (what CI runs)
# The suites run concurrently, each in its own environment and log (.local/test-reports/*.log,
# printed in a fixed order when all are done); the two biggest spread over pytest-xdist workers
# (shared/tests test by test, except files pinned to one worker with xdist_group).
# Most of the live tests' time is waiting on real processes, so this overlaps the waiting.
# Further arguments go to every pytest call, e.g. `bash scripts/test.sh -m "not slow"`. The last
# line counts every test run: `total: N passed, N failed, N skipped`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
main=1 browser=0 containers=0
while [ $# -gt 0 ]; do
  case "$1" in
    --browser) main=0 browser=1 ;;
    --with-browser) browser=1 ;;
    --containers) main=0 containers=1 ;;
    --with-containers) containers=1 ;;
    *) break ;;
  esac
  shift
done
export DO_NOT_TRACK=1
reports="$root/.local/test-reports"
# Figures the fault tests measure (mlplatform.testing.record_figure): the README's Reliability table.
export MLPLATFORM_FIGURES_FILE="$reports/reliability.jsonl"
setup_flags=()
[ $main = 1 ] && setup_flags+=(--deployment)
[ $browser = 1 ] && setup_flags+=(--browser)
bash scripts/setup.sh "${setup_flags[@]}" || exit 1
if [ $main = 1 ]; then
  rm -rf "$reports"
else  # only this suite's reports: those of a whole run stay readable beside them
  [ $browser = 1 ] && rm -rf "$reports/browser" "$reports/browser.xml"
  [ $containers = 1 ] && rm -rf "$reports/containers.xml"
fi
mkdir -p "$reports"
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

if [ $main = 1 ]; then
  echo "== ruff"
  .venv/bin/ruff check . && .venv/bin/ruff format --check . || status=1
  lane platform .venv/bin/python -m pytest tests --ignore=tests/deployment --ignore=tests/browser \
    -n 3 --dist loadfile --junitxml="$reports/platform.xml" "$@"
  lane shared shared/.venv/bin/python -m pytest shared/tests -n 2 --dist loadgroup \
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
  if [ -f "$reports/reliability.jsonl" ]; then
    echo "== reliability figures ($reports/reliability.jsonl)"
    cat "$reports/reliability.jsonl"
  fi
fi
if [ $browser = 1 ]; then
  echo "== browser tests (tests/browser)"
  .venv/bin/python -m pytest tests/browser -m browser --junitxml="$reports/browser.xml" "$@" || status=1
fi
if [ $containers = 1 ]; then
  echo "== container suite (tests/containers)"
  bash scripts/test-containers.sh "$@" || status=1
fi
# The closing total counts this invocation's suites only.
xmls=()
[ $main = 1 ] && xmls+=("$reports"/*.xml)
[ $main = 0 ] && [ $browser = 1 ] && xmls+=("$reports/browser.xml")
[ $main = 0 ] && [ $containers = 1 ] && xmls+=("$reports/containers.xml")
.venv/bin/python scripts/junit_summary.py "${xmls[@]}" || status=1
exit $status
