"""``POST /api/alerts/alertmanager`` over the hand-worked morning (tests/web/conftest.py).

The robots here are a recording fake on a fake clock (the vendors' own checks are in
tests/alerts/relay/test_receivers.py); what is checked is what the web side adds: the wallboard's
service level now in the message, the link, and who may post.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pipeline.alerts.relay import robots
from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay
from pipeline.settings import RobotSettings, Settings
from pipeline.store.store import Store
from pipeline.web.auth import COOKIE, session_value
from pipeline.web.factory import create_app
from tests.alerts.relay.conftest import FakeClock, notification
from tests.web.conftest import NOW_MS

WECOM = RobotSettings(kind="wecom", url="https://wecom.example/send?key=K", lang="zh-CN")
TOKEN = "a-long-random-serve-token"


class Recorder:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def __call__(self, request: robots.Request) -> tuple[int, str]:
        self.sent.append(json.loads(request.body))
        return 200, '{"errcode":0,"errmsg":"ok"}'


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    outbox = Outbox(tmp_path / "relay.sqlite")
    yield Relay((WECOM,), outbox, "en", 300, FakeClock(), Recorder())
    outbox.close()


def _client(store_url: str, settings: Settings, relay: Relay | None, token: str | None = None) -> TestClient:
    store = Store.open(store_url, migrate_schema=False)
    served = settings.model_copy(update={"serve_allowed_hosts": ["wall.example"]})  # the Host the links name
    app = create_app(store, served, clock=lambda: NOW_MS, token=token, relay=relay)
    return TestClient(app, raise_server_exceptions=False, base_url="http://wall.example:8080")


def test_a_firing_alert_is_queued_with_the_service_level_now_and_a_link_to_the_wallboard(
        store_url: str, settings: Settings, relay: Relay) -> None:
    client = _client(store_url, settings, relay)
    answer = client.post("/api/alerts/alertmanager", json=notification())
    assert answer.status_code == 200 and answer.json() == {"queued": 1}
    relay.send_due()
    (sent,) = relay.post.sent  # type: ignore[attr-defined]
    content = sent["markdown"]["content"]
    # the morning's billing at 09:11:40: c1 within 30 s of c1, c2, c3 (c8 a short abandon) -> 1/3 = 33.3%
    assert "- 当前服务水平: 33.3% (目标 90.0%)" in content
    assert "- 开始于: 2026-12-07 11:02:05" in content
    assert "[打开大屏](http://wall.example:8080/?lang=zh-CN)" in content


def test_a_body_that_is_not_alertmanagers_is_a_400_naming_the_field(
        store_url: str, settings: Settings, relay: Relay) -> None:
    client = _client(store_url, settings, relay)
    answer = client.post("/api/alerts/alertmanager", content=b'{"status": "firing"}')
    assert answer.status_code == 400
    assert answer.json() == {"error": "not Alertmanager's webhook JSON: alerts: Field required"}
    assert relay.outbox.waiting() == []


def test_with_a_token_the_webhook_takes_the_bearer_header_and_never_the_cookie(
        store_url: str, settings: Settings, relay: Relay) -> None:
    client = _client(store_url, settings.model_copy(update={"alertmanager_url": None}), relay, token=TOKEN)
    client.cookies.set(COOKIE, session_value(TOKEN))
    refused = client.post("/api/alerts/alertmanager", json=notification())
    assert refused.status_code == 401 and relay.outbox.waiting() == []
    assert client.get("/api/alerts/firing").status_code == 200  # the wallboard's banner reads with the cookie
    client.cookies.clear()
    wrong = client.post("/api/alerts/alertmanager", json=notification(), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    taken = client.post("/api/alerts/alertmanager", json=notification(), headers={"Authorization": f"Bearer {TOKEN}"})
    assert taken.status_code == 200 and len(relay.outbox.waiting()) == 1


def test_an_app_without_a_relay_says_where_alerts_go(store_url: str, settings: Settings) -> None:
    client = _client(store_url, settings, None)
    answer = client.post("/api/alerts/alertmanager", json=notification())
    assert answer.status_code == 503 and "cckpi serve" in answer.json()["error"]
