"""Delivery on a fake clock: every robot gets the message, refusals are retried with back-off, the
rate limit spreads a burst, and the outbox keeps what is not delivered across a restart."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.alerts.relay import robots
from pipeline.alerts.relay.message import render
from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay, backoff_s, robot_key
from pipeline.alerts.relay.service import SPOOL_NAME, open_relay
from pipeline.alerts.relay.webhook import Notification
from pipeline.settings import RobotSettings, load_settings
from tests.alerts.relay.conftest import FakeClock, notification

DING = RobotSettings(kind="dingtalk", url="https://ding.example/robot/send?access_token=T", secret="SEC1")
WECOM = RobotSettings(kind="wecom", url="https://wecom.example/send?key=K", lang="en")


class Vendor:
    """Answers each post with the next scripted (status, text); records what it was sent and when."""

    def __init__(self, clock: FakeClock, answers: list[tuple[int, str]] | None = None) -> None:
        self.clock, self.answers, self.got = clock, list(answers or []), []

    def __call__(self, request: robots.Request) -> tuple[int, str]:
        self.got.append((self.clock(), request.url, json.loads(request.body)))
        return self.answers.pop(0) if self.answers else (200, '{"errcode":0,"errmsg":"ok"}')


def _accept(relay: Relay, body: dict | None = None) -> None:
    note = Notification.model_validate(body or notification())
    relay.accept(lambda lang: render(note, lang, ZoneInfo("Asia/Shanghai"), "http://wall", lambda q: (0.5, 0.9)))


def test_each_robot_gets_the_message_in_its_language(outbox: Outbox, clock: FakeClock) -> None:
    vendor = Vendor(clock)
    relay = Relay((DING, WECOM), outbox, "zh-CN", 300, clock, vendor)
    _accept(relay)
    relay.send_due()
    (ding, wecom) = vendor.got
    assert "sign=" in ding[1] and ding[2]["markdown"]["title"] == "[告警] 服务水平低于目标 · billing"
    assert wecom[1] == WECOM.url and "[FIRING] Service level below target" in wecom[2]["markdown"]["content"]
    assert outbox.waiting() == []


def test_a_refusal_is_retried_after_2_4_8_seconds_then_delivered(outbox: Outbox, clock: FakeClock) -> None:
    refused = (200, '{"errcode":310000,"errmsg":"sign not match"}')
    vendor = Vendor(clock, [refused, (503, "busy"), refused])
    relay = Relay((DING,), outbox, "en", 300, clock, vendor)
    _accept(relay)
    start = clock()
    assert relay.send_due() == 2.0  # first try at 0 refused: next at +2
    assert outbox.waiting() == [(robot_key(DING), 1, "errcode 310000: sign not match")]
    clock.advance(1.5)
    assert relay.send_due() == 0.5
    assert len(vendor.got) == 1  # not yet due
    clock.advance(0.5)
    assert relay.send_due() == 4.0  # try 2 at +2 (HTTP 503): next at +6
    clock.advance(4)
    assert relay.send_due() == 8.0  # try 3 at +6 refused: next at +14
    clock.advance(8)
    relay.send_due()
    assert [t - start for t, _, _ in vendor.got] == [0, 2, 6, 14]
    assert outbox.waiting() == []


def test_backoff_doubles_to_its_cap() -> None:
    assert [backoff_s(n, 300) for n in (1, 2, 3, 8, 9, 20)] == [2, 4, 8, 256, 300, 300]


def test_a_burst_of_25_goes_20_now_and_5_a_minute_later(outbox: Outbox, clock: FakeClock) -> None:
    vendor = Vendor(clock)
    relay = Relay((DING,), outbox, "en", 300, clock, vendor)
    for i in range(25):
        _accept(relay, notification(queue=f"q{i}", fingerprint=f"f{i}"))
    assert relay.send_due() == 60.0
    assert len(vendor.got) == 20
    clock.advance(60)
    relay.send_due()
    assert len(vendor.got) == 25
    # oldest first: the queues in the order Alertmanager posted them
    assert [got[2]["markdown"]["title"].split(" · ")[1] for got in vendor.got] == [f"q{i}" for i in range(25)]


def test_what_is_not_delivered_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    first = Outbox(tmp_path / "relay.sqlite")
    down = Vendor(clock, [(502, "bad gateway")])
    relay = Relay((DING,), first, "en", 300, clock, down)
    _accept(relay)
    relay.send_due()
    first.close()
    clock.advance(2)
    again = Outbox(tmp_path / "relay.sqlite")
    up = Vendor(clock)
    Relay((DING,), again, "en", 300, clock, up).send_due()
    assert len(up.got) == 1 and again.waiting() == []
    again.close()


def test_an_unreachable_robot_is_retried(outbox: Outbox, clock: FakeClock) -> None:
    def refuse(request: robots.Request) -> tuple[int, str]:
        raise ConnectionRefusedError(111, "Connection refused")
    relay = Relay((WECOM,), outbox, "en", 300, clock, refuse)
    _accept(relay)
    assert relay.send_due() == 2.0
    assert outbox.waiting()[0][2] == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_serve_warns_of_messages_left_for_a_robot_no_longer_configured(
        tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    first = Outbox(tmp_path / SPOOL_NAME)  # where open_relay looks by default: data_dir
    _accept(Relay((DING, WECOM), first, "en", 300, clock, Vendor(clock)))  # queued, not sent
    first.close()
    settings = load_settings(data_dir=tmp_path, alerts={"robots": [WECOM.model_dump()]})
    with caplog.at_level(logging.WARNING, logger="cckpi.alerts.relay"):
        relay = open_relay(settings, clock)
    relay.outbox.close()
    assert "1 undelivered messages" in caplog.text
