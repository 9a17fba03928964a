"""Each robot's documented rate, on a clock the test moves."""

from __future__ import annotations

from pipeline.alerts.relay.limits import for_kind


def _send_all(kind: str, times: list[float]) -> list[float]:
    """Send at each wanted time or as soon after as the limit allows; the times actually sent."""
    limit, sent, now = for_kind(kind), [], 0.0
    for wanted in times:
        now = max(now, wanted)
        now += limit.wait_s(now)
        limit.record(now)
        sent.append(now)
    return sent


def test_dingtalk_and_wecom_send_20_a_minute_then_wait_for_the_oldest_to_leave_the_window() -> None:
    for kind in ("dingtalk", "wecom"):
        sent = _send_all(kind, [0.5 * i for i in range(22)])
        # sends 0..19 at 0, 0.5 .. 9.5 s; the 21st may go when the 1st (t=0) is 60 s old: t=60; the 22nd at 60.5
        assert sent[:20] == [0.5 * i for i in range(20)]
        assert sent[20:] == [60.0, 60.5]


def test_feishu_sends_5_a_second_and_100_a_minute() -> None:
    sent = _send_all("feishu", [0.0] * 101)
    # 5 at t=0, 5 at t=1, ... the 100th send is in second 19 (t=19); the 101st waits for the window of 60 s
    # from the 1st send (t=0): t=60
    assert sent[:6] == [0, 0, 0, 0, 0, 1]
    assert sent[99] == 19.0
    assert sent[100] == 60.0


def test_a_limit_forgets_sends_older_than_its_longest_window() -> None:
    limit = for_kind("dingtalk")
    for _ in range(20):
        limit.record(0.0)
    assert limit.wait_s(59.0) == 1.0
    assert limit.wait_s(60.0) == 0.0
    assert len(limit.sent) == 0
