"""The event contract's edges (``core/decode.py``, ``core/events.py``), each by hand: the length limits of an id
(128) and a key (256), the message for a time without an offset, the reason for an error no rule names, and
the outcomes as values."""

from __future__ import annotations

import orjson
import pytest

from pipeline.core.decode import Accepted, Rejected, _classify, decode


def _offer(event_id: str = "e1", contact_id: str = "c1", ts: str = "2026-11-02T01:00:00Z") -> bytes:
    return orjson.dumps({"event_id": event_id, "type": "contact.offered", "ts": ts, "contact_id": contact_id,
                         "queue": "billing", "channel": "voice"})


def test_an_id_of_128_characters_and_a_key_of_256_are_the_longest_accepted():
    assert isinstance(decode(_offer(event_id="e" * 128)), Accepted)
    too_long_id = decode(_offer(event_id="e" * 129))
    assert isinstance(too_long_id, Rejected) and too_long_id.reason == "out_of_range"
    assert isinstance(decode(_offer(contact_id="c" * 256)), Accepted)
    too_long_key = decode(_offer(contact_id="c" * 257))
    assert isinstance(too_long_key, Rejected) and too_long_key.reason == "out_of_range"


def test_a_time_without_an_offset_is_refused_with_the_fix():
    refused = decode(_offer(ts="2026-11-02T09:00:00"))
    assert refused == Rejected(
        "bad_timestamp", "`ts` has no UTC offset; write it as RFC 3339 with Z or +hh:mm - at `$.ts`")


def test_an_error_no_rule_names_is_an_invalid_value():
    assert _classify("something msgspec may say one day") == "invalid_value"


@pytest.mark.parametrize("outcome", [decode(_offer()), Rejected("invalid_json", "x")], ids=["accepted", "rejected"])
def test_an_outcome_cannot_be_changed_in_place(outcome):
    name = "ts_ms" if isinstance(outcome, Accepted) else "reason"
    before = getattr(outcome, name)
    with pytest.raises(AttributeError):
        setattr(outcome, name, 0)
    assert getattr(outcome, name) == before


@pytest.mark.parametrize(("ts", "held"), [
    ("1970-01-01T23:59:59.999Z", False),  # the last millisecond before the first the store takes
    ("1970-01-02T00:00:00Z", True),
    ("1970-01-02T07:59:59+08:00", False),  # the same instant as the one above, less a second, written in UTC+8
    ("2099-12-31T23:59:59.999Z", True),
    ("2100-01-01T00:00:00Z", False),
    ("2100-01-01T07:59:59+08:00", True),  # 2099-12-31T23:59:59Z
    ("9999-12-31T23:59:59Z", False),  # a producer's "never": once accepted, then it stopped the chain
    ("0001-01-01T00:00:00+14:00", False),  # a zero time: before year 1 in UTC
])
def test_a_time_the_store_cannot_hold_is_refused_with_the_fix(ts, held):
    outcome = decode(_offer(ts=ts))
    if held:
        assert isinstance(outcome, Accepted)
    else:
        assert outcome == Rejected(
            "bad_timestamp", "`ts` is outside 1970-01-02 to 2099-12-31 (UTC), the times the store can hold; "
            "check the producer's clock - at `$.ts`")
