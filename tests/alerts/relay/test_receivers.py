"""Local robots on loopback that check each request as the vendor documents it and refuse a bad one.

Each receiver verifies with the vendor's own published recipe (written here
from the docs, not calling the code under test): DingTalk's Python sample
``quote_plus(b64encode(hmac(secret, f"{timestamp}\\n{secret}")))`` compared with
the raw ``sign`` query value, the timestamp in ms within an hour; Feishu's
``b64encode(hmac(f"{timestamp}\\n{secret}", b""))`` compared with the body's
``sign``, the timestamp in s within an hour; WeCom's ``key`` in the query.
They answer like the vendors: DingTalk 310000 "sign not match", Feishu 19021
"sign match fail or timestamp is not within one hour from current time",
WeCom 93000 "invalid webhook url".  Delivery goes through the real HTTP post.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit
from zoneinfo import ZoneInfo

import pytest

from pipeline.alerts.relay.message import render
from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay
from pipeline.alerts.relay.webhook import Notification
from pipeline.settings import RobotSettings
from tests.alerts.relay.conftest import notification

DING_SECRET, FEISHU_SECRET, WECOM_KEY = "SECd1c2b3a4", "fs-9f8e7d", "wk-1234"


def _dingtalk(query: str, body: dict[str, Any]) -> dict[str, Any]:
    raw = dict(part.split("=", 1) for part in query.split("&"))
    timestamp = raw.get("timestamp", "0")
    digest = hmac.new(DING_SECRET.encode("utf-8"), f"{timestamp}\n{DING_SECRET}".encode("utf-8"),
                      digestmod=hashlib.sha256).digest()
    if raw.get("sign") != quote_plus(base64.b64encode(digest)) or abs(time.time() * 1000 - int(timestamp)) > 3600e3:
        return {"errcode": 310000, "errmsg": "sign not match"}
    if body.get("msgtype") != "markdown" or not body["markdown"]["text"]:
        return {"errcode": 40035, "errmsg": "缺少参数 markdown"}
    return {"errcode": 0, "errmsg": "ok"}


def _feishu(query: str, body: dict[str, Any]) -> dict[str, Any]:
    timestamp = body.get("timestamp", "0")
    digest = hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode("utf-8"), digestmod=hashlib.sha256).digest()
    if body.get("sign") != base64.b64encode(digest).decode("utf-8") or abs(time.time() - int(timestamp)) > 3600:
        return {"code": 19021, "data": {}, "msg": "sign match fail or timestamp is not within one hour from current time"}
    if body.get("msg_type") != "interactive" or not body["card"]["elements"]:
        return {"code": 9499, "data": {}, "msg": "Bad Request"}
    return {"code": 0, "data": {}, "msg": "success"}


def _wecom(query: str, body: dict[str, Any]) -> dict[str, Any]:
    if parse_qs(query).get("key") != [WECOM_KEY]:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    if body.get("msgtype") != "markdown" or len(body["markdown"]["content"].encode()) > 4096:
        return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return {"errcode": 0, "errmsg": "ok"}


CHECKS = {"/dingtalk": _dingtalk, "/feishu": _feishu, "/wecom": _wecom}


class _Robots(BaseHTTPRequestHandler):
    answers: list[tuple[str, dict[str, Any], dict[str, Any]]]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = CHECKS[parts.path](parts.query, body)
        self.answers.append((parts.path, body, answer))
        data = json.dumps(answer).encode()
        self.send_response(200)  # the vendors answer 200 with an error code
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def receivers() -> Iterator[tuple[str, list[tuple[str, dict[str, Any], dict[str, Any]]]]]:
    answers: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Robots", (_Robots,), {"answers": answers}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    server.server_close()


def _robots(base: str, ding: str, feishu: str, wecom: str) -> tuple[RobotSettings, ...]:
    return (RobotSettings(kind="dingtalk", url=f"{base}/dingtalk?access_token=tok", secret=ding),
            RobotSettings(kind="feishu", url=f"{base}/feishu", secret=feishu, lang="en"),
            RobotSettings(kind="wecom", url=f"{base}/wecom?key={wecom}"))


def _deliver(robots: tuple[RobotSettings, ...], outbox: Outbox) -> None:
    relay = Relay(robots, outbox, "zh-CN", 300, time.time)
    note = Notification.model_validate(notification())
    relay.accept(note, lambda lang: render(note, lang, ZoneInfo("Asia/Shanghai"), "http://wall", lambda q: None))
    relay.send_due()


def test_every_vendor_accepts_the_signed_requests(receivers: Any, outbox: Outbox) -> None:
    base, answers = receivers
    _deliver(_robots(base, DING_SECRET, FEISHU_SECRET, WECOM_KEY), outbox)
    assert [(path, answer.get("errcode", answer.get("code"))) for path, _, answer in answers] == [
        ("/dingtalk", 0), ("/feishu", 0), ("/wecom", 0)]
    assert "服务水平低于目标" in answers[0][1]["markdown"]["text"]
    assert answers[1][1]["card"]["header"]["template"] == "red"
    assert outbox.waiting() == []


def test_wrong_secrets_are_refused_and_kept_for_a_retry(receivers: Any, outbox: Outbox) -> None:
    base, answers = receivers
    _deliver(_robots(base, "SECwrong", "wrong", "nokey"), outbox)
    assert [answer.get("errcode", answer.get("code")) for _, _, answer in answers] == [310000, 19021, 93000]
    assert [(attempts, error.split(":")[0]) for _, attempts, error in outbox.waiting()] == [
        (1, "errcode 310000"), (1, "code 19021"), (1, "errcode 93000")]
