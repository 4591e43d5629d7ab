"""``<project>/raw_data``: every landed file (one day's, for daily projects), validated against
the data contract by four blocking checks before anything is stored."""

import logging
import sys

import dagster as dg

from mlplatform.orchestration.assets.days import Built, DayRefused, build_days
from mlplatform.orchestration.assets.metadata import frame_metadata, rule_check
from mlplatform.orchestration.automation import asset_conditions
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.landing import LandingZone


class RawDataRejected(DayRefused):
    """A day's (or, unpartitioned, all) landed files failed the raw-data checks: the step fails
    and nothing downstream of that day is built."""


def raw_check_specs(names: ProjectNames) -> list[dg.AssetCheckSpec]:
    checks = names.checks
    described = {
        checks.schema: "Every landed file has the spec's columns with the spec's types.",
        checks.target: "No landed row is missing the target.",
        checks.rows: "Landed files hold at least the spec's minimum row count.",
        checks.duplicates: "No landed file repeats more rows than the spec allows.",
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
        def build(day: str | None) -> Built:
            return validated_raw(spec, names, landing, day, context.log)

        yield from build_days(context, names.raw_data, build)

    return raw_data


def validated_raw(
    spec: ProjectSpec,
    names: ProjectNames,
    landing: LandingZone,
    day: str | None,
    log: logging.Logger,
) -> Built:
    """The landed files (of ``day``) concatenated, once the data contract accepts them."""
    import pandas as pd

    from mlplatform.steps.validation import validate_raw

    files = landing.read_all(spec.name, prefix=day or "", contract=spec.data)
    log.info(
        f"Read {len(files)} landed file(s) for {day or 'all days'} from "
        f"{landing.project_dir(spec.name)}"
    )
    rules = validate_raw(files, spec.data)
    checks = names.checks
    listed = ", ".join(files)
    results = [
        rule_check(checks.schema, rules.schema, files=listed),
        rule_check(checks.target, rules.target, files=listed),
        rule_check(checks.rows, rules.rows, files=listed),
        rule_check(checks.duplicates, rules.duplicates, files=listed),
    ]
    if rules.broken:
        where = f" for {day}" if day else ""
        raise RawDataRejected(
            f"{spec.name}/raw_data{where} rejected, landed files left untouched: "
            + " | ".join(rules.broken),
            results,
        )
    frame = pd.concat(files.values(), ignore_index=True)
    metadata = {
        **frame_metadata(frame),
        "files": dg.MetadataValue.json(sorted(files)),
        "duplicate_rows": rules.duplicate_rows,
        # Which environment ran this: each location must run in its own interpreter.
        "runtime/python": sys.executable,
    }
    return Built(frame, metadata, results)
