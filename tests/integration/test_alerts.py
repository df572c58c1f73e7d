"""A failed run is alerted: a line in the alert log and, when configured, a POST to a webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg

from assets.sensors import ALERT_WEBHOOK_ENV, alert_log, alert_on_failure
from regional_econ.storage import paths


@dg.op
def breaks() -> None:
    raise dg.Failure(description="kona/transactions 2026-09-01: no complete delivery")


@dg.job
def failing():
    breaks()


def _failed_run_context(instance: dg.DagsterInstance):
    result = failing.execute_in_process(instance=instance, raise_on_error=False, tags={"dagster/partition": "2026-09-01"})
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    run = instance.get_run_by_id(result.run_id)
    return dg.build_run_status_sensor_context(
        sensor_name="alert_on_failure", dagster_event=failure, dagster_instance=instance, dagster_run=run
    ).for_run_failure()


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failed_run_is_logged_and_posted_to_the_webhook(tmp_path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(paths.DATA_ROOT_ENV, str(tmp_path))
    monkeypatch.setenv(ALERT_WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/alerts")
    try:
        with dg.instance_for_test() as instance:
            context = _failed_run_context(instance)
            alert_on_failure(context)
            run_id = context.dagster_run.run_id
    finally:
        server.shutdown()
    (line,) = alert_log().read_text().splitlines()
    logged = json.loads(line)
    assert logged["job"] == "failing" and logged["run_id"] == run_id and logged["partition"] == "2026-09-01"
    assert _Webhook.received == [logged]


def test_without_a_webhook_the_alert_is_only_logged(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.DATA_ROOT_ENV, str(tmp_path))
    monkeypatch.delenv(ALERT_WEBHOOK_ENV, raising=False)
    with dg.instance_for_test() as instance:
        alert_on_failure(_failed_run_context(instance))
        alert_on_failure(_failed_run_context(instance))
    assert len(alert_log().read_text().splitlines()) == 2
