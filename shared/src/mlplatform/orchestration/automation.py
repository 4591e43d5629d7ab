"""Declarative automation: which standard assets update by themselves, and when.

| asset | condition | why |
|---|---|---|
| ``raw_data`` | none: the landing sensor requests it per landed file | a file is the event |
| ``features`` | eager | cheap, and every consumer needs current features |
| ``model`` | ``retrain_policy="on_new_data"``: after new features; ``"on_schedule"``: only the
  first model (unpartitioned projects) | retraining on every file is often too much:
  ``on_schedule`` retrains on the retrain cron and when drift is detected |
| ``champion`` | after a new model (not after new features alone) | a promotion decision needs a
  new challenger |
| ``drift_report``, ``predictions`` | eager | they describe the latest data and champion |
| ``model_performance`` | after new predictions, once outcomes arrived (the outcomes sensor
  builds it first) | outcomes waiting for their prediction are joined when it is made |

Every run an automation sensor launches is tagged with the project and ``trigger=automation``;
the training sensor's runs also carry ``mlplatform/training`` (see ``TRAINING_TAG``).
"""

import os

import dagster as dg

from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec

PROJECT_TAG = "mlplatform/project"
TRIGGER_TAG = "mlplatform/trigger"
# On every run that (re)trains a model: production limits these to one per project at a time.
TRAINING_TAG = "mlplatform/training"
SENSOR_INTERVAL_ENV = "MLPLATFORM_SENSOR_INTERVAL_SECONDS"
DEFAULT_SENSOR_INTERVAL = 30


def run_trigger(run: dg.DagsterRun) -> str:
    """What started ``run``: the platform's trigger tag, or ``manual`` (the UI, the CLI, tests)."""
    return run.tags.get(TRIGGER_TAG, "manual")


def run_tags(spec: ProjectSpec, trigger: str, *, training: bool = False) -> dict[str, str]:
    """The tags the platform puts on runs it launches by itself."""
    tags = {PROJECT_TAG: spec.name, TRIGGER_TAG: trigger}
    if training:
        tags[TRAINING_TAG] = spec.name
    return tags


def sensor_interval_seconds() -> int:
    """Seconds between evaluations of the platform's sensors.

    Read from ``MLPLATFORM_SENSOR_INTERVAL_SECONDS`` when a location loads (default 30): a
    deployment setting, like the daemon's own, that tests shorten.
    """
    raw = os.environ.get(SENSOR_INTERVAL_ENV, "")
    if not raw:
        return DEFAULT_SENSOR_INTERVAL
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{SENSOR_INTERVAL_ENV}={raw!r}: expected a whole number of seconds >= 1")
    return int(raw)


def sensor_minimum_interval(seconds: int) -> int:
    """The ``minimum_interval_seconds`` that makes a sensor tick every ``seconds`` in practice.

    Dagster's daemon looks for due sensors once per 5-s loop and stamps a tick when it evaluates
    it, a moment after the loop starts. A sensor due after exactly ``seconds`` whose last tick
    was stamped a little later than the one before is not due yet at the next loop and waits a
    whole loop more: with 5 s, the landing sensor ticked every 10 s (a file waited 11-13 s for
    its raw data run to start). One second of slack absorbs that stamp jitter."""
    return max(1, seconds - 1)


def asset_conditions(
    spec: ProjectSpec, names: ProjectNames
) -> dict[dg.AssetKey, dg.AutomationCondition | None]:
    """The automation condition of each standard asset; see the module table."""
    eager = dg.AutomationCondition.eager()
    daily = spec.partitioning is not None
    return {
        names.raw_data: None,
        names.features: _any_day_with_new_data() if daily else eager,
        names.model: _model_condition(spec),
        names.champion: eager.allow(dg.AssetSelection.assets(names.model)).with_label(
            "eager on a new model"
        ),
        names.drift_report: _any_day_against_champion(names, window=False) if daily else eager,
        names.predictions: _any_day_against_champion(names, window=True) if daily else eager,
        names.model_performance: _after_new_predictions(names),
    }


def _after_new_predictions(names: ProjectNames) -> dg.AutomationCondition:
    """Recompute live performance (of any day) when its predictions change, once outcomes have
    built it; new outcome files are the outcomes sensor's, so nothing runs before outcomes."""
    condition = dg.AutomationCondition
    return (
        ~condition.missing()
        & condition.any_deps_updated()
        .ignore(dg.AssetSelection.assets(names.raw_data))
        .since_last_handled()
        & ~condition.any_deps_in_progress()
        & ~condition.in_progress()
    ).with_label("after new predictions, once outcomes arrived")


def _any_day_with_new_data() -> dg.AutomationCondition:
    """Daily features: every day whose window of raw data changed, past days included.

    ``eager()`` considers only the latest time window, so landed past days would never be built.
    Days after a landed day are requested too (their window holds it) and build an explicit
    empty day when they have no rows of their own.
    """
    condition = dg.AutomationCondition
    return (
        condition.any_deps_updated().since_last_handled()
        & ~condition.any_deps_in_progress()
        & ~condition.in_progress()
    ).with_label("after new raw data, any day")


def _any_day_against_champion(names: ProjectNames, window: bool) -> dg.AutomationCondition:
    """Daily drift report / predictions: any day whose raw data changed, and the latest day when
    the champion changes (re-scoring all history on every promotion would be a backfill), once a
    champion exists. ``window``: the raw input is a window, and one stored day of it suffices."""
    condition = dg.AutomationCondition
    champion = dg.AssetSelection.assets(names.champion)
    new_data = condition.any_deps_updated().ignore(champion)
    new_champion = condition.in_latest_time_window() & condition.any_deps_updated()
    raw_present = (
        condition.any_deps_match(~condition.missing()).allow(
            dg.AssetSelection.assets(names.raw_data)
        )
        if window
        else ~condition.any_deps_missing()
    )
    return (
        (new_data | new_champion).since_last_handled()
        & ~condition.any_deps_missing().allow(champion)
        & raw_present
        & ~condition.any_deps_in_progress()
        & ~condition.in_progress()
    ).with_label("after new raw data (any day) or a new champion (latest day)")


def _model_condition(spec: ProjectSpec) -> dg.AutomationCondition | None:
    if spec.partitioning is None:
        if spec.lifecycle.retrain_policy == "on_new_data":
            return dg.AutomationCondition.eager()
        # on_missing() fires only for assets that become missing, not for a model that never
        # existed: train once when features arrive and there is no model yet.
        return (
            dg.AutomationCondition.missing()
            & dg.AutomationCondition.any_deps_updated().since_last_handled()
            & ~dg.AutomationCondition.any_deps_missing()
            & ~dg.AutomationCondition.any_deps_in_progress()
            & ~dg.AutomationCondition.in_progress()
        ).with_label("first model")
    # Below daily features, eager() and on_missing() would wait until every day since the
    # start date exists; a daily project trains on its latest days, so any new day counts.
    if spec.lifecycle.retrain_policy == "on_new_data":
        return (
            dg.AutomationCondition.any_deps_updated().since_last_handled()
            & ~dg.AutomationCondition.any_deps_in_progress()
            & ~dg.AutomationCondition.in_progress()
        ).with_label("after new features")
    return None


def build_automation_sensors(
    spec: ProjectSpec, names: ProjectNames, interval_seconds: int
) -> list[dg.AutomationConditionSensorDefinition]:
    """Two RUNNING automation sensors: one for data assets and one for training, so automatic
    training runs carry ``TRAINING_TAG`` and fall under the production concurrency limit."""
    training = dg.AssetSelection.assets(*names.training_keys)
    data = dg.AssetSelection.groups(spec.name) - training
    return [
        dg.AutomationConditionSensorDefinition(
            names.automation_sensor,
            target=data,
            run_tags=run_tags(spec, "automation"),
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=interval_seconds,
            description=f"Rebuilds {spec.name} features, drift report and predictions after new "
            "raw data or a new champion (declarative automation).",
        ),
        dg.AutomationConditionSensorDefinition(
            names.training_sensor,
            target=training,
            run_tags=run_tags(spec, "automation", training=True),
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=interval_seconds,
            description=f"Trains the first {spec.name} model when none exists"
            + (
                ", retrains after new features"
                if spec.lifecycle.retrain_policy == "on_new_data"
                else ""
            )
            + ", and decides the champion after each new model.",
        ),
    ]
