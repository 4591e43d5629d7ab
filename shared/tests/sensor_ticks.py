"""Ticks of one sensor, evaluated as the daemon evaluates them, for the sensor tests."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.definitions.sensor_definition import SensorExecutionData

from mlplatform import ProjectSpec, build_definitions
from mlplatform.orchestration.resources import resources_for_dir


class Ticks:
    """Ticks of one sensor of ``spec``, carrying the cursor like the daemon does."""

    def __init__(self, spec: ProjectSpec, sensor: str, data: Path, instance) -> None:
        self.resources = resources_for_dir(spec, data)
        self.defs = build_definitions(spec, resources=self.resources)
        self.sensor = self.defs.resolve_sensor_def(sensor)
        self.instance = instance
        self.cursor: str | None = None

    def tick(self) -> SensorExecutionData:
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            definitions=self.defs,
            resources={"landing": self.resources["landing"]},
        )
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data
