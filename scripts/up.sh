#!/usr/bin/env bash
# One command: set up every environment, land a first synthetic batch per project (only if none
# has landed), and start Dagster (webserver + daemon) on http://127.0.0.1:3000 and the MLflow UI
# on http://127.0.0.1:5000. Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
source scripts/env.sh
mkdir -p "$DAGSTER_HOME" "$MLPLATFORM_LANDING_DIR" "$MLPLATFORM_ASSET_DIR" "$MLPLATFORM_REPORT_DIR"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp scripts/dagster.local.yaml "$DAGSTER_HOME/dagster.yaml"
for project in $(.venv/bin/python scripts/projects.py list); do
  "code_locations/$project/.venv/bin/python" -m "$project" land --if-empty --rows 5000 --seed 1
done
# The MLflow UI serves every MLflow link in the Dagster UI (runs, versions, drift reports). It
# runs in its own process group, stopped with this script.
mkdir -p "$MLPLATFORM_HOME/logs"
setsid bash scripts/mlflow-ui.sh >"$MLPLATFORM_HOME/logs/mlflow-ui.log" 2>&1 &
mlflow_pid=$!
trap 'kill -- "-$mlflow_pid" 2>/dev/null || true' EXIT
cat <<MSG
Dagster UI : http://127.0.0.1:${DAGSTER_PORT:-3000}  (sensors are on: watch Runs, or Assets -> Materialize all)
MLflow UI  : $MLPLATFORM_MLFLOW_UI_URL  (ready in about 20 s; log: $MLPLATFORM_HOME/logs/mlflow-ui.log)
Data       : $MLPLATFORM_HOME/data   MLflow store: $MLFLOW_TRACKING_URI
MSG
.venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p "${DAGSTER_PORT:-3000}"
