"""What the robots say: hand-worked text of a firing and a resolved notification in both languages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pipeline.alerts.relay.message import render
from pipeline.alerts.relay.webhook import Notification
from tests.alerts.relay.conftest import notification

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _level(queue: str) -> tuple[float | None, float] | None:
    return {"billing": (0.723, 0.9), "quiet": (None, 0.8)}.get(queue)


def test_a_firing_alert_in_chinese_names_queue_level_target_since_and_link() -> None:
    message = render(Notification.model_validate(notification()), "zh-CN", SHANGHAI,
                     "http://wall.example:8080/", _level)
    assert message.firing
    assert message.title == "[告警] 服务水平低于目标 · billing"
    (block,) = message.blocks
    # 0.723 -> 72.3%; target 0.9 -> 90.0%; 03:02:05Z is 11:02:05 in Shanghai (UTC+8)
    assert block.facts == (("队列", "billing (voice)"), ("当前服务水平", "72.3% (目标 90.0%)"),
                           ("开始于", "2026-12-07 11:02:05"))
    assert (message.link_text, message.link) == ("打开大屏", "http://wall.example:8080/?lang=zh-CN")


def test_a_resolved_alert_in_english_says_when_it_ended() -> None:
    body = notification("resolved", ends_at="2026-12-07T03:20:00Z")
    message = render(Notification.model_validate(body), "en", ZoneInfo("UTC"), "http://wall", _level)
    assert not message.firing
    assert message.title == "[RESOLVED] Service level below target · billing"
    assert message.blocks[0].facts == (("Queue", "billing (voice)"), ("Service level now", "72.3% (target 90.0%)"),
                                       ("Since", "2026-12-07 03:02:05"), ("Resolved at", "2026-12-07 03:20:00"))


def test_no_contacts_in_the_window_shows_unknown_and_an_unknown_queue_no_level() -> None:
    quiet = render(Notification.model_validate(notification(queue="quiet")), "en", SHANGHAI, "http://w", _level)
    assert quiet.blocks[0].facts[1] == ("Service level now", "unknown (target 80.0%)")
    other = render(Notification.model_validate(notification(queue="nobody")), "en", SHANGHAI, "http://w", _level)
    assert [name for name, _ in other.blocks[0].facts] == ["Queue", "Since"]


def test_an_alert_the_catalogue_does_not_know_keeps_its_summary() -> None:
    body = notification()
    body["alerts"][0]["labels"]["alertname"] = "SomethingNew"
    message = render(Notification.model_validate(body), "zh-CN", SHANGHAI, "http://w", _level)
    assert message.blocks[0].title == "Queue billing (voice): service level 72.3%"
