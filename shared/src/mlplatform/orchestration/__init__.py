"""The Dagster layer: the project's names, one builder per asset, jobs, sensors, schedules,
automation conditions, alerts, resources, and ``build_definitions``."""
