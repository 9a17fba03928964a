"""Each robot kind's message body, signed request and idea of success.

Bodies (vendors' documented formats): DingTalk ``markdown`` {title, text};
WeCom ``markdown`` {content} (4096 bytes at most, ``<font color>`` for the
state); Feishu ``interactive`` card with a red (firing) or green (resolved)
header.  A message too long for the kind keeps its first alerts and says how
many more there are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.alerts.relay.message import Block, Message
from pipeline.alerts.relay.signing import dingtalk_url, feishu_sign
from pipeline.i18n import label
from pipeline.settings import RobotSettings

# bytes of the markdown text each kind takes (WeCom documents 4096; DingTalk and Feishu 20 KB a request)
MAX_TEXT_BYTES = {"dingtalk": 18000, "wecom": 4000, "feishu": 18000}


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes


def _block_lines(block: Block) -> list[str]:
    return [f"**{block.title}**", *(f"- {name}: {value}" for name, value in block.facts)]


def _fit(message: Message, head: list[str], limit: int, lang: str) -> str:
    """Head, then whole alert blocks while they fit, then "... and N more" and the wallboard link."""
    tail = f"[{message.link_text}]({message.link})"
    text = "\n".join(head)
    shown = 0
    for block in message.blocks:
        candidate = text + "\n\n" + "\n".join(_block_lines(block))
        reserve = len(label("alert.more", lang).encode()) + len(tail.encode()) + 16
        if len(candidate.encode()) + reserve > limit and shown:
            break
        text, shown = candidate, shown + 1
    more = len(message.blocks) - shown + message.hidden
    if more:
        text += "\n\n" + label("alert.more", lang).format(n=more)
    return text + "\n\n" + tail


def body(kind: str, message: Message, lang: str) -> dict[str, Any]:
    """The unsigned JSON body for ``kind``."""
    limit = MAX_TEXT_BYTES[kind]
    if kind == "dingtalk":
        return {"msgtype": "markdown",
                "markdown": {"title": message.title, "text": _fit(message, [f"#### {message.title}"], limit, lang)}}
    if kind == "wecom":
        colour = "warning" if message.firing else "info"
        head = f'### <font color="{colour}">{message.title}</font>'
        return {"msgtype": "markdown", "markdown": {"content": _fit(message, [head], limit, lang)}}
    return {"msg_type": "interactive", "card": {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.title},
                   "template": "red" if message.firing else "green"},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": _fit(message, [], limit, lang)}}]}}


def signed(robot: RobotSettings, unsigned: dict[str, Any], now_ms: int) -> Request:
    """The request to send now: DingTalk signs in the query, Feishu in the body, WeCom not at all."""
    url, payload = robot.url, dict(unsigned)
    if robot.kind == "dingtalk" and robot.secret:
        url = dingtalk_url(robot.url, robot.secret, now_ms)
    elif robot.kind == "feishu" and robot.secret:
        seconds = now_ms // 1000
        payload = {"timestamp": str(seconds), "sign": feishu_sign(robot.secret, seconds), **payload}
    return Request(url, json.dumps(payload, ensure_ascii=False).encode())


def refusal(kind: str, status: int, text: str) -> str | None:
    """None when the vendor accepted the message, else why not (HTTP status or the vendor's error code).

    DingTalk and WeCom answer ``{"errcode": 0}``; Feishu ``{"code": 0}`` (older
    bots ``{"StatusCode": 0}``).  Vendors answer HTTP 200 with an error code, so
    the status alone proves nothing.
    """
    if status != 200:
        return f"HTTP {status}: {text[:200]}"
    try:
        answer = json.loads(text)
    except ValueError:
        return f"not JSON: {text[:200]}"
    keys = ("errcode",) if kind in ("dingtalk", "wecom") else ("code", "StatusCode")
    for key in keys:
        if isinstance(answer, dict) and key in answer:
            return None if answer[key] == 0 else f"{key} {answer[key]}: {answer.get('errmsg') or answer.get('msg')}"
    return f"no {keys[0]} in the answer: {text[:200]}"
