"""Run-failure alerts: a JSON line per failed run, and a POST to a real local webhook."""

import json
import os
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


@dg.op
def connect_to_store() -> None:
    password = os.environ["MLPLATFORM_TEST_DB_PASSWORD"]
    raise ConnectionError(f"cannot reach postgresql://mlflow:{password}@db:5432/mlflow")


@dg.job(tags={PROJECT_TAG: SPEC.name, TRIGGER_TAG: "schedule"})
def train() -> None:
    connect_to_store()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks:pa55word-in-url@127.0.0.1:9/services/T0001/B0001/tok3n-in-path",
        "http://127.0.0.1:9/hook?token=tok3n-in-query",
        "hooks.example.com/services/T0001/B0001/tok3n-no-scheme",
    ],
)
def test_secrets_never_reach_the_alert_line_the_post_or_the_log(
    tmp_path: Path, url: str, monkeypatch
) -> None:
    monkeypatch.setenv(WEBHOOK_ENV, url)
    monkeypatch.setenv("MLPLATFORM_TEST_DB_PASSWORD", "s3cret-db-pa55")
    with dg.instance_for_test() as instance:
        result = train.execute_in_process(instance=instance, raise_on_error=False)
        path = tmp_path / "alerts.jsonl"
        _alert((instance, result), AlertSink(path=str(path)))
        logs = "\n".join(
            str(record.user_message)
            for record in instance.all_logs(result.run_id)
            if record.user_message
        )
    written = path.read_text()
    for secret in ("pa55word-in-url", "tok3n", "s3cret-db-pa55"):
        assert secret not in written and secret not in logs
    [line] = _lines(path)
    assert "postgresql://mlflow:***@db:5432/mlflow" in line["failed_steps"][0]["error"]
    assert line["webhook"].startswith("failed:")


def test_a_secret_in_a_failure_is_masked_in_what_the_webhook_receives(
    failed_run, webhook: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv(WEBHOOK_ENV, webhook)
    monkeypatch.setenv("MLPLATFORM_TEST_API_TOKEN", "batch_007.csv")
    _alert(failed_run, AlertSink(path=str(tmp_path / "alerts.jsonl")))
    [posted] = _Receiver.received
    assert "batch_007.csv" not in json.dumps(posted)
    assert "***: column 'a' is not a float" in posted["failed_steps"][0]["error"]
