#!/usr/bin/env bash
# Run every benchmark; each prints FIGURE lines: a figure, its baseline measured in the same run,
# the ratio and the target. The log goes to .local/bench/latest.log and README's performance
# table is regenerated from it (bench/report.py).
#   bash bench/run.sh            everything (about 25 minutes on 2 cores)
#   bash bench/run.sh --quick    the in-process benchmarks only, README left unchanged
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0
[ "${1:-}" = --quick ] && quick=1
bash scripts/setup.sh >/dev/null
export DO_NOT_TRACK=1
log="$root/.local/bench/latest.log"
mkdir -p "$(dirname "$log")"
churn=code_locations/churn/.venv/bin/python
demand=code_locations/demand_forecasting/.venv/bin/python
benches=(
  "$churn bench/bench_import.py"
  "$churn bench/bench_model_logging.py"
  "$churn bench/bench_chain.py"
  "$churn bench/bench_drift.py"
  "$churn bench/bench_gc.py"
  "$demand bench/bench_daily_cost.py"
)
[ $quick = 1 ] || benches+=(
  ".venv/bin/python bench/bench_code_servers.py"
  ".venv/bin/python bench/bench_run_cost.py"
  ".venv/bin/python bench/bench_automation.py"
  ".venv/bin/python bench/bench_backfill.py"
)
{
  echo "# run: $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), $(nproc) cores"
  for bench in "${benches[@]}"; do
    echo "== ${bench#* }"
    # Library warnings go to stderr, which is left out; failures still stop the run.
    $bench 2>/dev/null
  done
} | tee "$log"
if [ $quick = 0 ]; then
  python3 bench/report.py "$log" README.md
  echo "README.md performance table regenerated from $log"
fi
