"""The robots' request signatures, exactly as the vendors document them.

DingTalk (custom robot, 加签): ``timestamp`` in milliseconds; the string
``timestamp + "\\n" + secret`` is signed with HMAC-SHA256 *keyed by the secret*,
base64-encoded, then URL-encoded into the query (``&timestamp=..&sign=..``).
Feishu/Lark (custom bot, 签名校验): ``timestamp`` in seconds; HMAC-SHA256 *keyed
by* ``timestamp + "\\n" + secret`` over an empty message, base64-encoded, sent in
the JSON body beside ``timestamp``.  Both reject a timestamp more than an hour
off, so a message is signed when it is sent, never when it is queued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The base64 signature (before URL-encoding) of ``timestamp_ms``."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and the URL-encoded ``sign`` appended to its query."""
    query = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
