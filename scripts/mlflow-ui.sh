#!/usr/bin/env bash
# Serve the MLflow UI for the local store on http://127.0.0.1:5000 (from the platform library's
# environment, shared/.venv, which has mlflow; the platform environment deliberately does not).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
case "$MLFLOW_TRACKING_URI" in sqlite:///*) mkdir -p "$(dirname "${MLFLOW_TRACKING_URI#sqlite:///}")" ;; esac
# The job runner and its queue consumers are not needed to browse runs (and start 7 processes).
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false
exec shared/.venv/bin/mlflow ui --backend-store-uri "$MLFLOW_TRACKING_URI" \
  --host 127.0.0.1 --port "${MLFLOW_PORT:-5000}" --workers 1
