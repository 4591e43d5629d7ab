# Sourced by the scripts: embedded defaults for local use, each overridable from the environment.
# Layout under $MLPLATFORM_HOME (default .local/ in the repo, git-ignored):
#   dagster_home/             Dagster instance (SQLite run/event/schedule storage)
#   data/landing/<project>/   landed raw files (CSV/Parquet), never modified
#   data/assets/<project>/    asset values stored by the Parquet IO manager
#   data/reports/<project>/   drift reports (HTML)
#   data/locks/               per-model locks serializing champion promotions and rollbacks
#   data/alerts/alerts.jsonl  run-failure alerts (MLPLATFORM_ALERT_WEBHOOK_URL: also POST them)
#   data/mlflow/mlflow.db     MLflow tracking + registry store; artifacts in data/mlflow/artifacts
_mlplatform_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MLPLATFORM_HOME="${MLPLATFORM_HOME:-$_mlplatform_root/.local}"
export DAGSTER_HOME="${DAGSTER_HOME:-$MLPLATFORM_HOME/dagster_home}"
export MLPLATFORM_LANDING_DIR="${MLPLATFORM_LANDING_DIR:-$MLPLATFORM_HOME/data/landing}"
export MLPLATFORM_ASSET_DIR="${MLPLATFORM_ASSET_DIR:-$MLPLATFORM_HOME/data/assets}"
export MLPLATFORM_REPORT_DIR="${MLPLATFORM_REPORT_DIR:-$MLPLATFORM_HOME/data/reports}"
export MLPLATFORM_LOCK_DIR="${MLPLATFORM_LOCK_DIR:-$MLPLATFORM_HOME/data/locks}"
export MLPLATFORM_ALERT_FILE="${MLPLATFORM_ALERT_FILE:-$MLPLATFORM_HOME/data/alerts/alerts.jsonl}"
export MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-sqlite:///$MLPLATFORM_HOME/data/mlflow/mlflow.db}"
# Where a browser reaches the MLflow UI (scripts/up.sh starts it): the base of every MLflow link
# in the Dagster UI (model runs, versions, rendered drift reports).
export MLFLOW_PORT="${MLFLOW_PORT:-5000}"
export MLPLATFORM_MLFLOW_UI_URL="${MLPLATFORM_MLFLOW_UI_URL:-http://127.0.0.1:$MLFLOW_PORT}"
export DO_NOT_TRACK=1  # Evidently telemetry off
unset _mlplatform_root
