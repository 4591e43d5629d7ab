#!/usr/bin/env bash
# One command: set up every environment, land a first synthetic batch per project (only if none
# has landed), and start Dagster (webserver + daemon) on http://127.0.0.1:3000.
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
cat <<MSG
Dagster UI : http://127.0.0.1:${DAGSTER_PORT:-3000}  (sensors are on: watch Runs, or Assets -> Materialize all)
Data       : $MLPLATFORM_HOME/data   MLflow store: $MLFLOW_TRACKING_URI
MLflow UI  : bash scripts/mlflow-ui.sh   (in a second terminal)
MSG
exec .venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p "${DAGSTER_PORT:-3000}"
