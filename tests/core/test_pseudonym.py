"""Customer keys in rejected messages: pseudonymised like stored ones, everything else left as it came."""

from __future__ import annotations

import orjson
import pytest

from pipeline.core.pseudonym import pseudonymise_raw, pseudonymiser

KEY = b"unit-test-pseudonym-key-0123456789"
P = pseudonymiser(KEY)


@pytest.mark.parametrize(("raw", "key_text"), [
    (b'{"customer_key": "13800138000", "queue": 5}', "13800138000"),
    (b'{"customer_key": 13800138000}', "13800138000"),  # a number: its JSON text
    (b'{"customer_key": ["a", 1]}', '["a",1]'),  # anything else: its JSON text
])
def test_a_key_in_valid_json_becomes_its_pseudonym(raw: bytes, key_text: str) -> None:
    out = orjson.loads(pseudonymise_raw(raw, P))
    assert out["customer_key"] == P(key_text)
    assert {k: v for k, v in out.items() if k != "customer_key"} == {k: v for k, v in orjson.loads(raw).items()
                                                                      if k != "customer_key"}


@pytest.mark.parametrize(("raw", "expected"), [
    (b'{"customer_key": "138 0013 8000", "ts": ', b'{"customer_key": "' + P("138 0013 8000").encode() + b'", "ts": '),
    (b'{"customer_key":13800138000,"x', b'{"customer_key":"' + P("13800138000").encode() + b'","x'),
    (b'{"customer_key": "a\\"b"', b'{"customer_key": "' + P('a"b').encode() + b'"'),  # an escaped quote inside
])
def test_a_key_in_broken_json_becomes_its_pseudonym(raw: bytes, expected: bytes) -> None:
    assert pseudonymise_raw(raw, P) == expected


@pytest.mark.parametrize("raw", [b'{"queue": "billing"}', b'{"customer_key": ""}', b'{"customer_key": null}',
                                 b"[1, 2]", b"\xff\x00 garbage", b"{not json"])
def test_messages_without_a_key_are_unchanged(raw: bytes) -> None:
    assert pseudonymise_raw(raw, P) == raw
