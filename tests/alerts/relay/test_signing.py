"""The signatures against values worked outside Python (openssl), so the code is not checked by itself:

    printf '1600000000000\nSEC000' | openssl dgst -sha256 -hmac SEC000 -binary | base64
    lFJvP81KHr4ARaZapQxkwECMzlIjzCNMUGrdMd+CXGk=
    printf '' | openssl dgst -sha256 -hmac "$(printf '1600000000\nfeishu-secret')" -binary | base64
    cLnlNwSAsxRHZLSHSak/f9MmlFngz/bajCceDrz1gBU=
"""

from __future__ import annotations

from pipeline.alerts.relay.signing import dingtalk_sign, dingtalk_url, feishu_sign


def test_dingtalk_signs_timestamp_newline_secret_keyed_by_the_secret() -> None:
    assert dingtalk_sign("SEC000", 1600000000000) == "lFJvP81KHr4ARaZapQxkwECMzlIjzCNMUGrdMd+CXGk="


def test_dingtalk_url_encodes_the_signature_into_the_query() -> None:
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC000", 1600000000000)
    # '+' -> %2B, '/' none here, '=' -> %3D
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1600000000000"
                   "&sign=lFJvP81KHr4ARaZapQxkwECMzlIjzCNMUGrdMd%2BCXGk%3D")


def test_feishu_signs_an_empty_message_keyed_by_timestamp_newline_secret() -> None:
    assert feishu_sign("feishu-secret", 1600000000) == "cLnlNwSAsxRHZLSHSak/f9MmlFngz/bajCceDrz1gBU="
