"""Delivery through the real HTTP post to local robots that check each signature as the vendor documents it
(tests/fixtures/robots.py) and refuse a bad one."""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.alerts.relay.message import render
from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay
from pipeline.alerts.relay.webhook import Notification
from pipeline.settings import RobotSettings
from tests.alerts.relay.conftest import notification
from tests.fixtures.robots import robots_at


def _deliver(robots: tuple[RobotSettings, ...], outbox: Outbox) -> None:
    relay = Relay(robots, outbox, "zh-CN", 300, time.time)
    note = Notification.model_validate(notification())
    relay.accept(lambda lang: render(note, lang, ZoneInfo("Asia/Shanghai"), "http://wall", lambda q: None))
    relay.send_due()


def test_every_vendor_accepts_the_signed_requests(robot_receivers: Any, outbox: Outbox) -> None:
    base, answers = robot_receivers
    _deliver(robots_at(base), outbox)
    assert [(path, answer.get("errcode", answer.get("code"))) for path, _, answer in answers] == [
        ("/dingtalk", 0), ("/feishu", 0), ("/wecom", 0)]
    assert "服务水平低于目标" in answers[0][1]["markdown"]["text"]
    assert answers[1][1]["card"]["header"]["template"] == "red"
    assert outbox.waiting() == []


def test_wrong_secrets_are_refused_and_kept_for_a_retry(robot_receivers: Any, outbox: Outbox) -> None:
    base, answers = robot_receivers
    _deliver(robots_at(base, "SECwrong", "wrong", "nokey"), outbox)
    assert [answer.get("errcode", answer.get("code")) for _, _, answer in answers] == [310000, 19021, 93000]
    assert [(attempts, error.split(":")[0]) for _, attempts, error in outbox.waiting()] == [
        (1, "errcode 310000"), (1, "code 19021"), (1, "errcode 93000")]
