#!/usr/bin/env bash
# Run every benchmark; each prints ratios against a baseline measured in the same run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >/dev/null
export DO_NOT_TRACK=1
python=code_locations/churn/.venv/bin/python
for bench in bench_import bench_model_logging bench_chain; do
  echo "== $bench"
  "$python" "bench/$bench.py" 2>/dev/null
done
echo "== bench_code_servers (platform environment)"
.venv/bin/python bench/bench_code_servers.py
echo "== bench_automation (platform environment, live daemon)"
.venv/bin/python bench/bench_automation.py
