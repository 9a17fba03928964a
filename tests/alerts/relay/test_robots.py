"""Each kind's body, its size limit, and what counts as the vendor saying ok."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from pipeline.alerts.relay.message import render
from pipeline.alerts.relay.robots import body, refusal, signed
from pipeline.alerts.relay.webhook import Notification
from pipeline.settings import RobotSettings
from tests.alerts.relay.conftest import notification


def _message(alerts: int, lang: str = "en", status: str = "firing"):
    note = notification(status)
    note["alerts"] = [{**note["alerts"][0], "labels": {**note["alerts"][0]["labels"], "channel": f"c{i:03d}"},
                       "fingerprint": f"f{i}"} for i in range(alerts)]
    parsed = Notification.model_validate(note)
    return render(parsed, lang, ZoneInfo("UTC"), "http://wall", lambda q: (0.5, 0.8))


def test_dingtalk_markdown_wecom_coloured_markdown_feishu_card() -> None:
    message = _message(1)
    ding = body("dingtalk", message, "en")
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == message.title
    assert ding["markdown"]["text"] == (
        "#### [FIRING] Service level below target · billing\n\n**Service level below target**\n"
        "- Queue: billing (c000)\n- Service level now: 50.0% (target 80.0%)\n- Since: 2026-12-07 03:02:05\n\n"
        "[Open the wallboard](http://wall/?lang=en)")
    wecom = body("wecom", message, "en")["markdown"]["content"]
    assert wecom.startswith('### <font color="warning">[FIRING] Service level below target · billing</font>')
    resolved = body("feishu", _message(1, status="resolved"), "en")
    assert resolved["msg_type"] == "interactive" and resolved["card"]["header"]["template"] == "green"


def test_a_message_too_long_for_wecom_keeps_whole_alerts_and_says_how_many_more() -> None:
    content = body("wecom", _message(60), "en")["markdown"]["content"]
    # head 79 bytes; each alert 2 + 125 bytes; 81 kept for "… and {n} more alerts" (23), the link (42) and
    # spacing (16), under 4000: 79 + 127 k + 81 <= 4000 -> k = 30 whole alerts, never a cut one
    assert len(content.encode()) <= 4096
    assert content.count("**Service level below target**") == 30 and "… and 30 more alerts" in content
    assert content.endswith("[Open the wallboard](http://wall/?lang=en)")
    assert body("dingtalk", _message(60), "en")["markdown"]["text"].count("**Service level") == 60


def test_feishu_signs_in_the_body_and_wecom_not_at_all() -> None:
    feishu = RobotSettings(kind="feishu", url="https://open.feishu.cn/open-apis/bot/v2/hook/x", secret="s")
    request = signed(feishu, {"msg_type": "text"}, 1_600_000_000_999)
    sent = json.loads(request.body)
    assert request.url == feishu.url and sent["timestamp"] == "1600000000" and sent["sign"]
    wecom = RobotSettings(kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    assert signed(wecom, {"msgtype": "text"}, 1).url == wecom.url


@pytest.mark.parametrize(("kind", "status", "text", "why"), [
    ("dingtalk", 200, '{"errcode":0,"errmsg":"ok"}', None),
    ("dingtalk", 200, '{"errcode":130101,"errmsg":"send too fast"}', "errcode 130101: send too fast"),
    ("wecom", 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', "errcode 45009: api freq out of limit"),
    ("feishu", 200, '{"code":0,"data":{},"msg":"success"}', None),
    ("feishu", 200, '{"StatusCode":0,"StatusMessage":"success"}', None),
    ("feishu", 200, '{"code":11232,"msg":"frequency limited"}', "code 11232: frequency limited"),
    ("wecom", 502, "Bad Gateway", "HTTP 502: Bad Gateway"),
    ("dingtalk", 200, "<html>", "not JSON: <html>"),
    ("feishu", 200, "{}", "no code in the answer: {}"),
])
def test_only_the_vendors_zero_code_is_ok(kind: str, status: int, text: str, why: str | None) -> None:
    assert refusal(kind, status, text) == why
