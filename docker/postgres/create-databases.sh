#!/usr/bin/env bash
# Runs once, when the postgres container initializes an empty volume: the MLflow backend store
# beside the Dagster database (POSTGRES_DB) the image creates itself.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE DATABASE \"$MLFLOW_DB\" OWNER \"$POSTGRES_USER\""
