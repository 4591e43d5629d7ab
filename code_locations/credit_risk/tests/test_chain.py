"""The whole chain in process: a real Dagster instance, a real SQLite MLflow store, Evidently."""

from __future__ import annotations

import dataclasses

from credit_risk.definitions import spec
from mlplatform import project_names
from mlplatform.testing import model_versions

NAMES = project_names(spec)


def test_whole_chain_trains_registers_and_reports(land, run_whole_chain, tracking_uri) -> None:
    land("batch_001.csv", rows=2000, seed=1)

    chain = run_whole_chain()

    assert chain.success, chain.failures()
    assert chain.materialized == set(NAMES.asset_keys)
    assert all(check.passed for check in chain.checks()), chain.failures()
    assert chain.metadata(NAMES.model)["model_version"] == "1"
    [version] = model_versions(tracking_uri, spec.registered_model_name)
    assert str(version.version) == "1" and version.tags["quality_gate"] == "passed"


def test_quality_gate_blocks_a_model_below_the_floor(land, run_whole_chain) -> None:
    # ROC AUC never exceeds 1.
    strict = dataclasses.replace(spec, gate=dataclasses.replace(spec.gate, floor=1.01))
    land("batch_001.csv", rows=2000, seed=1)

    chain = run_whole_chain(project=strict)

    assert not chain.success
    [gate] = [c for c in chain.checks() if c.check_name == NAMES.checks.gate]
    assert not gate.passed
    assert NAMES.model in chain.materialized and NAMES.champion not in chain.materialized
