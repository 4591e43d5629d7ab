"""Run-failure alerts: one JSON line per failed run, and optionally a webhook POST.

The file is the record that is always written; the webhook (``MLPLATFORM_ALERT_WEBHOOK_URL``,
read when an alert is sent) is best effort: if it fails, the alert line says so. Neither the
line, the POST nor the log holds a secret: the webhook URL (its token is in its path or query),
credentials in any URL, and the values of environment variables named like a secret are masked.
"""

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dagster as dg

from mlplatform.orchestration.automation import PROJECT_TAG, run_trigger
from mlplatform.orchestration.names import ProjectNames
from mlplatform.spec import ProjectSpec
from mlplatform.storage.files import append_line

WEBHOOK_ENV = "MLPLATFORM_ALERT_WEBHOOK_URL"
WEBHOOK_TIMEOUT_SECONDS = 5.0
MASK = "***"
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY|WEBHOOK", re.I)
_URL_CREDENTIALS = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@", re.I)


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """What must never be written: the webhook URL and its path and query (where webhook
    tokens live), and the values of environment variables named like a secret."""
    values = [v for k, v in environ.items() if _SECRET_NAME.search(k) and len(v.strip()) >= 4]
    webhook = environ.get(WEBHOOK_ENV, "").strip()
    if webhook:
        parts = urlsplit(webhook)
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        values += [webhook, *(p for p in (tail, parts.password or "") if len(p) >= 4)]
    return sorted(set(values), key=len, reverse=True)


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (and every password in a URL) replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, MASK).replace(json.dumps(secret)[1:-1], MASK)
    return _URL_CREDENTIALS.sub(lambda m: f"{m['head']}:{MASK}@", text)


class AlertSink(dg.ConfigurableResource):
    """Where alerts go: appended to ``path`` (JSON lines) and POSTed to the webhook if set.

    Example::

        AlertSink(path="/data/alerts/alerts.jsonl").send({"kind": "run_failure", ...})
    """

    path: str

    def send(self, alert: dict[str, Any]) -> dict[str, Any]:
        """Deliver ``alert``, secrets masked; returns the record written (with the webhook
        outcome)."""
        secrets = secret_values(os.environ)
        alert = json.loads(redact(json.dumps(alert, default=str), secrets))
        webhook = os.environ.get(WEBHOOK_ENV, "").strip()
        outcome = post_json(webhook, alert) if webhook else "not configured"
        record = {**alert, "webhook": redact(outcome, secrets)}
        append_line(Path(self.path), json.dumps(record, sort_keys=True, default=str))
        return record


def post_json(url: str, payload: dict[str, Any]) -> str:
    """POST ``payload`` as JSON; returns ``"sent (<status>)"`` or why it failed (which may name
    the URL: the caller masks it)."""
    try:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, default=str).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return f"sent ({response.status})"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"failed: {exc}"


def failure_alert(context: dg.RunFailureSensorContext, location: str) -> dict[str, Any]:
    """The alert for a failed run: which job, which steps, what error, how it was started."""
    run = context.dagster_run
    steps = [
        {"step": event.step_key, "error": _root_cause(event.event_specific_data.error)}
        for event in context.get_step_failure_events()
        if event.event_specific_data
    ]
    return {
        "kind": "run_failure",
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "location": location,
        "project": run.tags.get(PROJECT_TAG, location),
        "job": run.job_name,
        "run_id": run.run_id,
        "trigger": run_trigger(run),
        "partition": run.tags.get("dagster/partition"),
        "message": context.failure_event.message,
        "failed_steps": steps,
        "tags": dict(run.tags),
    }


def _root_cause(error: Any) -> str:
    """The innermost error's message: what went wrong, without Dagster's wrapping."""
    if error is None:
        return ""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def build_failure_sensor(
    spec: ProjectSpec, names: ProjectNames, interval_seconds: int = 30
) -> dg.SensorDefinition:
    """``<project>_run_failure_alerts`` (RUNNING by default): every failed run of this location
    becomes an alert (see ``AlertSink``) within ``interval_seconds``."""

    @dg.run_failure_sensor(
        name=names.failure_sensor,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Writes an alert (JSON line, optional webhook) for every failed run in the "
        f"{spec.name} location.",
    )
    def failure_alerts(context: dg.RunFailureSensorContext, alerts: AlertSink) -> None:
        record = alerts.send(failure_alert(context, spec.name))
        context.log.info(
            f"Alert for failed run {record['run_id']} ({record['job']}) written to "
            f"{alerts.path}; webhook: {record['webhook']}"
        )

    return failure_alerts
