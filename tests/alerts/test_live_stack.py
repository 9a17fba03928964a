"""The rules, dashboards' PromQL and Alertmanager config on the running local stack (``make test``).

No worker needed: Prometheus must have loaded the generated rules and accept
every dashboard query; Alertmanager must group a queue alert by queue, post it
to the webhook receiver (the setting ``stack.alert_webhook_url``), and
suppress queue alerts while the worker of the same system is down.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from pipeline.dashboards import json_files
from pipeline.settings import Settings, load_settings
from pipeline.dashboards.walk import prom_queries
from tests.fixtures.http import get_json

pytestmark = pytest.mark.integration


def _url(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} not set (run through `make test`, which starts the stack)")
    return value.rstrip("/")


def _post(url: str, body: Any) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_prometheus_loaded_the_generated_rules() -> None:
    prometheus = _url("CCKPI_PROMETHEUS_URL")
    groups = get_json(f"{prometheus}/api/v1/rules")["data"]["groups"]
    names = {g["name"]: [r["name"] for r in g["rules"]] for g in groups}
    assert names.get("cckpi-pipeline") == ["WorkerDown", "WorkerLagging", "FollowerDown", "FollowerBehind"]
    assert names.get("cckpi-queues") == ["QueueServiceLevelBelowTarget", "QueueLongestWaitAboveThreshold",
                                         "QueueAbandonRateAboveTarget", "QueueNoEvents"]


def test_every_dashboard_promql_is_accepted_by_prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    prometheus = _url("CCKPI_PROMETHEUS_URL")
    monkeypatch.delenv("CCKPI_CONFIG", raising=False)
    settings = Settings(_env_prefix="CCKPI_REFERENCE_UNUSED_")  # type: ignore[call-arg]
    checked = 0
    for model in json_files.build_all(settings).values():
        for title, expr in prom_queries(model):
            if expr.startswith("label_values("):
                expr = expr.removeprefix("label_values(").rsplit(",", 1)[0]
            query = urllib.parse.urlencode({"query": expr.replace("$queue", "billing")})
            answer = get_json(f"{prometheus}/api/v1/query?{query}")
            assert answer["status"] == "success", (title, expr, answer)
            checked += 1
    assert checked >= 20


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()


@pytest.fixture
def webhook() -> Iterator[list[dict[str, Any]]]:
    """Listen where the stack's Alertmanager posts (stack.alert_webhook_url)."""
    url = urllib.parse.urlparse(load_settings().stack.alert_webhook_url)
    received: list[dict[str, Any]] = []
    handler = type("Webhook", (_Webhook,), {"received": received})
    try:
        server = ThreadingHTTPServer((url.hostname or "127.0.0.1", url.port or 80), handler)
    except OSError as exc:
        pytest.skip(f"webhook port {url.port} busy ({exc}): another test is listening there")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _alert(name: str, system: str, ends_in_s: float, **labels: str) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    return {"labels": {"alertname": name, "system": system, **labels},
            "annotations": {"summary": f"test alert {name}"},
            "startsAt": now.isoformat(), "endsAt": (now + timedelta(seconds=ends_in_s)).isoformat()}


def test_alertmanager_groups_by_queue_posts_to_the_webhook_and_inhibits(webhook: list[dict[str, Any]]) -> None:
    alertmanager = _url("CCKPI_ALERTMANAGER_URL")
    system = f"test-{uuid.uuid4().hex[:8]}"
    queue = f"q-{system}"
    firing = [_alert("QueueServiceLevelBelowTarget", system, 120, queue=queue, severity="page")]
    posted = list(firing)
    try:
        _post(f"{alertmanager}/api/v2/alerts", firing)
        deadline = time.monotonic() + 40  # group_wait 10s
        while time.monotonic() < deadline and not any(p["groupLabels"].get("queue") == queue for p in webhook):
            time.sleep(0.5)
        ours = [p for p in webhook if p["groupLabels"].get("queue") == queue]
        assert ours, "Alertmanager did not post the alert to the webhook within 40 s"
        assert ours[0]["groupLabels"] == {"alertname": "QueueServiceLevelBelowTarget", "queue": queue}
        assert ours[0]["status"] == "firing" and ours[0]["receiver"] == "cckpi-webhook"

        config = yaml.safe_load(get_json(f"{alertmanager}/api/v2/status")["config"]["original"])
        if not any("system" in (rule.get("equal") or []) for rule in config.get("inhibit_rules") or []):
            pytest.skip("the running Alertmanager predates the inhibit rule: restart the stack")
        posted += [_alert("WorkerDown", system, 120, severity="page")]
        _post(f"{alertmanager}/api/v2/alerts", posted[-1:])
        posted += [_alert("QueueLongestWaitAboveThreshold", system, 120, queue=queue)]
        _post(f"{alertmanager}/api/v2/alerts", posted[-1:])
        deadline = time.monotonic() + 10
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            states = _states(alertmanager, system)
            if states.get("QueueLongestWaitAboveThreshold") == "suppressed":
                break
            time.sleep(0.5)
        assert states.get("QueueLongestWaitAboveThreshold") == "suppressed", states
        assert states.get("WorkerDown") == "active"
    finally:  # resolve what this test raised (same labels, ending now)
        now = datetime.now(timezone.utc).isoformat()
        _post(f"{alertmanager}/api/v2/alerts", [{**alert, "endsAt": now} for alert in posted])


def _states(alertmanager: str, system: str) -> dict[str, str]:
    query = urllib.parse.urlencode({"filter": f'system="{system}"'})
    return {a["labels"]["alertname"]: a["status"]["state"] for a in get_json(f"{alertmanager}/api/v2/alerts?{query}")}


def test_a_follower_alert_inhibits_no_events_only_and_worker_down_does_not_hide_it() -> None:
    alertmanager = _url("CCKPI_ALERTMANAGER_URL")
    feed, both = f"test-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    posted = [_alert("FollowerBehind", feed, 120, file="/var/log/asterisk/queue_log", severity="page"),
              _alert("QueueNoEvents", feed, 120, queue="sales"),
              _alert("QueueServiceLevelBelowTarget", feed, 120, queue="sales", channel="voice", severity="page"),
              _alert("WorkerDown", both, 120, instance="127.0.0.1:19100", severity="page"),
              _alert("FollowerDown", both, 120, instance="127.0.0.1:19101", severity="page")]
    expected = ({"FollowerBehind": "active", "QueueNoEvents": "suppressed", "QueueServiceLevelBelowTarget": "active"},
                {"WorkerDown": "active", "FollowerDown": "active"})
    try:
        _post(f"{alertmanager}/api/v2/alerts", posted)
        deadline = time.monotonic() + 15
        states = (_states(alertmanager, feed), _states(alertmanager, both))
        while states != expected and time.monotonic() < deadline:
            time.sleep(0.5)
            states = (_states(alertmanager, feed), _states(alertmanager, both))
        assert states == expected
    finally:
        now = datetime.now(timezone.utc).isoformat()
        _post(f"{alertmanager}/api/v2/alerts", [{**alert, "endsAt": now} for alert in posted])
