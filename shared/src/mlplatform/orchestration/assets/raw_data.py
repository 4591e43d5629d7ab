"""``<project>/raw_data``: every landed file (one day's, for daily projects), validated against
the data contract by three blocking checks before anything is stored."""

import sys

import dagster as dg

from mlplatform.orchestration.assets.metadata import day_of, frame_metadata, rule_check
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import LandingZone


class RawDataRejected(dg.Failure):
    """Raised after failed raw-data checks so the run fails and nothing downstream is built."""


def raw_check_specs(names: ProjectNames) -> list[dg.AssetCheckSpec]:
    checks = names.checks
    described = {
        checks.schema: "Every landed file has the spec's columns with the spec's types.",
        checks.target: "No landed row is missing the target.",
        checks.rows: "Landed files hold at least the spec's minimum row count.",
    }
    return [
        dg.AssetCheckSpec(
            name,
            asset=names.raw_data,
            description=text,
            blocking=True,
            partitions_def=names.partitions,
        )
        for name, text in described.items()
    ]


def build_raw_data(spec: ProjectSpec, names: ProjectNames) -> dg.AssetsDefinition:
    @dg.asset(
        key=names.raw_data,
        group_name=spec.name,
        description=f"Raw {spec.name} records landed as CSV/Parquet files, concatenated.",
        kinds={"pandas", "parquet"},
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=spec.lifecycle.raw_data_fail_after
        ),
        automation_condition=asset_conditions(spec, names)[names.raw_data],
        partitions_def=names.partitions,
        backfill_policy=names.backfill_policy,
        check_specs=raw_check_specs(names),
        output_required=False,
    )
    def raw_data(context: dg.AssetExecutionContext, landing: LandingZone):
        import pandas as pd

        from mlplatform.steps.validation import validate_raw

        files = landing.read_all(spec.name, prefix=day_of(context, spec) or "")
        context.log.info(f"Read {len(files)} landed file(s) from {landing.project_dir(spec.name)}")
        rules = validate_raw(files, spec.data)
        checks = names.checks
        results = {
            checks.schema: rules.schema,
            checks.target: rules.target,
            checks.rows: rules.rows,
        }
        for check, result in results.items():
            yield rule_check(check, result, files=", ".join(files))
        if rules.broken:
            raise RawDataRejected(
                description=f"{spec.name}/raw_data rejected, landed files left untouched: "
                + " | ".join(rules.broken),
            )
        frame = pd.concat(files.values(), ignore_index=True)
        yield dg.Output(
            frame,
            metadata={
                **frame_metadata(frame),
                "files": dg.MetadataValue.json(sorted(files)),
                # Which environment ran this: each location must run in its own interpreter.
                "runtime/python": sys.executable,
            },
        )

    return raw_data
