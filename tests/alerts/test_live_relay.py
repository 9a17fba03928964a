"""The stack's real Alertmanager firing through the relay of the web app to local DingTalk, Feishu and WeCom robots.

The web app (``create_app`` with a relay, as ``cckpi serve`` builds it) listens
where the stack's Alertmanager posts (the setting ``stack.alert_webhook_url``,
default ``.../api/alerts/alertmanager``).  A stack started with another path
(the team's env files say ``/alerts``) reaches the same handler: the test maps
that one path onto the relay's, nothing else.  The robots check every
signature as the vendors document them (tests/fixtures/robots.py).
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay
from pipeline.settings import load_settings
from pipeline.store.store import Store
from pipeline.web.alerts.relay_api import WEBHOOK_PATH
from pipeline.web.factory import create_app
from pipeline.web.server import serve_in_thread
from tests.alerts.test_live_stack import _post, _url
from tests.fixtures.http import get_json
from tests.fixtures.robots import Received, robots_at
from tests.fixtures.stores import fresh_url

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _at(path: str, app: Any) -> Any:
    """``app`` with the stack's webhook path mapped onto the relay's (identity when they are the same)."""
    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == path:
            scope = {**scope, "path": WEBHOOK_PATH, "raw_path": WEBHOOK_PATH.encode()}
        await app(scope, receive, send)
    return asgi


@pytest.fixture
def relayed(robot_receivers: tuple[str, Received], tmp_path: Path, chdb_dir: Path) -> Iterator[tuple[str, Received]]:
    """The web app with a relay to the local robots, serving at the stack's webhook URL: (its base, robots' log)."""
    base, received = robot_receivers
    settings = load_settings(tz="Asia/Shanghai")
    webhook = urllib.parse.urlparse(settings.stack.alert_webhook_url)
    outbox = Outbox(tmp_path / "relay.sqlite")
    relay = Relay(robots_at(base), outbox, "zh-CN", 300, time.time)
    store = Store.open(fresh_url("chdb", chdb_dir))
    app = create_app(store, settings, relay=relay)
    try:
        stop_web = serve_in_thread(_at(webhook.path, app), webhook.hostname or "127.0.0.1", webhook.port or 80)
    except RuntimeError as exc:
        pytest.skip(f"webhook port {webhook.port} busy ({exc}): another test is listening there")
    stop_relay = relay.start()
    yield f"http://{webhook.hostname}:{webhook.port}", received
    stop_relay()
    stop_web()
    outbox.close()
    store.close()


def _ours(received: Received, queue: str, state: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """What the robots received about ``queue`` in ``state`` (the title says both)."""
    return [r for r in received if queue in str(r[1]) and state in str(r[1])]


def test_alertmanager_fires_and_resolves_through_the_relay_on_every_robot(relayed: tuple[str, Received]) -> None:
    alertmanager = _url("CCKPI_ALERTMANAGER_URL")
    web, received = relayed
    system, queue = f"test-{uuid.uuid4().hex[:8]}", f"q{uuid.uuid4().hex[:6]}"
    now = datetime.now(timezone.utc)
    alert = {"labels": {"alertname": "QueueServiceLevelBelowTarget", "system": system, "queue": queue,
                        "channel": "voice", "severity": "page"},
             "annotations": {"summary": "test"}, "startsAt": now.isoformat(),
             "endsAt": (now + timedelta(seconds=300)).isoformat()}
    try:
        _post(f"{alertmanager}/api/v2/alerts", [alert])
        deadline = time.monotonic() + 60  # group_wait 10 s, then the relay sends at once
        while time.monotonic() < deadline and len(_ours(received, queue, "告警")) + len(_ours(received, queue, "FIRING")) < 3:
            time.sleep(0.5)
        firing = _ours(received, queue, "告警") + _ours(received, queue, "FIRING")
        assert sorted(path for path, _, _ in firing) == ["/dingtalk", "/feishu", "/wecom"], received
        assert all(answer.get("errcode", answer.get("code")) == 0 for _, _, answer in firing), firing
        banner = get_json(f"{web}/api/alerts/firing?lang=zh-CN")
        assert [a["title"] for a in banner["alerts"] if a["queue"] == queue] == ["服务水平低于目标"]
    finally:
        _post(f"{alertmanager}/api/v2/alerts", [{**alert, "endsAt": datetime.now(timezone.utc).isoformat()}])
    deadline = time.monotonic() + 120  # the resolved notification waits for group_interval (1 m)
    while time.monotonic() < deadline and len(_ours(received, queue, "已恢复")) + len(_ours(received, queue, "RESOLVED")) < 3:
        time.sleep(0.5)
    resolved = _ours(received, queue, "已恢复") + _ours(received, queue, "RESOLVED")
    assert sorted(path for path, _, _ in resolved) == ["/dingtalk", "/feishu", "/wecom"], received
    assert [a for a in get_json(f"{web}/api/alerts/firing")["alerts"] if a["queue"] == queue] == []
