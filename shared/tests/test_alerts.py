"""Run-failure alerts: a JSON line per failed run, and a POST to a real local webhook."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest
from demo_project import SPEC

from mlplatform import build_definitions, project_names
from mlplatform.orchestration.alerts import WEBHOOK_ENV, AlertSink, build_failure_sensor
from mlplatform.orchestration.automation import PROJECT_TAG, TRIGGER_TAG
from mlplatform.orchestration.resources import resources_for_dir

NAMES = project_names(SPEC)


@dg.op
def load_batch() -> None:
    raise ValueError("batch_007.csv: column 'a' is not a float")


@dg.job(tags={PROJECT_TAG: SPEC.name, TRIGGER_TAG: "landing"})
def ingest() -> None:
    load_batch()


@pytest.fixture
def failed_run() -> Iterator[tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]]:
    with dg.instance_for_test() as instance:
        result = ingest.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        yield instance, result


def _alert(failed_run, sink: AlertSink) -> None:
    instance, result = failed_run
    context = dg.build_run_status_sensor_context(
        sensor_name=NAMES.failure_sensor,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"alerts": sink},
    ).for_run_failure()
    build_failure_sensor(SPEC, NAMES)(context)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_failed_run_writes_one_structured_alert(tmp_path: Path, failed_run, monkeypatch) -> None:
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    path = tmp_path / "alerts" / "alerts.jsonl"
    _alert(failed_run, AlertSink(path=str(path)))
    _alert(failed_run, AlertSink(path=str(path)))  # appends, never rewrites

    first, second = _lines(path)
    assert first["run_id"] == failed_run[1].run_id == second["run_id"]
    assert first["kind"] == "run_failure" and first["job"] == "ingest"
    assert first["project"] == SPEC.name and first["trigger"] == "landing"
    assert first["failed_steps"][0]["step"] == "load_batch"
    assert "batch_007.csv: column 'a' is not a float" in first["failed_steps"][0]["error"]
    assert first["webhook"] == "not configured"


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts"
    finally:
        server.shutdown()
        server.server_close()


def test_alert_is_posted_to_the_webhook_from_the_env(
    tmp_path: Path, failed_run, webhook: str, monkeypatch
) -> None:
    monkeypatch.setenv(WEBHOOK_ENV, webhook)
    path = tmp_path / "alerts.jsonl"
    _alert(failed_run, AlertSink(path=str(path)))
    [posted] = _Receiver.received
    assert posted["run_id"] == failed_run[1].run_id and posted["job"] == "ingest"
    [written] = _lines(path)
    assert written["webhook"] == "sent (204)"


def test_unreachable_webhook_still_writes_the_alert(tmp_path: Path, failed_run, monkeypatch):
    monkeypatch.setenv(WEBHOOK_ENV, "http://127.0.0.1:9/unreachable")
    path = tmp_path / "alerts.jsonl"
    _alert(failed_run, AlertSink(path=str(path)))
    [written] = _lines(path)
    assert written["webhook"].startswith("failed:")


def test_failure_sensor_watches_the_whole_location(tmp_path: Path) -> None:
    defs = build_definitions(SPEC, resources=resources_for_dir(SPEC, tmp_path))
    sensor = defs.resolve_sensor_def(NAMES.failure_sensor)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert "alerts" in sensor.required_resource_keys
