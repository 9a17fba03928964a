"""``GET /api/alerts/firing``: the banner's lines from Alertmanager's own list of active alerts."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.web.alerts.firing_api import banner
from pipeline.web.factory import create_app
from tests.alerts.test_live_stack import _post
from tests.fixtures.ports import free_port
from tests.web.conftest import BASE_URL

# two alerts as Alertmanager 0.25 answers GET /api/v2/alerts (trimmed to the fields the banner reads and a few more)
LISTED = [
    {"labels": {"alertname": "WorkerDown", "instance": "127.0.0.1:19100", "severity": "page", "system": "c1"},
     "annotations": {"summary": "cckpi worker 127.0.0.1:19100 is down"}, "startsAt": "2026-12-07T03:10:00.000Z",
     "endsAt": "2026-12-07T03:40:00.000Z", "fingerprint": "b2", "receivers": [{"name": "cckpi-webhook"}],
     "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}, "updatedAt": "2026-12-07T03:10:00Z"},
    {"labels": {"alertname": "QueueServiceLevelBelowTarget", "queue": "billing", "channel": "voice",
                "severity": "page"},
     "annotations": {"summary": "Queue billing (voice): service level 72%"}, "startsAt": "2026-12-07T03:02:05.123Z",
     "endsAt": "2026-12-07T03:40:00.000Z", "fingerprint": "a1", "receivers": [{"name": "cckpi-webhook"}],
     "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}, "updatedAt": "2026-12-07T03:10:00Z"},
]


def test_the_banner_lists_the_active_alerts_oldest_first_in_the_centres_zone() -> None:
    # 03:02:05Z and 03:10:00Z are 11:02:05 and 11:10:00 in Shanghai (UTC+8)
    assert banner(LISTED, "zh-CN", ZoneInfo("Asia/Shanghai")) == {"title": "正在告警", "alerts": [
        {"title": "服务水平低于目标", "queue": "billing", "severity": "page", "since_label": "开始于",
         "since": "2026-12-07 11:02:05"},
        {"title": "数据处理进程已停止", "queue": None, "severity": "page", "since_label": "开始于",
         "since": "2026-12-07 11:10:00"}]}


def _client(store_url: str, settings: Settings) -> TestClient:
    return TestClient(create_app(Store.open(store_url, migrate_schema=False), settings), base_url=BASE_URL,
                      raise_server_exceptions=False)


def test_without_an_alertmanager_url_the_banner_is_empty(store_url: str, settings: Settings) -> None:
    client = _client(store_url, settings.model_copy(update={"alertmanager_url": None}))
    assert client.get("/api/alerts/firing?lang=en").json() == {"title": "Alerts firing", "alerts": []}


def test_an_alertmanager_that_does_not_answer_is_a_502_in_one_line(store_url: str, settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    answer = _client(store_url, settings.model_copy(update={"alertmanager_url": url})).get("/api/alerts/firing")
    assert answer.status_code == 502
    assert answer.json()["error"].startswith(f"Alertmanager at {url} did not answer (") and "\n" not in answer.text


@pytest.mark.integration
def test_an_alert_posted_to_the_stacks_alertmanager_is_on_the_banner_until_it_ends(
        store_url: str, settings: Settings) -> None:
    alertmanager = os.environ.get("CCKPI_ALERTMANAGER_URL")
    if not alertmanager:
        pytest.skip("CCKPI_ALERTMANAGER_URL not set (run through `make test`, which starts the stack)")
    client = _client(store_url, settings.model_copy(update={"alertmanager_url": alertmanager}))
    queue = f"q{uuid.uuid4().hex[:8]}"
    now = datetime.now(timezone.utc)
    alert = {"labels": {"alertname": "QueueLongestWaitAboveThreshold", "queue": queue, "system": f"test-{queue}"},
             "annotations": {}, "startsAt": now.isoformat(), "endsAt": (now + timedelta(seconds=120)).isoformat()}
    try:
        _post(f"{alertmanager}/api/v2/alerts", [alert])
        assert _until(lambda: _ours(client, queue), 10) == ["A contact has waited too long"]
    finally:
        _post(f"{alertmanager}/api/v2/alerts", [{**alert, "endsAt": datetime.now(timezone.utc).isoformat()}])
    assert _until(lambda: not _ours(client, queue), 10) is True


def _ours(client: TestClient, queue: str) -> list[str]:
    return [a["title"] for a in client.get("/api/alerts/firing?lang=en").json()["alerts"] if a["queue"] == queue]


def _until(check: Callable[[], Any], seconds: float) -> Any:
    """The first truthy result of ``check`` within ``seconds``, else its last result."""
    deadline = time.monotonic() + seconds
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(0.2)
        result = check()
    return result
