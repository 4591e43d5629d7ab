"""The MLflow lifecycle: one tracked run per Dagster run, the registry and its aliases,
gated promotion and rollback, lineage tags."""
